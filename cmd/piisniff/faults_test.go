package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/piisniff/piisniff/internal/estest"
	"github.com/piisniff/piisniff/report"
)

// boundedResult is the outcome of a run that had to end within a bound.
type boundedResult struct {
	result
	maxRSS int64 // peak resident set of the process, bytes
}

// runInProcess runs piisniff in process like runCLI and fails the test
// when it has not returned within the bound: a scan that does not end has
// hung. Use runBounded for what needs a process of its own (its memory,
// its environment, signals).
func runInProcess(t *testing.T, bound time.Duration, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- runEnv(ctx, args, bytes.NewReader(nil), &out, &errb, envLookup(env)) }()
	select {
	case code := <-done:
		return result{out.String(), errb.String(), code}
	case <-time.After(bound):
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
		t.Fatalf("piisniff %s did not finish within %s (hung)", strings.Join(args, " "), bound)
		return result{}
	}
}

// runBounded runs the piisniff binary and fails the test when it has not exited within
// the bound: a scan that does not end has hung, which is what these tests
// guard against.
func runBounded(t *testing.T, bound time.Duration, env []string, args ...string) boundedResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), env...)
	res := execute(t, cmd)
	if ctx.Err() != nil {
		t.Fatalf("piisniff %s did not finish within %s (hung); stderr:\n%s", strings.Join(args, " "), bound, res.stderr)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return boundedResult{res, rss}
}

