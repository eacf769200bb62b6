package files

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/piisniff/piisniff/connectors"
)

// JSON records (NDJSON lines, the values of a JSON stream) are handed over
// undecoded: the goroutine reading the file copies each record's bytes into
// an arena that many records share and emits a connectors.RawDocument,
// which its consumer decodes (the pipeline does on its workers, in
// parallel). A record that does not decode is counted as skipped by
// whoever decodes it; what decoding learns for the notes (the first
// skipped records by line, the elasticdump indices) is kept in the
// sample's decodeState, in the order of the file whatever the order of
// decoding, and reported through SampleResult.DecodeNotes.

// Arena bounds: an arena holds up to arenaRecords records or arenaBytes
// bytes (a larger record gets an arena of its own size, which is not
// reused). Once the last of its records has been decoded an arena is put
// on a free list that every sample draws from (freeArenas), so that the
// bytes copied are not allocated again for every record; the memory held
// is what the consumer holds, and the free list.
const (
	arenaRecords = 512
	arenaBytes   = 256 << 10
)

// freeArenas are arenas of arenaBytes whose records have all been decoded.
var freeArenas = make(chan *arena, 8)

// decodeState is what the decoding of one sample's records shares: it is
// safe for concurrent use.
type decodeState struct {
	name     string
	maxDepth int
	logf     func(string, ...any)

	mu sync.Mutex
	// skips are the skipped records with the lowest sequence numbers (at
	// most maxSkipNotes+1), skipCount all of them.
	skips     []skipNote
	skipCount int64
	// indices are the elasticdump indices first seen in the records with
	// the lowest sequence numbers (at most maxIndexNotes+1), by name.
	indices map[string]int64
	failed  int64  // raw documents that did not decode
	stop    string // the note of a file not read to its end
}

type skipNote struct {
	seq, line int64
	reason    string
}

func newDecodeState(name string, maxDepth int, logf func(string, ...any)) *decodeState {
	return &decodeState{name: name, maxDepth: maxDepth, logf: logf, indices: map[string]int64{}}
}

// parsers are the JSON parsers of the decoding goroutines; each keeps its
// cache of object keys.
var parsers = sync.Pool{New: func() any { return newParser(MaxDepth) }}

// parse decodes record seq and notes its elasticdump index; reason is why
// it is no document.
func (st *decodeState) parse(raw []byte, seq int64, depth int) (map[string]any, string) {
	var p *parser
	if st.maxDepth == MaxDepth {
		p = parsers.Get().(*parser)
		defer parsers.Put(p)
	} else {
		p = newParser(st.maxDepth)
	}
	doc, index, reason := decodeJSON(p, raw, depth)
	if index != "" {
		st.index(index, seq)
	}
	return doc, reason
}

// index notes that record seq came from elasticdump index name: the
// indices kept are the first maxIndexNotes+1 of the file.
func (st *decodeState) index(name string, seq int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s, ok := st.indices[name]; ok {
		if seq < s {
			st.indices[name] = seq
		}
		return
	}
	if len(st.indices) < maxIndexNotes+1 {
		st.indices[name] = seq
		return
	}
	last, lastSeq := "", int64(-1)
	for n, s := range st.indices {
		if s > lastSeq {
			last, lastSeq = n, s
		}
	}
	if seq < lastSeq {
		delete(st.indices, last)
		st.indices[name] = seq
	}
}

// skip notes skipped record seq, which starts at line; the notes name the
// first maxSkipNotes of the file.
func (st *decodeState) skip(seq, line int64, reason string) {
	st.mu.Lock()
	st.skipCount++
	i := sort.Search(len(st.skips), func(i int) bool { return st.skips[i].seq > seq })
	if i <= maxSkipNotes {
		st.skips = append(st.skips, skipNote{})
		copy(st.skips[i+1:], st.skips[i:])
		st.skips[i] = skipNote{seq: seq, line: line, reason: reason}
		if len(st.skips) > maxSkipNotes+1 {
			st.skips = st.skips[:maxSkipNotes+1]
		}
	}
	st.mu.Unlock()
	st.logf("files: %s: line %d: skipped: %s", st.name, line, reason)
}

// stopped notes that the rest of the file could not be read.
func (st *decodeState) stopped(detail string) {
	st.mu.Lock()
	st.stop = "stopped reading: " + detail
	st.mu.Unlock()
	st.logf("files: %s: stopped reading: %s", st.name, detail)
}

