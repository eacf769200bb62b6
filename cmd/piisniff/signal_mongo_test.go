package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/piisniff/piisniff/internal/mongotest"
	"github.com/piisniff/piisniff/report"
)

// TestSignalDuringMongoDBScan interrupts a scan of a MongoDB server that
// stopped answering in the middle of a collection: the query in flight is
// abandoned, the partial report (complete: false) holds the documents read
// until then, and the exit code is 130.
func TestSignalDuringMongoDBScan(t *testing.T) {
	srv := mongotest.Start(t)
	if err := mongotest.InsertGenerated(context.Background(), srv.Client(t).Database("shop").Collection("users"), 6000, func(i int) any {
		return map[string]any{"email": fmt.Sprintf("user%d@example.com", i), "pad": strings.Repeat("x", 400)}
	}); err != nil {
		t.Fatal(err)
	}
	proxy := mongotest.StartProxy(t, srv.URI)
	cmd := exec.Command(binary, "scan", proxy.URI, "-f", "json", "--sample-size", "0", "--request-timeout", "5m")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	// once some documents went through, the server stops answering
	for i := 0; proxy.BytesFromServer() < 300<<10; i++ {
		if i > 1200 {
			t.Fatalf("the scan read nothing; stderr: %s", errb.String())
		}
		time.Sleep(25 * time.Millisecond)
	}
	proxy.Pause()
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	code := wait(t, cmd) // a scan that waits on the stalled server hangs, and wait fails the test
	t.Logf("exited %s after the signal", time.Since(sent).Round(time.Millisecond))
	r := interruptedReport(t, code, exitInterrupted, &out, &errb)
	var users *report.Container
	for i, c := range r.Targets[0].Containers {
		if c.Name == "shop.users" {
			users = &r.Targets[0].Containers[i]
		}
	}
	if users == nil || users.SampledDocuments == 0 || users.SampledDocuments >= 6000 || users.Error == nil || len(users.Fields) == 0 {
		t.Errorf("the partial collection: %+v", users)
	}
}
