package classifiers_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/classifiers"
)

// factsExtra is the Extra kind of the tests: keys that start with "shop".
func factsExtra(k string) bool { return strings.HasPrefix(strings.ToLower(k), "shop") }

// checkFacts compares DocumentFacts.Scan with the functions it stands for
// (DocumentRegion, Record, and a loop over the keys for Extra).
func checkFacts(t *testing.T, e *classifiers.Engine, d *classifiers.DocumentFacts, doc map[string]any) {
	t.Helper()
	region, extra, hits := d.Scan(e, doc, nil)
	if want := e.DocumentRegion(doc); region != want {
		t.Errorf("%v: region %q, DocumentRegion %q", doc, region, want)
	}
	wantExtra := false
	for k := range doc {
		wantExtra = wantExtra || factsExtra(k)
	}
	if extra != wantExtra {
		t.Errorf("%v: extra %v, want %v", doc, extra, wantExtra)
	}
	paths := func(hs []classifiers.PathHit) []string {
		var out []string
		for _, h := range hs {
			out = append(out, fmt.Sprintf("%s %+v", h.Path, h.Hit))
		}
		slices.Sort(out)
		return out
	}
	got, want := paths(hits), paths(e.Record(doc, nil))
	if len(got) < 4 && !slices.Equal(got, want) || len(got) != len(want) {
		// with more than four digest keys, each takes four of them, in
		// the map's order
		t.Errorf("%v: record hits %v, Record %v", doc, got, want)
	}
}

func TestDocumentFacts(t *testing.T) {
	e := defaultEngine(t)
	const md5 = "5f4dcc3b5aa765d61d8327deb882cf99"
	docs := []map[string]any{
		{},
		{"country": "DE", "phone": "030 1234567"},
		{"Country": "Deutschland", "locale": "fr_FR"}, // the first key in byte order wins
		{"billing_country": "xx", "land": "AT"},
		{"address": map[string]any{"country": "IT"}, "name": "x"},
		{"b": map[string]any{"country": "IT"}, "a": map[string]any{"pays": "FR"}},
		{"country": 49, "address": map[string]any{"country_code": "ES"}},
		{"country": "DE", "address": map[string]any{"country": "IT"}},
		{"email": "jane@example.com", "md5": md5},
		{"login": "jdoe", "SHA1": md5 + "01234567"},
		{"download_url": "https://x.example/a.tgz", "user_id": 3, "md5": md5},
		{"email": "a@b.example", "md5": md5, "sha_256": strings.Repeat("ab", 32), "sha1": md5 + "abcdefab"},
		{"shop_id": 7, "lat": 52.5, "lng": 13.4},
		{"ShopName": "x", "country": "NL"},
		{"meta": []any{map[string]any{"country": "DE"}}},
	}
	d := &classifiers.DocumentFacts{Extra: factsExtra}
	for round := 0; round < 2; round++ { // the second time from what the keys said
		for _, doc := range docs {
			checkFacts(t, e, d, doc)
		}
	}
}

// TestDocumentFactsManyKeys: documents keyed by ids fill the memory of
// keys past its bound; the answers stay right.
func TestDocumentFactsManyKeys(t *testing.T) {
	e := defaultEngine(t)
	d := &classifiers.DocumentFacts{Extra: factsExtra}
	for i := 0; i < 10000; i++ {
		doc := map[string]any{fmt.Sprintf("user_%d", i): "x", "country": "DE"}
		if i%3 == 0 {
			doc["shop"] = true
		}
		checkFacts(t, e, d, doc)
	}
}

// FuzzDocumentFacts checks DocumentFacts.Scan against DocumentRegion,
// Record and a loop over the keys, on documents made of JSON.
func FuzzDocumentFacts(f *testing.F) {
	for _, s := range []string{
		`{"country":"DE","address":{"country":"IT"}}`,
		`{"b":{"pays":"FR"},"a":{"land":"AT"}}`,
		`{"email":"a@b.example","md5":"5f4dcc3b5aa765d61d8327deb882cf99"}`,
		`{"login":"x","sha1":"5f4dcc3b5aa765d61d8327deb882cf9901234567","file":"y"}`,
		`{"shop_id":1,"Locale":"de_CH"}`,
	} {
		f.Add([]byte(s))
	}
	e := defaultEngine(f)
	d := &classifiers.DocumentFacts{Extra: factsExtra}
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc map[string]any
		if json.Unmarshal(data, &doc) != nil {
			return
		}
		checkFacts(t, e, d, doc)
	})
}
