package sqlrows

import (
	"fmt"
	"math"
	"sync"

	"github.com/piisniff/piisniff/connectors"
)

// EmitError carries an error returned by a connector's emit function out
// of its row loop, so that Sample returns it unchanged (and never takes it
// for a failure of the container).
type EmitError struct{ Err error }

func (e EmitError) Error() string { return e.Err.Error() }
func (e EmitError) Unwrap() error { return e.Err }

// Pipe and ValuesPipe batch bounds: a batch is handed over when it holds
// pipeRows rows or pipeBytes bytes; at most pipeBatches batches of a
// ValuesPipe exist at once, so that it holds a bounded amount of memory
// whatever the table's size (one value may still be as large as the value
// bound).
const (
	pipeRows    = 256
	pipeBytes   = 256 << 10
	pipeBatches = 4
)

// Pipe hands rows read as bytes (database/sql's RawBytes, which the driver
// reuses at the next row) over as raw documents: Add copies the row's
// bytes into an arena that the rows of a batch share and emits a
// connectors.RawDocument at once, which its consumer decodes
// (Converter.DocumentRaw) on a goroutine of its own: the pipeline does on
// its workers, in parallel, so that the goroutine reading the database
// only reads. Rows that are no documents are counted by whoever decodes
// them; the notes of values left out are the Converter's (Notes). The
// memory held is what the consumer holds: an arena is let go when the
// last of its rows has been decoded.
type Pipe struct {
	conv  *Converter
	emit  func(connectors.Document) error
	arena *rowArena
	used  arenaUse // of arena
	err   error
}

// rowArena holds the bytes of up to pipeRows rows, back to back, the end
// of each value, and the rows' raw documents. Its slices are made once,
// at their full size, and never assigned again; what the Pipe writes into
// them (arenaUse says how far it got) is never written over once handed
// over, and a row that does not fit starts a new arena, so that what the
// consumers read stays valid and nothing they read is being written.
// Offsets, not slices: nothing for the collector to trace but the rows'
// pointer to their arena.
type rowArena struct {
	conv *Converter
	buf  []byte
	ends []int32 // the end of each value in buf, len(Columns) a row; -1 for NULL
	rows []rawRow
}

// arenaUse is how much of an arena's buf, ends and rows holds data.
type arenaUse struct{ buf, ends, rows int }

// rawRow is one row of an arena, not yet decoded: its values are ends
// [first, first+len(Columns)), the first starting at start.
type rawRow struct {
	a            *rowArena
	first, start int32
}

// Size implements connectors.Sizer: the bytes of the row's values (0
// once decoded).
func (r *rawRow) Size() int {
	a := r.a
	if a == nil {
		return 0
	}
	end := r.start
	for _, e := range a.ends[r.first : int(r.first)+len(a.conv.Columns)] {
		if e >= 0 {
			end = e
		}
	}
	return int(end - r.start)
}

// Decode implements connectors.RawDocument.
func (r *rawRow) Decode() (map[string]any, string, bool) {
	a := r.a
	if a == nil {
		return nil, "decoded twice", false
	}
	r.a = nil // decoded once: the arena is not held for this row any more
	vals := make([][]byte, len(a.conv.Columns))
	off := r.start
	for i, end := range a.ends[r.first : int(r.first)+len(vals)] {
		if end < 0 {
			continue // NULL
		}
		vals[i] = a.buf[off:end:end] // not nil when empty: len(a.buf) > 0
		off = end
	}
	doc, ok, reason := a.conv.DocumentRaw(vals)
	return doc.Fields, reason, ok
}

// NewPipe returns a Pipe that emits raw documents of conv's rows.
func NewPipe(conv *Converter, emit func(connectors.Document) error) *Pipe {
	return &Pipe{conv: conv, emit: emit}
}

// Add hands over one row (nil values are NULL). It returns an EmitError
// once emit has failed: the caller stops reading and returns it.
func (p *Pipe) Add(row [][]byte) error {
	if p.err != nil {
		return EmitError{p.err}
	}
	need := 0
	for _, v := range row {
		need += len(v)
	}
	if need > math.MaxInt32/2 { // beyond an arena's offsets: decoded here (its values are over the bound)
		doc, ok, reason := p.conv.DocumentRaw(row)
		if !ok {
			doc = connectors.Document{Raw: skippedRow(reason)}
		}
		return p.emitDoc(doc)
	}
	a, u := p.arena, &p.used
	if a == nil || u.rows == len(a.rows) || u.buf+need > len(a.buf) {
		if len(p.conv.Columns) != len(row) {
			panic(fmt.Sprintf("sqlrows: %d values for %d columns", len(row), len(p.conv.Columns)))
		}
		a = &rowArena{conv: p.conv, buf: make([]byte, max(p.arenaBytes(), need, 1)), ends: make([]int32, pipeRows*len(row)),
			rows: make([]rawRow, pipeRows)}
		p.arena, p.used = a, arenaUse{}
	}
	r := &a.rows[u.rows]
	*r = rawRow{a: a, first: int32(u.ends), start: int32(u.buf)}
	u.rows++
	for _, v := range row {
		if v == nil {
			a.ends[u.ends] = -1
		} else {
			u.buf += copy(a.buf[u.buf:], v)
			a.ends[u.ends] = int32(u.buf)
		}
		u.ends++
	}
	return p.emitDoc(connectors.Document{Raw: r})
}

