package pipeline

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/classifiers"
)

type recorder struct {
	scalars []string
	nodes   []string
}

func (r *recorder) Scalar(path []byte, v classifiers.Value) {
	r.scalars = append(r.scalars, string(path)+"="+v.S)
}
func (r *recorder) Node(path []byte, _ any) { r.nodes = append(r.nodes, string(path)) }

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFlattenPaths(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		scalars []string
		nodes   []string
	}{
		{"flat", `{"email":"a@b.example","age":42,"ok":true,"none":null,"empty":""}`,
			[]string{"age=42", "email=a@b.example", "ok=true"}, nil},
		{"nested", `{"user":{"name":"Ann","address":{"zip":"10115"}}}`,
			[]string{"user.address.zip=10115", "user.name=Ann"}, []string{"user", "user.address"}},
		{"array of objects", `{"contacts":[{"phone":"1"},{"phone":"2","kind":"home"}]}`,
			[]string{"contacts[].kind=home", "contacts[].phone=1", "contacts[].phone=2"}, []string{"contacts", "contacts[]", "contacts[]"}},
		{"array of scalars", `{"tags":["a","b"]}`, []string{"tags[]=a", "tags[]=b"}, []string{"tags"}},
		{"nested arrays", `{"coords":[[13.4,52.5]]}`, []string{"coords[][]=13.4", "coords[][]=52.5"}, []string{"coords", "coords[]"}},
		{"big number keeps digits", `{"card":4111111111111111111}`, []string{"card=4111111111111111111"}, nil},
		{"empty array and object", `{"a":[],"b":{}}`, nil, []string{"b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r recorder
			var f Flattener
			if err := f.Flatten(decode(t, tc.doc), &r); err != nil {
				t.Fatal(err)
			}
			sort.Strings(r.scalars)
			sort.Strings(r.nodes)
			sort.Strings(tc.nodes)
			if strings.Join(r.scalars, "|") != strings.Join(tc.scalars, "|") {
				t.Errorf("scalars = %q, want %q", r.scalars, tc.scalars)
			}
			if strings.Join(r.nodes, "|") != strings.Join(tc.nodes, "|") {
				t.Errorf("nodes = %q, want %q", r.nodes, tc.nodes)
			}
		})
	}
}

func TestFlattenGoTypes(t *testing.T) {
	when := time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC)
	doc := map[string]any{
		"i64": int64(-7), "i32": int32(8), "i": 9, "u": uint64(10), "f": 1.5, "f32": float32(2.5),
		"t": when, "bin": []byte("text"), "badbin": []byte{0xff, 0xfe}, "b": false,
	}
	var r recorder
	var f Flattener
	if err := f.Flatten(doc, &r); err != nil {
		t.Fatal(err)
	}
	sort.Strings(r.scalars)
	want := []string{"b=false", "bin=text", "f32=2.5", "f=1.5", "i32=8", "i64=-7", "i=9", "t=1990-05-17T00:00:00Z", "u=10"}
	if strings.Join(r.scalars, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", r.scalars, want)
	}
}

func TestFlattenTooDeep(t *testing.T) {
	doc := map[string]any{}
	cur := doc
	for i := 0; i < 50; i++ {
		next := map[string]any{"x": "v"}
		cur["n"] = next
		cur = next
	}
	var r recorder
	f := Flattener{MaxDepth: 10}
	err := f.Flatten(doc, &r)
	var deep ErrTooDeep
	if !errors.As(err, &deep) || deep.Limit != 10 {
		t.Fatalf("err = %v, want ErrTooDeep{10}", err)
	}
	f.MaxDepth = 100
	if err := f.Flatten(doc, &r); err != nil {
		t.Fatalf("limit 100: %v", err)
	}
}

func FuzzFlatten(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"a":[{"b":[1,2,{"c":"d"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.UseNumber()
		var m map[string]any
		if dec.Decode(&m) != nil {
			return
		}
		var r recorder
		fl := Flattener{MaxDepth: 32}
		if err := fl.Flatten(m, &r); err != nil {
			return
		}
		// Keys are joined as they are, so a key that starts or ends with a
		// dot, or an empty key, shows in the path: compare with a plain
		// recursive implementation of the convention.
		var want []string
		refFlatten("", m, &want)
		got := append([]string(nil), r.scalars...)
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("paths %q, want %q", got, want)
		}
	})
}

// refFlatten is the path convention written as plainly as possible, for
// documents decoded by encoding/json with UseNumber.
func refFlatten(path string, v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			refFlatten(p, val, out)
		}
	case []any:
		for _, val := range x {
			refFlatten(path+"[]", val, out)
		}
	case string:
		if x != "" {
			*out = append(*out, path+"="+x)
		}
	case json.Number:
		*out = append(*out, path+"="+string(x))
	case bool:
		*out = append(*out, path+"="+map[bool]string{true: "true", false: "false"}[x])
	}
}
