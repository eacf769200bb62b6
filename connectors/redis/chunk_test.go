package redis

import (
	"slices"
	"testing"
)

// TestChunks: the pipelines a pattern's keys are read in (see overlapped):
// doubling from firstChunk up to readChunk, every key in one chunk only,
// the rest taken by the chunk before when under half a chunk.
func TestChunks(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want []int
	}{
		{1, []int{1}},
		{125, []int{125}},
		{180, []int{180}},     // 55 left after 125: under 62
		{200, []int{125, 75}}, // 75 left: a pipeline of its own
		{1500, []int{125, 250, 500, 625}},
		{2000, []int{125, 250, 500, 1125}},
		{2400, []int{125, 250, 500, 1000, 525}},
		{2374, []int{125, 250, 500, 1499}}, // 499 left: under 500
		{2375, []int{125, 250, 500, 1000, 500}},
		{3000, []int{125, 250, 500, 1000, 1125}},
	} {
		var got []int
		chunk := firstChunk
		for from := 0; from < tc.n; {
			end := chunkEnd(from, chunk, tc.n)
			if end <= from || end > tc.n {
				t.Fatalf("n=%d: chunk %d..%d", tc.n, from, end)
			}
			got = append(got, end-from)
			from = end
			chunk = min(2*chunk, readChunk)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("n=%d: chunks %v, want %v", tc.n, got, tc.want)
		}
		if last := got[len(got)-1]; last > readChunk*3/2 {
			t.Errorf("n=%d: a chunk of %d keys, over 1.5 × %d", tc.n, last, readChunk)
		}
	}
}
