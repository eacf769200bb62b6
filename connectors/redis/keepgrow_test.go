package redis

import (
	"fmt"
	"testing"
)

// TestKeepGrowth: the keys kept of a pattern grow by doubling, but a
// pattern the walks estimate at twice the keys kept or more gets its
// whole list at once after its first 16 keys (or the few more that a
// capacity rounded up to the allocator's size class holds); a full SCAN
// (no estimate) doubles.
func TestKeepGrowth(t *testing.T) {
	for _, tc := range []struct {
		name         string
		size, walked int64
		share        int64 // keys of the pattern among the walked
		method       string
		whole        bool // the whole list made after 17 keys
	}{
		{"common pattern of a walked database", 1_000_000, 1000, 500, MethodRandomKey, true},
		{"pattern estimated at 1.5 × the keys kept", 3000, 1000, 500, MethodRandomKey, false},
		{"full SCAN", 2000, 0, 0, MethodScan, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &dbList{size: tc.size, keep: 1000, method: tc.method, patterns: map[string]*pattern{}}
			st := &pattern{Pattern: "k:*"}
			l.walked, st.Walked = tc.walked, tc.share
			for i := 0; i < 40; i++ {
				l.keep1(st, keyRef{key: fmt.Sprintf("k:%d", i)})
			}
			// (a capacity is rounded up to the allocator's size classes)
			if whole := cap(st.Keys) >= 1000; whole != tc.whole || !whole && cap(st.Keys) > 80 {
				t.Errorf("after 40 keys: cap %d, want the whole list: %v", cap(st.Keys), tc.whole)
			}
			for i := 40; i < 1000; i++ {
				l.keep1(st, keyRef{key: fmt.Sprintf("k:%d", i)})
			}
			if len(st.Keys) != 1000 || cap(st.Keys) > 1100 {
				t.Errorf("after 1000 keys: %d kept, cap %d", len(st.Keys), cap(st.Keys))
			}
			for i, k := range st.Keys {
				if k.key != fmt.Sprintf("k:%d", i) {
					t.Fatalf("key %d is %q", i, k.key)
				}
			}
		})
	}
}
