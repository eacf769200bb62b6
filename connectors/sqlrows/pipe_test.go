package sqlrows

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
)

// TestPipe: the rows come out as raw documents in the order they went
// in, which decode later, on other goroutines, after the bytes handed over
// were reused: NULL and the empty string stay apart, rows of values over
// the bound are skipped and counted.
func TestPipe(t *testing.T) {
	conv := NewConverter([]Column{NewColumn("id", "bigint"), NewColumn("v", "text")}, 100)
	const rows = 3000 // several batches
	type decoded struct {
		fields map[string]any
		reason string
		ok     bool
	}
	// every row is decoded at once, on a goroutine of its own, while the
	// next rows are added (as the pipeline's workers do)
	var (
		got      []connectors.Document
		out      = make([]decoded, rows)
		wg       sync.WaitGroup
		wantSize int // the bytes of the row being added
	)
	p := NewPipe(conv, func(d connectors.Document) error {
		i := len(got)
		got = append(got, d)
		if d.Fields != nil || d.Raw == nil {
			t.Fatalf("document %d is not raw: %#v", i, d)
		}
		if sz, ok := d.Raw.(connectors.Sizer); !ok || sz.Size() != wantSize {
			t.Fatalf("document %d: Size() of a row of %d bytes: %v", i, wantSize, sz)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, reason, ok := d.Decode()
			out[i] = decoded{f, reason, ok}
		}()
		return nil
	})
	buf := make([]byte, 0, 200)
	for i := range rows {
		id := strconv.AppendInt(buf[:0], int64(i), 10)
		var v []byte
		switch i % 4 {
		case 0:
			v = nil
		case 1:
			v = []byte{}
		case 2:
			v = []byte(strings.Repeat("x", 150)) // over the row bound: skipped
		default:
			v = []byte("row " + strconv.Itoa(i))
		}
		wantSize = len(id) + len(v)
		if err := p.Add([][]byte{id, v}); err != nil {
			t.Fatal(err)
		}
		clear(buf[:cap(buf)]) // the pipe copied the bytes
	}
	var res connectors.SampleResult
	if err := p.Close(&res); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if len(got) != rows {
		t.Fatalf("%d documents, want %d", len(got), rows)
	}
	var docs []connectors.Document
	for _, o := range out {
		if !o.ok {
			res.Skip(o.reason)
			continue
		}
		docs = append(docs, connectors.Document{Fields: o.fields})
	}
	checkPipeRows(t, docs, res, rows, jsonNumber)
	if _, reason, ok := got[0].Decode(); ok || reason == "" {
		t.Errorf("a raw row decoded twice: ok %v, reason %q", ok, reason)
	}
	if n := got[0].Raw.(connectors.Sizer).Size(); n != 0 {
		t.Errorf("a decoded row says it holds %d bytes", n)
	}
}

func jsonNumber(i int) any {
	v, _, _ := NewConverter([]Column{NewColumn("n", "int")}, 0).DocumentRaw([][]byte{[]byte(strconv.Itoa(i))})
	return v.Fields["n"]
}

// pipeKinds are the two pipes, each made with an emit function and
// given rows of one text value.
var pipeKinds = []struct {
	name string
	open func(conv *Converter, emit func(connectors.Document) error) (add func(v string) error, close func(*connectors.SampleResult) error)
}{
	{"bytes", func(conv *Converter, emit func(connectors.Document) error) (func(string) error, func(*connectors.SampleResult) error) {
		p := NewPipe(conv, emit)
		return func(v string) error { return p.Add([][]byte{[]byte(v)}) }, p.Close
	}},
	{"values", func(conv *Converter, emit func(connectors.Document) error) (func(string) error, func(*connectors.SampleResult) error) {
		p := NewValuesPipe(conv, emit)
		return func(v string) error { return p.Add([]any{v}) }, p.Close
	}},
}

// TestValuesPipe: the rows come out as documents in the order they went
// in, NULL and the empty string stay apart, and rows over the bound are
// skipped and counted.
func TestValuesPipe(t *testing.T) {
	conv := NewConverter([]Column{NewColumn("id", "bigint"), NewColumn("v", "text")}, 100)
	var got []connectors.Document
	p := NewValuesPipe(conv, func(d connectors.Document) error { got = append(got, d); return nil })
	const rows = 3000 // several batches
	for i := range rows {
		var v any
		switch i % 4 {
		case 1:
			v = ""
		case 2:
			v = strings.Repeat("x", 150) // over the row bound: skipped
		case 3:
			v = "row " + strconv.Itoa(i)
		}
		if err := p.Add([]any{int64(i), v}); err != nil {
			t.Fatal(err)
		}
	}
	var res connectors.SampleResult
	if err := p.Close(&res); err != nil {
		t.Fatal(err)
	}
	checkPipeRows(t, got, res, rows, func(i int) any { return int64(i) })
}

