package report

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

// The risk model's promises, checked over many random models (weights,
// sensitivities, matrices, bands, damping) and random reports. Only the
// sensitivity of plaintext credentials and full card data stays fixed (very
// high), and every random matrix passes CheckMatrix, as the loader demands.

const propertyRounds = 300

var fixedVeryHigh = map[string]bool{"password": true, "api_secret": true, "credit_card": true, "card_cvv": true}

func allCategories() []string { return sortedKeys(Categories) }

func randomModel(rng *rand.Rand, combos bool) RiskModel {
	weights := map[string]float64{}
	sens := map[string]int{}
	for _, c := range allCategories() {
		weights[c] = rng.Float64()
		sens[c] = 1 + rng.IntN(4)
		if fixedVeryHigh[c] {
			sens[c] = SensVeryHigh
		}
	}
	var mx Matrix
	for {
		for s := SensLow; s <= SensVeryHigh; s++ {
			up := func(base int) int { return min(RiskCritical, base+rng.IntN(2)) }
			below := func(e int) int {
				if s == SensLow {
					return RiskLow
				}
				return mx[s-1][e]
			}
			mx[s][ExpAuthenticatedTLS] = up(below(ExpAuthenticatedTLS))
			mx[s][ExpUnknown] = up(max(below(ExpUnknown), mx[s][ExpAuthenticatedTLS]))
			mx[s][ExpNoTLS] = up(max(below(ExpNoTLS), mx[s][ExpAuthenticatedTLS]))
			mx[s][ExpAnonymous] = up(max(below(ExpAnonymous), mx[s][ExpNoTLS]))
		}
		mx[SensVeryHigh][ExpAnonymous] = RiskCritical
		if CheckMatrix(&mx) == nil {
			break
		}
	}
	cuts := rng.Perm(101)[:8]
	sort.Ints(cuts)
	var bands Bands
	for l := RiskLow; l <= RiskCritical; l++ {
		bands[l] = Band{Min: float64(cuts[2*(l-1)]), Max: float64(cuts[2*(l-1)+1]), Meaning: RiskLevelNames[l]}
	}
	m := RiskModel{
		Weight:      func(c string) float64 { return weights[c] },
		Sensitivity: func(c string) int { return sens[c] },
		Matrix:      &mx,
		Bands:       &bands,
		Damping:     0.01 + 0.99*rng.Float64(),
	}
	if !combos {
		m.Combinations = []CombinationRule{}
	}
	return m
}

func randomFinding(rng *rand.Rand, cat string) Finding {
	affected := int64(0)
	if rng.IntN(4) > 0 {
		affected = rng.Int64N(10_000_000)
	}
	return Finding{Category: cat, Group: Categories[cat], Confidence: 0.5 + 0.5*rng.Float64(),
		Evidence: []string{"value"}, EstimatedAffectedDocuments: affected, MatchedDocuments: affected,
		MappingOnly: rng.IntN(10) == 0, Examples: []string{}}
}

func randomReport(rng *rand.Rand) *Report {
	cats := allCategories()
	r := &Report{SchemaVersion: SchemaVersion}
	for ti := 0; ti < 1+rng.IntN(3); ti++ {
		t := Target{URI: fmt.Sprintf("mongodb://db%d.example:27017", ti), Kind: "mongodb",
			Exposure: Exposure{Reachable: true, AnonymousAccess: rng.IntN(2) == 0, TLS: rng.IntN(2) == 0}}
		if rng.IntN(4) == 0 {
			t.Kind, t.URI = "file", fmt.Sprintf("./dump%d", ti)
		}
		for ci := 0; ci < 1+rng.IntN(4); ci++ {
			c := Container{Name: fmt.Sprintf("c%d", ci), EstimatedDocuments: 100, SampledDocuments: 100}
			for fi := 0; fi < rng.IntN(7); fi++ {
				c.Fields = append(c.Fields, Field{Path: fmt.Sprintf("f%d", fi), Findings: []Finding{randomFinding(rng, cats[rng.IntN(len(cats))])}})
			}
			t.Containers = append(t.Containers, c)
		}
		r.Targets = append(r.Targets, t)
	}
	return r
}

