package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// kitReport holds every default combination in one container of an
// anonymous MongoDB, and values that try to break out of every format.
func kitReport() *Report {
	finding := func(cat string, conf float64, affected int64, examples ...string) Field {
		return Field{Path: cat + "_field", Findings: []Finding{{Category: cat, Group: Categories[cat], Confidence: conf,
			Evidence: []string{"value"}, MatchedDocuments: affected, MatchRatio: 1, EstimatedAffectedDocuments: affected, Examples: examples}}}
	}
	r := &Report{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "piisniff", Version: "test"},
		StartedAt:     time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
		FinishedAt:    time.Date(2026, 11, 24, 10, 1, 0, 0, time.UTC),
		Targets: []Target{{
			URI: "mongodb://db.example.internal:27017", Kind: "mongodb",
			Exposure: Exposure{Reachable: true, AnonymousAccess: true, Server: "MongoDB 7.0.4", Notes: []string{}},
			Containers: []Container{
				{Name: "shop.users", EstimatedDocuments: 1000, SampledDocuments: 1000, Fields: []Field{
					finding("email", 0.99, 1000, "a***@example.com"),
					finding("password", 0.9, 800, "********"),
					finding("person_name", 0.9, 1000, "<script>alert(1)</script>"),
					finding("date_of_birth", 0.9, 900, "1970-**-**"),
					finding("street_address", 0.8, 700, "| *** `pipe` [x](javascript:alert(1))"),
				}},
				{Name: `pay"ments<img src=x onerror=alert(2)>`, EstimatedDocuments: 50, SampledDocuments: 50, Fields: []Field{
					finding("credit_card", 0.99, 50, "**** 1111"),
					finding("card_expiry", 0.9, 50, "**/**"),
					finding("card_cvv", 0.95, 40, "***"),
					finding("geo_coordinates", 0.9, 10, "41.4**,2.1**"),
				}},
				{Name: "logs", EstimatedDocuments: 10, SampledDocuments: 10, Fields: []Field{
					finding("email", 0.99, 10, "b***@example.com"),
					finding("password_hash", 0.99, 10, "********"),
				}},
			},
		}},
	}
	Finish(r, RiskModel{Weight: func(string) float64 { return 0.5 }}, false)
	return r
}

func TestCombinations(t *testing.T) {
	r := kitReport()
	got := map[string][]string{}
	for _, c := range r.Targets[0].Containers {
		for _, k := range c.Combinations {
			got[c.Name] = append(got[c.Name], k.ID)
		}
	}
	users := r.Targets[0].Containers[0]
	if strings.Join(got["shop.users"], ",") != "account_takeover_kit,identity_theft_kit" {
		t.Errorf("shop.users combinations = %v", got["shop.users"])
	}
	if strings.Join(got[r.Targets[0].Containers[1].Name], ",") != "usable_card" {
		t.Errorf("payments combinations = %v", got)
	}
	if len(got["logs"]) != 0 {
		t.Errorf("a password hash is not a password: logs has %v", got["logs"])
	}
	ato := users.Combinations[0]
	// boost 1 × min confidence 0.9 × volume(800 = fewest of the parts) × anonymous 1
	want := round10(100 * 1 * 0.9 * Volume(800) * 1)
	if ato.Risk != want || ato.EstimatedAffectedDocuments != 800 || ato.Confidence != 0.9 {
		t.Errorf("account takeover kit = %+v, want risk %v, 800 affected, confidence 0.9", ato, want)
	}
	if strings.Join(ato.Categories, "+") != "email+password" {
		t.Errorf("categories = %v", ato.Categories)
	}
	// the combination raises the container above its findings alone
	var risks []float64
	for _, f := range users.Fields {
		risks = append(risks, f.Findings[0].Risk)
	}
	if alone := round10(Combine(risks...)); users.RiskScore <= alone {
		t.Errorf("container risk %v not raised above %v by its combinations", users.RiskScore, alone)
	}
	if r.Summary.Combinations["account_takeover_kit"] != 1 || r.Summary.Combinations["usable_card"] != 1 {
		t.Errorf("summary combinations = %v", r.Summary.Combinations)
	}

	// an empty list turns combinations off; nil means the defaults
	r2 := kitReport()
	Finish(r2, RiskModel{Weight: func(string) float64 { return 0.5 }, Combinations: []CombinationRule{}}, false)
	if len(r2.Targets[0].Containers[0].Combinations) != 0 || r2.Targets[0].Containers[0].RiskScore >= users.RiskScore {
		t.Errorf("combinations not turned off: %+v", r2.Targets[0].Containers[0].Combinations)
	}
}

