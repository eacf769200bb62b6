package files

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestSlabStrings: the strings and numbers of many records read by one
// parser share slabs, and each document keeps what it was decoded to
// while the parser goes on filling slabs with the next records' values
// (also its input buffer reused, as the files connector reuses arenas);
// strings longer than a slab's share, escaped strings and empty ones
// decode as encoding/json decodes them.
func TestSlabStrings(t *testing.T) {
	long := strings.Repeat("x", slabMaxString+1)
	for _, tc := range []struct {
		name string
		rec  func(i int) string
	}{
		{"short values", func(i int) string {
			return fmt.Sprintf(`{"email":"user%d@example.com","n":%d,"tags":["a%d","b"],"o":{"s":"%d"}}`, i, i, i, i*7)
		}},
		{"escapes", func(i int) string { return fmt.Sprintf(`{"a\u00e9%d":"line\n%d \"q\" \u20ac","e":""}`, i, i) }},
		{"slab-sized and longer", func(i int) string {
			return fmt.Sprintf(`{"big":"%s%d","edge":"%s","small":"%d"}`, long, i, long[:slabMaxString-4]+fmt.Sprint(i%10000), i)
		}},
		{"numbers", func(i int) string {
			return fmt.Sprintf(`{"f":-%d.5e-3,"z":0,"big":123456789012345678901234567890%d}`, i, i)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newParser(MaxDepth)
			buf := make([]byte, 0, 4<<10)
			var docs []map[string]any
			var recs []string
			for i := range 3000 {
				rec := tc.rec(i)
				buf = append(buf[:0], rec...) // the same input buffer every time
				d, reason := p.parseObject(buf)
				if reason != "" {
					t.Fatalf("%s: %s", rec, reason)
				}
				docs, recs = append(docs, d), append(recs, rec)
			}
			for i, d := range docs {
				want, _ := refDecode([]byte(recs[i]))
				if !reflect.DeepEqual(d, want) {
					t.Fatalf("record %d %s: decoded to %#v, now %#v", i, recs[i], want, d)
				}
			}
		})
	}
}

// TestSlabAllocations: a record's string values and numbers do not cost an
// allocation each (one slab serves many records).
func TestSlabAllocations(t *testing.T) {
	p := newParser(MaxDepth)
	rec := []byte(`{"a":"one","b":"two","c":"three","d":"four","e":"five","f":"six","g":"seven","h":"eight","n1":1,"n2":2}`)
	n := testing.AllocsPerRun(200, func() {
		d, _ := p.parseObject(rec)
		recycle(d)
	})
	// the 8 strings and 2 numbers boxed in interfaces: 10 allocations; a copy
	// of each value would add 10 more
	if n > 12 {
		t.Errorf("%.1f allocations per record, want at most 12", n)
	}
}