func clone(t *testing.T, r *Report) *Report {
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var out Report
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

func inBand(m RiskModel, level string, score float64) bool {
	l := levelIndex(level)
	if l == 0 {
		return score == 0
	}
	b := m.bands()[l]
	return score >= b.Min && score <= b.Max
}

// scores lists every score of a finished report by a stable key.
func scores(r *Report) map[string]float64 {
	out := map[string]float64{"scan": r.Summary.RiskScore}
	for _, t := range r.Targets {
		out["t "+t.URI] = t.RiskScore
		for _, c := range t.Containers {
			out["c "+t.URI+" "+c.Name] = c.RiskScore
			for _, f := range c.Fields {
				for _, x := range f.Findings {
					out["f "+t.URI+" "+c.Name+" "+f.Path+" "+x.Category] = x.Risk
				}
			}
		}
	}
	return out
}

func TestRiskPropertyScoresInTheirBand(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 17))
	for i := 0; i < propertyRounds; i++ {
		m := randomModel(rng, true)
		if err := m.Validate(); err != nil {
			t.Fatalf("round %d: the generator made an invalid model: %v", i, err)
		}
		r := randomReport(rng)
		Finish(r, m, false)
		check := func(what, level string, score float64) {
			if !inBand(m, level, score) {
				t.Fatalf("round %d: %s score %v outside the band of %q (%+v)", i, what, score, level, m.bands())
			}
		}
		check("scan", r.Summary.RiskLevel, r.Summary.RiskScore)
		for _, tg := range r.Targets {
			check("target", tg.RiskLevel, tg.RiskScore)
			for _, c := range tg.Containers {
				check("container", c.RiskLevel, c.RiskScore)
				for _, f := range c.Fields {
					for _, x := range f.Findings {
						check("finding", x.RiskLevel, x.Risk)
						if levelIndex(x.RiskLevel) > levelIndex(c.RiskLevel) {
							t.Fatalf("round %d: finding %s above its container %s", i, x.RiskLevel, c.RiskLevel)
						}
					}
				}
			}
		}
	}
}

func TestRiskPropertyAnonymousCredentialsOrCardsAreCritical(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 17))
	for i := 0; i < propertyRounds; i++ {
		m := randomModel(rng, rng.IntN(2) == 0)
		r := randomReport(rng)
		r.Targets[0].Kind, r.Targets[0].URI = "mongodb", "mongodb://open.example:27017"
		r.Targets[0].Exposure = Exposure{Reachable: true, AnonymousAccess: true}
		cat := []string{"password", "api_secret", "credit_card", "card_cvv"}[rng.IntN(4)]
		x := randomFinding(rng, cat)
		c := &r.Targets[0].Containers[0]
		c.Fields = append(c.Fields, Field{Path: "secret", Findings: []Finding{x}})
		Finish(r, m, false)
		crit := m.bands()[RiskCritical].Min
		if c.RiskLevel != "critical" || r.Targets[0].RiskLevel != "critical" || r.Summary.RiskLevel != "critical" ||
			c.RiskScore < crit || r.Summary.RiskScore < crit {
			t.Fatalf("round %d: %s in an anonymous store: container %s %v, target %s, scan %s %v", i, cat,
				c.RiskLevel, c.RiskScore, r.Targets[0].RiskLevel, r.Summary.RiskLevel, r.Summary.RiskScore)
		}
	}
}

func TestRiskPropertyRemovingAFindingNeverRaisesAScore(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 17))
	for i := 0; i < propertyRounds; i++ {
		m := randomModel(rng, true)
		r := randomReport(rng)
		before := clone(t, r)
		Finish(before, m, false)
		// remove one random finding
		var where [][3]int
		for ti, tg := range r.Targets {
			for ci, c := range tg.Containers {
				for fi := range c.Fields {
					where = append(where, [3]int{ti, ci, fi})
				}
			}
		}
		if len(where) == 0 {
			continue
		}
		w := where[rng.IntN(len(where))]
		c := &r.Targets[w[0]].Containers[w[1]]
		c.Fields = append(c.Fields[:w[2]:w[2]], c.Fields[w[2]+1:]...)
		Finish(r, m, false)
		old := scores(before)
		for k, v := range scores(r) {
			if v > old[k] {
				t.Fatalf("round %d: removing a finding raised %s from %v to %v", i, k, old[k], v)
			}
		}
	}
}

