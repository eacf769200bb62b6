package sqlrows

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestReservoir(t *testing.T) {
	tests := []struct {
		k, n   int
		reject func(i int) bool
	}{
		{k: 10, n: 5},
		{k: 10, n: 10},
		{k: 10, n: 1000},
		{k: 100, n: 100000},
		{k: 10, n: 1000, reject: func(i int) bool { return i%3 == 0 }},
	}
	for _, tc := range tests {
		r := NewReservoir[int](tc.k, rand.New(rand.NewPCG(1, 2)))
		good := 0
		for i := 0; i < tc.n; i++ {
			slot, take := r.Next()
			if !take {
				if tc.reject == nil || !tc.reject(i) {
					good++
				}
				continue
			}
			if tc.reject != nil && tc.reject(i) {
				r.Reject()
				continue
			}
			good++
			r.Set(slot, i)
		}
		items := r.Items()
		if len(items) != min(tc.k, good) {
			t.Errorf("k %d n %d: %d items", tc.k, tc.n, len(items))
		}
		if !slices.IsSorted(items) || len(slices.Compact(slices.Clone(items))) != len(items) {
			t.Errorf("k %d n %d: items not distinct in stream order: %v", tc.k, tc.n, items)
		}
		for _, it := range items {
			if tc.reject != nil && tc.reject(it) {
				t.Errorf("rejected item %d kept", it)
			}
		}
	}
}

// TestReservoirUniform checks that every position is drawn about k/n of
// the time (chi-square over 20 buckets, fixed seeds).
func TestReservoirUniform(t *testing.T) {
	const k, n, runs = 10, 200, 2000
	var counts [n]int
	for run := 0; run < runs; run++ {
		r := NewReservoir[int](k, rand.New(rand.NewPCG(uint64(run), 7)))
		for i := 0; i < n; i++ {
			if slot, take := r.Next(); take {
				r.Set(slot, i)
			}
		}
		for _, it := range r.Items() {
			counts[it]++
		}
	}
	const buckets = 20
	var chi float64
	expected := float64(runs*k) / buckets
	for b := 0; b < buckets; b++ {
		got := 0
		for i := b * n / buckets; i < (b+1)*n/buckets; i++ {
			got += counts[i]
		}
		d := float64(got) - expected
		chi += d * d / expected
	}
	// 19 degrees of freedom: 43.8 is the 0.999 quantile.
	if chi > 43.8 {
		t.Errorf("chi-square %.1f over %d buckets: not uniform (%v)", chi, buckets, counts)
	}
}
