package pipeline

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/report"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func jwtOf(claims string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".c2lnbmF0dXJlLXNpZ25hdHVyZQ"
}

func TestFlattenShapes(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // scalars that must be visited
		not  []string // paths that must not appear
	}{
		{"key/value array", `{"attributes":[{"name":"billing_phone","value":"+49 30 1234567"},{"name":"color","value":"blue"}]}`,
			[]string{"attributes[name=billing_phone].value=+49 30 1234567", "attributes[name=color].value=blue", "attributes[].name=billing_phone"},
			[]string{"attributes[].value"}},
		{"key/value preference: key over type", `{"metafields":[{"key":"birthday","type":"date","value":"1980-01-02","namespace":"custom"}]}`,
			[]string{"metafields[key=birthday].value=1980-01-02", "metafields[].type=date"}, nil},
		{"EAV row at the root", `{"meta_key":"billing_email","meta_value":"jane@example.com","user_id":7}`,
			[]string{"[meta_key=billing_email].meta_value=jane@example.com", "meta_key=billing_email"}, []string{"meta_value"}},
		{"a person's name is never a path", `{"scores":[{"name":"Jennifer","value":12}]}`,
			[]string{"scores[].value=12"}, []string{"scores[name=Jennifer].value"}},
		{"a name with path syntax is not used", `{"a":[{"name":"x.y","value":"1"}]}`, []string{"a[].value=1"}, nil},
		{"JSON in a string", `{"payload":"{\"email\":\"jane@example.com\",\"n\":1}"}`,
			[]string{"payload<json>.email=jane@example.com", "payload<json>.n=1"}, nil},
		{"JSON array of objects in a string", `{"events":"[{\"ip\":\"203.0.113.9\"}]"}`, []string{"events<json>[].ip=203.0.113.9"}, nil},
		{"JSON array of numbers is not decoded", `{"dims":"[1, 2, 3, 4]"}`, nil, []string{"dims<json>[]"}},
		{"base64 JSON", `{"ctx":"` + b64(`{"email":"jane@example.com"}`) + `"}`,
			[]string{"ctx<base64><json>.email=jane@example.com"}, nil},
		{"base64 text", `{"note":"` + b64("call me at +49 30 1234567") + `"}`, []string{"note<base64>=call me at +49 30 1234567"}, nil},
		{"base64 of bytes is not text", `{"thumb":"` + base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 250, 251, 252, 9, 8, 7, 6, 5, 200, 201, 202}) + `"}`,
			nil, []string{"thumb<base64>"}},
		{"JWT claims", `{"token":"` + jwtOf(`{"sub":"42","email":"jane@example.com"}`) + `"}`,
			[]string{"token<jwt>.email=jane@example.com", "token<jwt>.sub=42"}, nil},
		{"bearer JWT", `{"auth":"Bearer ` + jwtOf(`{"name":"Jane Doe"}`) + `"}`, []string{"auth<jwt>.name=Jane Doe"}, nil},
		{"URL query", `{"url":"https://shop.example.com/c?email=jane%40example.com&step=2"}`,
			[]string{"url<query>.email=jane@example.com", "url<query>.step=2"}, nil},
		{"form body", `{"body":"first_name=Jane&phone=%2B4930123&x="}`,
			[]string{"body<query>.first_name=Jane", "body<query>.phone=+4930123"}, []string{"body<query>.x"}},
		{"URL without query", `{"url":"https://example.com/a/b"}`, nil, []string{"url<query>"}},
		{"logfmt", `{"line":"level=info msg=\"login ok\" user=jdoe ip=203.0.113.9"}`,
			[]string{"line<kv>.msg=login ok", "line<kv>.user=jdoe", "line<kv>.ip=203.0.113.9"}, nil},
		{"free text with one pair stays text", `{"m":"the customer asked to change the slot value=x today"}`, nil, []string{"m<kv>.value"}},
		{"HTTP headers", `{"h":"GET / HTTP/1.1\r\nHost: a.example\r\nX-Forwarded-For: 203.0.113.9\r\n"}`,
			[]string{"h<http>.x-forwarded-for=203.0.113.9", "h<http>.host=a.example"}, nil},
		{"one level of nesting: JSON holding base64 is decoded, the JSON inside that is not",
			`{"p":"{\"inner\":\"` + b64(`{"email":"jane@example.com"}`) + `\"}"}`,
			[]string{"p<json>.inner<base64>={\"email\":\"jane@example.com\"}"}, []string{"p<json>.inner<base64><json>"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r recorder
			var f Flattener
			if err := f.Flatten(decode(t, tc.doc), &r); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !slices.Contains(r.scalars, w) {
					t.Errorf("missing %q in %q", w, r.scalars)
				}
			}
			for _, n := range tc.not {
				for _, s := range r.scalars {
					if strings.HasPrefix(s, n+"=") || strings.HasPrefix(s, n+".") {
						t.Errorf("unexpected %q", s)
					}
				}
			}
			// Plain turns every shape off
			var plain recorder
			pf := Flattener{Plain: true}
			_ = pf.Flatten(decode(t, tc.doc), &plain)
			for _, s := range plain.scalars {
				if strings.ContainsAny(strings.SplitN(s, "=", 2)[0], "<=") {
					t.Errorf("plain flattening reached %q", s)
				}
			}
		})
	}
}

