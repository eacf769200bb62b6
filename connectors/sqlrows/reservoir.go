package sqlrows

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Reservoir draws a uniform sample of k items from a stream of unknown
// length with Algorithm L (Li, 1994): once the reservoir is full, the
// number of items to pass over before the next one enters is drawn
// directly, so the items passed over are never converted. Use:
//
//	for rows.Next() {
//		if slot, take := r.Next(); take {
//			v, ok := convert(row)
//			if !ok { r.Reject(); continue }
//			r.Set(slot, v)
//		}
//	}
//	items := r.Items() // in stream order
type Reservoir[T any] struct {
	k       int
	rng     *rand.Rand
	items   []kept[T]
	n       int64 // items offered so far
	w       float64
	next    int64 // index of the next item to enter once full
	started bool
}

type kept[T any] struct {
	index int64
	v     T
}

// NewReservoir returns an empty reservoir of k (> 0) items drawn with rng.
func NewReservoir[T any](k int, rng *rand.Rand) *Reservoir[T] {
	if k <= 0 {
		k = 1
	}
	return &Reservoir[T]{k: k, rng: rng}
}

func (r *Reservoir[T]) u() float64 { return 1 - r.rng.Float64() } // in (0, 1]

// advance draws the index of the next item to enter after index from.
func (r *Reservoir[T]) advance(from int64) {
	r.w *= math.Exp(math.Log(r.u()) / float64(r.k))
	gap := math.Floor(math.Log(r.u()) / math.Log1p(-r.w))
	if math.IsNaN(gap) || gap < 0 {
		gap = 0
	}
	if gap > math.MaxInt64/4 {
		gap = math.MaxInt64 / 4
	}
	r.next = from + int64(gap) + 1
}

// Next offers the next item of the stream: take says it enters the
// reservoir, at slot (call Set, or Reject when it cannot be converted).
func (r *Reservoir[T]) Next() (slot int, take bool) {
	idx := r.n
	r.n++
	if idx < int64(r.k) {
		r.items = append(r.items, kept[T]{index: idx})
		return len(r.items) - 1, true
	}
	if !r.started {
		r.started = true
		r.w = 1
		r.advance(idx - 1)
	}
	if idx != r.next {
		return -1, false
	}
	r.advance(idx)
	return r.rng.IntN(r.k), true
}

// Set stores the item last offered at slot.
func (r *Reservoir[T]) Set(slot int, v T) {
	r.items[slot] = kept[T]{index: r.n - 1, v: v}
}

// Reject withdraws the item last offered, which could not be converted:
// while the reservoir fills, the next item takes its place; once full, the
// item it would have replaced stays.
func (r *Reservoir[T]) Reject() {
	if r.n <= int64(r.k) && len(r.items) > 0 && r.items[len(r.items)-1].index == r.n-1 {
		r.items = r.items[:len(r.items)-1]
		r.n--
	}
}

// Seen is the number of items offered (and not rejected while filling).
func (r *Reservoir[T]) Seen() int64 { return r.n }

// Items returns the sample in stream order and empties the reservoir.
func (r *Reservoir[T]) Items() []T {
	sort.Slice(r.items, func(a, b int) bool { return r.items[a].index < r.items[b].index })
	out := make([]T, len(r.items))
	for i := range r.items {
		out[i] = r.items[i].v
	}
	r.items = nil
	return out
}