// checkPipeRows checks the documents of rows rows put through a pipe, row
// i with the id id(i) and a value v that is NULL when i%4 is 0, the empty
// string when 1, too big (the row skipped and counted) when 2, and
// "row i" when 3: every row but the skipped ones, in order.
func checkPipeRows(t *testing.T, got []connectors.Document, res connectors.SampleResult, rows int, id func(int) any) {
	t.Helper()
	if res.Skipped != int64(rows/4) || res.SkipReasons[ReasonRowTooBig] != int64(rows/4) {
		t.Errorf("skipped %d (%v), want %d", res.Skipped, res.SkipReasons, rows/4)
	}
	if len(got) != rows-rows/4 {
		t.Fatalf("%d documents, want %d", len(got), rows-rows/4)
	}
	i := 0
	for _, d := range got {
		for i%4 == 2 {
			i++
		}
		if d.Fields["id"] != id(i) {
			t.Fatalf("document %v, want id %d", d.Fields, i)
		}
		v, ok := d.Fields["v"]
		switch i % 4 {
		case 0:
			if !ok || v != nil {
				t.Errorf("row %d: v %#v, want NULL", i, v)
			}
		case 1:
			if v != "" {
				t.Errorf("row %d: v %#v, want the empty string", i, v)
			}
		case 3:
			if v != "row "+strconv.Itoa(i) {
				t.Errorf("row %d: v %#v", i, v)
			}
		}
		i++
	}
}

// TestValuesPipeBatchBytes: large rows are handed over before a batch
// holds its number of rows: the converter has them while the reader is
// still adding.
func TestValuesPipeBatchBytes(t *testing.T) {
	conv := NewConverter([]Column{NewColumn("v", "text")}, 0)
	emitted := make(chan struct{}, 1)
	p := NewValuesPipe(conv, func(connectors.Document) error {
		select {
		case emitted <- struct{}{}:
		default:
		}
		return nil
	})
	big := strings.Repeat("y", pipeBytes/4)
	for range 4 { // four rows, far fewer than a batch's rows, but its bytes
		if err := p.Add([]any{big}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-emitted: // the batch went over without Close
	case <-time.After(time.Minute): // a guard against a hang, not a timing check
		t.Fatal("four rows of a batch's bytes were not handed over")
	}
	if err := p.Close(&connectors.SampleResult{}); err != nil {
		t.Fatal(err)
	}
}

// TestPipeEmitError: once emit fails, Add says so, nothing more is
// emitted, and Close returns the error.
func TestPipeEmitError(t *testing.T) {
	for _, kind := range pipeKinds {
		t.Run(kind.name, func(t *testing.T) {
			conv := NewConverter([]Column{NewColumn("v", "text")}, 0)
			stop := errors.New("stop")
			calls := 0
			add, closePipe := kind.open(conv, func(connectors.Document) error { calls++; return stop })
			var addErr error
			for i := 0; i < 100000 && addErr == nil; i++ {
				addErr = add("x")
			}
			var ee EmitError
			if !errors.As(addErr, &ee) || !errors.Is(addErr, stop) {
				t.Errorf("Add returned %v, want the emit error", addErr)
			}
			var res connectors.SampleResult
			if err := closePipe(&res); !errors.Is(err, stop) {
				t.Errorf("Close returned %v, want the emit error", err)
			}
			if calls != 1 {
				t.Errorf("emit called %d times after it failed, want once", calls)
			}
		})
	}
}

// TestValuesPipePanic: a panic while converting on the pipe's goroutine
// is the read's error, not the end of the process.
func TestValuesPipePanic(t *testing.T) {
	conv := NewConverter([]Column{NewColumn("v", "text")}, 0)
	p := NewValuesPipe(conv, func(connectors.Document) error { panic("boom") })
	_ = p.Add([]any{"x"})
	var res connectors.SampleResult
	if err := p.Close(&res); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("Close returned %v, want the panic", err)
	}
}
