package pipeline

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/piisniff/piisniff/connectors"
)

// countingConn wraps memConn to count samplings running at once.
type countingConn struct {
	memConn
	running, peak *atomic.Int64
}

func (c *countingConn) Sample(ctx context.Context, ct connectors.Container, opts connectors.SampleOptions, emit func(connectors.Document) error) (connectors.SampleResult, error) {
	n := c.running.Add(1)
	defer c.running.Add(-1)
	for {
		p := c.peak.Load()
		if n <= p || c.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return c.memConn.Sample(ctx, ct, opts, emit)
}

var loadRunning, loadPeak atomic.Int64

func init() {
	connectors.Register(connectors.Descriptor{Name: "loadtest", Schemes: []string{"loadtest"}, Kinds: []string{"mongodb"}, Open: func(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
		var s memStore
		for i := 0; i < 10; i++ {
			s.containers = append(s.containers, memContainer{name: fmt.Sprintf("db.c%02d", i), docs: users(300)})
		}
		return &countingConn{memConn: memConn{s: &s, uri: target}, running: &loadRunning, peak: &loadPeak}, nil
	}})
}

// goroutinePeak samples the number of goroutines on every document.
type goroutinePeak struct {
	mu   sync.Mutex
	peak int
	heap uint64
	n    int
}

func (g *goroutinePeak) ContainersFound(string, int, int64)  {}
func (g *goroutinePeak) ContainerDone(string, string, error) {}
func (g *goroutinePeak) Documents(int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.peak = max(g.peak, runtime.NumGoroutine())
	g.n++
	if g.n%1000 == 0 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		g.heap = max(g.heap, ms.HeapInuse)
	}
}

// TestRunLoadStaysBounded scans 50 containers across 5 targets at once and
// checks that goroutines, concurrent samplings and memory stay bounded by the
// configuration, not by the amount of work.
func TestRunLoadStaysBounded(t *testing.T) {
	targets := []string{"loadtest://a", "loadtest://b", "loadtest://c", "loadtest://d", "loadtest://e"}
	const workers, targetPar, perTarget = 2, 3, 2
	base := runtime.NumGoroutine()
	g := &goroutinePeak{}
	loadPeak.Store(0)
	cfg := Config{Engine: testEngine(t), Workers: workers, TargetConcurrency: targetPar, Progress: g, MinConfidence: 0.5}
	cfg.Connector.Concurrency = perTarget
	r := Run(context.Background(), targets, cfg)
	if !r.Complete || r.Summary.ContainersScanned != 50 || r.Summary.DocumentsSampled != 50*300 {
		t.Fatalf("complete=%v scanned=%d sampled=%d", r.Complete, r.Summary.ContainersScanned, r.Summary.DocumentsSampled)
	}
	if p := loadPeak.Load(); p > targetPar*perTarget {
		t.Errorf("%d samplings ran at once, the bound is %d", p, targetPar*perTarget)
	}
	// workers + one goroutine per target and per container in flight (+ slack
	// for the runtime and the test framework)
	bound := base + workers + targetPar + targetPar*perTarget + 4
	if g.peak > bound {
		t.Errorf("peak goroutines %d, bound %d", g.peak, bound)
	}
	if g.heap > 256<<20 {
		t.Errorf("heap in use reached %d MiB", g.heap>>20)
	}
	if left := runtime.NumGoroutine(); left > base+2 {
		t.Errorf("%d goroutines left after the scan (started with %d)", left, base)
	}
}