func TestFindCombinationsAlternatives(t *testing.T) {
	rule := DefaultCombinations[1] // identity theft: name, dob, address or national id
	riskOf := func(w, c float64, n int64) float64 { return 1 }
	tests := []struct {
		name  string
		found []string
		want  bool
	}{
		{"with address", []string{"person_name", "date_of_birth", "street_address"}, true},
		{"with national id", []string{"person_name", "date_of_birth", "national_id"}, true},
		{"with both", []string{"person_name", "date_of_birth", "street_address", "national_id"}, true},
		{"no date of birth", []string{"person_name", "street_address", "national_id"}, false},
		{"nothing", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			found := map[string]partFinding{}
			for _, c := range tc.found {
				found[c] = partFinding{confidence: 0.9, affected: 10}
			}
			got := findCombinations([]CombinationRule{rule}, found, riskOf)
			if (len(got) == 1) != tc.want {
				t.Errorf("got %+v, want found=%v", got, tc.want)
			}
		})
	}
}

func TestNotificationGuidance(t *testing.T) {
	r := kitReport()
	byGroup := map[string]GroupGuidance{}
	for _, g := range r.Summary.NotificationGuidance {
		byGroup[g.Group] = g
	}
	tests := []struct {
		group      string
		notifiable bool
		affected   int64
	}{
		{"credentials", true, 810}, // shop.users 800 + logs 10
		{"payment", true, 50},
		{"identity", true, 1000}, // name, date of birth and address: an identity theft kit
		{"location", true, 10},   // precise coordinates
		{"contact", false, 1010},
	}
	for _, tc := range tests {
		g, ok := byGroup[tc.group]
		if !ok {
			t.Errorf("no guidance for %s", tc.group)
			continue
		}
		if g.UsuallyNotifiable != tc.notifiable || g.EstimatedAffectedDocuments != tc.affected || g.Reason == "" {
			t.Errorf("%s = %+v, want notifiable %v, %d affected", tc.group, g, tc.notifiable, tc.affected)
		}
	}
	if first := r.Summary.NotificationGuidance[0]; !first.UsuallyNotifiable || first.Group != "credentials" {
		t.Errorf("notifiable groups first, most harmful first: %+v", first)
	}

	// IP addresses alone are not precise location; names alone are no kit
	lone := &Report{Targets: []Target{{Kind: "file", Containers: []Container{{Name: "x", Fields: []Field{
		{Path: "ip", Findings: []Finding{{Category: "ip_address", Group: "location", EstimatedAffectedDocuments: 3}}},
		{Path: "name", Findings: []Finding{{Category: "person_name", Group: "identity", EstimatedAffectedDocuments: 3}}},
	}}}}}}
	for _, g := range Guidance(lone) {
		if g.UsuallyNotifiable {
			t.Errorf("%s alone flagged notifiable: %+v", g.Group, g)
		}
	}
}

func TestWriteTableWidth80(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    *Report
	}{{"sample", sampleReport()}, {"kits", kitReport()}} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteTable(&buf, tc.r, TableOptions{Width: 80}); err != nil {
				t.Fatal(err)
			}
			golden(t, "report.table80."+tc.name+".golden", buf.Bytes())
			for i, line := range strings.Split(buf.String(), "\n") {
				if n := utf8.RuneCountInString(line); n > 80 {
					t.Errorf("line %d has %d columns: %q", i+1, n, line)
				}
			}
			if strings.Contains(buf.String(), "\x1b[") {
				t.Error("colour codes without Color")
			}
		})
	}
}

func TestWriteTableColor(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, kitReport(), TableOptions{Width: 80, Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\x1b[31m") {
		t.Error("no colour with Color")
	}
	for i, line := range strings.Split(buf.String(), "\n") {
		if n := visibleLen(line); n > 80 {
			t.Errorf("line %d has %d visible columns: %q", i+1, n, line)
		}
	}
}

func TestKitReportGolden(t *testing.T) {
	for _, format := range []string{"markdown", "html", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, kitReport(), format, TableOptions{}); err != nil {
				t.Fatal(err)
			}
			golden(t, "kits."+format+".golden", buf.Bytes())
		})
	}
}

