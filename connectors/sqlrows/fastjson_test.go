package sqlrows

import (
	"reflect"
	"strings"
	"testing"
)

// parseJSONString must give exactly what ParseJSON (encoding/json) gives,
// values and errors alike.
func TestParseJSONStringMatchesParseJSON(t *testing.T) {
	for _, s := range jsonSeeds {
		checkSameJSON(t, s)
	}
}

var jsonSeeds = []string{
	`{"a": 1, "b": [true, false, null, "x", -1.5e3, {}], "c": {"d": []}}`,
	`{"a": 1, "a": 2}`, `[]`, `{}`, ` [1, 2] `, `"str"`, `42`, `-0`, `01`, `1.`, `1e`, `-`,
	`{"k": "caf\u00e9"}`, `{"k": "café"}`, "{\"k\": \"\xff\"}", "{\"k\": \"a\tb\"}", `{"k": "a\"b"}`,
	`{"k" 1}`, `{"k": 1,}`, `[1,]`, `[1 2]`, `{} {}`, `{} x`, `[tru]`, `[nul]`, `{"a":1}}`,
	`[[[[[[[[[[]]]]]]]]]]`, `[[[[[[[[1]]]]]]]]`, `[[[[[[[[[1]]]]]]]]]`, `{"a":[{"b":[{"c":[{"d":{}}]}]}]}`,
	`{"a":[{"b":[{"c":[{"d":{"e":1}}]}]}]}`, `[[[[[[[[[x`, `[[[[[[[[x`, `{"\u0000": 1}`, `[1e400]`, `[1E+2, 1e-2, 0.5]`, "\t{ \"a\" :\n[ ] }\r\n",
}

func checkSameJSON(t *testing.T, s string) {
	t.Helper()
	got, gotErr := parseJSONString(s, 8)
	want, wantErr := ParseJSON([]byte(s), 8)
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("%q: error %v, encoding/json %v", s, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: %#v, encoding/json %#v", s, got, want)
	}
}

func FuzzParseJSONString(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add(s)
	}
	f.Fuzz(checkSameJSON)
}

// DocumentRaw must give the documents and counts Document gives for the
// same bytes.
func TestDocumentRawMatchesDocument(t *testing.T) {
	cols := []Column{NewColumn("id", "bigint"), NewColumn("name", "varchar(20)"), NewColumn("doc", "json"),
		NewColumn("blob", "blob"), NewColumn("on", "boolean"), NewColumn("at", "datetime"), NewColumn("tags", "text[]"),
		NewColumn("note", "text")}
	rows := [][][]byte{
		{[]byte("1"), []byte("Ann"), []byte(`{"street": "1 Main St", "n": 2}`), []byte("hi"), []byte("1"),
			[]byte("2026-11-30 12:00:00"), []byte("{a,b}"), []byte(`[{"mail": "a@b.c"}]`)},
		{nil, []byte{}, []byte(`{bad`), []byte{0xff, 0xfe}, []byte("maybe"), []byte("soon"), nil, []byte("{not json}")},
		{[]byte("x"), []byte("é"), []byte(`"just a string"`), nil, nil, nil, []byte{0xff}, []byte(strings.Repeat("z", 70))},
		{[]byte("3"), []byte(strings.Repeat("y", 40)), []byte(`[[[[[[[[[[1]]]]]]]]]]`), []byte("ok"), []byte("f"),
			[]byte("2026-11-30"), nil, []byte(`{"k": "caf\u00e9"}`)},
	}
	for _, maxDoc := range []int64{0, 100} {
		a := &Converter{Columns: cols, MaxValueBytes: 64, MaxJSONDepth: 8, MaxDocumentBytes: maxDoc}
		b := &Converter{Columns: cols, MaxValueBytes: 64, MaxJSONDepth: 8, MaxDocumentBytes: maxDoc}
		for i, raw := range rows {
			vals := make([]any, len(raw))
			for j, v := range raw {
				if v != nil {
					vals[j] = v
				}
			}
			got, gotOK, gotWhy := a.DocumentRaw(raw)
			want, wantOK, wantWhy := b.Document(vals)
			if !reflect.DeepEqual(got, want) || gotOK != wantOK || gotWhy != wantWhy {
				t.Fatalf("max %d row %d: %#v %v %q, Document %#v %v %q", maxDoc, i, got, gotOK, gotWhy, want, wantOK, wantWhy)
			}
		}
		if !reflect.DeepEqual(a.Notes(), b.Notes()) {
			t.Fatalf("max %d notes %q, Document %q", maxDoc, a.Notes(), b.Notes())
		}
		if len(a.Notes()) == 0 {
			t.Fatal("the rows should have had values skipped")
		}
	}
}
