package pipeline

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	_ "github.com/piisniff/piisniff/connectors/elasticsearch"
	"github.com/piisniff/piisniff/internal/estest"
)

// TestRunLoadElasticsearch scans 50 indices spread over three clusters at
// once through the real connector and checks that the requests a cluster
// serves at the same time stay within --concurrency, that goroutines
// (the scan's, the HTTP client's and the in-process servers') stay bounded
// by the configuration, that every point in time is closed and that no
// goroutine is left behind.
func TestRunLoadElasticsearch(t *testing.T) {
	const workers, targetPar, perTarget, docs = 2, 3, 2, 40
	var servers []*estest.Server
	var targets []string
	for s := 0; s < 3; s++ {
		srv := estest.New(estest.Config{Flavor: estest.ES8})
		t.Cleanup(srv.Close)
		servers = append(servers, srv)
		targets = append(targets, srv.URL())
	}
	for i := 0; i < 50; i++ {
		var d []map[string]any
		for j := 0; j < docs; j++ {
			d = append(d, map[string]any{"email": fmt.Sprintf("u%d-%d@example.com", i, j), "n": j})
		}
		if err := servers[i%3].AddIndex(fmt.Sprintf("index-%02d", i), nil, d); err != nil {
			t.Fatal(err)
		}
	}
	base := runtime.NumGoroutine()
	g := &goroutinePeak{}
	cfg := Config{Engine: testEngine(t), Workers: workers, TargetConcurrency: targetPar, Progress: g, MinConfidence: 0.5, SampleSize: 1000}
	cfg.Connector.Concurrency = perTarget
	r := Run(context.Background(), targets, cfg)
	if !r.Complete || r.Summary.ContainersScanned != 50 || r.Summary.DocumentsSampled != 50*docs {
		t.Fatalf("complete=%v scanned=%d sampled=%d", r.Complete, r.Summary.ContainersScanned, r.Summary.DocumentsSampled)
	}
	for i, srv := range servers {
		t.Logf("cluster %d: at most %d requests at once", i, srv.PeakConcurrentRequests())
		if p := srv.PeakConcurrentRequests(); p > perTarget {
			t.Errorf("cluster %d served %d requests at once, --concurrency is %d", i, p, perTarget)
		}
		if n := srv.OpenContexts(); n != 0 {
			t.Errorf("cluster %d: %d point in time contexts left open", i, n)
		}
	}
	// the scan's goroutines (workers, one per target, one per container in
	// flight) and, per target, up to perTarget+2 pooled connections, each
	// with two client goroutines and one server goroutine
	bound := base + workers + targetPar + targetPar*perTarget + targetPar*(perTarget+2)*3 + 8
	t.Logf("peak goroutines %d, bound %d, heap %d MiB", g.peak, bound, g.heap>>20)
	if g.peak > bound {
		t.Errorf("peak goroutines %d, bound %d", g.peak, bound)
	}
	if g.heap > 256<<20 {
		t.Errorf("heap in use reached %d MiB", g.heap>>20)
	}
	// connections closed by the scan end their goroutines shortly after
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base+2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if left := runtime.NumGoroutine(); left > base+2 {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines left after the scan (started with %d):\n%s", left, base, buf[:runtime.Stack(buf, true)])
	}
}