func TestHTMLEscapesAndIsSelfContained(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, kitReport()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"<script>alert(1)</script>", "<img src=x", `pay"ments`} {
		if strings.Contains(out, bad) {
			t.Errorf("unescaped %q in the HTML", bad)
		}
	}
	if !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the example with markup is not shown escaped")
	}
	if strings.Count(out, "<script>") != 1 {
		t.Errorf("want exactly the one inline script, found %d", strings.Count(out, "<script>"))
	}
	for _, external := range []string{"src=\"http", "href=\"http", "@import", "url(http", "<link"} {
		if strings.Contains(out, external) {
			t.Errorf("external reference %q", external)
		}
	}
	for _, want := range []string{"default-src 'none'", `id="chart-risk"`, `id="chart-heat"`, `id="chart-groups"`, "account takeover kit", "EXPOSED", GuidanceDisclaimer[:40]} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if n := strings.Count(out, `<tr class="finding"`); n != 11 {
		t.Errorf("%d finding rows, want 11", n)
	}
}

func TestMarkdownEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, kitReport()); err != nil {
		t.Fatal(err)
	}
	// code spans show their content literally; outside them no markup may remain
	out := regexp.MustCompile("`[^`]*`").ReplaceAllString(buf.String(), "")
	for _, bad := range []string{"<script>", "<img", "](javascript"} {
		if strings.Contains(out, bad) {
			t.Errorf("markup %q got through", bad)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		// every table row has the same number of unescaped pipes as its header
		cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
		if cells != 7 && cells != 5 && cells != 6 {
			t.Errorf("table row broken by a pipe in the data: %q", line)
		}
	}
}

func TestEmptyReportWriters(t *testing.T) {
	r := &Report{SchemaVersion: SchemaVersion, Tool: Tool{Name: "piisniff", Version: "test"}, Targets: []Target{}}
	Finish(r, RiskModel{}, false)
	for _, format := range Formats {
		var buf bytes.Buffer
		if err := Write(&buf, r, format, TableOptions{Width: 80}); err != nil {
			t.Errorf("%s: %v", format, err)
		}
	}
}

func TestCompare(t *testing.T) {
	old := kitReport()
	new := kitReport()
	users := &new.Targets[0].Containers[0]
	users.Fields = users.Fields[1:] // e-mail fixed: the account takeover kit goes
	pay := &new.Targets[0].Containers[1]
	pay.Fields[0].Findings[0].EstimatedAffectedDocuments = 5000 // more cards
	new.Targets[0].Containers[2].Fields = append(new.Targets[0].Containers[2].Fields,
		Field{Path: "token", Findings: []Finding{{Category: "api_secret", Group: "credentials", Confidence: 0.9, EstimatedAffectedDocuments: 10, Evidence: []string{}, Examples: []string{}}}})
	new.Targets[0].Exposure.AnonymousAccess = false
	Finish(new, RiskModel{Weight: func(string) float64 { return 0.5 }}, false)

	d := Compare(old, new)
	got := map[string]string{}
	for _, c := range d.Findings {
		got[c.Container+" "+c.Path+" "+c.Category] = c.Change
	}
	want := map[string]string{
		"shop.users email_field email": Disappeared,
		"logs token api_secret":        Appeared,
		`pay"ments<img src=x onerror=alert(2)> credit_card_field credit_card`: RiskUp, // more cards outweigh closing anonymous access
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if d.Findings[0].Change != Appeared {
		t.Errorf("appeared findings come first: %+v", d.Findings[0])
	}
	if len(d.Exposure) != 1 || d.Exposure[0].Property != "anonymous_access" || d.Exposure[0].New {
		t.Errorf("exposure changes = %+v", d.Exposure)
	}
	if len(d.Combinations) != 1 || d.Combinations[0].ID != "account_takeover_kit" || d.Combinations[0].Change != Disappeared {
		t.Errorf("combination changes = %+v", d.Combinations)
	}

	moved := kitReport()
	moved.Targets[0].URI = "mongodb://db2.example.internal:27017"
	paired := Compare(old, moved)
	if paired.PairedTargets == nil || paired.PairedTargets.Old != old.Targets[0].URI || len(paired.Findings) != 0 || paired.Unchanged != 11 {
		t.Errorf("one target each, URIs differ: want them paired, got %+v", paired)
	}
	if old.Targets[0].URI != "mongodb://db.example.internal:27017" {
		t.Error("Compare changed its input")
	}

	same := Compare(old, kitReport())
	if len(same.Findings) != 0 || same.Unchanged != 11 || len(same.Exposure) != 0 || same.PairedTargets != nil {
		t.Errorf("a report against itself: %+v", same)
	}

	// Worse keeps only what got worse
	worse := d.Worse(new)
	flat := Flatten(worse)
	if len(flat) != 2 || flat[0].Category != "credit_card" || flat[1].Category != "api_secret" {
		t.Errorf("worse findings = %+v", flat)
	}
	if len(Flatten(new)) == 2 {
		t.Error("Worse changed the report it was given")
	}

	var buf bytes.Buffer
	if err := WriteDiffTable(&buf, d, TableOptions{Width: 80}); err != nil {
		t.Fatal(err)
	}
	golden(t, "diff.table.golden", buf.Bytes())
	for i, line := range strings.Split(buf.String(), "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("diff line %d has %d columns: %q", i+1, n, line)
		}
	}
	buf.Reset()
	if err := WriteDiffJSON(&buf, d); err != nil {
		t.Fatal(err)
	}
	var back Diff
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || len(back.Findings) != len(d.Findings) {
		t.Errorf("diff JSON does not read back: %v", err)
	}
	golden(t, "diff.json.golden", buf.Bytes())
	buf.Reset()
	if err := WriteDiffMarkdown(&buf, d); err != nil {
		t.Fatal(err)
	}
	golden(t, "diff.markdown.golden", buf.Bytes())
	if strings.Contains(regexp.MustCompile("`[^`]*`").ReplaceAllString(buf.String(), ""), "<img") {
		t.Error("markup from the data outside code spans in the Markdown diff")
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\n%s", path, got)
	}
}

