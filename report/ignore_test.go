package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseIgnoreErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"not a list", "reason: x\n", ".piisniffignore:1: an ignore file is a list"},
		{"no reason", "- fingerprint: 0123456789abcdef\n", ".piisniffignore:1: an entry needs a reason"},
		{"empty reason", "- fingerprint: 0123456789abcdef\n  reason: \"  \"\n", ":1: an entry needs a reason"},
		{"unknown key", "- reason: x\n  categories: [email]\n  colour: red\n", ".piisniffignore:3: unknown key \"colour\""},
		{"misspelt key", "- reasn: x\n  path: a\n", `.piisniffignore:1: unknown key "reasn" (one of fingerprint, target, container, path, categories, reason, expires); did you mean "reason"?`},
		{"bad date", "- reason: x\n  path: a\n  expires: 31/12/2027\n", ":3: expires \"31/12/2027\" is not a date"},
		{"bad fingerprint", "- reason: x\n  fingerprint: hello\n", ":2: fingerprint \"hello\""},
		{"both kinds", "- reason: x\n  fingerprint: 0123456789abcdef\n  path: a\n", ":1: an entry names either a fingerprint"},
		{"nothing selected", "- reason: x\n", ":1: an entry needs a fingerprint, or at least one"},
		{"unknown category", "- reason: x\n  categories: [email, shoe_size]\n", ":2: unknown category \"shoe_size\""},
		{"duplicate key", "- reason: x\n  reason: y\n  path: a\n", ":2: \"reason\" given twice"},
		{"nested value", "- reason: [a]\n  path: a\n", ":1: reason must be a single value"},
		{"bad yaml", "- reason: x\n  path: [\n", ".piisniffignore:2: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseIgnore(".piisniffignore", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	for _, empty := range []string{"", "# nothing accepted yet\n", "~\n"} {
		if f, err := ParseIgnore("x", []byte(empty)); err != nil || len(f.Entries) != 0 {
			t.Errorf("%q: %v %+v", empty, err, f)
		}
	}
}

