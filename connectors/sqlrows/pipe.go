package sqlrows

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/piisniff/piisniff/connectors"
)

// EmitError carries an error returned by a connector's emit function out
// of its row loop, so that Sample returns it unchanged (and never takes it
// for a failure of the container).
type EmitError struct{ Err error }

func (e EmitError) Error() string { return e.Err.Error() }
func (e EmitError) Unwrap() error { return e.Err }

// Pipe batch bounds: a batch is handed over when it holds pipeRows rows
// or pipeBytes bytes; at most pipeBatches batches exist at once, so that a
// Pipe holds a bounded amount of memory whatever the table's size (one
// value may still be as large as the value bound).
const (
	pipeRows    = 256
	pipeBytes   = 256 << 10
	pipeBatches = 4
)

// pipeWorkers is the number of goroutines of a Pipe that convert batches
// at once: two where the process may run two goroutines in parallel.
func pipeWorkers() int { return min(2, runtime.GOMAXPROCS(0)) }

// Pipe converts rows given as bytes (database/sql's RawBytes) into
// documents and emits them on goroutines of its own, so that reading the
// next rows from the database overlaps converting the last ones. Add
// copies the row's bytes (the driver may reuse its buffers at the next
// row), in batches; batches are converted by up to two goroutines at
// once, and their documents emitted in the order of Add, one at a time.
// Close must be called, on every path: it waits for the last documents
// and returns emit's error.
type Pipe struct {
	conv     *Converter
	emit     func(connectors.Document) error
	batches  chan *rowBatch
	free     chan *rowBatch
	cur      *rowBatch
	sent     int // batches handed over
	workers  sync.WaitGroup
	closeOne sync.Once

	pipeState
	turn *sync.Cond // signalled when next moves on
	next int        // the batch whose documents are emitted next
}

// rowBatch holds rows of values as one byte buffer and the end offset of
// every value (-1 for NULL; a value starts where the one before it ends),
// and, once converted, their documents.
type rowBatch struct {
	buf     []byte
	ends    []int
	rows    int
	seq     int // order among the batches handed over
	docs    []connectors.Document
	skipped map[string]int64
}

// NewPipe starts the converting goroutines.
func NewPipe(conv *Converter, emit func(connectors.Document) error) *Pipe {
	workers := pipeWorkers()
	n := pipeBatches + 2*(workers-1) // a batch more converted and one more waiting per extra worker
	p := &Pipe{conv: conv, emit: emit, batches: make(chan *rowBatch, n-2), free: make(chan *rowBatch, n),
		pipeState: pipeState{skipped: map[string]int64{}}}
	p.turn = sync.NewCond(&p.mu)
	for range n {
		p.free <- &rowBatch{}
	}
	p.cur = <-p.free
	p.workers.Add(workers)
	for range workers {
		go p.run()
	}
	return p
}

// Add hands over one row (nil values are NULL). It returns an EmitError
// once emit has failed: the caller stops reading and returns it.
func (p *Pipe) Add(row [][]byte) error {
	b := p.cur
	for _, v := range row {
		if v == nil {
			b.ends = append(b.ends, -1)
			continue
		}
		b.buf = append(b.buf, v...)
		b.ends = append(b.ends, len(b.buf))
	}
	b.rows++
	if b.rows >= pipeRows || len(b.buf) >= pipeBytes {
		p.handOver(b)
		p.cur = <-p.free // waits while the converters are behind
		p.cur.buf, p.cur.ends, p.cur.rows = p.cur.buf[:0], p.cur.ends[:0], 0
		if err := p.Err(); err != nil {
			return EmitError{err}
		}
	}
	return nil
}

func (p *Pipe) handOver(b *rowBatch) {
	b.seq = p.sent
	p.sent++
	p.batches <- b
}

// Close converts and emits the rows still held, stops the goroutines,
// counts the skipped rows in res and returns emit's error (as an
// EmitError). It may be called more than once.
func (p *Pipe) Close(res *connectors.SampleResult) error {
	p.closeOne.Do(func() {
		if p.cur.rows > 0 {
			p.handOver(p.cur)
		}
		close(p.batches)
		p.workers.Wait()
		p.countSkipped(res)
	})
	if err := p.Err(); err != nil {
		return EmitError{err}
	}
	return nil
}

// recovered turns a panic of a converting goroutine (which would end the
// process) into the read's error.
func (p *Pipe) recovered() {
	if r := recover(); r != nil {
		p.fail(fmt.Errorf("internal error converting a row: %v", r))
	}
}

var emptyValue = []byte{}

// run converts batches until there are no more: each batch's documents
// are made while other batches are converted, then emitted when the
// batches before it have been.
func (p *Pipe) run() {
	defer p.workers.Done()
	row := make([][]byte, len(p.conv.Columns))
	for b := range p.batches {
		p.convert(b, row)
		p.mu.Lock()
		for p.next != b.seq {
			p.turn.Wait()
		}
		failed := p.err != nil
		p.mu.Unlock()
		if !failed {
			p.emitBatch(b)
		}
		p.mu.Lock()
		for reason, n := range b.skipped {
			p.skipped[reason] += n
		}
		p.next++
		p.turn.Broadcast()
		p.mu.Unlock()
		p.recycle(b)
	}
}

// convert makes the documents of b's rows (skipped rows counted in
// b.skipped), unless emit has failed.
func (p *Pipe) convert(b *rowBatch, row [][]byte) {
	defer p.recovered()
	defer clear(row)
	if p.Err() != nil {
		return
	}
	off, e := 0, 0
	for range b.rows {
		for i := range row {
			end := b.ends[e]
			e++
			if end < 0 {
				row[i] = nil
				continue
			}
			row[i] = b.buf[off:end:end]
			if row[i] == nil {
				row[i] = emptyValue // an empty string, not NULL
			}
			off = end
		}
		doc, ok, reason := p.conv.DocumentRaw(row)
		if !ok {
			if b.skipped == nil {
				b.skipped = map[string]int64{}
			}
			b.skipped[reason]++
			continue
		}
		b.docs = append(b.docs, doc)
	}
}

// emitBatch emits b's documents, in order, until emit fails.
func (p *Pipe) emitBatch(b *rowBatch) {
	defer p.recovered()
	for _, doc := range b.docs {
		if err := p.emit(doc); err != nil {
			p.fail(err)
			return
		}
	}
}

// recycle gives a batch back, holding no document; one grown by a very
// large value is dropped, so that its memory is not kept for the rest of
// the read.
func (p *Pipe) recycle(b *rowBatch) {
	if cap(b.buf) > 4*pipeBytes {
		b = &rowBatch{}
	}
	clear(b.docs)
	b.docs = b.docs[:0]
	clear(b.skipped)
	p.free <- b
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
