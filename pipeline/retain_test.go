package pipeline

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/piisniff/piisniff/connectors"
)

// TestNothingKeptSharesTheRecord: the files connector hands out string
// values that are substrings of their whole record; whatever the scan
// keeps past the document (a field's memo of values, the examples, the
// key/value selector names) must be a copy, or one kept value would hold
// a whole record in memory until the report.
func TestNothingKeptSharesTheRecord(t *testing.T) {
	for _, showData := range []bool{false, true} {
		// one backing string, as the parser makes of a record
		record := `{"email":"ann@example.com","status":"active","attrs":[{"name":"billing_phone","value":"+49 30 1234567"}],"pad":"` +
			strings.Repeat("x", 1<<16) + `"}`
		within := func(s string) bool {
			if s == "" {
				return false
			}
			p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(record)))
			return p >= lo && p < lo+uintptr(len(record))
		}
		sub := func(v string) string {
			i := strings.Index(record, `"`+v+`"`)
			if i < 0 {
				t.Fatalf("%q not in the record", v)
			}
			return record[i+1 : i+1+len(v)]
		}
		doc := map[string]any{
			"email":  sub("ann@example.com"),
			"status": sub("active"),
			"attrs":  []any{map[string]any{"name": sub("billing_phone"), "value": sub("+49 30 1234567")}},
		}
		s := newScanner(Config{Engine: testEngine(t), Workers: 1, MaxDepth: DefaultMaxDepth, MaxExamples: 3, ShowData: showData, MinConfidence: 0.5})
		w := newWorker(0, s)
		cs := &containerState{shards: []*shard{newShard()}, fieldTypes: map[string]string{}}
		for range 3 {
			w.process(cs, connectors.Document{Fields: doc})
		}
		sh := cs.shards[0]
		if sh.docs != 3 {
			t.Fatalf("show-data %v: %d documents, skips %v", showData, sh.docs, sh.skipReasons)
		}
		found := 0
		for path, fa := range sh.fields {
			for k := range fa.memo {
				if within(k) {
					t.Errorf("show-data %v: %s: the memo's key %q shares the record", showData, path, k)
				}
			}
			for _, c := range fa.cats {
				for _, ex := range c.examples {
					found++
					if within(ex.text) {
						t.Errorf("show-data %v: %s: example %q shares the record", showData, path, ex.text)
					}
				}
			}
		}
		if found == 0 {
			t.Errorf("show-data %v: no examples kept: the test checks nothing", showData)
		}
		for _, set := range w.flat.kvNames {
			for name := range set {
				if within(name) {
					t.Errorf("show-data %v: the selector name %q shares the record", showData, name)
				}
			}
		}
		if len(w.flat.kvNames) == 0 {
			t.Errorf("show-data %v: no key/value names kept: the test checks nothing", showData)
		}
	}
}
