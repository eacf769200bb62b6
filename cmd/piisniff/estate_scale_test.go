package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// writeBigEstate writes n file targets of files documents each and an
// inventory naming them (the last one with a credential that is not set).
func writeBigEstate(t testing.TB, n, docs int) string {
	t.Helper()
	root := t.TempDir()
	var inv strings.Builder
	inv.WriteString("version: 1\ndefaults:\n  tags: {environment: test}\n  options: {sample-size: 0}\ntargets:\n")
	owners := []string{"payments", "growth", "platform", "data"}
	for i := range n {
		dir := filepath.Join(root, "stores", fmt.Sprintf("t%04d", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for j := range docs {
			fmt.Fprintf(&b, `{"email":"u%d.%d@example.com","n":%d}`+"\n", i, j, j)
		}
		if err := os.WriteFile(filepath.Join(dir, "users.ndjson"), []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&inv, "  - name: app-%04d\n    uri: stores/t%04d\n    tags: {owner: %s, application: app-%d}\n", i, i, owners[i%len(owners)], i)
	}
	inv.WriteString("  - name: locked\n    uri: stores/t0000\n    credentials:\n      password: {env: PIISNIFF_TEST_UNSET_PASSWORD}\n")
	path := filepath.Join(root, "estate.yaml")
	if err := os.WriteFile(path, []byte(inv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestEstateThousandTargets: an inventory of 1,000 targets is scanned;
// the one whose credential is missing fails alone.
func TestEstateThousandTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 targets")
	}
	inv := writeBigEstate(t, 1000, 3)
	r := runCLI(t, nil, "scan", "--targets", inv, "-q", "-f", "json", "--parallel-targets", "8")
	if r.code != exitScanError {
		t.Fatalf("exit %d, want 1 (one target failed): %s", r.code, r.stderr)
	}
	var rep struct {
		Targets []struct {
			Name  string  `json:"name"`
			Error *string `json:"error"`
		} `json:"targets"`
		Summary struct {
			DocumentsSampled int64 `json:"documents_sampled"`
			TargetsFailed    int   `json:"targets_failed"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Targets) != 1001 || rep.Summary.TargetsFailed != 1 || rep.Summary.DocumentsSampled != 3000 {
		t.Errorf("%d targets, %d failed, %d documents", len(rep.Targets), rep.Summary.TargetsFailed, rep.Summary.DocumentsSampled)
	}
	if last := rep.Targets[1000]; last.Name != "locked" || last.Error == nil {
		t.Errorf("the locked target: %+v", last)
	}
}

// BenchmarkEstateThousandTargets scans inventories of 250 and 1,000 file
// targets with the binary and reports its peak resident memory: it grows
// with the report (the targets and their findings), not with the
// documents read.
func BenchmarkEstateThousandTargets(b *testing.B) {
	for _, n := range []int{250, 1000} {
		b.Run(fmt.Sprintf("%d targets", n), func(b *testing.B) {
			inv := writeBigEstate(b, n, 200)
			out := filepath.Join(b.TempDir(), "report.json")
			var peak int64
			b.ResetTimer()
			for range b.N {
				cmd := exec.Command(binary, "scan", "--targets", inv, "-q", "-o", out, "--parallel-targets", "8")
				if msg, err := cmd.CombinedOutput(); cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != exitScanError {
					b.Fatalf("exit %v: %v\n%s", cmd.ProcessState, err, msg)
				}
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					peak = max(peak, ru.Maxrss) // KiB on Linux
				}
			}
			b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
			b.ReportMetric(float64(n*200), "docs")
		})
	}
}
