package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
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
// A combination of categories in one container that enables a harm none of
// them enables alone (see DefaultCombinations) counts as one more finding of
// the container, whose weight is the combination's boost, whose confidence is
// the lowest of its parts and whose affected documents are the fewest of its
// parts:
//
//	risk = 100 × boost × min confidence × volume(min affected) × exposure(target)
//
// A container's, a target's and the whole scan's risk_score is the highest
// risk below it (findings and combinations), raised by each further risk as
// a damped independent chance, from the highest down:
// score ← score + (100 − score) × Damping × risk/100. Many middling
// findings so raise the score without all saturating at 100.
type RiskModel struct {
	Weight func(category string) float64
	// Combinations are the harmful combinations looked for in each
	// container; nil means DefaultCombinations, an empty slice none.
	Combinations []CombinationRule
}

// CombinationRule names a harmful combination of categories.
type CombinationRule struct {
	ID   string
	Name string
	// Requires lists the parts of the combination; a part is present when
	// any of its categories is found in the container.
	Requires [][]string
	// Boost is the weight of the combination in [0, 1].
	Boost float64
}

// DefaultCombinations are the combinations looked for when the model names
// none.
var DefaultCombinations = []CombinationRule{
	{ID: "account_takeover_kit", Name: "account takeover kit", Boost: 1.0,
		Requires: [][]string{{"email"}, {"password"}}},
	{ID: "identity_theft_kit", Name: "identity theft kit", Boost: 0.9,
		Requires: [][]string{{"person_name"}, {"date_of_birth"}, {"street_address", "national_id"}}},
	{ID: "usable_card", Name: "usable card", Boost: 1.0,
		Requires: [][]string{{"credit_card"}, {"card_expiry"}, {"card_cvv"}}},
}

// partFinding is the strongest evidence of one category in a container.
type partFinding struct {
	confidence float64
	affected   int64
}

