package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// catastrophicRules is a user rule whose pattern backtracks exponentially
// on "aaa…a!" in a backtracking engine.
const catastrophicRules = `version: 1
rules:
  - id: catastrophic
    category: api_secret
    description: a pattern that backtracks exponentially
    engine: regexp2
    patterns: ["(a+)+$"]
    text: true
    confidence: 0.9
`

// TestCatastrophicUserRule: rules check warns about the nested quantifier,
// and a scan of many documents holding values that make the pattern
// backtrack finishes: each match stops at its MatchTimeout and the pattern
// is given up after a few timeouts, with a warning, while the other rules
// go on finding what they find.
func TestCatastrophicUserRule(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	writeString(t, rules, catastrophicRules)
	res := runInProcess(t, time.Minute, nil, "rules", "check", rules)
	if res.code != 0 || !strings.Contains(res.stderr, "warning: "+rules+":7:") || !strings.Contains(res.stderr, "nests quantifiers") {
		t.Errorf("rules check: exit %d, stderr %q; want a warning at line 7 about nested quantifiers", res.code, res.stderr)
	}

	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := 0; i < 500; i++ {
		// every value differs, so no cache spares a match
		v := strings.Repeat("a", 30+i) + "!"
		fmt.Fprintf(&b, `{"token":"%s","note":"see %s here","email":"user%d@example.com"}`+"\n", v, v, i)
	}
	writeString(t, filepath.Join(data, "tokens.ndjson"), b.String())
	// 500 documents × 2 values × a 50 ms timeout is over 50 s of matching
	// without the give-up; a scan that takes longer than the bound hung.
	res = runInProcess(t, 30*time.Second, nil, "scan", data, "--rules", rules, "-f", "json", "--sample-size", "0")
	if res.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, `WARNING: rule catastrophic: pattern "(a+)+$" timed out`) {
		t.Errorf("no warning that the pattern was given up; stderr:\n%s", res.stderr)
	}
	r := parseReport(t, res.stdout)
	c := containersByName(r)["tokens.ndjson"]
	if !r.Complete || c.SampledDocuments != 500 {
		t.Fatalf("complete=%v, %d documents", r.Complete, c.SampledDocuments)
	}
	email := false
	for _, f := range c.Fields {
		for _, x := range f.Findings {
			email = email || f.Path == "email" && x.Category == "email"
			if f.Path != "email" && x.Category == "api_secret" {
				t.Errorf("%s reported as %s", f.Path, x.Category)
			}
		}
	}
	if !email {
		t.Errorf("the other rules found nothing: %+v", c.Fields)
	}
}
