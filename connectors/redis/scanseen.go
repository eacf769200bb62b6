package redis

// SCAN may return a key more than once: when the hash table shrinks (or is
// being rehashed) between two calls, the cursor's bucket of the smaller
// table holds the keys of several buckets of the larger one, some of which
// the walk had already passed. Those buckets are neighbours in the walk
// order (the cursor is a bucket index with its bits reversed: the buckets
// merged differ only in the index's high bits, the low bits of the
// cursor), so a key returned again was returned by the walk shortly
// before: within the last 2^k buckets for a table that shrank 2^k times.
// A table shrinks when less than a tenth of it is used, to the smallest
// size that holds its keys, so those buckets held few keys, unless most
// keys were deleted while the walk went on.
//
// scanSeen remembers the keys a walk returned last, up to scanWindowKeys
// keys and scanWindowBytes bytes of names, and tells a key met again: a
// full scan reads every key once in memory bounded whatever the database's
// size. A key returned again after more than that many keys (a table that
// shrank more than 2^16 times between two calls of one walk) is read
// twice.
const (
	scanWindowKeys  = 1 << 16
	scanWindowBytes = 8 << 20
)

type scanSeen struct {
	set   map[string]struct{}
	order []string // the keys remembered, oldest at head
	head  int
	bytes int
}

func newScanSeen() *scanSeen { return &scanSeen{set: map[string]struct{}{}} }

// fresh reports whether k was not among the keys remembered, and
// remembers it.
func (w *scanSeen) fresh(k string) bool {
	if _, dup := w.set[k]; dup {
		return false
	}
	for len(w.order)-w.head > 0 && (len(w.order)-w.head >= scanWindowKeys || w.bytes+len(k) > scanWindowBytes) {
		old := w.order[w.head]
		w.order[w.head] = ""
		w.head++
		delete(w.set, old)
		w.bytes -= len(old)
	}
	if w.head > 0 && w.head >= len(w.order)/2 {
		// compact: the slice never holds more than twice the window
		n := copy(w.order, w.order[w.head:])
		clear(w.order[n:])
		w.order = w.order[:n]
		w.head = 0
	}
	w.order = append(w.order, k)
	w.set[k] = struct{}{}
	w.bytes += len(k)
	return true
}