// notes are what reading and decoding learnt, in the order of the file:
// the first skipped records, the end of reading, the elasticdump indices.
func (st *decodeState) notes() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	var notes []string
	for i, s := range st.skips {
		if i == maxSkipNotes {
			break
		}
		notes = append(notes, "line "+strconv.FormatInt(s.line, 10)+": "+s.reason)
	}
	if st.skipCount > maxSkipNotes {
		notes = append(notes, "more skipped records are not listed")
	}
	if st.stop != "" {
		notes = append(notes, st.stop)
	}
	if len(st.indices) > 0 {
		names := make([]string, 0, len(st.indices))
		for n := range st.indices {
			names = append(names, n)
		}
		sort.Strings(names)
		more := ""
		if len(names) > maxIndexNotes {
			names = names[:maxIndexNotes]
			more = " and more"
		}
		for i, n := range names {
			names[i] = quoteNote(n)
		}
		notes = append(notes, fmt.Sprintf("elasticdump output: documents from index %s%s", strings.Join(names, ", "), more))
	}
	return notes
}

func (st *decodeState) decodeFailed() int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.failed
}

// arena holds the bytes of up to arenaRecords records back to back, and
// the records. Neither slice is written to where a record handed over
// reads, and neither is ever reassigned: the writer keeps its own fill
// counts (arenaWriter), so that decoding on other goroutines races with
// nothing.
type arena struct {
	st   *decodeState
	buf  []byte
	recs []rawRecord
	// refs counts the records handed over and not yet decoded, and one
	// more while the writer fills the arena: whoever brings it to 0 puts
	// the arena on the free list.
	refs atomic.Int32
}

// newArena returns an arena for a record of need bytes, holding the
// writer's reference.
func newArena(st *decodeState, need int) *arena {
	var a *arena
	if need <= arenaBytes {
		select {
		case a = <-freeArenas:
		default:
			a = &arena{buf: make([]byte, arenaBytes), recs: make([]rawRecord, arenaRecords)}
		}
	} else {
		a = &arena{buf: make([]byte, need), recs: make([]rawRecord, 1)}
	}
	a.st = st
	a.refs.Store(1)
	return a
}

// release drops one reference to a.
func (a *arena) release() {
	if a.refs.Add(-1) == 0 && len(a.buf) == arenaBytes {
		a.st = nil
		select {
		case freeArenas <- a:
		default:
		}
	}
}

// rawRecord is one JSON record of an arena, not yet decoded: the bytes
// [start, end) of its arena.
type rawRecord struct {
	a          *arena
	start, end int32
	depth      int32
	line, seq  int64
}

// Size implements connectors.Sizer: the record's bytes.
func (r *rawRecord) Size() int { return int(r.end - r.start) }

// Decode implements connectors.RawDocument.
func (r *rawRecord) Decode() (map[string]any, string, bool) {
	a := r.a
	if a == nil {
		return nil, "decoded twice", false
	}
	r.a = nil // decoded once: the arena is not held for this record any more
	st := a.st
	// the document holds nothing of the arena's bytes (strings are copied)
	doc, reason := st.parse(a.buf[r.start:r.end:r.end], r.seq, int(r.depth))
	line, seq := r.line, r.seq
	a.release() // r may be written over from here on
	if reason != "" {
		st.mu.Lock()
		st.failed++
		st.mu.Unlock()
		st.skip(seq, line, reason)
		return nil, reason, false
	}
	return doc, "", true
}

// Recycle implements connectors.Recycler: the maps and slices of fields,
// which Decode made, are reused for the next records decoded.
func (*rawRecord) Recycle(fields map[string]any) { recycle(fields) }

// arenaWriter copies records into arenas. Close must be called once the
// last record was added.
type arenaWriter struct {
	st   *decodeState
	a    *arena
	n    int // bytes of a.buf used
	nrec int // records of a.recs used
}

// add copies rec (record seq of the file) into an arena and returns it as
// a raw document.
func (w *arenaWriter) add(rec *record, seq int64) connectors.Document {
	need := len(rec.raw)
	if w.a == nil || w.nrec == len(w.a.recs) || w.n+need > len(w.a.buf) {
		w.close()
		w.a = newArena(w.st, need)
	}
	copy(w.a.buf[w.n:], rec.raw)
	r := &w.a.recs[w.nrec]
	*r = rawRecord{a: w.a, start: int32(w.n), end: int32(w.n + need), depth: int32(min(rec.depth, math.MaxInt32)), line: rec.line, seq: seq}
	w.n += need
	w.nrec++
	w.a.refs.Add(1)
	return connectors.Document{Raw: r}
}

// close drops the writer's reference to its arena.
func (w *arenaWriter) close() {
	if w.a != nil {
		w.a.release()
		w.a, w.n, w.nrec = nil, 0, 0
	}
}
