package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/piisniff/piisniff/report"
)

var (
	exampleReportOnce sync.Once
	exampleReportPath string
	exampleReportErr  string
)

// exampleReport scans the example once into a JSON file shared by the tests
// of this file.
func exampleReport(t *testing.T) string {
	t.Helper()
	exampleReportOnce.Do(func() {
		dir, err := os.MkdirTemp("", "piisniff-report")
		if err != nil {
			exampleReportErr = err.Error()
			return
		}
		exampleReportPath = filepath.Join(dir, "leaky.json")
		res := runCLI(t, nil, "scan", example, "-q", "-o", exampleReportPath)
		if res.code != 0 {
			exampleReportErr = res.stderr
		}
	})
	if exampleReportErr != "" {
		t.Fatalf("scanning the example: %s", exampleReportErr)
	}
	return exampleReportPath
}

func readReport(t *testing.T, path string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func writeReport(t *testing.T, r *report.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "changed.json")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestScanFailOn(t *testing.T) {
	tests := []struct {
		name     string
		policy   []string
		code     int
		stderr   []string
		noStderr string
	}{
		{"nothing holds", []string{"--fail-on", "risk>=99,exposure:anonymous"}, 0, nil, "--fail-on"},
		{"a category", []string{"--fail-on", "category:credit_card"}, 3, []string{"--fail-on category:credit_card: credit_card at orders.ndjson › payment.card_number", "policy breached"}, ""},
		{"repeated and listed", []string{"--fail-on", "group:credentials", "--fail-on", "risk>=99,combination:usable_card"},
			3, []string{"--fail-on group:credentials:", "--fail-on combination:usable_card: usable card", "2 of 3"}, "risk>=99"},
		{"a low threshold", []string{"--fail-on", "risk>=1"}, 3, []string{"--fail-on risk>=1:", "more)"}, ""},
		{"score", []string{"--fail-on", "score>=50"}, 3, []string{"overall risk score"}, ""},
		{"bad condition", []string{"--fail-on", "risk>=lots"}, 2, []string{"--fail-on", "not a number"}, ""},
		{"unknown category", []string{"--fail-on", "category:shoe_size"}, 2, []string{"unknown category"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report.json")
			res := runCLI(t, nil, append([]string{"scan", example, "-q", "-o", out}, tc.policy...)...)
			if res.code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", res.code, tc.code, res.stderr)
			}
			for _, want := range tc.stderr {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
				}
			}
			if tc.noStderr != "" && strings.Contains(res.stderr, tc.noStderr) {
				t.Errorf("stderr mentions %q:\n%s", tc.noStderr, res.stderr)
			}
			if tc.code == 3 {
				// the report is written before the policy fails the run
				data, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				if err := report.Validate(data); err != nil {
					t.Errorf("report written with a breached policy: %v", err)
				}
			}
		})
	}
}

func TestScanFormatsHTMLAndMarkdown(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ file, want string }{
		{"r.html", "<!DOCTYPE html>"},
		{"r.md", "# Personal data inventory"},
	} {
		out := filepath.Join(dir, tc.file)
		res := runCLI(t, nil, "scan", example, "-q", "-o", out)
		if res.code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.file, res.code, res.stderr)
		}
		data, _ := os.ReadFile(out)
		if !strings.HasPrefix(string(data), tc.want) {
			t.Errorf("%s (format from the extension) starts %.60q", tc.file, data)
		}
	}
	res := runCLI(t, nil, "scan", example, "-q", "-f", "markdown")
	for _, want := range []string{"## Notification guidance", "usually notifiable", "not legal advice", "## Harmful combinations", "| risk | category |"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func TestReportRender(t *testing.T) {
	saved := exampleReport(t)
	r := readReport(t, saved)
	n := len(report.Flatten(r))
	tests := []struct {
		format string
		check  func(t *testing.T, out string)
	}{
		{"json", func(t *testing.T, out string) {
			data, _ := os.ReadFile(saved)
			if out != string(data) {
				t.Error("rendering JSON as JSON changed it")
			}
		}},
		{"html", func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "<!DOCTYPE html>") || strings.Count(out, `<tr class="finding"`) != n {
				t.Errorf("html: %d rows, want %d", strings.Count(out, `<tr class="finding"`), n)
			}
		}},
		{"markdown", func(t *testing.T, out string) {
			if !strings.Contains(out, "## Findings") || !strings.Contains(out, "account takeover kit") {
				t.Errorf("markdown:\n%s", out)
			}
		}},
		{"csv", func(t *testing.T, out string) {
			if got := strings.Count(out, "\n"); got != n+1 {
				t.Errorf("csv: %d lines, want %d", got, n+1)
			}
		}},
		{"ndjson", func(t *testing.T, out string) {
			if got := strings.Count(out, "\n"); got != n {
				t.Errorf("ndjson: %d lines, want %d", got, n)
			}
		}},
		{"table", func(t *testing.T, out string) {
			if !strings.Contains(out, "Overall risk") || !strings.Contains(out, "Notification guidance") || strings.Contains(out, "\x1b[") {
				t.Errorf("table:\n%s", out)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			res := runCLI(t, nil, "report", "render", saved, "--format", tc.format)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			tc.check(t, res.stdout)
		})
	}

	t.Run("to a file", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "report.html")
		res := runCLI(t, nil, "report", "render", saved, "-o", out)
		st, err := os.Stat(out)
		if res.code != 0 || err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("exit %d, %v, stderr %s", res.code, err, res.stderr)
		}
	})

	t.Run("fail-on", func(t *testing.T) {
		res := runCLI(t, nil, "report", "render", saved, "-f", "markdown", "--fail-on", "group:payment")
		if res.code != 3 || res.stdout == "" || !strings.Contains(res.stderr, "--fail-on group:payment:") {
			t.Errorf("exit %d, stderr %s", res.code, res.stderr)
		}
	})

	t.Run("older report without guidance", func(t *testing.T) {
		old := readReport(t, saved)
		old.Summary.NotificationGuidance = nil
		res := runCLI(t, nil, "report", "render", writeReport(t, old), "-f", "markdown")
		if res.code != 0 || !strings.Contains(res.stdout, "## Notification guidance") {
			t.Errorf("exit %d: guidance not worked out for an older report: %s", res.code, res.stderr)
		}
	})
}

