package examplegen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/piisniff/piisniff/report"
)

// ReadExpected reads examplesDir/ExpectedFile.
func ReadExpected(examplesDir string) (Expected, error) {
	var e Expected
	raw, err := os.ReadFile(filepath.Join(examplesDir, ExpectedFile))
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return e, fmt.Errorf("%s: %w", ExpectedFile, err)
	}
	return e, nil
}

// CheckRisk checks the overall risk level of a scan of the example.
func (e Expected) CheckRisk(r *report.Report) error {
	if r.Summary.RiskLevel != e.RiskLevel {
		return fmt.Errorf("risk level %q (score %.1f), want %q", r.Summary.RiskLevel, r.Summary.RiskScore, e.RiskLevel)
	}
	return nil
}

// MissingPlanted checks a scan of the example loaded into a store:
// containerOf names the container holding a planted field's file ("" when
// the store does not hold that file). It returns each planted field the
// containers do not report with its category, and how many were checked.
func (e Expected) MissingPlanted(containers []report.Container, containerOf func(file string) string) (missing []string, checked int) {
	byName := map[string]report.Container{}
	for _, c := range containers {
		byName[c.Name] = c
	}
	for _, p := range e.Planted {
		name := containerOf(p.File)
		if name == "" {
			continue
		}
		checked++
		c, ok := byName[name]
		if !ok {
			missing = append(missing, fmt.Sprintf("%s (%s): no container", name, p.File))
			continue
		}
		if !HasFinding(c, p.Path, p.Category) {
			missing = append(missing, fmt.Sprintf("%s: %s not reported as %s", name, p.Path, p.Category))
		}
	}
	return missing, checked
}

// HasFinding reports whether the container reports category at path.
func HasFinding(c report.Container, path, category string) bool {
	for _, f := range c.Fields {
		if f.Path != path {
			continue
		}
		for _, fd := range f.Findings {
			if fd.Category == category {
				return true
			}
		}
	}
	return false
}
