package sqlrows

import (
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
)

func TestReadSlice(t *testing.T) {
	keys := SliceKeys{Plural: "keys", Range: `key "id"`}
	tests := []struct {
		name   string
		lo, hi string
		sl     connectors.Slice
		read   bool   // read is called
		whole  bool   // with no bounds
		note   string // in the notes ("" for none)
		noDocs bool   // TotalDocuments set to 0
	}{
		{name: "empty table", sl: connectors.Slice{Index: 1, Count: 4}, noDocs: true},
		{name: "one key, slice 0 reads it all", lo: "7", hi: "7", sl: connectors.Slice{Index: 0, Count: 4}, read: true, whole: true,
			note: "slice 0 of 4: the keys cannot be cut into ranges (fewer than two): this slice read the whole table"},
		{name: "one key, slice 2 reads nothing", lo: "7", hi: "7", sl: connectors.Slice{Index: 2, Count: 4}, noDocs: true,
			note: "slice 2 of 4: the keys cannot be cut into ranges (fewer than two); slice 0 reads the table"},
		{name: "a range", lo: "1", hi: "1000", sl: connectors.Slice{Index: 1, Count: 4}, read: true,
			note: `slice 1 of 4: a range of key "id"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := connectors.SampleResult{TotalDocuments: 99}
			called := false
			var got KeyBounds
			err := ReadSlice(tt.lo, tt.hi, false, keys, tt.sl, "all", &res, func(b KeyBounds) error {
				called, got = true, b
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Method != "all" {
				t.Errorf("method %q", res.Method)
			}
			if called != tt.read {
				t.Fatalf("read called %v, want %v", called, tt.read)
			}
			if tt.read && (got == KeyBounds{}) != tt.whole {
				t.Errorf("bounds %+v, whole table wanted: %v", got, tt.whole)
			}
			if tt.read && !tt.whole {
				want := mustSpace(t, tt.lo, tt.hi).Bounds(tt.sl.Index, tt.sl.Count)
				if got != want {
					t.Errorf("bounds %+v, want %+v", got, want)
				}
			}
			notes := strings.Join(res.Notes, "\n")
			if (tt.note == "") != (notes == "") || !strings.Contains(notes, tt.note) {
				t.Errorf("notes %q, want %q", notes, tt.note)
			}
			if tt.noDocs != (res.TotalDocuments == 0) {
				t.Errorf("TotalDocuments %d", res.TotalDocuments)
			}
		})
	}
}

func mustSpace(t *testing.T, lo, hi string) KeySpace {
	t.Helper()
	s, ok := NewKeySpace(lo, hi, false)
	if !ok {
		t.Fatalf("no key space for %s..%s", lo, hi)
	}
	return s
}
