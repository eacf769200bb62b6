package files

import "sync"

// Decoding a record makes one map per object and one slice per array,
// most of the bytes a full scan allocates. The consumer of a raw record
// may hand its document back once it holds nothing of its maps and slices
// (rawRecord.Recycle); they are kept, emptied, in a stash, and the parser
// takes the next document's maps and slices from there. Documents of one
// shape repeat their objects' sizes, so a map is taken for an object of
// exactly as many keys as it held last: its room never grows, and walking
// it never visits more empty room than when it was made. Strings are
// never reused: a document's strings may be kept by the consumer.

// Stash bounds: maps and slices of up to maxRecycledLen entries are kept,
// at most maxRecycledPerLen of each length. A document of the benchmark
// corpus has about ten objects and arrays; the stash holds a few
// documents' worth, not a store's.
const (
	maxRecycledLen    = 64
	maxRecycledPerLen = 16
)

// stash holds emptied maps and slices by their number of entries.
type stash struct {
	maps [maxRecycledLen + 1][]map[string]any
	arrs [maxRecycledLen + 1][][]any
}

// stashes are shared by the goroutines that decode and recycle: a worker
// that does both mostly gets back the stash it filled.
var stashes = sync.Pool{New: func() any { return new(stash) }}

// recycle hands back the maps and slices of doc, a document the parser
// made (or one made of the same kinds of values). The caller must hold
// none of them any more, nor share them with another document.
func recycle(doc map[string]any) {
	if len(doc) == 0 {
		return
	}
	s := stashes.Get().(*stash)
	s.putMap(doc)
	stashes.Put(s)
}

func (s *stash) putValue(v any) {
	switch x := v.(type) {
	case map[string]any:
		s.putMap(x)
	case []any:
		s.putArr(x)
	}
}

func (s *stash) putMap(m map[string]any) {
	n := len(m)
	for _, v := range m {
		s.putValue(v)
	}
	if n > 0 && n <= maxRecycledLen && len(s.maps[n]) < maxRecycledPerLen {
		clear(m) // a map not kept is left to the collector as it is
		s.maps[n] = append(s.maps[n], m)
	}
}

func (s *stash) putArr(a []any) {
	for _, v := range a {
		s.putValue(v)
	}
	if n := len(a); n > 0 && n <= maxRecycledLen && len(s.arrs[n]) < maxRecycledPerLen {
		clear(a) // kept without holding its values
		s.arrs[n] = append(s.arrs[n], a[:n:n])
	}
}

// mapFor returns an empty map for n keys.
func (s *stash) mapFor(n int) map[string]any {
	if n <= maxRecycledLen {
		if m, ok := pop(&s.maps[n]); ok {
			return m
		}
	}
	return make(map[string]any, n)
}

// arrFor returns a slice of n entries, to be written over.
func (s *stash) arrFor(n int) []any {
	if n <= maxRecycledLen {
		if a, ok := pop(&s.arrs[n]); ok {
			return a
		}
	}
	return make([]any, n)
}

// pop takes the last of free, if any, and clears its place.
func pop[T any](free *[]T) (T, bool) {
	var zero T
	n := len(*free)
	if n == 0 {
		return zero, false
	}
	v := (*free)[n-1]
	(*free)[n-1] = zero
	*free = (*free)[:n-1]
	return v, true
}
