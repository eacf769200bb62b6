package estest

import (
	"fmt"
	"testing"
)

func TestMurmur3(t *testing.T) {
	// reference values of MurmurHash3_x86_32
	tests := []struct {
		in   string
		seed uint32
		want uint32
	}{
		{"", 0, 0},
		{"", 1, 0x514e28b7},
		{"hello", 0, 0x248bfa47},
		{"hello, world", 0, 0x149bbb7f},
		{"The quick brown fox jumps over the lazy dog", 0, 0x2e4ff723},
		{"abc", 0, 0xb3dd93fa},
	}
	for _, tt := range tests {
		if got := murmur3([]byte(tt.in), tt.seed); got != tt.want {
			t.Errorf("murmur3(%q, %d) = %#x, want %#x", tt.in, tt.seed, got, tt.want)
		}
	}
}

// TestSlicedSearch: the slices of a sliced scroll and of a sliced point in
// time partition the documents, and the documented refusals hold.
func TestSlicedSearch(t *testing.T) {
	s := newTestServer(t, Config{Flavor: ES8})
	const max = 3
	t.Run("scroll", func(t *testing.T) {
		seen := map[string]int{}
		sizes := make([]int, max)
		for id := range max {
			a := do(t, s, "POST", "/users/_search?scroll=1m", fmt.Sprintf(`{"size":4,"slice":{"id":%d,"max":%d}}`, id, max))
			if a.status != 200 {
				t.Fatalf("%d %s", a.status, a.raw)
			}
			scrollID := a.body["_scroll_id"].(string)
			total := int(get(a.body, "hits", "total", "value").(float64))
			hits := get(a.body, "hits", "hits").([]any)
			for len(hits) > 0 {
				for _, h := range hits {
					docID := h.(map[string]any)["_id"].(string)
					seen[docID]++
					sizes[id]++
					if SliceOf(docID, max) != id {
						t.Errorf("doc %s of slice %d served in slice %d", docID, SliceOf(docID, max), id)
					}
				}
				r := do(t, s, "POST", "/_search/scroll", `{"scroll":"1m","scroll_id":"`+scrollID+`"}`)
				hits = get(r.body, "hits", "hits").([]any)
			}
			if total != sizes[id] {
				t.Errorf("slice %d: total %d, served %d", id, total, sizes[id])
			}
		}
		if len(seen) != 25 {
			t.Errorf("%d distinct documents over the slices, want 25", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("document %s served %d times", id, n)
			}
		}
		for id, n := range sizes {
			if n == 0 {
				t.Errorf("slice %d is empty (sizes %v)", id, sizes)
			}
		}
	})
	t.Run("pit", func(t *testing.T) {
		p := do(t, s, "POST", "/users/_pit?keep_alive=1m", "")
		pit := p.body["id"].(string)
		n := 0
		for id := range max {
			a := do(t, s, "POST", "/_search", fmt.Sprintf(`{"size":100,"pit":{"id":%q},"slice":{"id":%d,"max":%d}}`, pit, id, max))
			if a.status != 200 {
				t.Fatalf("%d %s", a.status, a.raw)
			}
			n += len(get(a.body, "hits", "hits").([]any))
		}
		if n != 25 {
			t.Errorf("slices of a point in time hold %d documents, want 25", n)
		}
	})
	refusals := []struct{ path, body, want string }{
		{"/users/_search", `{"slice":{"id":0,"max":2}}`, "Validation Failed: 1: [slice] can only be used with [scroll] or [point-in-time] requests;"},
		{"/users/_search?scroll=1m", `{"slice":{"id":0,"max":1}}`, "max must be greater than 1"},
		{"/users/_search?scroll=1m", `{"slice":{"id":2,"max":2}}`, "max must be greater than id"},
		{"/users/_search?scroll=1m", `{"slice":{"id":-1,"max":2}}`, "id must be greater than or equal to 0"},
		{"/users/_search?scroll=1m", `{"slice":{"max":2}}`, "[slice] requires [id] and [max]"},
	}
	for _, r := range refusals {
		a := do(t, s, "POST", r.path, r.body)
		if a.status != 400 || get(a.body, "error", "reason") != r.want {
			t.Errorf("%s %s: %d %s, want 400 %q", r.path, r.body, a.status, a.raw, r.want)
		}
	}
}
