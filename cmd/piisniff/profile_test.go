package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// TestProfileFlags: --cpuprofile and --memprofile write profiles that
// pprof reads, the scan's report is unchanged by them, and a profile file
// that cannot be created stops the command before it scans.
func TestProfileFlags(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	r := runCLI(t, nil, "scan", example, "--sample-size", "0", "-f", "json", "-q", "--cpuprofile", cpu, "--memprofile", mem)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `"containers"`) {
		t.Fatalf("no report on standard output: %.200s", r.stdout)
	}
	for _, c := range []struct {
		path, sample string
	}{{cpu, "cpu"}, {mem, "inuse_space"}} {
		f, err := os.Open(c.path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := profile.Parse(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		found := false
		for _, st := range p.SampleType {
			found = found || st.Type == c.sample
		}
		if !found {
			t.Errorf("%s: no %s samples in %v", c.path, c.sample, p.SampleType)
		}
		if st, _ := os.Stat(c.path); st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", c.path, st.Mode().Perm())
		}
	}

	bad := filepath.Join(dir, "missing", "cpu.pprof")
	r = runCLI(t, nil, "scan", example, "-q", "-f", "json", "--cpuprofile", bad)
	if r.code != exitUsage || !strings.Contains(r.stderr, "--cpuprofile") || r.stdout != "" {
		t.Fatalf("unwritable profile: exit %d, stderr %q, stdout %.80q", r.code, r.stderr, r.stdout)
	}
	r = runCLI(t, nil, "scan", example, "-q", "-f", "json", "--memprofile", filepath.Join(dir, "missing", "mem.pprof"))
	if r.code != exitUsage || !strings.Contains(r.stderr, "--memprofile") || r.stdout != "" {
		t.Fatalf("unwritable heap profile: exit %d, stderr %q, stdout %.80q", r.code, r.stderr, r.stdout)
	}
}
