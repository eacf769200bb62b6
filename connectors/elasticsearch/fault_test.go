package elasticsearch

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/estest"
)

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o600) }

func statuses(reqs []estest.Request, pathPart string) []int {
	var out []int
	for _, r := range reqs {
		if strings.Contains(r.Path, pathPart) {
			out = append(out, r.Status)
		}
	}
	return out
}

// TestFaults injects the failures a busy or broken cluster produces and
// checks that transient ones are retried, lasting ones are reported for
// the index concerned only, and contexts are cleared either way.
func TestFaults(t *testing.T) {
	tests := []struct {
		name    string
		faults  []estest.Fault
		opts    connectors.Options
		listErr string            // Containers error
		errs    map[string]string // index -> Sample error substring ("" for success)
		retried string            // a path that must show a retried failure
	}{
		{name: "429 with Retry-After on search, then success",
			faults:  []estest.Fault{{PathContains: "_search", Status: http.StatusTooManyRequests, RetryAfter: "1", Times: 2}},
			errs:    map[string]string{"people": "", "orders": ""},
			retried: "_search"},
		{name: "503 on _cat/indices, then success",
			faults:  []estest.Fault{{PathContains: "_cat/indices", Status: http.StatusServiceUnavailable, Times: 3}},
			errs:    map[string]string{"people": "", "orders": ""},
			retried: "_cat/indices"},
		{name: "dropped connection on search, then success",
			faults: []estest.Fault{{PathContains: "_search", Drop: true, Times: 1}},
			errs:   map[string]string{"people": "", "orders": ""}},
		{name: "429 forever on one index",
			faults: []estest.Fault{{PathContains: "/people/", Status: http.StatusTooManyRequests}},
			errs:   map[string]string{"people": "HTTP 429", "orders": ""}},
		{name: "403 on one index",
			faults: []estest.Fault{{PathContains: "/people/", Status: http.StatusForbidden}},
			errs:   map[string]string{"people": "read index privilege", "orders": ""}},
		{name: "403 on _cat/indices",
			faults:  []estest.Fault{{PathContains: "_cat/indices", Status: http.StatusForbidden}},
			listErr: "monitor cluster privilege"},
		{name: "slow answers time out",
			faults:  []estest.Fault{{PathContains: "_cat/indices", Delay: time.Minute}},
			opts:    connectors.Options{RequestTimeout: 50 * time.Millisecond},
			listErr: "request timeout"},
		{name: "connection always dropped",
			faults:  []estest.Fault{{PathContains: "_mapping", Drop: true}},
			errs:    map[string]string{"people": "", "orders": ""}, // mapping is best effort
			retried: ""},
	}
	for _, fl := range estest.Flavors {
		for _, tt := range tests {
			t.Run(fl.String()+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				srv := newCluster(t, estest.Config{Flavor: fl})
				c := openConn(t, srv.URL(), tt.opts)
				for _, f := range tt.faults {
					srv.InjectFault(f)
				}
				list, err := c.Containers(context.Background())
				if tt.listErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.listErr) {
						t.Fatalf("Containers error = %v, want %q", err, tt.listErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				for name, want := range tt.errs {
					ct := containerByName(t, list, name)
					docs, _, err := sampleAll(t, c, ct, 10, 1)
					switch {
					case want == "" && err != nil:
						t.Errorf("%s: %v", name, err)
					case want == "" && len(docs) != 10:
						t.Errorf("%s: %d docs", name, len(docs))
					case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
						t.Errorf("%s: error %v, want %q", name, err, want)
					}
				}
				if tt.retried != "" {
					st := statuses(srv.Requests(), tt.retried)
					if len(st) < 2 || st[0] == http.StatusOK {
						t.Errorf("no retry seen on %s: %v", tt.retried, st)
					}
				}
				if n := srv.OpenContexts(); n != 0 {
					t.Errorf("%d contexts left open", n)
				}
				assertReadOnly(t, srv.Requests())
			})
		}
	}
}

func TestBackoff(t *testing.T) {
	saveBase, saveMax := retryBase, retryMax
	defer func() { retryBase, retryMax = saveBase, saveMax }()
	retryBase, retryMax = 200*time.Millisecond, 5*time.Second
	want := []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond, 3200 * time.Millisecond, 5 * time.Second, 5 * time.Second}
	for i, w := range want {
		if got := backoff(i); got != w {
			t.Errorf("backoff(%d) = %s, want %s", i, got, w)
		}
	}
	if got := backoff(80); got != 5*time.Second {
		t.Errorf("backoff(80) = %s", got)
	}
}

func TestRetryAfterIsUsed(t *testing.T) {
	srv := newCluster(t, estest.Config{Flavor: estest.ES8})
	srv.InjectFault(estest.Fault{PathContains: "_cat/indices", Status: http.StatusTooManyRequests, RetryAfter: "7", Times: 1})
	c := openConn(t, srv.URL(), connectors.Options{})
	var waits []time.Duration
	c.cl.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	if _, err := c.Containers(context.Background()); err != nil {
		t.Fatal(err)
	}
	// maxRetryAfter is lowered in TestMain: the header's 7s is capped to it
	if len(waits) != 1 || waits[0] != maxRetryAfter {
		t.Errorf("waits = %v, want [%s]", waits, maxRetryAfter)
	}
}

func TestRetriesAreBounded(t *testing.T) {
	srv := newCluster(t, estest.Config{Flavor: estest.ES8})
	srv.InjectFault(estest.Fault{PathContains: "_cat/indices", Status: http.StatusServiceUnavailable})
	c := openConn(t, srv.URL(), connectors.Options{})
	_, err := c.Containers(context.Background())
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("err = %v", err)
	}
	if n := len(statuses(srv.Requests(), "_cat/indices")); n != maxAttempts {
		t.Errorf("%d attempts, want %d", n, maxAttempts)
	}
}
