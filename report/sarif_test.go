package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/internal/sariftest"
)

// TestSARIFValidatorCatchesErrors: the validation can fail.
func TestSARIFValidatorCatchesErrors(t *testing.T) {
	bad := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"level":"note"}]}]}`
	if errs := sariftest.Errors(t, []byte(bad)); len(errs) == 0 {
		t.Error("a result without a message passed validation")
	}
}

// sarifFixture is the kit report with a baseline, an ignored finding, an
// expired ignore entry and a raw example that must not reach the SARIF file.
func sarifFixture(t *testing.T) *Report {
	r := kitReport()
	ig, err := ParseIgnore(".piisniffignore", []byte(`
- container: "shop.users"
  categories: [street_address]
  reason: addresses of our own offices
- fingerprint: 0123456789abcdef01234567
  reason: old test data
  expires: 2020-01-01
`))
	if err != nil {
		t.Fatal(err)
	}
	Finish(r, RiskModel{Weight: func(string) float64 { return 0.5 }, Ignore: ig}, false)
	old := kitReport()
	old.Targets[0].Containers = old.Targets[0].Containers[:1]
	Finish(old, RiskModel{}, false)
	MarkBaseline(r, old, "old.json")
	r.Targets[0].Containers[1].Fields[0].Findings[0].Examples = []string{"4111111111111111", "**** 1111"}
	return r
}

func TestSARIFValidates(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, sarifFixture(t)); err != nil {
		t.Fatal(err)
	}
	sariftest.Validate(t, buf.Bytes())
}

func TestSARIFContent(t *testing.T) {
	r := sarifFixture(t)
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "4111111111111111") {
		t.Error("a raw example reached the SARIF file")
	}
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID   string `json:"id"`
						Help struct {
							Text string `json:"text"`
						} `json:"help"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID              string            `json:"ruleId"`
				Level               string            `json:"level"`
				BaselineState       string            `json:"baselineState"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Suppressions        []struct {
					Justification string `json:"justification"`
				} `json:"suppressions"`
				Locations []struct {
					LogicalLocations []struct {
						FullyQualifiedName string `json:"fullyQualifiedName"`
					} `json:"logicalLocations"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 {
		t.Fatalf("version %q, %d runs", doc.Version, len(doc.Runs))
	}
	run := doc.Runs[0]
	flat := Flatten(r)
	if len(run.Results) != len(flat)+len(r.Ignored) {
		t.Errorf("%d results, want %d findings + %d ignored", len(run.Results), len(flat), len(r.Ignored))
	}
	cats := map[string]bool{}
	for _, f := range flat {
		cats[f.Category] = true
	}
	for _, f := range r.Ignored {
		cats[f.Category] = true
	}
	if len(run.Tool.Driver.Rules) != len(cats) {
		t.Errorf("%d rules, want one per category (%d)", len(run.Tool.Driver.Rules), len(cats))
	}
	for _, rule := range run.Tool.Driver.Rules {
		if rule.Help.Text == "" || rule.Properties["group"] != Categories[rule.ID] {
			t.Errorf("rule %s lacks help or group: %+v", rule.ID, rule)
		}
	}
	fps := map[string]bool{}
	var suppressed, unchanged int
	for _, res := range run.Results {
		fp := res.PartialFingerprints["piisniffFinding/v1"]
		if fp == "" || fps[fp] {
			t.Errorf("result %s: fingerprint %q missing or repeated", res.RuleID, fp)
		}
		fps[fp] = true
		if len(res.Locations) != 1 || len(res.Locations[0].LogicalLocations) != 1 ||
			!strings.Contains(res.Locations[0].LogicalLocations[0].FullyQualifiedName, " › ") {
			t.Errorf("result %s: no logical location store › container › field", res.RuleID)
		}
		if len(res.Suppressions) > 0 {
			suppressed++
			if !strings.Contains(res.Suppressions[0].Justification, "addresses of our own offices") {
				t.Errorf("suppression without the reason: %+v", res.Suppressions)
			}
		}
		if res.BaselineState == "unchanged" {
			unchanged++
		}
		// the kit store answers anyone: credentials and cards are critical
		if (res.RuleID == "password" || res.RuleID == "credit_card") && res.Level != "error" {
			t.Errorf("%s level %q, want error", res.RuleID, res.Level)
		}
	}
	if suppressed != 1 || unchanged == 0 {
		t.Errorf("%d suppressed (want 1), %d unchanged (want some)", suppressed, unchanged)
	}
	// the fingerprints do not change between runs
	var again bytes.Buffer
	r2 := sarifFixture(t)
	r2.StartedAt = r2.StartedAt.Add(time.Hour)
	if err := WriteSARIF(&again, r2); err != nil {
		t.Fatal(err)
	}
	for fp := range fps {
		if !strings.Contains(again.String(), fp) {
			t.Errorf("fingerprint %s changed between runs", fp)
		}
	}
}