func TestReportRenderErrors(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "notes.txt")
	os.WriteFile(notJSON, []byte("hello"), 0o600)
	wrong := filepath.Join(dir, "wrong.json")
	os.WriteFile(wrong, []byte(`{"schema_version": 1}`), 0o600)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"missing file", []string{"report", "render", filepath.Join(dir, "nope.json")}, []string{"nope.json", "cannot read"}},
		{"not JSON", []string{"report", "render", notJSON}, []string{"notes.txt", "not a valid piisniff JSON report"}},
		{"not a report", []string{"report", "render", wrong}, []string{"wrong.json", "is missing"}},
		{"no file", []string{"report", "render"}, []string{"exactly one REPORT.json"}},
		{"bad format", []string{"report", "render", wrong, "-f", "pdf"}, []string{"wrong.json"}},
		{"bad policy", []string{"report", "render", wrong, "--fail-on", "group:x"}, []string{"--fail-on", "unknown group"}},
		{"diff one file", []string{"diff", wrong}, []string{"OLD.json NEW.json"}},
		{"diff bad new", []string{"diff", exampleReport(t), notJSON}, []string{"notes.txt"}},
		{"diff bad format", []string{"diff", exampleReport(t), exampleReport(t), "-f", "html"}, []string{"--format"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runCLI(t, nil, tc.args...)
			if res.code != 2 {
				t.Errorf("exit %d, want 2; stderr %s", res.code, res.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.stderr, w) {
					t.Errorf("stderr %q lacks %q", res.stderr, w)
				}
			}
		})
	}
	// a report on standard input
	data, _ := os.ReadFile(exampleReport(t))
	res := runCLIStdin(t, data, "report", "render", "-", "-f", "csv")
	if res.code != 0 || !strings.HasPrefix(res.stdout, "target,") {
		t.Errorf("render from stdin: exit %d %s", res.code, res.stderr)
	}
}

// runCLIStdin runs piisniff like runCLI, with stdin as its standard input.
func runCLIStdin(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	return runCLIWith(t, stdin, nil, args...)
}

