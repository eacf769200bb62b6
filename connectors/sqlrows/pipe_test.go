package sqlrows

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
)

// TestPipe: the rows come out as documents in the order they went in,
// NULL and the empty string stay apart, rows of values over the bound are
// skipped and counted, and the bytes handed over may be reused at once.
func TestPipe(t *testing.T) {
	conv := NewConverter([]Column{NewColumn("id", "bigint"), NewColumn("v", "text")}, 100)
	var got []connectors.Document
	p := NewPipe(conv, func(d connectors.Document) error { got = append(got, d); return nil })
	buf := make([]byte, 0, 200)
	const rows = 3000 // several batches
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
		if err := p.Add([][]byte{id, v}); err != nil {
			t.Fatal(err)
		}
		clear(buf[:cap(buf)]) // the pipe copied the bytes
	}
	var res connectors.SampleResult
	if err := p.Close(&res); err != nil {
		t.Fatal(err)
	}
	if res.Skipped != rows/4 || res.SkipReasons[ReasonRowTooBig] != rows/4 {
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
		if d.Fields["id"] != jsonNumber(i) {
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

func jsonNumber(i int) any {
	v, _, _ := NewConverter([]Column{NewColumn("n", "int")}, 0).DocumentRaw([][]byte{[]byte(strconv.Itoa(i))})
	return v.Fields["n"]
}

// TestPipeEmitError: once emit fails, Add says so, nothing more is
// emitted, and Close returns the error.
func TestPipeEmitError(t *testing.T) {
	conv := NewConverter([]Column{NewColumn("v", "text")}, 0)
	stop := errors.New("stop")
	calls := 0
	p := NewPipe(conv, func(connectors.Document) error { calls++; return stop })
	var addErr error
	for i := 0; i < 100000 && addErr == nil; i++ {
		addErr = p.Add([][]byte{[]byte("x")})
	}
	var ee EmitError
	if !errors.As(addErr, &ee) || !errors.Is(addErr, stop) {
		t.Errorf("Add returned %v, want the emit error", addErr)
	}
	var res connectors.SampleResult
	if err := p.Close(&res); !errors.Is(err, stop) {
		t.Errorf("Close returned %v, want the emit error", err)
	}
	if calls != 1 {
		t.Errorf("emit called %d times after it failed, want once", calls)
	}
}

// TestPipePanic: a panic while converting is the read's error, not the
// end of the process.
func TestPipePanic(t *testing.T) {
	conv := NewConverter([]Column{NewColumn("v", "text")}, 0)
	p := NewPipe(conv, func(connectors.Document) error { panic("boom") })
	_ = p.Add([][]byte{[]byte("x")})
	var res connectors.SampleResult
	if err := p.Close(&res); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("Close returned %v, want the panic", err)
	}
}
