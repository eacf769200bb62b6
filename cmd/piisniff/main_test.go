package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/report"
)

// binary is the piisniff executable built once for the end-to-end tests
// (signals, hangs, memory bounds, privileges); the other tests call run in
// process with runCLI.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "piisniff-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "piisniff")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building piisniff:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// runCLI runs piisniff in process with args; env ("NAME=value") is laid
// over the process environment for this run only, so tests that set it
// can still run in parallel.
func runCLI(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return runCLIWith(t, nil, env, args...)
}

// runCLIWith is runCLI with standard input.
func runCLIWith(t *testing.T, stdin []byte, env []string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := runEnv(context.Background(), args, bytes.NewReader(stdin), &out, &errb, envLookup(env))
	return result{out.String(), errb.String(), code}
}

// envLookup reads env ("NAME=value") first, then the process environment.
func envLookup(env []string) func(string) string {
	m := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(name string) string {
		if v, ok := m[name]; ok {
			return v
		}
		return os.Getenv(name)
	}
}

// execute runs a prepared command and returns its output and exit code; a
// command that cannot be run at all fails the test.
func execute(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil && cmd.ProcessState == nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

const example = "../../examples/leaky-app"

type planted struct {
	File     string `json:"file"`
	Path     string `json:"path"`
	Category string `json:"category"`
}

func loadPlanted(t *testing.T) []planted {
	t.Helper()
	data, err := os.ReadFile("../../examples/leaky-app.expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Planted []planted `json:"planted"`
	}
	if err := json.Unmarshal(data, &exp); err != nil {
		t.Fatal(err)
	}
	if len(exp.Planted) == 0 {
		t.Fatal("no planted fields in the expectation file")
	}
	return exp.Planted
}

func TestScanExampleFindsEveryPlantedCategory(t *testing.T) {
	res := runCLI(t, nil, "scan", example, "--format", "json", "--quiet")
	if res.code != 0 {
		t.Fatalf("exit %d, stderr: %s", res.code, res.stderr)
	}
	if err := report.Validate([]byte(res.stdout)); err != nil {
		t.Fatalf("report does not validate: %v", err)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatal(err)
	}
	if !r.Complete || len(r.Targets) != 1 || r.Targets[0].Kind != "file" {
		t.Fatalf("complete=%v targets=%+v", r.Complete, r.Targets)
	}
	found := map[planted]bool{}
	categories := map[string]bool{}
	for _, c := range r.Targets[0].Containers {
		for _, f := range c.Fields {
			for _, x := range f.Findings {
				found[planted{c.Name, f.Path, x.Category}] = true
				categories[x.Category] = true
			}
		}
	}
	for _, p := range loadPlanted(t) {
		if !found[p] {
			t.Errorf("planted %s in %s › %s not found", p.Category, p.File, p.Path)
		}
	}
	for cat := range report.Categories {
		if !categories[cat] {
			t.Errorf("category %s not found anywhere in the example", cat)
		}
	}
}

func TestScanFormats(t *testing.T) {
	tests := []struct {
		format string
		check  func(t *testing.T, out string)
	}{
		{"ndjson", func(t *testing.T, out string) {
			for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
				var f report.FlatFinding
				if err := json.Unmarshal([]byte(line), &f); err != nil || f.Category == "" || f.Container == "" {
					t.Fatalf("line %d %q: %v", i+1, line, err)
				}
			}
		}},
		{"csv", func(t *testing.T, out string) {
			if !strings.HasPrefix(out, strings.Join(report.CSVHeader, ",")+"\n") || strings.Count(out, "\n") < 10 {
				t.Fatalf("csv output:\n%s", out)
			}
		}},
		{"table", func(t *testing.T, out string) {
			if !strings.Contains(out, "RISK") || !strings.Contains(out, "Overall risk") || strings.Contains(out, "\x1b[") {
				t.Fatalf("table output (no colour expected when not a terminal):\n%s", out)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			res := runCLI(t, nil, "scan", example, "--format", tc.format, "-q")
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			tc.check(t, res.stdout)
		})
	}
}

func TestScanOutputFileIsPrivate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runCLI(t, nil, "scan", example, "-o", out, "-q")
	if res.code != 0 || res.stdout != "" {
		t.Fatalf("exit %d stdout %q stderr %s", res.code, res.stdout, res.stderr)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("report mode %v, want 0600", st.Mode().Perm())
	}
	data, _ := os.ReadFile(out)
	if err := report.Validate(data); err != nil {
		t.Errorf("written report (format from the .json extension): %v", err)
	}
}