func TestDiff(t *testing.T) {
	saved := exampleReport(t)

	// the fix: card numbers gone from orders.ndjson; the regression: a new
	// secret field in users.ndjson and risk raised on the passwords
	changed := readReport(t, saved)
	var removed, raised int
	for ti := range changed.Targets {
		for ci := range changed.Targets[ti].Containers {
			c := &changed.Targets[ti].Containers[ci]
			var keep []report.Field
			for _, f := range c.Fields {
				if c.Name == "orders.ndjson" && f.Path == "payment.card_number" {
					removed++
					continue
				}
				for xi := range f.Findings {
					if f.Findings[xi].Category == "password" {
						f.Findings[xi].Risk = min(100, f.Findings[xi].Risk+10)
						raised++
					}
				}
				keep = append(keep, f)
			}
			if c.Name == "users.ndjson" {
				keep = append(keep, report.Field{Path: "recovery_codes", Findings: []report.Finding{{Category: "api_secret", Group: "credentials",
					Confidence: 0.9, Evidence: []string{"field_name"}, MatchedDocuments: 60, MatchRatio: 1, EstimatedAffectedDocuments: 60, Risk: 55, Examples: []string{"********"}}}})
			}
			c.Fields = keep
			if c.Name == "orders.ndjson" {
				c.Combinations = nil // no card number, no usable card
			}
		}
	}
	if removed != 1 || raised == 0 {
		t.Fatalf("fixture: removed %d, raised %d", removed, raised)
	}
	newPath := writeReport(t, changed)

	t.Run("table", func(t *testing.T) {
		res := runCLI(t, nil, "diff", saved, newPath)
		if res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		for _, want := range []string{"+ new", "users.ndjson › recovery_codes", "- gone", "orders.ndjson › payment.card_number", "▲ up", "password", "1 appeared", "1 disappeared"} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("diff table lacks %q:\n%s", want, res.stdout)
			}
		}
		for _, line := range strings.Split(res.stdout, "\n") {
			if strings.Contains(line, "\x1b[") {
				t.Errorf("colour outside a terminal: %q", line)
			}
		}
	})

	t.Run("json", func(t *testing.T) {
		res := runCLI(t, nil, "diff", saved, newPath, "--format", "json")
		if res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		var d report.Diff
		if err := json.Unmarshal([]byte(res.stdout), &d); err != nil {
			t.Fatal(err)
		}
		changes := map[string]int{}
		for _, c := range d.Findings {
			changes[c.Change]++
			if c.Target == "" || c.Container == "" || c.Path == "" || c.Category == "" {
				t.Errorf("change without its key: %+v", c)
			}
		}
		if changes[report.Appeared] != 1 || changes[report.Disappeared] != 1 || changes[report.RiskUp] != raised || changes[report.RiskDown] != 0 {
			t.Errorf("changes = %v (want 1 appeared, 1 disappeared, %d risk up)", changes, raised)
		}
		// the card number was part of the usable card combination
		if len(d.Combinations) != 1 || d.Combinations[0].ID != "usable_card" || d.Combinations[0].Change != report.Disappeared {
			t.Errorf("combinations = %+v", d.Combinations)
		}
		if d.Unchanged == 0 {
			t.Error("no unchanged findings counted")
		}
	})

	t.Run("markdown", func(t *testing.T) {
		res := runCLI(t, nil, "diff", saved, newPath, "-f", "markdown")
		if res.code != 0 || !strings.Contains(res.stdout, "| **new** |") || !strings.Contains(res.stdout, "`recovery_codes`") {
			t.Errorf("exit %d:\n%s%s", res.code, res.stdout, res.stderr)
		}
	})

	t.Run("same report", func(t *testing.T) {
		res := runCLI(t, nil, "diff", saved, saved)
		if res.code != 0 || !strings.Contains(res.stdout, "No finding appeared, disappeared or changed risk") {
			t.Errorf("exit %d:\n%s%s", res.code, res.stdout, res.stderr)
		}
	})

	t.Run("fail-on what got worse", func(t *testing.T) {
		tests := []struct {
			policy string
			code   int
			want   string
		}{
			{"group:credentials", 3, "recovery_codes"},  // a new secret
			{"category:password", 3, "password"},        // risk rose
			{"category:credit_card", 0, ""},             // only went away
			{"group:payment", 0, ""},                    // unchanged since the baseline
			{"combination:account_takeover_kit", 0, ""}, // already in the baseline
		}
		for _, tc := range tests {
			res := runCLI(t, nil, "diff", saved, newPath, "--fail-on", tc.policy)
			if res.code != tc.code || !strings.Contains(res.stderr, tc.want) {
				t.Errorf("--fail-on %s: exit %d (want %d), stderr %q", tc.policy, res.code, tc.code, res.stderr)
			}
		}
	})

	t.Run("output file", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "diff.json")
		res := runCLI(t, nil, "diff", saved, newPath, "-o", out)
		data, err := os.ReadFile(out)
		if res.code != 0 || err != nil || !json.Valid(data) {
			t.Errorf("diff -o diff.json: exit %d, %v, %.80q", res.code, err, data)
		}
	})
}

func TestScanFailOnWinsOverIncomplete(t *testing.T) {
	res := runCLI(t, nil, "scan", example, "http://127.0.0.1:1/", "-q", "-f", "json", "--fail-on", "category:credit_card,incomplete")
	if res.code != 3 {
		t.Fatalf("exit %d, want 3 (policy) over 1 (a failed target); stderr %s", res.code, res.stderr)
	}
	for _, want := range []string{"--fail-on category:credit_card:", "--fail-on incomplete:", "the scan is incomplete", "http://127.0.0.1:1"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	if err := report.Validate([]byte(res.stdout)); err != nil {
		t.Errorf("report: %v", err)
	}
}