// Distinct key names per path are bounded; later names fall back to the
// plain path.
func TestFlattenKVNamesBounded(t *testing.T) {
	var r recorder
	var f Flattener
	for i := range maxKVNames + 10 {
		doc := map[string]any{"attrs": []any{map[string]any{"key": fmt.Sprintf("k%d", i), "value": "v"}}}
		if err := f.Flatten(doc, &r); err != nil {
			t.Fatal(err)
		}
	}
	named, plain := 0, 0
	for _, s := range r.scalars {
		switch {
		case strings.HasPrefix(s, "attrs[key="):
			named++
		case s == "attrs[].value=v":
			plain++
		}
	}
	if named != maxKVNames || plain != 10 {
		t.Fatalf("named %d, plain %d; want %d and 10", named, plain, maxKVNames)
	}
	f.ResetShapes()
	r = recorder{}
	_ = f.Flatten(map[string]any{"attrs": []any{map[string]any{"key": "new", "value": "v"}}}, &r)
	if !slices.Contains(r.scalars, "attrs[key=new].value=v") {
		t.Fatalf("after ResetShapes: %q", r.scalars)
	}
}

// Decoding is bounded per document.
func TestFlattenDecodeBounded(t *testing.T) {
	big := `{"a":"` + strings.Repeat("x", 10) + `"}`
	doc := map[string]any{}
	for i := range 2 * maxDecodePerDoc / maxDecodeLen {
		doc[fmt.Sprintf("f%03d", i)] = big + strings.Repeat(" ", maxDecodeLen-len(big)-1)
	}
	doc["huge"] = `{"email":"jane@example.com"` + strings.Repeat(" ", maxDecodeLen) + `}`
	var r recorder
	var f Flattener
	if err := f.Flatten(doc, &r); err != nil {
		t.Fatal(err)
	}
	decoded := 0
	for _, s := range r.scalars {
		if strings.Contains(s, "<json>") {
			decoded++
		}
		if strings.HasPrefix(s, "huge<json>") {
			t.Errorf("a string over %d bytes was decoded", maxDecodeLen)
		}
	}
	if decoded == 0 || decoded > maxDecodePerDoc/(maxDecodeLen-1) {
		t.Fatalf("%d strings decoded, want between 1 and %d", decoded, maxDecodePerDoc/(maxDecodeLen-1))
	}
}

type undecodedRecorder struct {
	recorder
	undecoded []string
}

func (u *undecodedRecorder) Undecodable(path []byte, enc string) {
	u.undecoded = append(u.undecoded, string(path)+":"+enc)
}