func TestTerminalControlCharactersFromData(t *testing.T) {
	r := kitReport()
	r.Targets[0].Containers[0].Name = "users\x1b[2J\x1b]0;owned\x07"
	r.Targets[0].Containers[0].Fields[0].Findings[0].Examples = []string{"\x1b[31mred\x9b1m\r"}
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := WriteTable(&buf, r, TableOptions{Width: 80, Color: color}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, q := range sgr {
			out = strings.ReplaceAll(out, q, "")
		}
		if color {
			// a colour from the data is harmless; nothing else gets through
			out = strings.ReplaceAll(out, "\x1b[31m", "")
		}
		for _, bad := range []string{"\x1b", "\x07", "\r", "\u009b"} {
			if strings.Contains(out, bad) {
				t.Errorf("color=%v: %q reached the terminal", color, bad)
			}
		}
		if !strings.Contains(out, "users?[2J?]0;owned?") {
			t.Errorf("color=%v: container name not shown with ? for control characters:\n%s", color, out)
		}
	}
	var buf bytes.Buffer
	d := Compare(kitReport(), r)
	if err := WriteDiffTable(&buf, d, TableOptions{Width: 80}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(buf.String(), "\x1b\x07") {
		t.Error("control characters in the diff table")
	}
}

func TestValidateAddedFields(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, kitReport()); err != nil {
		t.Fatal(err)
	}
	// a SQL table's primary key
	good := strings.Replace(buf.String(), `"name": "shop.users",`, `"name": "shop.users", "primary_key": ["id"],`, 1)
	if err := Validate([]byte(good)); err != nil {
		t.Fatalf("a report with combinations, guidance and a primary key: %v", err)
	}
	tests := []struct{ name, from, to, want string }{
		{"combination category", `"email",
                "password"`, `"email",
                "pin"`, "combinations[0].categories"},
		{"combination risk", `"risk": 62.1`, `"risk": 120`, "combinations[0].risk"},
		{"guidance type", `"usually_notifiable": true`, `"usually_notifiable": "yes"`, "usually_notifiable"},
		{"primary key type", `"primary_key": ["id"]`, `"primary_key": "id"`, "primary_key"},
		{"primary key element", `"primary_key": ["id"]`, `"primary_key": [1]`, "primary_key[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.from) {
				t.Fatalf("fixture lacks %q", tc.from)
			}
			err := Validate([]byte(strings.Replace(good, tc.from, tc.to, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}
