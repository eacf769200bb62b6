package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/piisniff/piisniff/internal/estest"
	"github.com/piisniff/piisniff/report"
)

// slowCluster serves a quick index and one whose point in time never opens.
func slowCluster(t *testing.T) *estest.Server {
	t.Helper()
	srv := estest.New(estest.Config{Flavor: estest.ES8})
	t.Cleanup(srv.Close)
	var docs []map[string]any
	for i := 0; i < 50; i++ {
		docs = append(docs, map[string]any{"email": fmt.Sprintf("user%d@example.com", i), "name": "Ann Example"})
	}
	if err := srv.AddIndex("a-users", nil, docs); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddIndex("b-slow", nil, docs); err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(estest.Fault{PathContains: "b-slow/_pit", Delay: time.Minute})
	return srv
}

// startScan starts piisniff on the cluster and waits until the quick index
// is done (--concurrency 1 scans in order) and the scan hangs on the slow one.
func startScan(t *testing.T, srv *estest.Server) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary, "scan", srv.URL(), "-f", "json", "--concurrency", "1", "--request-timeout", "2m")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	for i := 0; ; i++ {
		// the log holds finished requests: once the quick index's point in
		// time is closed, the scan moves on to the slow one and hangs there
		for _, r := range srv.Requests() {
			if r.Method == "DELETE" && strings.Contains(r.Path, "_pit") {
				time.Sleep(300 * time.Millisecond)
				return cmd, &out, &errb
			}
		}
		if i > 600 {
			t.Fatalf("the scan never reached the slow index; stderr: %s", errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// interruptedReport checks what an interrupted scan leaves: exit code
// want (130 after SIGINT, 143 after SIGTERM) and a valid, incomplete report
// marked interrupted.
func interruptedReport(t *testing.T, code, want int, out, errb *bytes.Buffer) report.Report {
	t.Helper()
	if code != want {
		t.Fatalf("exit %d, want %d; stderr: %s", code, want, errb.String())
	}
	if err := report.Validate(out.Bytes()); err != nil {
		t.Fatalf("partial report does not validate: %v\n%s", err, out.String())
	}
	var r report.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Complete || r.Settings == nil || !r.Settings.Interrupted {
		t.Errorf("complete=%v settings=%+v, want an interrupted, incomplete report", r.Complete, r.Settings)
	}
	return r
}

// wait waits for the process; a process that does not exit within a generous
// bound has hung, which is the failure this guards against.
func wait(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("piisniff did not exit after the signal")
		return -1
	}
}

func TestSignalWritesPartialReport(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, exitInterrupted}, {syscall.SIGTERM, exitTerminated}} {
		sig := tc.sig
		t.Run(sig.String(), func(t *testing.T) {
			srv := slowCluster(t)
			cmd, out, errb := startScan(t, srv)
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			code := wait(t, cmd)
			t.Logf("exited %v after the signal", time.Since(sent).Round(time.Millisecond))
			r := interruptedReport(t, code, tc.code, out, errb)
			byName := map[string]report.Container{}
			for _, c := range r.Targets[0].Containers {
				byName[c.Name] = c
			}
			if a := byName["a-users"]; a.SampledDocuments != 50 || len(a.Fields) == 0 {
				t.Errorf("the finished index is not in the partial report: %+v", a)
			}
			if b := byName["b-slow"]; b.Error == nil {
				t.Errorf("the interrupted index carries no error: %+v", b)
			}
			if !strings.Contains(errb.String(), "interrupted") {
				t.Errorf("stderr does not say the scan was interrupted: %s", errb.String())
			}
		})
	}
}

func TestSecondSignalExitsAtOnce(t *testing.T) {
	srv := slowCluster(t)
	cmd, _, errb := startScan(t, srv)
	_ = cmd.Process.Signal(syscall.SIGINT)
	_ = cmd.Process.Signal(syscall.SIGINT)
	if code := wait(t, cmd); code != exitInterrupted {
		t.Fatalf("exit %d, want %d; stderr: %s", code, exitInterrupted, errb.String())
	}
}