func TestFlattenUndecodable(t *testing.T) {
	var r undecodedRecorder
	var f Flattener
	doc := decode(t, `{"a":"{\"theme\": \"dark\", \"lang\": }","b":"eyJhbGciOi.eyJzdWIi.sig","c":"{not json at all}","d":"plain text","e":"{\"truncated\": \"by a column lim"}`)
	if err := f.Flatten(doc, &r); err != nil {
		t.Fatal(err)
	}
	slices.Sort(r.undecoded)
	want := []string{"a:json", "b:jwt", "c:json", "e:json"}
	if !slices.Equal(r.undecoded, want) {
		t.Fatalf("undecodable %q, want %q", r.undecoded, want)
	}
}

// FuzzFlattenShapes: any string value is flattened without panicking, the
// paths it yields extend the field's own path, and decoding stays within
// its bounds.
func FuzzFlattenShapes(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `[{"b":"c"}]`, jwtOf(`{"email":"x@y.zz"}`), "Bearer " + jwtOf(`{}`), b64(`{"k":"v"}`),
		"a=1&b=2", "https://x.example/?q=1", "k=v k2=\"v v\" k3=", "GET / HTTP/1.1\nA: b\nC: d\n", "eyJ.eyJ.x", `{"x":"` + b64("a=1&b=2") + `"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var r undecodedRecorder
		fl := Flattener{MaxDepth: 16}
		_ = fl.Flatten(map[string]any{"field": s, "pairs": []any{map[string]any{"name": s, "value": "v"}}}, &r)
		for _, sc := range r.scalars {
			if !strings.HasPrefix(sc, "field") && !strings.HasPrefix(sc, "pairs[") {
				t.Fatalf("path %q does not extend the field's path", sc)
			}
			if strings.Count(sc[:strings.IndexByte(sc, '=')+1], "<") > maxEncodings {
				t.Fatalf("%q: more than %d encodings deep", sc, maxEncodings)
			}
		}
		if fl.decoded > maxDecodePerDoc {
			t.Fatalf("decoded %d bytes", fl.decoded)
		}
	})
}

// A scan reports key/value pairs and decoded data at their paths, with
// free-text matches in a few messages as a finding, and counts what did not
// decode; explain says how such a path was reached.
func TestScanShapes(t *testing.T) {
	var docs []map[string]any
	for i := range 200 {
		msg := fmt.Sprintf("GET /health 200 %dms", i)
		if i%50 == 0 { // 2% of the messages
			msg = fmt.Sprintf("password reset requested for user%d@example.com", i)
		}
		docs = append(docs, map[string]any{
			"attributes": []any{
				map[string]any{"name": "billing_phone", "value": fmt.Sprintf("030 %07d", 1234500+i)},
				map[string]any{"name": "color", "value": "blue"},
			},
			"payload": fmt.Sprintf(`{"email":"p%d@example.com"}`, i),
			"message": msg,
			"broken":  `{"theme": "dark", `,
			"country": "DE",
		})
	}
	uri := addStore("shapes", &memStore{containers: []memContainer{{name: "events", docs: docs}}})
	cfg := Config{Engine: testEngine(t), MinConfidence: 0.5, Workers: 2}
	r := Run(context.Background(), []string{uri}, cfg)
	c := r.Targets[0].Containers[0]
	found := map[string]report.Finding{}
	for _, fl := range c.Fields {
		for _, x := range fl.Findings {
			found[fl.Path+" "+x.Category] = x
		}
	}
	for _, want := range []string{"attributes[name=billing_phone].value phone", "payload<json>.email email", "message email"} {
		if _, ok := found[want]; !ok {
			t.Errorf("no finding %q in %v", want, found)
		}
	}
	if x := found["message email"]; x.MatchRatio != 0.02 || !slices.Contains(x.Evidence, "context") {
		t.Errorf("message email: ratio %v, evidence %v; want 0.02 with context", x.MatchRatio, x.Evidence)
	}
	for k := range found {
		if strings.HasPrefix(k, "attributes[name=color]") {
			t.Errorf("unexpected finding %q", k)
		}
	}
	if !slices.ContainsFunc(c.Notes, func(n string) bool { return strings.HasPrefix(n, "200 string values looked like JSON") }) {
		t.Errorf("notes %q do not count the undecodable strings", c.Notes)
	}

	ex, err := Explain(context.Background(), ExplainRequest{Target: uri, Path: "attributes[name=billing_phone].value"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 1 || ex[0].Documents != 200 || len(ex[0].Reached) != 1 || !strings.Contains(ex[0].Reached[0], `sibling key "name" holds "billing_phone"`) ||
		ex[0].Name != "billing phone value" {
		t.Fatalf("explain: %+v", ex)
	}
	matched := false
	for _, v := range ex[0].Values {
		for _, x := range v.Rules {
			matched = matched || x.Matched && x.Category == "phone"
		}
	}
	if !matched {
		t.Errorf("explain: no value judged a phone number: %+v", ex[0].Values)
	}
	ex, err = Explain(context.Background(), ExplainRequest{Target: uri, Path: "payload<json>.email"}, cfg)
	if err != nil || len(ex) != 1 || len(ex[0].Reached) != 1 || !strings.Contains(ex[0].Reached[0], "JSON serialised in the string at payload") {
		t.Fatalf("explain payload<json>.email: %+v %v", ex, err)
	}
}

// TestFlattenSiblingEncodings: a value decoded through two encodings
// (base64 holding JSON) does not use up the encodings of the siblings read
// after it. The order of a map's keys changes from run to run, so every
// order is tried by flattening many times: each sibling must be decoded
// every time (a defect made about one document in ten lose its e-mail).
func TestFlattenSiblingEncodings(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	doc := map[string]any{
		"context": b64(`{"email":"jane@example.com","locale":"de_DE"}`),
		"cursor":  b64(`{"page":3,"sort":"created_at"}`),
		"extra":   b64(`{"phone":"+49 30 1234567"}`),
		"note":    `{"email":"joe@example.org"}`,
	}
	want := []string{"context<base64><json>.email", "cursor<base64><json>.page", "extra<base64><json>.phone", "note<json>.email"}
	var f Flattener
	for range 200 {
		var r recorder
		if err := f.Flatten(doc, &r); err != nil {
			t.Fatal(err)
		}
		got := strings.Join(r.scalars, "\n")
		for _, p := range want {
			if !strings.Contains(got, p+"=") {
				t.Fatalf("%s not decoded; got:\n%s", p, got)
			}
		}
	}
}

// TestShapePrecheck: the one-pass check that lets decodeString skip a
// string never skips one that splitPairs or base64Text would read.
func TestShapePrecheck(t *testing.T) {
	for _, tc := range []struct {
		s    string
		skip bool
	}{
		{"Jane Doe lives in Berlin", true},
		{"a=1&b=2&c=3", false},
		{"user=jane level=info msg=hi", false},
		{"Host: example.org\nCookie: a", false},
		{b64("hello world, this is text"), false},
		{"550e8400e29b41d4a716446655440000", false}, // hex: base64's alphabet
		{"550e8400-e29b-41d4-a716-446655440000", false},
		{"+49 30 12345678", true},
		{"shortb64", true},
	} {
		if got := plainString(tc.s); got != tc.skip {
			t.Errorf("plainString(%q) = %v, want %v", tc.s, got, tc.skip)
		}
	}
}

// FuzzShapePrecheck: a string the precheck skips is one splitPairs and
// base64Text reject (the oracle is running them).
func FuzzShapePrecheck(f *testing.F) {
	for _, s := range []string{"Jane Doe", "a=1&b=2", "x y\nA: b\nC: d", b64("some text here, long"), "?q=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.TrimSpace(s)
		if s == "" || !plainString(s) {
			return
		}
		if _, _, ok := splitPairs(s); ok {
			t.Fatalf("%q skipped, but splitPairs reads it", s)
		}
		if _, ok := base64Text(s); ok {
			t.Fatalf("%q skipped, but base64Text reads it", s)
		}
	})
}