func parseReport(t *testing.T, out string) *report.Report {
	t.Helper()
	if err := report.Validate([]byte(out)); err != nil {
		t.Fatalf("report does not validate: %v\n%s", err, out)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func containersByName(r *report.Report) map[string]report.Container {
	m := map[string]report.Container{}
	for _, t := range r.Targets {
		for _, c := range t.Containers {
			m[c.Name] = c
		}
	}
	return m
}

// faultCluster serves three indices of 30 documents each.
func faultCluster(t *testing.T, cfg estest.Config) *estest.Server {
	t.Helper()
	srv := estest.New(cfg)
	t.Cleanup(srv.Close)
	for _, name := range []string{"a-users", "b-orders", "c-logs"} {
		var docs []map[string]any
		for i := 0; i < 30; i++ {
			docs = append(docs, map[string]any{"email": fmt.Sprintf("%s%d@example.com", name, i), "n": i})
		}
		if err := srv.AddIndex(name, nil, docs); err != nil {
			t.Fatal(err)
		}
	}
	return srv
}

// smallExport is a directory with one NDJSON file, a second target that
// must be reported whatever happens to the first.
func smallExport(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, `{"email":"person%d@example.org"}`+"\n", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "people.ndjson"), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// assertESReadOnly checks the request log with estest's one allow-list.
func assertESReadOnly(t *testing.T, reqs []estest.Request) {
	t.Helper()
	for _, r := range reqs {
		if !r.IsRead() {
			t.Errorf("not a read: %s", r)
		}
	}
}

// TestScanFaults injects the failures of a busy or broken cluster into a
// real scan and checks what the scan does about each: transient failures
// are retried a bounded number of times and the scan completes; a lasting
// failure fails that index only, with an error a person can act on, the
// other indices and targets are still reported, the report says
// complete: false and the exit code is 1.
func TestScanFaults(t *testing.T) {
	tests := []struct {
		name   string
		cfg    estest.Config
		creds  bool
		faults []estest.Fault
		args   []string
		// index -> substrings of its error ("" for none)
		errs map[string][]string
		code int
		// a path part that must show a failed answer followed by a retry
		retried string
		// a path part that must not be requested more often than this
		maxTries map[string]int
	}{
		{name: "burst of 429 on search",
			faults:  []estest.Fault{{PathContains: "_search", Status: http.StatusTooManyRequests, Times: 3}},
			retried: "_search"},
		{name: "burst of 503 on listing",
			faults:  []estest.Fault{{PathContains: "_cat/indices", Status: http.StatusServiceUnavailable, Times: 2}},
			retried: "_cat/indices"},
		{name: "503 that does not end on one index",
			faults:   []estest.Fault{{PathContains: "/b-orders/", Status: http.StatusServiceUnavailable}},
			errs:     map[string][]string{"b-orders": {"503", "overloaded or unavailable", "attempts"}},
			code:     1,
			maxTries: map[string]int{"/b-orders/_pit": 5}},
		{name: "credentials stop working part way",
			cfg:   estest.Config{Auth: estest.AuthBasic, Username: "auditor", Password: "Rotated-Pw-1"},
			creds: true,
			// the first index's point in time opens and closes, then every
			// point in time is refused
			faults: []estest.Fault{{PathContains: "_pit", Status: http.StatusUnauthorized, After: 2}},
			errs: map[string][]string{
				"b-orders": {"401", "were rejected", "expired"},
				"c-logs":   {"401", "were rejected"},
			},
			code:     1,
			maxTries: map[string]int{"/b-orders/_pit": 1}},
		{name: "connection dropped once",
			faults:  []estest.Fault{{PathContains: "_search", Drop: true, Times: 1}},
			retried: ""},
		{name: "connections to one index always dropped",
			faults:   []estest.Fault{{PathContains: "/b-orders/", Drop: true}},
			errs:     map[string][]string{"b-orders": {"b-orders", "attempts"}},
			code:     1,
			maxTries: map[string]int{"/b-orders/_pit": 5}},
		{name: "answers slower than the request timeout",
			faults:   []estest.Fault{{PathContains: "/b-orders/", Delay: time.Minute}},
			args:     []string{"--request-timeout", "300ms"},
			errs:     map[string][]string{"b-orders": {"no answer within 300ms", "request timeout"}},
			code:     1,
			maxTries: map[string]int{"/b-orders/_pit": 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			cfg.Flavor = estest.ES8
			srv := faultCluster(t, cfg)
			for _, f := range tt.faults {
				srv.InjectFault(f)
			}
			target := srv.URL()
			if tt.creds {
				target = strings.Replace(target, "http://", "http://"+cfg.Username+":"+cfg.Password+"@", 1)
			}
			files := smallExport(t)
			args := append([]string{"scan", target, files, "-f", "json", "--concurrency", "1", "--sample-size", "100", "--no-anonymous-check"}, tt.args...)
			res := runInProcess(t, 90*time.Second, nil, args...)
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", res.code, tt.code, res.stderr)
			}
			r := parseReport(t, res.stdout)
			if r.Complete != (tt.code == 0) {
				t.Errorf("complete = %v with exit code %d", r.Complete, res.code)
			}
			if len(r.Targets) != 2 || r.Targets[1].Kind != "file" || len(r.Targets[1].Containers) != 1 || r.Targets[1].Containers[0].SampledDocuments != 20 {
				t.Errorf("the other target is not fully reported: %+v", r.Targets)
			}
			if r.Targets[0].Error != nil {
				t.Errorf("target error %q: the failure belongs to an index", *r.Targets[0].Error)
			}
			byName := containersByName(r)
			for _, name := range []string{"a-users", "b-orders", "c-logs"} {
				c, ok := byName[name]
				if !ok {
					t.Errorf("index %s missing from the report", name)
					continue
				}
				want := tt.errs[name]
				switch {
				case len(want) == 0 && c.Error != nil:
					t.Errorf("%s: unexpected error %q", name, *c.Error)
				case len(want) == 0 && c.SampledDocuments != 30:
					t.Errorf("%s: %d documents sampled, want 30", name, c.SampledDocuments)
				case len(want) > 0 && c.Error == nil:
					t.Errorf("%s: no error", name)
				case len(want) > 0:
					for _, w := range want {
						if !strings.Contains(*c.Error, w) {
							t.Errorf("%s: error %q does not say %q", name, *c.Error, w)
						}
					}
					if !strings.Contains(res.stderr, name) {
						t.Errorf("stderr does not name the failed index %s:\n%s", name, res.stderr)
					}
				}
			}
			reqs := srv.Requests()
			if tt.retried != "" {
				st := statusesOf(reqs, tt.retried)
				if len(st) < 2 || st[0] == http.StatusOK || st[len(st)-1] != http.StatusOK {
					t.Errorf("%s: answers %v, want a failure retried until it succeeded", tt.retried, st)
				}
			}
			for part, most := range tt.maxTries {
				if n := len(statusesOf(reqs, part)); n == 0 || n > most {
					t.Errorf("%s requested %d times, want 1 to %d", part, n, most)
				}
			}
			if tt.cfg.Auth == estest.AuthNone {
				// every point in time the scan opened was closed, even on errors
				if n := srv.OpenContexts(); n != 0 {
					t.Errorf("%d point in time or scroll contexts left open", n)
				}
			}
			assertESReadOnly(t, reqs)
			if tt.creds && strings.Contains(res.stdout+res.stderr, cfg.Password) {
				t.Errorf("the password is in the output")
			}
		})
	}
}

func statusesOf(reqs []estest.Request, pathPart string) []int {
	var out []int
	for _, r := range reqs {
		if strings.Contains(r.Path, pathPart) {
			out = append(out, r.Status)
		}
	}
	return out
}
