package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/internal/sariftest"
	"github.com/piisniff/piisniff/report"
)

// runIn runs piisniff in dir with extra environment variables.
func runIn(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	return execute(t, cmd)
}

func absExample(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(example)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// copyExample copies examples/leaky-app into a temporary directory.
func copyExample(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "leaky-app")
	if err := os.CopyFS(dst, os.DirFS(absExample(t))); err != nil {
		t.Fatal(err)
	}
	return dst
}

func readJSONReport(t *testing.T, path string) *report.Report {
	t.Helper()
	r, err := report.ReadReport(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestBaselineGate: a scan with a baseline of itself fails on nothing; a
// scan after one new planted field fails on exactly that field;
// new-only=false fails on everything again.
func TestBaselineGate(t *testing.T) {
	work := t.TempDir()
	data := copyExample(t)
	base := filepath.Join(work, "base.json")
	if res := runIn(t, work, nil, "scan", data, "-q", "-o", base); res.code != 0 {
		t.Fatalf("baseline scan: exit %d: %s", res.code, res.stderr)
	}
	gate := "risk>=70,group:credentials,category:credit_card,combination:usable_card"
	res := runIn(t, work, nil, "scan", data, "-q", "-o", filepath.Join(work, "same.json"), "--baseline", base, "--fail-on", gate)
	if res.code != 0 {
		t.Fatalf("a scan against a baseline of itself: exit %d, stderr: %s", res.code, res.stderr)
	}
	same := readJSONReport(t, filepath.Join(work, "same.json"))
	if same.Baseline == nil || same.Baseline.New != 0 || same.Baseline.Findings == 0 {
		t.Errorf("baseline = %+v", same.Baseline)
	}

	// one new planted field
	if err := os.WriteFile(filepath.Join(data, "staff.ndjson"), []byte(`{"login":"ops","password":"Tr0ub4dor&3"}`+"\n"+`{"login":"dev","password":"correct horse battery"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res = runIn(t, work, nil, "scan", data, "-q", "-o", filepath.Join(work, "grown.json"), "--baseline", base, "--fail-on", gate)
	if res.code != 3 {
		t.Fatalf("exit %d, want 3: %s", res.code, res.stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(res.stderr), "\n") {
		if strings.HasPrefix(line, "piisniff: --fail-on") && (!strings.Contains(line, "staff.ndjson › password") || strings.Contains(line, "more)")) {
			t.Errorf("breach other than the new field: %s", line)
		}
	}
	if !strings.Contains(res.stderr, "staff.ndjson › password") {
		t.Errorf("the new field is not named: %s", res.stderr)
	}
	res = runIn(t, work, nil, "scan", data, "-q", "-o", filepath.Join(work, "all.json"), "--baseline", base, "--fail-on", "risk>=70,new-only=false")
	if res.code != 3 || !strings.Contains(res.stderr, "more)") {
		t.Errorf("new-only=false: exit %d: %s", res.code, res.stderr)
	}
}

// TestIgnoreFileEveryFormat: the ignore file's reasons show in every format,
// the ignored findings leave the gate, an expired entry says so.
func TestIgnoreFileEveryFormat(t *testing.T) {
	work := t.TempDir()
	ignore := `- container: "backup/*"
  reason: restored admin backup, tracked in ticket SEC-7
- categories: [travel_booking]
  reason: booking references of the demo flights
  expires: 2020-01-01
`
	if err := os.WriteFile(filepath.Join(work, ".piisniffignore"), []byte(ignore), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range append([]string(nil), report.Formats...) {
		t.Run(format, func(t *testing.T) {
			out := filepath.Join(work, "report."+format)
			res := runIn(t, work, nil, "scan", absExample(t), "-q", "--format", format, "-o", out)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			// the table wraps long lines
			if !strings.Contains(strings.Join(strings.Fields(string(data)), " "), "restored admin backup, tracked in ticket SEC-7") {
				t.Errorf("%s does not show the reason", format)
			}
			switch format {
			case "json":
				var r report.Report
				if err := json.Unmarshal(data, &r); err != nil {
					t.Fatal(err)
				}
				if len(r.Ignored) == 0 || len(r.IgnoreExpired) != 1 {
					t.Errorf("%d ignored, %d expired", len(r.Ignored), len(r.IgnoreExpired))
				}
				for _, f := range report.Flatten(&r) {
					if strings.HasPrefix(f.Container, "backup/") {
						t.Errorf("ignored finding still scored: %s › %s", f.Container, f.Path)
					}
				}
				if err := report.Validate(data); err != nil {
					t.Errorf("the report with ignored findings does not validate: %v", err)
				}
			case "sarif":
				sariftest.Validate(t, data)
			}
		})
	}
	// ignored findings do not fail the gate
	res := runIn(t, work, nil, "scan", absExample(t), "-q", "-o", filepath.Join(work, "g.json"), "--fail-on", "category:password")
	if res.code != 3 || strings.Contains(res.stderr, "backup/admins.json") {
		t.Errorf("exit %d: %s", res.code, res.stderr)
	}
}

func TestIgnoreAdd(t *testing.T) {
	work := t.TempDir()
	fp := report.Fingerprint(absExample(t), "backup/admins.json", "password", "password")
	res := runIn(t, work, nil, "ignore", "add", fp, "--reason", "rotated on 2026-11-30", "--expires", "2099-01-01")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if res := runIn(t, work, nil, "ignore", "add", fp); res.code != 2 || !strings.Contains(res.stderr, "--reason") {
		t.Errorf("without a reason: exit %d: %s", res.code, res.stderr)
	}
	res = runIn(t, work, nil, "scan", absExample(t), "-q", "--format", "json")
	var r report.Report
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("%v: %s", err, res.stderr)
	}
	if len(r.Ignored) != 1 || r.Ignored[0].Reason != "rotated on 2026-11-30" || r.Ignored[0].Path != "password" {
		t.Errorf("ignored = %+v", r.Ignored)
	}
}

// TestConfigPrecedence: flags > environment > file > defaults, for a
// common flag and a connector's own flag, shown by config show with their
// sources and credentials masked, and used by scan.
func TestConfigPrecedence(t *testing.T) {
	work := t.TempDir()
	cfg := "sample-size: 7\nseed: 42\nmin-confidence: 0.6\nes-api-key: key-from-the-file\n"
	if err := os.WriteFile(filepath.Join(work, "piisniff.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"PIISNIFF_SEED=43", "PIISNIFF_MIN_CONFIDENCE=0.7"}
	res := runIn(t, work, env, "config", "show", "--min-confidence", "0.8")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for _, want := range []string{"sample-size", "piisniff.yaml:1", "env PIISNIFF_SEED", "flag", "default"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("config show lacks %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout, "key-from-the-file") {
		t.Errorf("config show prints a credential:\n%s", res.stdout)
	}
	res = runIn(t, work, env, "scan", absExample(t), "-q", "--format", "json", "--min-confidence", "0.8")
	var r report.Report
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("%v: %s", err, res.stderr)
	}
	if s := r.Settings; s == nil || s.SampleSize != 7 || s.Seed != 43 || s.MinConfidence != 0.8 {
		t.Errorf("settings = %+v, want sample 7 (file), seed 43 (env), min confidence 0.8 (flag)", r.Settings)
	}
	// errors name the file and line
	if err := os.WriteFile(filepath.Join(work, "bad.yaml"), []byte("seed: 1\nsampel-size: 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res = runIn(t, work, nil, "scan", absExample(t), "-q", "--config", "bad.yaml")
	if res.code != 2 || !strings.Contains(res.stderr, "bad.yaml:2: unknown setting \"sampel-size\"") {
		t.Errorf("exit %d: %s", res.code, res.stderr)
	}
}

// TestReadmeGateOnDump: the README's gate fires on the example dump.
func TestReadmeGateOnDump(t *testing.T) {
	res := runCLI(t, nil, "scan", example, "-q", "--format", "json", "--fail-on", "risk>=70")
	if res.code != 3 || !strings.Contains(res.stderr, "risk>=70") {
		t.Errorf("exit %d: %s", res.code, res.stderr)
	}
}
