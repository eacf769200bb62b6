package pipeline

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
)

// sizedConn emits raw documents that say their size (connectors.Sizer)
// and counts, over all its containers, the documents read and not yet
// decoded: an upper bound of those the scan holds, since a document's
// bytes are given back only once it is classified.
type sizedConn struct {
	memConn
	size    int // of every document; 0: the documents say no size
	docs    int // per container
	read    atomic.Int64
	decoded atomic.Int64
	peak    atomic.Int64 // most documents read and not yet decoded
}

type sizedDoc struct {
	c      *sizedConn
	fields map[string]any
}

func (d sizedDoc) Decode() (map[string]any, string, bool) {
	// slower than reading, so that without a bound the documents read
	// would pile up in the channel
	time.Sleep(200 * time.Microsecond)
	d.c.decoded.Add(1)
	return d.fields, "", true
}

// sizedDocOf is sizedDoc with a size.
type sizedDocOf struct {
	sizedDoc
	n int
}

func (d sizedDocOf) Size() int { return d.n }

func (c *sizedConn) Sample(ctx context.Context, ct connectors.Container, opts connectors.SampleOptions, emit func(connectors.Document) error) (connectors.SampleResult, error) {
	res := connectors.SampleResult{Method: "all", TotalDocuments: int64(c.docs)}
	for i := 0; i < c.docs; i++ {
		held := c.read.Add(1) - c.decoded.Load()
		for p := c.peak.Load(); held > p && !c.peak.CompareAndSwap(p, held); p = c.peak.Load() {
		}
		doc := sizedDoc{c: c, fields: map[string]any{"email": fmt.Sprintf("user%d@example.com", i), "note": "a note"}}
		var raw connectors.RawDocument = doc
		if c.size > 0 {
			raw = sizedDocOf{doc, c.size}
		}
		if err := emit(connectors.Document{Raw: raw}); err != nil {
			return res, err
		}
	}
	return res, nil
}

var sizedConns = map[string]*sizedConn{}

func init() {
	connectors.Register(connectors.Descriptor{Name: "sizedtest", Schemes: []string{"sizedtest"}, Kinds: []string{"mongodb"}, Open: func(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
		c, ok := sizedConns[target]
		if !ok {
			return nil, fmt.Errorf("no store at %s", target)
		}
		return c, nil
	}})
}

// TestInFlightBytesAreBounded: documents that say their size are held,
// read and not yet classified, up to Config.MaxInFlightBytes (plus the one
// each sampling container waits to hand over); a document larger than the
// bound is scanned alone; documents without a size are bounded by count
// only. Every document is classified in each case.
func TestInFlightBytesAreBounded(t *testing.T) {
	for _, tc := range []struct {
		name        string
		size, bound int
		maxHeld     int64 // most documents read and not yet decoded
	}{
		{"three documents fit in the bound", 1000, 3000, 3 + 2},
		{"one document fits", 1000, 1999, 1 + 2},
		{"a document larger than the bound is alone", 5000, 3000, 1 + 2},
		{"documents without a size: the channel bounds them", 0, 3000, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s memStore
			for i := 0; i < 4; i++ {
				s.containers = append(s.containers, memContainer{name: fmt.Sprintf("db.c%d", i)})
			}
			target := "sizedtest://" + t.Name()
			c := &sizedConn{memConn: memConn{s: &s, uri: target}, size: tc.size, docs: 150}
			sizedConns[target] = c
			defer delete(sizedConns, target)
			cfg := Config{Engine: testEngine(t), Workers: 2, MinConfidence: 0.5, MaxInFlightBytes: int64(tc.bound)}
			cfg.Connector.Concurrency = 2 // containers sampled at once: each may wait with one document
			r := Run(context.Background(), []string{target}, cfg)
			if !r.Complete || r.Summary.DocumentsSampled != 4*150 {
				t.Fatalf("complete=%v sampled=%d, want 600", r.Complete, r.Summary.DocumentsSampled)
			}
			if c.decoded.Load() != 600 {
				t.Errorf("%d documents decoded, want 600", c.decoded.Load())
			}
			peak := c.peak.Load()
			t.Logf("at most %d documents read and not yet decoded", peak)
			if tc.maxHeld > 0 && peak > tc.maxHeld {
				t.Errorf("%d documents of %d bytes held at once, want at most %d (bound %d bytes)", peak, tc.size, tc.maxHeld, tc.bound)
			}
			if tc.maxHeld == 0 && peak <= 5 {
				t.Errorf("documents without a size were held at most %d at a time: the byte bound held them back", peak)
			}
		})
	}
}

// TestInFlightWaitEndsOnCancel: a container waiting for room in the bound
// stops when the scan is interrupted, and the report says it is partial.
func TestInFlightWaitEndsOnCancel(t *testing.T) {
	var s memStore
	s.containers = append(s.containers, memContainer{name: "db.c"})
	target := "sizedtest://" + t.Name()
	c := &sizedConn{memConn: memConn{s: &s, uri: target}, size: 1000, docs: 100000}
	sizedConns[target] = c
	defer delete(sizedConns, target)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	done := make(chan *struct{ complete bool }, 1)
	go func() {
		r := Run(ctx, []string{target}, Config{Engine: testEngine(t), Workers: 2, MinConfidence: 0.5, MaxInFlightBytes: 1000})
		done <- &struct{ complete bool }{r.Complete}
	}()
	select {
	case r := <-done:
		if r.complete {
			t.Error("an interrupted scan says it is complete")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the scan did not stop after it was interrupted")
	}
}

// TestDocBytes: a document weighs what its connector says it took as read
// (Document.Size, else a raw document's Size), at most the whole bound.
func TestDocBytes(t *testing.T) {
	s := newScanner(Config{Workers: 2, MaxInFlightBytes: 1000})
	raw := sizedDocOf{n: 300}
	for _, tc := range []struct {
		name string
		doc  connectors.Document
		want int64
	}{
		{"decoded, with a size", connectors.Document{Fields: map[string]any{"a": "b"}, Size: 120}, 120},
		{"decoded, no size", connectors.Document{Fields: map[string]any{"a": "b"}}, 0},
		{"raw with a size", connectors.Document{Raw: raw}, 300},
		{"raw without a size", connectors.Document{Raw: sizedDoc{}}, 0},
		{"Size over the raw document's", connectors.Document{Raw: raw, Size: 50}, 50},
		{"larger than the bound", connectors.Document{Fields: map[string]any{}, Size: 5000}, 1000},
		{"negative", connectors.Document{Fields: map[string]any{}, Size: -1}, 0},
	} {
		if got := s.docBytes(tc.doc); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}