func TestScanSeedIsDeterministic(t *testing.T) {
	a := runCLI(t, nil, "scan", example, "-f", "ndjson", "--seed", "42", "--sample-size", "5", "-q")
	b := runCLI(t, nil, "scan", example, "-f", "ndjson", "--seed", "42", "--sample-size", "5", "-q")
	if a.code != 0 || a.stdout != b.stdout {
		t.Errorf("same seed, different reports (exit %d)", a.code)
	}
}

func TestScanOnlyAndExcept(t *testing.T) {
	res := runCLI(t, nil, "scan", example, "-f", "ndjson", "--only", "payment,email", "--except", "iban", "-q")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
		var f report.FlatFinding
		_ = json.Unmarshal([]byte(line), &f)
		if (f.Group != "payment" && f.Category != "email") || f.Category == "iban" {
			t.Errorf("--only payment,email --except iban reported %s", f.Category)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{"scan"}, "at least one TARGET"},
		{"bad format", []string{"scan", example, "--format", "xml"}, "--format"},
		{"bad flag", []string{"scan", example, "--no-such-flag"}, "unknown flag"},
		{"bad confidence", []string{"scan", example, "--min-confidence", "2"}, "--min-confidence"},
		{"bad only", []string{"scan", example, "--only", "shoe_size"}, "shoe_size"},
		{"missing rules file", []string{"scan", example, "--rules", "testdata/nope.yaml"}, "nope.yaml"},
		{"cert without key", []string{"scan", example, "--tls-cert", "x.pem"}, "--tls-key"},
		{"bad glob", []string{"scan", example, "--containers", "[a"}, "--containers"},
		{"unknown command", []string{"scna"}, "unknown command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runCLI(t, nil, tc.args...)
			if res.code != 2 || !strings.Contains(res.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 mentioning %q", res.code, res.stderr, tc.want)
			}
		})
	}
}

func TestScanErrorsAreReportedAndRedacted(t *testing.T) {
	const secret = "S3cr3t-Pa55"
	res := runCLI(t, []string{"PIISNIFF_PASSWORD=" + secret},
		"scan", "http://admin:"+secret+"@127.0.0.1:1/", "mongodb://admin:"+secret+"@127.0.0.1:1/?serverSelectionTimeoutMS=500",
		"-f", "json", "--connect-timeout", "1s")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", res.code, res.stderr)
	}
	if strings.Contains(res.stdout+res.stderr, secret) {
		t.Fatalf("the password leaked:\n%s\n%s", res.stdout, res.stderr)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Complete || len(r.Targets) != 2 {
		t.Fatalf("complete=%v targets=%d", r.Complete, len(r.Targets))
	}
	es := r.Targets[0]
	if es.Kind != "elasticsearch" || es.Error == nil || !strings.Contains(es.URI, "admin:***@") {
		t.Errorf("unreachable elasticsearch target: %+v", es)
	}
	if r.Targets[1].Error == nil {
		t.Errorf("unreachable mongodb target has no error: %+v", r.Targets[1])
	}
}

func TestRulesCommands(t *testing.T) {
	res := runCLI(t, nil, "rules", "list")
	if res.code != 0 || !strings.Contains(res.stdout, "credit_card") || !strings.Contains(res.stdout, "ID") {
		t.Fatalf("rules list: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = runCLI(t, nil, "rules", "check", "testdata/good-rules.yaml")
	if res.code != 0 || !strings.Contains(res.stdout, "ok") {
		t.Errorf("rules check good: exit %d %s%s", res.code, res.stdout, res.stderr)
	}
	res = runCLI(t, nil, "rules", "check", "testdata/bad-rules.yaml")
	if res.code != 1 || !strings.Contains(res.stderr, "bad-rules.yaml:") {
		t.Errorf("rules check bad: exit %d, stderr %q (want file:line)", res.code, res.stderr)
	}
}

func TestVersionAndHelp(t *testing.T) {
	res := runCLI(t, nil, "version")
	if res.code != 0 || !strings.HasPrefix(res.stdout, "piisniff ") {
		t.Errorf("version: %d %q", res.code, res.stdout)
	}
	res = runCLI(t, nil, "scan", "--help")
	for _, want := range []string{"--sample-size", "--show-data", "mongodb://", "Examples:"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("scan --help lacks %q", want)
		}
	}
}