// findCombinations lists the rules whose every part is present in found.
func findCombinations(rules []CombinationRule, found map[string]partFinding, risk func(w, conf float64, affected int64) float64) []Combination {
	var out []Combination
	for _, rule := range rules {
		if len(rule.Requires) == 0 {
			continue
		}
		c := Combination{ID: rule.ID, Name: rule.Name, Boost: rule.Boost, Confidence: 1, EstimatedAffectedDocuments: -1}
		complete := true
		for _, part := range rule.Requires {
			best, ok := partFinding{}, false
			var cats []string
			for _, cat := range part {
				if p, has := found[cat]; has {
					cats = append(cats, cat)
					if !ok || p.confidence > best.confidence {
						best.confidence = p.confidence
					}
					if !ok || p.affected > best.affected {
						best.affected = p.affected
					}
					ok = true
				}
			}
			if !ok {
				complete = false
				break
			}
			c.Categories = append(c.Categories, cats...)
			c.Confidence = math.Min(c.Confidence, best.confidence)
			if c.EstimatedAffectedDocuments < 0 || best.affected < c.EstimatedAffectedDocuments {
				c.EstimatedAffectedDocuments = best.affected
			}
		}
		if !complete {
			continue
		}
		c.Risk = risk(rule.Boost, c.Confidence, c.EstimatedAffectedDocuments)
		out = append(out, c)
	}
	return out
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

// Damping is how much a risk below the highest adds to a roll-up.
const Damping = 0.1

// Combine rolls risks in [0, 100] up: the highest, raised by each further
// risk as a damped independent chance. The order of risks does not matter.
func Combine(risks ...float64) float64 {
	rs := make([]float64, 0, len(risks))
	for _, r := range risks {
		rs = append(rs, math.Min(100, math.Max(0, r)))
	}
	if len(rs) == 0 {
		return 0
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(rs)))
	score := rs[0]
	for _, r := range rs[1:] {
		score += (100 - score) * Damping * r / 100
	}
	return score
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
//
// A scan is complete when it was not interrupted, no target or container
// failed, and every target had at least one container scanned: a target
// that held nothing readable is not an all-clear.
func Finish(r *Report, m RiskModel, interrupted bool) {
	complete := !interrupted
	rules := m.Combinations
	if rules == nil {
		rules = DefaultCombinations
	}
	var targetRisks []float64
	sum := Summary{ByCategory: map[string]CategorySummary{}}
	for ti := range r.Targets {
		t := &r.Targets[ti]
		if t.Error != nil {
			complete = false
			sum.TargetsFailed++
		}
		sum.ContainersSkipped += len(t.Skipped)
		scanned := 0
		ef := ExposureFactor(t.Kind, t.Exposure)
		riskOf := func(w, conf float64, affected int64) float64 {
			return round10(100 * w * conf * Volume(affected) * ef)
		}
		var containerRisks []float64
		for ci := range t.Containers {
			c := &t.Containers[ci]
			if c.Error != nil {
				complete = false
				sum.ContainersFailed++
			}
			if c.Error == nil || c.SampledDocuments > 0 {
				sum.ContainersScanned++
				scanned++
			}
			sum.DocumentsSampled += c.SampledDocuments
			sum.DocumentsSkipped += c.SkippedDocuments
			var risks []float64
			affected := map[string]int64{}
			parts := map[string]partFinding{}
			for fi := range c.Fields {
				f := &c.Fields[fi]
				for xi := range f.Findings {
					x := &f.Findings[xi]
					w := 0.5
					if m.Weight != nil {
						w = m.Weight(x.Category)
					}
					x.Risk = riskOf(w, x.Confidence, x.EstimatedAffectedDocuments)
					if x.MappingOnly {
						x.Risk = round10(x.Risk / 2)
					}
					risks = append(risks, x.Risk)
					affected[x.Category] = max(affected[x.Category], x.EstimatedAffectedDocuments)
					if !x.MappingOnly {
						p := parts[x.Category]
						p.confidence = math.Max(p.confidence, x.Confidence)
						p.affected = max(p.affected, x.EstimatedAffectedDocuments)
						parts[x.Category] = p
					}
				}
				sort.SliceStable(f.Findings, func(a, b int) bool { return f.Findings[a].Risk > f.Findings[b].Risk })
			}
			c.Combinations = findCombinations(rules, parts, riskOf)
			for _, k := range c.Combinations {
				risks = append(risks, k.Risk)
				if sum.Combinations == nil {
					sum.Combinations = map[string]int{}
				}
				sum.Combinations[k.ID]++
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
		if t.Error == nil && scanned == 0 {
			complete = false
			sum.TargetsEmpty++
		}
		t.RiskScore = round10(Combine(containerRisks...))
		targetRisks = append(targetRisks, t.RiskScore)
	}
	sum.RiskScore = round10(Combine(targetRisks...))
	r.Summary = sum
	r.Summary.NotificationGuidance = Guidance(r)
	r.Complete = complete
	if NothingScanned(r) {
		addNote(r, NothingScannedNote(r))
	}
}

// NothingScanned reports whether the scan read no container at all: its
// report must say so, never "no personal data found".
func NothingScanned(r *Report) bool {
	return r.Summary.ContainersScanned == 0
}

// NothingScannedNote says why nothing was scanned, for a person.
func NothingScannedNote(r *Report) string {
	s := r.Summary
	msg := "nothing was scanned: no container was read"
	var why []string
	if s.TargetsFailed > 0 {
		why = append(why, fmt.Sprintf("%d targets failed", s.TargetsFailed))
	}
	if s.ContainersFailed > 0 {
		why = append(why, fmt.Sprintf("%d containers failed", s.ContainersFailed))
	}
	if s.ContainersSkipped > 0 {
		why = append(why, fmt.Sprintf("%d skipped", s.ContainersSkipped))
	}
	if len(why) == 0 {
		why = append(why, "the targets are empty")
	}
	return msg + " (" + strings.Join(why, ", ") + "); this is not an all-clear"
}

func addNote(r *Report, note string) {
	for _, n := range r.Notes {
		if n == note {
			return
		}
	}
	r.Notes = append(r.Notes, note)
}
