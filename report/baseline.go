package report

import (
	"encoding/json"
	"fmt"
	"os"
)

// BaselineInfo says which report a scan was compared with (--baseline).
type BaselineInfo struct {
	Path string `json:"path"`
	// Findings is how many findings of this report were already in the
	// baseline; New how many were not.
	Findings int `json:"findings"`
	New      int `json:"new"`
	// RiskScore is the baseline's overall risk score.
	RiskScore float64 `json:"risk_score"`
	// Exposures are the exposure conditions the baseline already had, as
	// "anonymous TARGET" or "no-tls TARGET" (target identities).
	Exposures []string `json:"exposures,omitempty"`
}

// ReadReport reads a JSON report.
func ReadReport(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: not a piisniff JSON report: %v", path, err)
	}
	return &r, nil
}

// fingerprints lists the fingerprints of a report's findings (ignored
// findings included: accepting a finding is not forgetting it) and of its
// combinations, computed when the report predates them.
func fingerprints(r *Report) map[string]bool {
	out := map[string]bool{}
	for _, t := range r.Targets {
		for _, c := range t.Containers {
			for _, f := range c.Fields {
				for _, x := range f.Findings {
					out[Fingerprint(t.URI, c.Name, f.Path, x.Category)] = true
				}
			}
			for _, k := range c.Combinations {
				out[combinationFingerprint(t.URI, c.Name, k.ID)] = true
			}
		}
	}
	for _, x := range r.Ignored {
		out[Fingerprint(x.Target, x.Container, x.Path, x.Category)] = true
	}
	return out
}

func exposureKeys(r *Report) []string {
	var out []string
	for _, t := range r.Targets {
		if t.Exposure.AnonymousAccess {
			out = append(out, "anonymous "+TargetIdentity(t.URI))
		}
		if t.Kind != "file" && t.Exposure.Reachable && !t.Exposure.TLS {
			out = append(out, "no-tls "+TargetIdentity(t.URI))
		}
	}
	return out
}

// MarkBaseline marks every finding and combination of r that old already
// had with baseline: true, and records the comparison in r.Baseline.
func MarkBaseline(r, old *Report, path string) {
	known := fingerprints(old)
	info := &BaselineInfo{Path: path, RiskScore: old.Summary.RiskScore, Exposures: exposureKeys(old)}
	for ti := range r.Targets {
		t := &r.Targets[ti]
		for ci := range t.Containers {
			c := &t.Containers[ci]
			for fi := range c.Fields {
				f := &c.Fields[fi]
				for xi := range f.Findings {
					x := &f.Findings[xi]
					x.Baseline = known[Fingerprint(t.URI, c.Name, f.Path, x.Category)]
					if x.Baseline {
						info.Findings++
					} else {
						info.New++
					}
				}
			}
			for ki := range c.Combinations {
				k := &c.Combinations[ki]
				k.Baseline = known[combinationFingerprint(t.URI, c.Name, k.ID)]
			}
		}
	}
	r.Baseline = info
}
