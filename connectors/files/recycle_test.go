package files

import (
	"reflect"
	"testing"
)

// containers lists the maps and slices of a decoded value by identity.
func containers(v any, into map[uintptr]bool) {
	switch x := v.(type) {
	case map[string]any:
		into[reflect.ValueOf(x).Pointer()] = true
		for _, e := range x {
			containers(e, into)
		}
	case []any:
		if cap(x) > 0 {
			into[reflect.ValueOf(x).Pointer()] = true
		}
		for _, e := range x {
			containers(e, into)
		}
	}
}

// checkRecycled parses first, hands it back, then parses each of next
// twice: every document must be what encoding/json makes of its record,
// and no two documents alive at once may share a map or a slice.
func checkRecycled(t *testing.T, p *parser, first []byte, next ...[]byte) {
	t.Helper()
	if d, reason := p.parseObject(first); reason == "" {
		recycle(d)
	}
	var live []map[string]any
	var liveRaw [][]byte
	seen := map[uintptr]bool{}
	for _, raw := range append(next, next...) {
		got, reason := p.parseObject(raw)
		want, wantReason := refDecode(raw)
		if reason == ReasonTooDeep || wantReason == ReasonTooDeep {
			continue
		}
		if reason != wantReason || !reflect.DeepEqual(got, want) {
			t.Fatalf("after recycling %q: %q decoded to %#v (%q), encoding/json %#v (%q)", first, raw, got, reason, want, wantReason)
		}
		if got == nil {
			continue
		}
		mine := map[uintptr]bool{}
		containers(got, mine)
		for ptr := range mine {
			if seen[ptr] {
				t.Fatalf("after recycling %q: %q shares a map or slice with a document still in use", first, raw)
			}
			seen[ptr] = true
		}
		live, liveRaw = append(live, got), append(liveRaw, raw)
	}
	// the documents still hold what they held when decoded
	for i, d := range live {
		raw := liveRaw[i]
		if want, _ := refDecode(raw); !reflect.DeepEqual(d, want) {
			t.Fatalf("after recycling %q: %q changed to %#v", first, raw, d)
		}
	}
	for _, d := range live {
		recycle(d)
	}
}

func TestRecycle(t *testing.T) {
	tests := []struct {
		name  string
		first string
		next  []string
	}{
		{"same shape", `{"a":{"b":1,"c":[1,2]},"d":"x"}`, []string{`{"a":{"b":2,"c":[3,4]},"d":"y"}`}},
		{"fewer keys than the map held", `{"a":1,"b":2,"c":3}`, []string{`{"a":1}`, `{"x":{"y":1,"z":2,"w":3}}`}},
		{"more keys than the map held", `{"a":1}`, []string{`{"a":1,"b":2,"c":3,"d":{"e":[{"f":1}]}}`}},
		{"duplicate keys", `{"a":1,"a":2,"b":[1,1]}`, []string{`{"a":1,"b":2}`, `{"a":[1,2],"c":3}`}},
		{"arrays of objects", `{"l":[{"a":1},{"a":2},{"a":3}]}`, []string{`{"l":[{"a":4},{"a":5},{"a":6}]}`, `{"l":[{"b":1},[{"a":1}],{"a":{"a":1}}]}`}},
		{"empty containers", `{"a":{},"b":[]}`, []string{`{"a":{},"b":[],"c":[{}]}`}},
		{"a bad record after", `{"a":{"b":1}}`, []string{`{"a":{"b":1},`, `{"a":{"b":[1,2,{"c":1}]}}`}},
		{"more than a stash keeps", bigObject(maxRecycledLen + 1), []string{bigObject(maxRecycledLen + 1), bigObject(maxRecycledLen)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := make([][]byte, len(tt.next))
			for i, s := range tt.next {
				next[i] = []byte(s)
			}
			checkRecycled(t, newParser(MaxDepth), []byte(tt.first), next...)
		})
	}
}

func bigObject(n int) string {
	b := []byte{'{'}
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"', 'k', byte('0'+i/10), byte('0'+i%10), '"', ':', '[', '1', ',', '2', ']')
	}
	return string(append(b, '}'))
}

// TestRecycleReuses checks that a recycled document's maps and slices are
// what the next document of the same shape is made of. sync.Pool drops
// what it holds at random under the race detector, and at every garbage
// collection, so the test looks for reuse in most of many tries.
func TestRecycleReuses(t *testing.T) {
	p := newParser(MaxDepth)
	raw := []byte(`{"a":{"b":1,"c":[1,2]},"d":[{"e":"x"}]}`)
	reused := 0
	const tries = 100
	for range tries {
		d1, _ := p.parseObject(raw)
		before := map[uintptr]bool{}
		containers(d1, before)
		recycle(d1)
		d2, _ := p.parseObject(raw)
		after := map[uintptr]bool{}
		containers(d2, after)
		if reflect.DeepEqual(before, after) {
			reused++
		}
		recycle(d2)
	}
	if reused < tries/2 {
		t.Fatalf("the maps and slices of a recycled document were reused %d times in %d", reused, tries)
	}
}

// FuzzRecycle decodes a record after recycling another, and checks the
// documents against encoding/json and against each other (no shared maps
// or slices).
func FuzzRecycle(f *testing.F) {
	for i, s := range lineSeeds {
		f.Add([]byte(s), []byte(lineSeeds[(i+1)%len(lineSeeds)]))
	}
	f.Add([]byte(`{"a":{"b":1},"c":[1,[2]]}`), []byte(`{"a":{"b":2},"c":[3,[4]]}`))
	p := newParser(MaxDepth)
	f.Fuzz(func(t *testing.T, first, next []byte) {
		if checkRaw(first) != "" || checkRaw(next) != "" {
			return
		}
		checkRecycled(t, p, first, next)
	})
}