func TestIgnoreMatches(t *testing.T) {
	uri := "mongodb://admin:***@db.example.internal:27017/shop"
	fp := Fingerprint(uri, "shop.users", "contact.email", "email")
	tests := []struct {
		name, src string
		want      bool
	}{
		{"fingerprint", "- reason: r\n  fingerprint: " + fp, true},
		{"other fingerprint", "- reason: r\n  fingerprint: 0123456789abcdef01234567", false},
		{"container glob", "- reason: r\n  container: \"shop.*\"", true},
		{"container glob misses", "- reason: r\n  container: \"crm.*\"", false},
		{"path glob crosses dots", "- reason: r\n  path: \"contact*\"", true},
		{"category", "- reason: r\n  categories: [email, phone]", true},
		{"other category", "- reason: r\n  categories: [phone]", false},
		{"target identity", "- reason: r\n  target: \"mongodb://db.example.internal:27017*\"", true},
		{"target as written", "- reason: r\n  target: \"mongodb://admin:***@db.*\"", true},
		{"all of them", "- reason: r\n  target: \"*internal*\"\n  container: shop.users\n  path: contact.email\n  categories: [email]", true},
		{"all but one", "- reason: r\n  target: \"*internal*\"\n  container: shop.users\n  path: contact.phone\n  categories: [email]", false},
		{"question mark", "- reason: r\n  container: \"shop.user?\"", true},
		{"regexp characters are literal", "- reason: r\n  container: \"shop.(users)\"", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseIgnore("i", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Entries[0].Matches(uri, "shop.users", "contact.email", "email"); got != tc.want {
				t.Errorf("matches = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestApplyIgnore(t *testing.T) {
	r := kitReport()
	before := len(Flatten(r))
	f, err := ParseIgnore(".piisniffignore", []byte(`
- container: logs
  reason: synthetic log lines of the load test
  expires: 2026-12-31
- categories: [credit_card]
  reason: test cards of the payment provider
  expires: 2026-01-01
`))
	if err != nil {
		t.Fatal(err)
	}
	scoreBefore := r.Summary.RiskScore
	Finish(r, RiskModel{Weight: func(string) float64 { return 0.5 }, Ignore: f}, false)
	if len(r.Ignored) != 2 || len(Flatten(r))+len(r.Ignored) != before {
		t.Fatalf("%d ignored, %d left of %d", len(r.Ignored), len(Flatten(r)), before)
	}
	for _, x := range r.Ignored {
		if x.Container != "logs" || x.Reason != "synthetic log lines of the load test" || x.Entry != ".piisniffignore:2" || x.Fingerprint == "" || !x.Ignored {
			t.Errorf("ignored = %+v", x)
		}
	}
	// the second entry expired before the scan (2026-11-24): it no longer applies, and says so
	if len(r.IgnoreExpired) != 1 || !strings.Contains(r.IgnoreExpired[0].Message, "expired on 2026-01-01") {
		t.Errorf("expired = %+v", r.IgnoreExpired)
	}
	for _, x := range Flatten(r) {
		if x.Container == "logs" {
			t.Errorf("ignored finding still scored: %+v", x)
		}
	}
	if r.Summary.RiskScore > scoreBefore {
		t.Errorf("ignoring raised the score %v → %v", scoreBefore, r.Summary.RiskScore)
	}
	// finishing again (merging shards) neither loses nor doubles them
	Finish(r, RiskModel{Weight: func(string) float64 { return 0.5 }, Ignore: f}, false)
	if len(r.Ignored) != 2 || len(r.IgnoreExpired) != 1 {
		t.Errorf("after a second Finish: %d ignored, %d expired", len(r.Ignored), len(r.IgnoreExpired))
	}
	// every format shows the reason
	for _, format := range Formats {
		var b strings.Builder
		if err := Write(&b, r, format, TableOptions{Width: 200}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "synthetic log lines of the load test") {
			t.Errorf("%s does not show the reason of the ignored findings", format)
		}
		if format != "csv" && format != "ndjson" && !strings.Contains(b.String(), "expired on 2026-01-01") {
			t.Errorf("%s does not say the entry expired", format)
		}
	}
}

func TestAppendIgnore(t *testing.T) {
	name := filepath.Join(t.TempDir(), ".piisniffignore")
	fp := Fingerprint("./dump", "users.csv", "email", "email")
	if err := AppendIgnore(name, fp, "staff addresses, published on the website", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := AppendIgnore(name, strings.Repeat("a", 24), "second", time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := AppendIgnore(name, fp, "  ", time.Time{}); err == nil {
		t.Error("an entry without a reason was written")
	}
	if err := AppendIgnore(name, "not hex", "r", time.Time{}); err == nil {
		t.Error("a bad fingerprint was written")
	}
	f, err := LoadIgnore(name, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 2 || f.Entries[0].Fingerprint != fp || f.Entries[1].Expires.Format(time.DateOnly) != "2027-03-31" {
		t.Errorf("entries = %+v", f.Entries)
	}
	if !f.Entries[0].Matches("./dump", "users.csv", "email", "email") {
		t.Error("the written entry does not match its finding")
	}
	if f, err := LoadIgnore(filepath.Join(t.TempDir(), "missing"), true); f != nil || err != nil {
		t.Errorf("a missing optional file: %v %v", f, err)
	}
	if _, err := LoadIgnore(filepath.Join(t.TempDir(), "missing"), false); err == nil {
		t.Error("a missing file named by the user gave no error")
	}
	_ = os.Remove(name)
}

func FuzzParseIgnore(f *testing.F) {
	for _, s := range []string{
		"- fingerprint: 0123456789abcdef01234567\n  reason: r\n",
		"- container: \"shop.*\"\n  path: \"*.email\"\n  categories: [email]\n  reason: r\n  expires: 2027-01-01\n",
		"- target: \"file:*\"\n  reason: r\n", "[]", "- reason: x\n", "a: b", "- [1, 2]", "- reason: \"\\u0000\"\n  path: \"[\"\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		ig, err := ParseIgnore("fuzz", []byte(src))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		// every entry that parsed keeps the file's promises
		for _, e := range ig.Entries {
			if strings.TrimSpace(e.Reason) == "" {
				t.Fatalf("entry without a reason: %+v", e)
			}
			selects := e.Target != "" || e.Container != "" || e.Path != "" || len(e.Categories) > 0
			if (e.Fingerprint != "") == selects {
				t.Fatalf("entry must name a fingerprint or a selection, not both or neither: %+v", e)
			}
		}
		// applying it conserves the findings: kept + ignored = before
		r := kitReport()
		n := len(Flatten(r))
		ApplyIgnore(r, ig, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))
		if len(Flatten(r))+len(r.Ignored) != n {
			t.Fatalf("%d kept + %d ignored != %d", len(Flatten(r)), len(r.Ignored), n)
		}
		for _, x := range r.Ignored {
			if x.Reason == "" {
				t.Fatalf("ignored without a reason: %+v", x)
			}
		}
	})
}

func TestPlural(t *testing.T) {
	for _, tc := range []struct{ n, want string }{{"1", "1 record"}, {"~1", "~1 record"}, {"2", "2 records"}, {"~10", "~10 records"}, {"0", "0 records"}, {"~1 ±3", "~1 ±3 records"}} {
		if got := plural(tc.n, "record", "records"); got != tc.want {
			t.Errorf("plural(%q) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
