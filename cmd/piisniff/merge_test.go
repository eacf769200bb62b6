package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/report"
)

// TestReportMerge: the example scanned whole, and in two halves made shard
// reports, merged by the command: the same report; a missing shard or
// reports of different scans give the documented exit codes and messages.
func TestReportMerge(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.json")
	if res := runCLI(t, nil, "scan", example, "-q", "-f", "json", "-o", full); res.code != 0 {
		t.Fatalf("scan: %d %s", res.code, res.stderr)
	}
	halves := []string{"*.ndjson,EXPECTED.md", "!*.ndjson,!EXPECTED.md"}
	shard := func(i int, fp string) string {
		p := filepath.Join(dir, "part.json")
		if res := runCLI(t, nil, "scan", example, "-q", "-f", "json", "-o", p, "--containers", halves[i]); res.code != 0 {
			t.Fatalf("scan: %d %s", res.code, res.stderr)
		}
		r := readReport(t, p)
		r.Shard = &report.ShardInfo{Index: i, Count: 2}
		r.Fingerprint = fp
		return writeReport(t, r)
	}
	a, b := shard(0, "sha256:one"), shard(1, "sha256:one")
	odd := shard(1, "sha256:two")
	merged := filepath.Join(dir, "merged.json")

	cases := []struct {
		name   string
		args   []string
		code   int
		stderr []string
	}{
		{"both", []string{a, b}, 0, nil},
		{"missing", []string{a}, 1, []string{"incomplete", "shard 1/2 is missing"}},
		{"different scans", []string{a, odd}, 2, []string{a, odd, "fingerprints differ"}},
		{"no such file", []string{a, filepath.Join(dir, "nope.json")}, 2, []string{"nope.json"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(merged)
			res := runCLI(t, nil, append([]string{"report", "merge", "-f", "json", "-o", merged}, tc.args...)...)
			if res.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", res.code, tc.code, res.stderr)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(res.stderr, s) {
					t.Errorf("stderr %q does not say %q", res.stderr, s)
				}
			}
			if tc.code == 2 {
				return
			}
			data, err := os.ReadFile(merged)
			if err != nil {
				t.Fatal(err)
			}
			if err := report.Validate(data); err != nil {
				t.Fatal(err)
			}
			if tc.code == 0 {
				if d := report.Differences(readReport(t, full), readReport(t, merged)); len(d) > 0 {
					t.Errorf("merged ≠ full:\n%s", strings.Join(d, "\n"))
				}
			}
		})
	}
}

// TestReportMergeShards: the example scanned by one process and by three
// (scan --shard I/3), merged by report merge: the same report, finding by
// finding, people included.
func TestReportMergeShards(t *testing.T) {
	dir := t.TempDir()
	for _, sample := range []string{"0", "20"} {
		full := filepath.Join(dir, "full.json")
		if res := runCLI(t, nil, "scan", example, "-q", "-f", "json", "-o", full, "--sample-size", sample); res.code != 0 {
			t.Fatalf("scan: %d %s", res.code, res.stderr)
		}
		args := []string{"report", "merge", "-f", "json", "-o", filepath.Join(dir, "merged.json")}
		for i := 0; i < 3; i++ {
			p := filepath.Join(dir, fmt.Sprintf("shard-%d.json", i))
			res := runCLI(t, nil, "scan", example, "-q", "-f", "json", "-o", p, "--sample-size", sample, "--shard", fmt.Sprintf("%d/3", i))
			if res.code != 0 {
				t.Fatalf("scan --shard %d/3: %d %s", i, res.code, res.stderr)
			}
			args = append(args, p)
		}
		if res := runCLI(t, nil, args...); res.code != 0 {
			t.Fatalf("report merge: %d %s", res.code, res.stderr)
		}
		f, m := readReport(t, full), readReport(t, filepath.Join(dir, "merged.json"))
		if d := report.Differences(f, m); len(d) > 0 {
			t.Errorf("sample %s: merged ≠ full:\n%s", sample, strings.Join(d, "\n"))
		}
		if m.Summary.People == nil || m.Summary.People.Estimate != f.Summary.People.Estimate {
			t.Errorf("sample %s: people %+v, want %+v", sample, m.Summary.People, f.Summary.People)
		}
	}
}

// TestReportMergePeopleKey: shards whose people sketches were keyed with
// different secrets would count a person twice: they do not merge.
func TestReportMergePeopleKey(t *testing.T) {
	dir := t.TempDir()
	args := []string{"report", "merge", "-f", "json", "-o", filepath.Join(dir, "merged.json")}
	for i, key := range []string{"PIISNIFF_PEOPLE_KEY=k3y-0ne-f0r-test", "PIISNIFF_PEOPLE_KEY=k3y-tw0-f0r-test"} {
		p := filepath.Join(dir, fmt.Sprintf("shard-%d.json", i))
		if res := runCLI(t, []string{key}, "scan", example, "-q", "-f", "json", "-o", p, "--shard", fmt.Sprintf("%d/2", i)); res.code != 0 {
			t.Fatalf("scan: %d %s", res.code, res.stderr)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), strings.TrimPrefix(key, "PIISNIFF_PEOPLE_KEY=")) {
			t.Fatalf("the report holds the key")
		}
		args = append(args, p)
	}
	if res := runCLI(t, nil, args...); res.code != 2 || !strings.Contains(res.stderr, "fingerprints differ") {
		t.Errorf("exit %d: %s", res.code, res.stderr)
	}
}
