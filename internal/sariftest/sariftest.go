// Package sariftest validates SARIF files in tests with the official SARIF
// Multitool (@microsoft/sarif-multitool-linux from the npm registry), which
// the first test to need it installs into the user's cache directory. Without
// npm or the registry the test is skipped, except with CI=true, where it
// fails.
package sariftest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// multitoolVersion is the SARIF Multitool the tests validate with.
const multitoolVersion = "5.7.0"

var (
	multitoolOnce sync.Once
	multitoolPath string
	multitoolErr  error
)

// multitool installs the official SARIF Multitool from the npm registry
// into the user's cache directory (once) and returns the path of its
// self-contained binary. Without npm or the registry it skips the test,
// except with CI=true, where it fails.
func multitool(t testing.TB) string {
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

// Errors runs `Sarif.Multitool validate` on data and returns every
// error it reports (on its console and in its log).
func Errors(t testing.TB, data []byte) []string {
	t.Helper()
	bin := multitool(t)
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

// Validate fails the test on any error the Multitool reports.
func Validate(t testing.TB, data []byte) {
	t.Helper()
	for _, e := range Errors(t, data) {
		t.Errorf("SARIF validation: %s", e)
	}
}
