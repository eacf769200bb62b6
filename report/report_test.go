package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func sampleReport() *Report {
	errMsg := "connection refused: is the server running on 10.0.0.9:27017?"
	r := &Report{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "piisniff", Version: "test"},
		StartedAt:     time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
		FinishedAt:    time.Date(2026, 11, 24, 10, 0, 42, 0, time.UTC),
		Targets: []Target{
			{
				URI: "mongodb://admin:***@db.example.internal:27017", Kind: "mongodb",
				Exposure: Exposure{Reachable: true, AnonymousAccess: true, Server: "MongoDB 7.0.4", Notes: []string{"listDatabases succeeded without credentials"}},
				Containers: []Container{{
					Name: "shop.users", EstimatedDocuments: 1250000, SampledDocuments: 10000, SamplingMethod: "$sample", MarginOfError: MarginOfError(10000, 1250000),
					Fields: []Field{
						{Path: "contacts[].phone", Findings: []Finding{{Category: "phone", Group: "contact", Confidence: 0.97,
							Evidence: []string{"value", "field_name"}, MatchedDocuments: 9412, MatchRatio: 0.9412,
							EstimatedAffectedDocuments: 1176500, Examples: []string{"+1 ***-***-4567"}}}},
						{Path: "password", Findings: []Finding{{Category: "password", Group: "credentials", Confidence: 0.9,
							Evidence: []string{"field_name"}, MatchedDocuments: 10000, MatchRatio: 1,
							EstimatedAffectedDocuments: 1250000, Examples: []string{"********"}}}},
					},
				}},
			},
			{URI: "mongodb://10.0.0.9:27017", Kind: "mongodb", Error: &errMsg, Containers: []Container{}, Exposure: Exposure{Notes: []string{}}},
		},
	}
	weights := map[string]float64{"password": 1, "phone": 0.5}
	Finish(r, RiskModel{Weight: func(c string) float64 { return weights[c] }}, false)
	return r
}

func TestWritersGolden(t *testing.T) {
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, sampleReport(), format, TableOptions{Width: 100}); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "report."+format+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./report -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s output differs from %s:\n%s", format, golden, buf.String())
			}
		})
	}
	if err := Write(&bytes.Buffer{}, sampleReport(), "xml", TableOptions{}); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestJSONValidates(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	if err := Validate(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
}

func TestValidateRejects(t *testing.T) {
	var buf bytes.Buffer
	_ = WriteJSON(&buf, sampleReport())
	good := buf.String()
	tests := []struct {
		name, from, to, want string
	}{
		{"credential in uri", `"mongodb://admin:***@`, `"mongodb://admin:hunter2@`, "credential"},
		{"unknown category", `"category": "phone"`, `"category": "telephone"`, "taxonomy"},
		{"wrong group", `"group": "contact"`, `"group": "identity"`, "group"},
		{"confidence out of range", `"confidence": 0.97`, `"confidence": 1.7`, "confidence"},
		{"missing field", `"complete": false,`, ``, "complete is missing"},
		{"unknown kind", `"kind": "mongodb"`, `"kind": "cassandra"`, "kind"},
		{"wrong type", `"sampled_documents": 10000`, `"sampled_documents": "10000"`, "sampled_documents"},
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

func TestFinishRiskAndSummary(t *testing.T) {
	r := sampleReport()
	if r.Complete {
		t.Error("a failed target must make the report incomplete")
	}
	c := r.Targets[0].Containers[0]
	pw := c.Fields[1].Findings[0]
	// very high × anonymous = critical (80–100); position 1 × 0.9 × volume(1.25M)=1
	if pw.Risk != 98 || pw.RiskLevel != "critical" || pw.Sensitivity != "very_high" {
		t.Errorf("password risk = %v %s %s, want 98 critical very_high", pw.Risk, pw.RiskLevel, pw.Sensitivity)
	}
	// phone: moderate × anonymous = high (60–79), the container follows the
	// password alone: the phone is below its level
	if ph := c.Fields[0].Findings[0]; ph.RiskLevel != "high" || ph.Risk < 60 || ph.Risk > 79 {
		t.Errorf("phone = %v %s, want high", ph.Risk, ph.RiskLevel)
	}
	if c.RiskScore != pw.Risk || r.Summary.RiskScore != pw.Risk || r.Summary.RiskLevel != "critical" {
		t.Errorf("container %v summary %v %s, want %v critical", c.RiskScore, r.Summary.RiskScore, r.Summary.RiskLevel, pw.Risk)
	}
	if r.Targets[0].ExposureLevel != "anonymous" || r.Summary.RiskMeaning != DefaultBands[RiskCritical].Meaning {
		t.Errorf("exposure level %q, meaning %q", r.Targets[0].ExposureLevel, r.Summary.RiskMeaning)
	}
	s := r.Summary
	if s.ContainersScanned != 1 || s.ContainersWithFindings != 1 || s.TargetsFailed != 1 || s.DocumentsSampled != 10000 {
		t.Errorf("summary = %+v", s)
	}
	if s.ByCategory["phone"].EstimatedAffectedDocuments != 1176500 {
		t.Errorf("by_category = %+v", s.ByCategory)
	}
}

func TestRiskModelFactors(t *testing.T) {
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"one record", VolumeFraction(1), math.Log10(2) / 6},
		{"a million", VolumeFraction(1_000_000), 1},
		{"no records", VolumeFraction(0), 0},
		{"anonymous", float64(ExposureLevel(Target{Kind: "mongodb", Exposure: Exposure{AnonymousAccess: true}})), ExpAnonymous},
		{"no tls", float64(ExposureLevel(Target{Kind: "elasticsearch"})), ExpNoTLS},
		{"tls and auth", float64(ExposureLevel(Target{Kind: "elasticsearch", Exposure: Exposure{TLS: true}})), ExpAuthenticatedTLS},
		{"file", float64(ExposureLevel(Target{Kind: "file", Exposure: Exposure{AnonymousAccess: true}})), ExpUnknown},
		{"score bottom of band", RiskModel{}.Score(RiskHigh, 0), 60},
		{"score top of band", RiskModel{}.Score(RiskHigh, 1), 79},
		{"score rounds down", RiskModel{}.Score(RiskLow, 0.5), 19.5},
		{"combine", Combine(50, 50), 52.5},
		{"combine any order", Combine(10, 80, 30), Combine(80, 30, 10)},
		{"combine none", Combine(), 0},
		{"combine clamps", Combine(150), 100},
		{"margin full read", MarginOfError(100, 100), 0},
		{"margin 10k of 1M", MarginOfError(10000, 1_000_000), 0.01},
	}
	for _, tc := range tests {
		if math.Abs(tc.got-tc.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestNDJSONLinesAreFindings(t *testing.T) {
	var buf bytes.Buffer
	_ = WriteNDJSON(&buf, sampleReport())
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	var f FlatFinding
	if err := json.Unmarshal([]byte(lines[0]), &f); err != nil {
		t.Fatal(err)
	}
	if f.Category != "password" || f.Container != "shop.users" || f.Path != "password" || f.Target == "" {
		t.Errorf("first line = %+v (want the riskiest finding first)", f)
	}
}

func FuzzValidate(f *testing.F) {
	var buf bytes.Buffer
	_ = WriteJSON(&buf, sampleReport())
	f.Add(buf.Bytes())
	f.Add([]byte(`{"schema_version":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = Validate(data) // must not panic
	})
}
