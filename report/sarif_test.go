package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// multitoolVersion is the SARIF Multitool the tests validate with.
const multitoolVersion = "5.7.0"

var (
	multitoolOnce sync.Once
	multitoolPath string
	multitoolErr  error
)

// sarifMultitool installs the official SARIF Multitool from the npm registry
// into the user's cache directory (once) and returns the path of its
// self-contained binary. Without npm or the registry it skips the test,
// except with CI=true, where it fails.
func sarifMultitool(t *testing.T) string {
	t.Helper()
	multitoolOnce.Do(func() { multitoolPath, multitoolErr = installMultitool() })
	if multitoolErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the SARIF Multitool is needed with CI=true: %v", multitoolErr)
		}
		t.Skipf("skipping SARIF validation: %v (install npm, or run with CI=true to make this a failure)", multitoolErr)
	}
	return multitoolPath
}

func installMultitool() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "piisniff-test", "sarif-multitool-"+multitoolVersion)
	bin := filepath.Join(dir, "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool")
	if _, err := os.Stat(bin); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			return "", fmt.Errorf("npm is not installed")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		cmd := exec.Command(npm, "install", "--no-audit", "--no-fund", "--prefix", dir, "@microsoft/sarif-multitool-linux@"+multitoolVersion)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("npm install @microsoft/sarif-multitool-linux@%s: %v\n%s", multitoolVersion, err, out)
		}
	}
	// npm may not run the package's install script, which sets the mode
	if err := os.Chmod(bin, 0o755); err != nil {
		return "", err
	}
	return bin, nil
}

// sarifErrors runs `Sarif.Multitool validate` on data and returns every
// error it reports (on its console and in its log).
func sarifErrors(t *testing.T, data []byte) []string {
	t.Helper()
	bin := sarifMultitool(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "report.sarif")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "validation.sarif")
	cmd := exec.Command(bin, "validate", in, "--output", out)
	cmd.Env = append(os.Environ(), "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1", "DOTNET_CLI_TELEMETRY_OPTOUT=1")
	text, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("Sarif.Multitool validate: %v\n%s", err, text)
	}
	var errs []string
	for _, line := range strings.Split(string(text), "\n") {
		if strings.Contains(line, ": error ") {
			errs = append(errs, line)
		}
	}
	// the validation log is itself SARIF: results of level error count
	// (an absent level is SARIF's default, warning: style advice such as
	// regions in a file or numeric versions is not an error)
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("Sarif.Multitool validate wrote no log: %v\n%s", err, text)
	}
	if err := json.Unmarshal(raw, &log); err != nil {
		t.Fatalf("validation log: %v", err)
	}
	for _, run := range log.Runs {
		for _, res := range run.Results {
			if res.Level == "error" {
				errs = append(errs, res.RuleID+": "+res.Message.Text)
			}
		}
	}
	return errs
}

// validateSARIF fails the test on any error the Multitool reports.
func validateSARIF(t *testing.T, data []byte) {
	t.Helper()
	for _, e := range sarifErrors(t, data) {
		t.Errorf("SARIF validation: %s", e)
	}
}

// TestSARIFValidatorCatchesErrors: the validation can fail.
func TestSARIFValidatorCatchesErrors(t *testing.T) {
	bad := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"level":"note"}]}]}`
	if errs := sarifErrors(t, []byte(bad)); len(errs) == 0 {
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
	validateSARIF(t, buf.Bytes())
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