func TestRiskPropertyRemovingTheWorstCategoryLowersToTheNextLevel(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 17))
	for i := 0; i < propertyRounds; i++ {
		m := randomModel(rng, false)
		r := randomReport(rng)
		Finish(r, m, false)
		for ti := range r.Targets {
			tg := &r.Targets[ti]
			exp := ExposureLevel(*tg)
			for ci := range tg.Containers {
				c := &tg.Containers[ci]
				worst := levelIndex(c.RiskLevel)
				if worst == 0 {
					continue
				}
				var kept []Field
				next := 0
				for _, f := range c.Fields {
					var xs []Finding
					for _, x := range f.Findings {
						l := m.Level(m.sensitivity(x.Category), exp)
						if l == worst {
							continue
						}
						next = max(next, l)
						xs = append(xs, x)
					}
					if len(xs) > 0 {
						kept = append(kept, Field{Path: f.Path, Findings: xs})
					}
				}
				c.Fields = kept
				c.RiskLevel = ""
			}
		}
		before := clone(t, r)
		Finish(r, m, false)
		for ti, tg := range r.Targets {
			exp := ExposureLevel(tg)
			for ci, c := range tg.Containers {
				next := 0
				for _, f := range before.Targets[ti].Containers[ci].Fields {
					for _, x := range f.Findings {
						next = max(next, m.Level(m.sensitivity(x.Category), exp))
					}
				}
				if levelIndex(c.RiskLevel) != next {
					t.Fatalf("round %d: after removing the worst level, container %s is %q, want %q", i, c.Name, c.RiskLevel, RiskLevelNames[next])
				}
			}
		}
	}
}

func TestRiskPropertyMoreExposedNeverLower(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 17))
	for i := 0; i < propertyRounds; i++ {
		m := randomModel(rng, true)
		base := randomReport(rng)
		at := func(e Exposure) map[string]float64 {
			r := clone(t, base)
			for ti := range r.Targets {
				r.Targets[ti].Kind = "mongodb"
				r.Targets[ti].URI = fmt.Sprintf("mongodb://db%d.example:27017", ti)
				r.Targets[ti].Exposure = e
			}
			Finish(r, m, false)
			return scores(r)
		}
		anon := at(Exposure{Reachable: true, AnonymousAccess: true})
		noTLS := at(Exposure{Reachable: true})
		tls := at(Exposure{Reachable: true, TLS: true})
		for k := range tls {
			if !(anon[k] >= noTLS[k] && noTLS[k] >= tls[k]) {
				t.Fatalf("round %d: %s: anonymous %v, no TLS %v, TLS %v", i, k, anon[k], noTLS[k], tls[k])
			}
		}
	}
}

func TestRiskPropertyVolumeStaysInTheBand(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 17))
	cats := allCategories()
	for i := 0; i < propertyRounds; i++ {
		m := randomModel(rng, false)
		cat := cats[rng.IntN(len(cats))]
		e := Exposure{Reachable: true, AnonymousAccess: rng.IntN(2) == 0, TLS: rng.IntN(2) == 0}
		kind := []string{"mongodb", "file"}[rng.IntN(2)]
		one := func(n int64) Finding {
			r := &Report{Targets: []Target{{URI: "x://h", Kind: kind, Exposure: e, Containers: []Container{{Name: "c",
				Fields: []Field{{Path: "p", Findings: []Finding{{Category: cat, Confidence: 0.5 + 0.5*rng.Float64(), EstimatedAffectedDocuments: n}}}}}}}}}
			Finish(r, m, false)
			return r.Targets[0].Containers[0].Fields[0].Findings[0]
		}
		a, b := one(1), one(1_000_000)
		if a.RiskLevel != b.RiskLevel || !inBand(m, a.RiskLevel, a.Risk) || !inBand(m, b.RiskLevel, b.Risk) {
			t.Fatalf("round %d: %s: one record %s %v, a million %s %v", i, cat, a.RiskLevel, a.Risk, b.RiskLevel, b.Risk)
		}
	}
}

// TestRiskModelValidateRejects: the promises the properties rely on are
// enforced on configured models.
func TestRiskModelValidateRejects(t *testing.T) {
	bad := func(edit func(*Matrix, *Bands)) RiskModel {
		mx, b := DefaultMatrix, DefaultBands
		edit(&mx, &b)
		return RiskModel{Matrix: &mx, Bands: &b}
	}
	tests := []struct {
		name string
		m    RiskModel
	}{
		{"anonymous below no tls", bad(func(m *Matrix, _ *Bands) { m[SensHigh][ExpAnonymous] = RiskModerate })},
		{"credentials anonymous not critical", bad(func(m *Matrix, _ *Bands) { m[SensVeryHigh][ExpAnonymous] = RiskHigh })},
		{"more sensitive lower", bad(func(m *Matrix, _ *Bands) { m[SensLow][ExpAuthenticatedTLS] = RiskHigh })},
		{"overlapping bands", bad(func(_ *Matrix, b *Bands) { b[RiskHigh].Min = 50 })},
		{"band out of range", bad(func(_ *Matrix, b *Bands) { b[RiskCritical].Max = 120 })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.m.Validate(); err == nil {
				t.Error("accepted")
			}
		})
	}
	if err := (RiskModel{}).Validate(); err != nil {
		t.Errorf("the default model is invalid: %v", err)
	}
}