func (p *Pipe) emitDoc(d connectors.Document) error {
	if err := p.emit(d); err != nil {
		p.err = err
		return EmitError{err}
	}
	return nil
}

// skippedRow is a row that is no document, decoded as such.
type skippedRow string

func (s skippedRow) Decode() (map[string]any, string, bool) { return nil, string(s), false }

// arenaBytes is the size of the next arena's buffer: what the last arena's
// rows took, with room to spare, or twice its size when rows did not fit
// in it, between 4 KiB and pipeBytes (a larger row gets an arena of its
// own size).
func (p *Pipe) arenaBytes() int {
	a, u := p.arena, p.used
	switch {
	case a == nil:
		return 16 << 10
	case u.rows < len(a.rows): // bytes ran out before rows
		return min(pipeBytes, 2*len(a.buf))
	}
	return min(pipeBytes, max(4<<10, u.buf+u.buf/4))
}

// Close returns emit's error (as an EmitError), once it failed. The
// rows handed over are the consumer's: nothing is held back. It may be
// called more than once; res is left as it is (rows that are no
// documents are counted by whoever decodes them).
func (p *Pipe) Close(res *connectors.SampleResult) error {
	if p.err != nil {
		return EmitError{p.err}
	}
	return nil
}

// ValuesPipe is Pipe for a driver that gives every row as values of its
// own (pgx's Rows.Values: strings, numbers, times, fresh slices), which
// stay valid after the next row is read: the rows are handed over as they
// are, in batches bounded in rows and bytes like Pipe's, converted with
// Converter.Document and emitted on a goroutine of its own, in the order
// of Add. Close must be called, on every path.
type ValuesPipe struct {
	conv     *Converter
	emit     func(connectors.Document) error
	batches  chan *valuesBatch
	free     chan *valuesBatch
	cur      *valuesBatch
	done     chan struct{}
	closeOne sync.Once

	pipeState
}

type valuesBatch struct {
	rows  [][]any
	bytes int64
}

// NewValuesPipe starts the converting goroutine.
func NewValuesPipe(conv *Converter, emit func(connectors.Document) error) *ValuesPipe {
	p := &ValuesPipe{conv: conv, emit: emit, batches: make(chan *valuesBatch, pipeBatches-2), free: make(chan *valuesBatch, pipeBatches),
		done: make(chan struct{}), pipeState: pipeState{skipped: map[string]int64{}}}
	for range pipeBatches {
		p.free <- &valuesBatch{}
	}
	p.cur = <-p.free
	go p.run()
	return p
}

// Add hands over one row, which the caller no longer uses. It returns an
// EmitError once emit has failed: the caller stops reading and returns
// it.
func (p *ValuesPipe) Add(row []any) error {
	b := p.cur
	b.rows = append(b.rows, row)
	for _, v := range row {
		b.bytes += approxSize(v)
	}
	if len(b.rows) >= pipeRows || b.bytes >= pipeBytes {
		p.batches <- b
		p.cur = <-p.free // waits while the converter is behind
		if err := p.Err(); err != nil {
			return EmitError{err}
		}
	}
	return nil
}

// Close converts and emits the rows still held, stops the goroutine,
// counts the skipped rows in res and returns emit's error (as an
// EmitError). It may be called more than once.
func (p *ValuesPipe) Close(res *connectors.SampleResult) error {
	p.closeOne.Do(func() {
		if len(p.cur.rows) > 0 {
			p.batches <- p.cur
		}
		close(p.batches)
		<-p.done
		p.countSkipped(res)
	})
	if err := p.Err(); err != nil {
		return EmitError{err}
	}
	return nil
}

func (p *ValuesPipe) run() {
	defer close(p.done)
	defer func() {
		if r := recover(); r != nil {
			// a panic here would end the process: make it the sample's error
			p.fail(fmt.Errorf("internal error converting a row: %v", r))
			for b := range p.batches {
				p.recycle(b)
			}
		}
	}()
	for b := range p.batches {
		if p.Err() == nil {
			for _, row := range b.rows {
				doc, ok, reason := p.conv.Document(row)
				if !ok {
					p.skipped[reason]++
					continue
				}
				if err := p.emit(doc); err != nil {
					p.fail(err)
					break
				}
			}
		}
		p.recycle(b)
	}
}

// recycle gives a batch back, holding no row.
func (p *ValuesPipe) recycle(b *valuesBatch) {
	clear(b.rows)
	b.rows, b.bytes = b.rows[:0], 0
	p.free <- b
}

// pipeState is what both pipes keep under one lock: emit's first error
// (or a panic's) and the rows skipped, by reason.
type pipeState struct {
	mu      sync.Mutex
	err     error
	skipped map[string]int64
}

// Err is emit's error, once it failed.
func (s *pipeState) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *pipeState) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

// countSkipped adds the rows skipped to res.
func (s *pipeState) countSkipped(res *connectors.SampleResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for reason, n := range s.skipped {
		res.Skipped += n
		if res.SkipReasons == nil {
			res.SkipReasons = map[string]int64{}
		}
		res.SkipReasons[reason] += n
	}
}
