package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	_ "github.com/piisniff/piisniff/connectors/mongodb"
	"github.com/piisniff/piisniff/internal/mongotest"
	"github.com/piisniff/piisniff/report"
)

// stopAfter stops a server once n documents went through the pipeline.
type stopAfter struct {
	n    int64
	seen atomic.Int64
	stop func()
	once sync.Once
}

func (p *stopAfter) ContainersFound(string, int, int64)  {}
func (p *stopAfter) ContainerDone(string, string, error) {}
func (p *stopAfter) Documents(n int) {
	if p.seen.Add(int64(n)) >= p.n {
		p.once.Do(func() { go p.stop() })
	}
}

// runWithin runs the pipeline and fails the test when it does not return
// within a generous bound (a hung scan).
func runWithin(t *testing.T, bound time.Duration, targets []string, cfg Config) *report.Report {
	t.Helper()
	done := make(chan *report.Report, 1)
	go func() { done <- Run(context.Background(), targets, cfg) }()
	select {
	case r := <-done:
		return r
	case <-time.After(bound):
		t.Fatalf("the scan did not finish within %s after the server stopped (hung)", bound)
		return nil
	}
}

// TestMongoDBServerStopsMidScan stops the embedded MongoDB server while its
// collections are being read: the scan ends, the documents read before
// still count, every collection that could not be finished carries an
// error that says the server could not be reached, the other target is
// reported in full and the report is incomplete.
func TestMongoDBServerStopsMidScan(t *testing.T) { mongoMidScan(t, false) }

// TestMongoDBServerStallsMidScan: the server keeps the connections open but
// stops answering; every query ends at the request timeout and the scan
// ends with what it read.
func TestMongoDBServerStallsMidScan(t *testing.T) { mongoMidScan(t, true) }

func mongoMidScan(t *testing.T, stall bool) {
	srv := mongotest.Start(t)
	client := srv.Client(t)
	ctx := context.Background()
	const perColl = 3000
	colls := []string{"a_users", "b_orders", "c_events", "d_logs"}
	for _, name := range colls {
		err := mongotest.InsertGenerated(ctx, client.Database("shop").Collection(name), perColl, func(i int) any {
			return map[string]any{"email": fmt.Sprintf("%s%d@example.com", name, i), "n": i}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&b, `{"email":"p%d@example.org"}`+"\n", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "people.ndjson"), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	// the scan goes through a proxy that drops every connection at once
	proxy := mongotest.StartProxy(t, srv.URI)
	prog := &stopAfter{n: 1500, stop: proxy.Stop}
	timeout := 5 * time.Second
	if stall {
		prog.stop, timeout = proxy.Pause, 3*time.Second
	}
	cfg := Config{
		Engine: testEngine(t), Workers: 2, SampleSize: 0, MinConfidence: 0.5, Progress: prog,
		Connector: connectors.Options{Concurrency: 2, ConnectTimeout: 2 * time.Second, RequestTimeout: timeout},
	}
	r := runWithin(t, 2*time.Minute, []string{proxy.URI, dir}, cfg)

	if r.Complete {
		t.Error("the report says complete although the server stopped mid-scan")
	}
	if len(r.Targets) != 2 {
		t.Fatalf("%d targets", len(r.Targets))
	}
	files := r.Targets[1]
	if files.Error != nil || len(files.Containers) != 1 || files.Containers[0].SampledDocuments != 50 || files.Containers[0].Error != nil {
		t.Errorf("the file target is not reported in full: %+v", files)
	}
	mongo := r.Targets[0]
	if mongo.Error != nil {
		t.Fatalf("target error %q: the server was up when the scan listed the collections", *mongo.Error)
	}
	if len(mongo.Containers) != len(colls) {
		t.Fatalf("%d containers, want %d: %+v", len(mongo.Containers), len(colls), mongo.Containers)
	}
	var sampled int64
	failed := 0
	for _, c := range mongo.Containers {
		sampled += c.SampledDocuments
		if c.Error == nil {
			// a collection cut short by the request timeout keeps its
			// sample, and a note says so
			cut := stall && slices.ContainsFunc(c.Notes, func(n string) bool { return strings.Contains(n, "request time limit") })
			if c.SampledDocuments != perColl && !cut {
				t.Errorf("%s: %d documents without an error (notes %q)", c.Name, c.SampledDocuments, c.Notes)
			}
			continue
		}
		failed++
		msg := *c.Error
		t.Logf("%s (%d documents): %s", c.Name, c.SampledDocuments, msg)
		ok := strings.HasPrefix(msg, c.Name+": ") && strings.Contains(msg, "the server") &&
			strings.Contains(msg, "stopped, or the network failed")
		if stall {
			ok = strings.HasPrefix(msg, c.Name+": ") && (strings.Contains(msg, "request timeout (3s)") || strings.Contains(msg, "could not be reached any more"))
		}
		if !ok {
			t.Errorf("%s: error %q does not say what happened to the server", c.Name, msg)
		}
	}
	if failed == 0 {
		t.Fatal("no container failed although the server stopped")
	}
	if prog.seen.Load() < prog.n {
		t.Fatalf("only %d documents went through: the server was never stopped", prog.seen.Load())
	}
	if sampled < prog.n {
		t.Errorf("%d documents in the report, %d went through before the stop: work was lost", sampled, prog.n)
	}
	if r.Summary.ContainersFailed != failed {
		t.Errorf("summary counts %d failed containers, want %d", r.Summary.ContainersFailed, failed)
	}
}
