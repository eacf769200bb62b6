package report

import (
	"math"
	"sort"
)

// RiskModel turns findings into risk on a 0–100 scale.
//
// Per finding:
//
//	risk = 100 × weight(category) × confidence × volume(affected) × exposure(target)
//
// weight comes from rules.yaml (credentials and payment highest); volume is
// 0.4 + 0.6 × min(1, log10(1 + affected documents) / 6), so one record
// counts and a million records count fully; exposure is 1.0 for a store that
// answers without authentication, 0.85 for one reached without TLS, 0.7
// otherwise, and 0.8 for files (an export is already out of its store).
//
// A container's, a target's and the whole scan's risk_score combine the
// risks below them as independent chances: 100 × (1 − Π(1 − risk/100)).
type RiskModel struct {
	Weight func(category string) float64
}

// Volume is the volume factor of the model.
func Volume(affected int64) float64 {
	return 0.4 + 0.6*math.Min(1, math.Log10(1+float64(max(affected, 0)))/6)
}

// ExposureFactor is the exposure factor of the model for a target.
func ExposureFactor(kind string, e Exposure) float64 {
	switch {
	case kind == "file":
		return 0.8
	case e.AnonymousAccess:
		return 1.0
	case !e.TLS:
		return 0.85
	}
	return 0.7
}

// Combine folds risks in [0, 100] as independent chances.
func Combine(risks ...float64) float64 {
	keep := 1.0
	for _, r := range risks {
		keep *= 1 - math.Min(100, math.Max(0, r))/100
	}
	return 100 * (1 - keep)
}

// MarginOfError is the half-width of a 95% confidence interval for a
// proportion measured on n sampled documents out of total (worst case
// p = 0.5, with the finite population correction). It is 0 when every
// document was read.
func MarginOfError(n, total int64) float64 {
	if n <= 0 {
		return 1
	}
	if total <= n {
		return 0
	}
	fpc := math.Sqrt(float64(total-n) / float64(total-1))
	return round1000(1.96 * math.Sqrt(0.25/float64(n)) * fpc)
}

func round1000(x float64) float64 { return math.Round(x*1000) / 1000 }
func round10(x float64) float64   { return math.Round(x*10) / 10 }

// Finish computes every risk, sorts findings by risk, fills the summary and
// sets Complete. interrupted says the scan was stopped before its end.
func Finish(r *Report, m RiskModel, interrupted bool) {
	complete := !interrupted
	var targetRisks []float64
	sum := Summary{ByCategory: map[string]CategorySummary{}}
	for ti := range r.Targets {
		t := &r.Targets[ti]
		if t.Error != nil {
			complete = false
			sum.TargetsFailed++
		}
		ef := ExposureFactor(t.Kind, t.Exposure)
		var containerRisks []float64
		for ci := range t.Containers {
			c := &t.Containers[ci]
			if c.Error != nil {
				complete = false
				sum.ContainersFailed++
			}
			if c.Error == nil || c.SampledDocuments > 0 {
				sum.ContainersScanned++
			}
			sum.DocumentsSampled += c.SampledDocuments
			sum.DocumentsSkipped += c.SkippedDocuments
			var risks []float64
			affected := map[string]int64{}
			for fi := range c.Fields {
				f := &c.Fields[fi]
				for xi := range f.Findings {
					x := &f.Findings[xi]
					w := 0.5
					if m.Weight != nil {
						w = m.Weight(x.Category)
					}
					x.Risk = round10(100 * w * x.Confidence * Volume(x.EstimatedAffectedDocuments) * ef)
					if x.MappingOnly {
						x.Risk = round10(x.Risk / 2)
					}
					risks = append(risks, x.Risk)
					affected[x.Category] = max(affected[x.Category], x.EstimatedAffectedDocuments)
				}
				sort.SliceStable(f.Findings, func(a, b int) bool { return f.Findings[a].Risk > f.Findings[b].Risk })
			}
			c.RiskScore = round10(Combine(risks...))
			containerRisks = append(containerRisks, c.RiskScore)
			if len(affected) > 0 {
				sum.ContainersWithFindings++
			}
			for cat, n := range affected {
				cs := sum.ByCategory[cat]
				cs.Containers++
				cs.EstimatedAffectedDocuments += n
				sum.ByCategory[cat] = cs
			}
		}
		t.RiskScore = round10(Combine(containerRisks...))
		targetRisks = append(targetRisks, t.RiskScore)
	}
	sum.RiskScore = round10(Combine(targetRisks...))
	r.Summary = sum
	r.Complete = complete
}
