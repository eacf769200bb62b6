package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Risk model, version 2.
//
// Every finding gets a sensitivity level from its category (credentials and
// full payment data highest; national ids, passports and dates of birth
// next; location and contact data; device and travel data lowest), raised
// when the finding is part of a harmful combination found in its container.
// Every target gets an exposure level: it answers without authentication
// (anonymous), it needs credentials but is reached without TLS (no_tls), it
// needs credentials over TLS (authenticated_tls), or it is a dump or export
// whose exposure piisniff cannot know (unknown).
//
// A matrix turns (sensitivity, exposure) into a risk level: low, moderate,
// high or critical. Each level owns a band of the 0–100 scale; a finding's
// risk is placed inside its band by
//
//	position = weight(category) × confidence × volume(estimated records)
//
// with volume = min(1, log10(1 + records)/6) (one record barely moves it, a
// million fills the band), halved for a finding seen in a mapping only. The
// position never leaves the band: volume moves a score within its band, never
// across it.
//
// A container's, a target's and the scan's risk_score follow the worst level
// below them: the level is the worst item's, the position is the highest
// position of the items at that level, raised by each further item at that
// level as a damped independent chance
// (position ← 1 − (1 − position) × (1 − damping × other)). So more findings
// raise a score within its band, never across it, and removing a finding
// never raises a score.
//
// Weights, sensitivities, the matrix, the bands and the damping are
// configured in rules.yaml (risk section); the defaults below match it.

// Sensitivity levels of a finding, lowest first.
const (
	SensLow = iota + 1
	SensModerate
	SensHigh
	SensVeryHigh
)

// SensitivityNames names the sensitivity levels by number (index 0 unused).
var SensitivityNames = [5]string{"", "low", "moderate", "high", "very_high"}

// Risk levels, lowest first.
const (
	RiskLow = iota + 1
	RiskModerate
	RiskHigh
	RiskCritical
)

// RiskLevelNames names the risk levels by number (index 0: no finding).
var RiskLevelNames = [5]string{"", "low", "moderate", "high", "critical"}

// Exposure levels of a target, by index in the matrix.
const (
	ExpAuthenticatedTLS = iota
	ExpUnknown
	ExpNoTLS
	ExpAnonymous
)

// ExposureLevelNames names the exposure levels by index.
var ExposureLevelNames = [4]string{"authenticated_tls", "unknown", "no_tls", "anonymous"}

// ExposureMeanings says in one sentence what each exposure level means.
var ExposureMeanings = [4]string{
	"needs credentials and is reached over TLS",
	"exposure unknown: treat as leaked if it was found outside your systems",
	"needs credentials, but data and credentials cross the network without TLS",
	"answers anyone, without credentials",
}

// Matrix gives the risk level (1–4) of each sensitivity level (rows 1–4;
// row 0 unused) at each exposure level (columns by Exp* index).
type Matrix [5][4]int

// DefaultMatrix is the built-in matrix (rules.yaml risk.matrix).
var DefaultMatrix = Matrix{
	{},
	SensLow:      {RiskLow, RiskLow, RiskLow, RiskModerate},
	SensModerate: {RiskLow, RiskModerate, RiskModerate, RiskHigh},
	SensHigh:     {RiskModerate, RiskHigh, RiskHigh, RiskCritical},
	SensVeryHigh: {RiskHigh, RiskCritical, RiskCritical, RiskCritical},
}

// Band is the part of the 0–100 scale a risk level owns.
type Band struct {
	Min, Max float64
	// Meaning says in one sentence what a score in this band means.
	Meaning string
}

// Bands are the bands of the risk levels 1–4 (index 0 unused).
type Bands [5]Band

// DefaultBands are the built-in bands (rules.yaml risk.bands).
var DefaultBands = Bands{
	{},
	RiskLow:      {0, 39, "personal data that is hard to misuse or well protected: review when convenient"},
	RiskModerate: {40, 59, "personal data that could harm people if it leaked: restrict access and plan a fix"},
	RiskHigh:     {60, 79, "sensitive data with weak protection, or the most sensitive data well protected: fix soon"},
	RiskCritical: {80, 100, "data that enables fraud or account takeover, open to anyone or unprotected: act now, it may already have leaked"},
}

// DefaultDamping is how much each further item at the worst level raises a
// position.
const DefaultDamping = 0.1

// DefaultSensitivity is the built-in sensitivity of a category
// (rules.yaml risk.sensitivity); unknown categories are moderate.
func DefaultSensitivity(category string) int {
	switch category {
	case "password", "api_secret", "credit_card", "card_cvv":
		return SensVeryHigh
	case "password_hash", "iban", "bank_account", "national_id", "passport_number", "date_of_birth":
		return SensHigh
	case "geo_coordinates", "street_address", "email", "phone", "person_name", "card_expiry":
		return SensModerate
	case "postal_code", "ip_address", "mac_address", "device_id", "travel_booking":
		return SensLow
	}
	return SensModerate
}

// RiskModel turns findings into risk levels and scores.
type RiskModel struct {
	// Weight places a category within its band, in [0, 1]; nil means 1.
	Weight func(category string) float64
	// Sensitivity is a category's sensitivity level (1–4); nil means
	// DefaultSensitivity.
	Sensitivity func(category string) int
	// Matrix, Bands: nil means the defaults.
	Matrix *Matrix
	Bands  *Bands
	// Damping in (0, 1]; 0 means DefaultDamping.
	Damping float64
	// Combinations are the harmful combinations looked for in each
	// container; nil means DefaultCombinations, an empty slice none.
	Combinations []CombinationRule
	// Ignore moves the findings it matches out of the scored report into
	// Report.Ignored (see ApplyIgnore); nil ignores nothing.
	Ignore *IgnoreFile
}

// CombinationRule names a harmful combination of categories.
type CombinationRule struct {
	ID   string
	Name string
	// Requires lists the parts of the combination; a part is present when
	// any of its categories is found in the container.
	Requires [][]string
	// Boost in [0, 1] places the combination within its band, as a
	// category's weight does.
	Boost float64
	// Sensitivity is the level (1–4) the combination raises its parts to;
	// 0 means very high.
	Sensitivity int
}

// DefaultCombinations are the combinations looked for when the model names
// none.
var DefaultCombinations = []CombinationRule{
	{ID: "account_takeover_kit", Name: "account takeover kit", Boost: 1.0, Sensitivity: SensVeryHigh,
		Requires: [][]string{{"email"}, {"password"}}},
	{ID: "identity_theft_kit", Name: "identity theft kit", Boost: 0.9, Sensitivity: SensVeryHigh,
		Requires: [][]string{{"person_name"}, {"date_of_birth"}, {"street_address", "national_id"}}},
	{ID: "usable_card", Name: "usable card", Boost: 1.0, Sensitivity: SensVeryHigh,
		Requires: [][]string{{"credit_card"}, {"card_expiry"}, {"card_cvv"}}},
}

func (m RiskModel) matrix() *Matrix {
	if m.Matrix != nil {
		return m.Matrix
	}
	return &DefaultMatrix
}

func (m RiskModel) bands() *Bands {
	if m.Bands != nil {
		return m.Bands
	}
	return &DefaultBands
}

func (m RiskModel) damping() float64 {
	if m.Damping > 0 {
		return math.Min(1, m.Damping)
	}
	return DefaultDamping
}

func (m RiskModel) sensitivity(category string) int {
	s := 0
	if m.Sensitivity != nil {
		s = m.Sensitivity(category)
	}
	if s < SensLow || s > SensVeryHigh {
		s = DefaultSensitivity(category)
	}
	return s
}

func (m RiskModel) weight(category string) float64 {
	if m.Weight == nil {
		return 1
	}
	return clamp01(m.Weight(category))
}

// Validate checks that the model keeps the promises of the README: bands
// ordered and disjoint inside 0–100; a matrix whose level never falls when
// sensitivity or exposure rises (anonymous ≥ no TLS ≥ TLS, and unknown ≥
// TLS); the most sensitive data reachable anonymously critical.
func (m RiskModel) Validate() error {
	b := m.bands()
	for l := RiskLow; l <= RiskCritical; l++ {
		if b[l].Min < 0 || b[l].Max > 100 || b[l].Min > b[l].Max {
			return fmt.Errorf("risk band %s: %g–%g is not a range inside 0–100", RiskLevelNames[l], b[l].Min, b[l].Max)
		}
		if l > RiskLow && b[l].Min <= b[l-1].Max {
			return fmt.Errorf("risk band %s starts at %g, inside the band %s (up to %g): bands must be ordered and disjoint", RiskLevelNames[l], b[l].Min, RiskLevelNames[l-1], b[l-1].Max)
		}
	}
	return CheckMatrix(m.matrix())
}

// CheckMatrix checks the monotony rules of a matrix (see Validate).
func CheckMatrix(mx *Matrix) error {
	for s := SensLow; s <= SensVeryHigh; s++ {
		for e := 0; e < 4; e++ {
			if mx[s][e] < RiskLow || mx[s][e] > RiskCritical {
				return fmt.Errorf("risk matrix: %s × %s has no risk level", SensitivityNames[s], ExposureLevelNames[e])
			}
			if s > SensLow && mx[s][e] < mx[s-1][e] {
				return fmt.Errorf("risk matrix: %s × %s is %s, lower than %s × %s (%s): a more sensitive finding never has a lower level",
					SensitivityNames[s], ExposureLevelNames[e], RiskLevelNames[mx[s][e]], SensitivityNames[s-1], ExposureLevelNames[e], RiskLevelNames[mx[s-1][e]])
			}
		}
		row := mx[s]
		for _, pair := range [][2]int{{ExpNoTLS, ExpAuthenticatedTLS}, {ExpAnonymous, ExpNoTLS}, {ExpUnknown, ExpAuthenticatedTLS}} {
			if row[pair[0]] < row[pair[1]] {
				return fmt.Errorf("risk matrix: %s × %s is lower than %s × %s: a more exposed store never has a lower level",
					SensitivityNames[s], ExposureLevelNames[pair[0]], SensitivityNames[s], ExposureLevelNames[pair[1]])
			}
		}
	}
	if mx[SensVeryHigh][ExpAnonymous] != RiskCritical {
		return fmt.Errorf("risk matrix: very_high × anonymous must be critical")
	}
	return nil
}

// ExposureLevel is the exposure level (Exp* index) of a target.
func ExposureLevel(t Target) int {
	switch {
	case t.Kind == "file":
		return ExpUnknown
	case t.Exposure.AnonymousAccess:
		return ExpAnonymous
	case !t.Exposure.TLS:
		return ExpNoTLS
	}
	return ExpAuthenticatedTLS
}

// VolumeFraction is how far volume alone moves a score into its band:
// min(1, log10(1 + records)/6).
func VolumeFraction(affected int64) float64 {
	return math.Min(1, math.Log10(1+float64(max(affected, 0)))/6)
}

// Position is where in its band a finding sits, in [0, 1].
func Position(weight, confidence float64, affected int64) float64 {
	return clamp01(clamp01(weight) * clamp01(confidence) * VolumeFraction(affected))
}

// Score places position p in the band of level: never below the band's
// minimum nor above its maximum, rounded down to one decimal.
func (m RiskModel) Score(level int, p float64) float64 {
	if level < RiskLow || level > RiskCritical {
		return 0
	}
	b := m.bands()[level]
	x := math.Floor((b.Min+(b.Max-b.Min)*clamp01(p))*10) / 10
	return math.Max(b.Min, math.Min(b.Max, x))
}

// Level is the risk level of a sensitivity level at an exposure level.
func (m RiskModel) Level(sensitivity, exposure int) int {
	if sensitivity < SensLow || sensitivity > SensVeryHigh || exposure < 0 || exposure > 3 {
		return 0
	}
	return m.matrix()[sensitivity][exposure]
}

// Meaning is the sentence of a risk level's band.
func (m RiskModel) Meaning(level int) string {
	if level < RiskLow || level > RiskCritical {
		return "no personal data found"
	}
	return m.bands()[level].Meaning
}

// rollup aggregates (level, position) items: the worst level, and the
// highest position at that level raised by the others at that level.
type rollup struct {
	level int
	ps    []float64
}

func (r *rollup) add(level int, p float64) {
	switch {
	case level > r.level:
		r.level, r.ps = level, []float64{p}
	case level == r.level && level > 0:
		r.ps = append(r.ps, p)
	}
}

func (r *rollup) position(damping float64) float64 {
	if len(r.ps) == 0 {
		return 0
	}
	ps := append([]float64(nil), r.ps...)
	sort.Sort(sort.Reverse(sort.Float64Slice(ps)))
	keep := 1 - clamp01(ps[0])
	for _, p := range ps[1:] {
		keep *= 1 - damping*clamp01(p)
	}
	return clamp01(1 - keep)
}

// partFinding is the strongest evidence of one category in a container.
type partFinding struct {
	confidence float64
	affected   int64
}

// findCombinations lists the rules whose every part is present in found.
func findCombinations(rules []CombinationRule, found map[string]partFinding) []Combination {
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
		s := rule.Sensitivity
		if s < SensLow || s > SensVeryHigh {
			s = SensVeryHigh
		}
		c.Sensitivity = SensitivityNames[s]
		out = append(out, c)
	}
	return out
}

// Volume is the volume factor of the version 1 model, kept for readers of
// old reports: 0.4 + 0.6 × VolumeFraction.
func Volume(affected int64) float64 { return 0.4 + 0.6*VolumeFraction(affected) }

// Combine rolls risks in [0, 100] up the way the version 1 model did: the
// highest, raised by each further risk as a damped independent chance. The
// order of risks does not matter.
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
		score += (100 - score) * DefaultDamping * r / 100
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
func clamp01(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return math.Max(0, math.Min(1, x))
}

// levelIndex is the number of a risk level name, 0 when unknown.
func levelIndex(name string) int {
	for i, n := range RiskLevelNames {
		if i > 0 && n == name {
			return i
		}
	}
	if name == "medium" {
		return RiskModerate
	}
	return 0
}

// RiskSentence says in one line what a score means: its level, and the
// sentence of the level's band.
func RiskSentence(score float64, level string, meaning string) string {
	if level == "" && score > 0 {
		level = RiskLevel(score) // a report of the version 1 model
	}
	if l := levelIndex(level); meaning == "" && l > 0 {
		meaning = DefaultBands[l].Meaning
	}
	if level == "" {
		return fmt.Sprintf("risk %s/100: no personal data found", f1(score))
	}
	return fmt.Sprintf("risk %s/100 is %s: %s", f1(score), strings.ToUpper(level), meaning)
}

// Finish applies the ignore file, computes every risk, sorts findings by
// risk, fills the summary and sets Complete. interrupted says the scan was
// stopped before its end. Finish may run again on a finished report (after
// merging shards, say): it recomputes everything from the findings.
//
// A scan is complete when it was not interrupted, no target or container
// failed, and every target had at least one container scanned: a target
// that held nothing readable is not an all-clear.
func Finish(r *Report, m RiskModel, interrupted bool) {
	if m.Ignore != nil {
		ApplyIgnore(r, m.Ignore, r.FinishedAt)
	}
	f := newFinisher(m, interrupted)
	for ti := range r.Targets {
		t := &r.Targets[ti]
		tf := f.target(t)
		for ci := range t.Containers {
			c := &t.Containers[ci]
			tf.add(tf.risk(c))
			tf.count(c)
		}
		tf.end(r.Shard)
	}
	f.done(r)
}

// finisher is Finish one container at a time: report merge finishes the
// containers as they are read, then the targets and the summary. What it
// sums does not depend on the order of the containers.
type finisher struct {
	m               RiskModel
	rules           []CombinationRule
	damping         float64
	complete        bool
	scan            rollup
	sum             Summary
	everyone        PeopleCounter
	everyoneSampled bool
	byTag           map[string]map[string]*tagPeople
	guide           guidance
}

func newFinisher(m RiskModel, interrupted bool) *finisher {
	rules := m.Combinations
	if rules == nil {
		rules = DefaultCombinations
	}
	return &finisher{m: m, rules: rules, damping: m.damping(), complete: !interrupted,
		sum: Summary{ByCategory: map[string]CategorySummary{}}, everyone: PeopleCounter{},
		byTag: map[string]map[string]*tagPeople{}, guide: newGuidance()}
}

// targetFinisher finishes the containers of one target.
type targetFinisher struct {
	f       *finisher
	t       *Target
	exp     int
	people  PeopleCounter
	sampled bool
	scanned int
	rollup  rollup
}

// target starts t: its exposure level is set, from its exposure.
func (f *finisher) target(t *Target) *targetFinisher {
	exp := ExposureLevel(*t)
	t.ExposureLevel = ExposureLevelNames[exp]
	t.ExposureMeaning = ExposureMeanings[exp]
	return &targetFinisher{f: f, t: t, exp: exp, people: PeopleCounter{}}
}

// containerRisk is what a container adds to its target's risk.
type containerRisk struct {
	level    int
	position float64
}

// risk computes the combinations and the risk of a container's findings
// and of the container, at exposure level exp: it depends on the
// container and exp alone.
func (f *finisher) risk(c *Container, exp int) containerRisk {
	m := f.m
	parts := map[string]partFinding{}
	for fi := range c.Fields {
		for _, x := range c.Fields[fi].Findings {
			if !x.MappingOnly {
				p := parts[x.Category]
				p.confidence = math.Max(p.confidence, x.Confidence)
				p.affected = max(p.affected, x.EstimatedAffectedDocuments)
				parts[x.Category] = p
			}
		}
	}
	c.Combinations = findCombinations(f.rules, parts)
	raised := map[string]int{}
	raisedBy := map[string][]string{}
	var container rollup
	for ki := range c.Combinations {
		k := &c.Combinations[ki]
		s := sensIndex(k.Sensitivity)
		for _, cat := range k.Categories {
			if s > raised[cat] {
				raised[cat] = s
			}
			raisedBy[cat] = append(raisedBy[cat], k.ID)
		}
		lvl := m.Level(s, exp)
		p := Position(k.Boost, k.Confidence, k.EstimatedAffectedDocuments)
		k.RiskLevel = RiskLevelNames[lvl]
		k.Risk = m.Score(lvl, p)
		container.add(lvl, p)
	}
	for fi := range c.Fields {
		fd := &c.Fields[fi]
		for xi := range fd.Findings {
			x := &fd.Findings[xi]
			s := m.sensitivity(x.Category)
			x.RaisedBy = nil
			if !x.MappingOnly && raised[x.Category] > s {
				s = raised[x.Category]
				x.RaisedBy = raisedBy[x.Category]
			}
			lvl := m.Level(s, exp)
			p := Position(m.weight(x.Category), x.Confidence, x.EstimatedAffectedDocuments)
			if x.MappingOnly {
				p /= 2
			}
			x.Sensitivity = SensitivityNames[s]
			x.RiskLevel = RiskLevelNames[lvl]
			x.Risk = m.Score(lvl, p)
			x.Fingerprint = "" // set by the caller, who knows the target
			container.add(lvl, p)
		}
		sort.SliceStable(fd.Findings, func(a, b int) bool { return fd.Findings[a].Risk > fd.Findings[b].Risk })
	}
	cp := container.position(f.damping)
	c.RiskLevel = RiskLevelNames[container.level]
	c.RiskScore = m.Score(container.level, cp)
	return containerRisk{container.level, cp}
}

// risk computes the risk of a container of the target (see finisher.risk).
func (tf *targetFinisher) risk(c *Container) containerRisk {
	cr := tf.f.risk(c, tf.exp)
	setFingerprints(tf.t.URI, c)
	return cr
}

// setFingerprints sets the fingerprints of a container's findings.
func setFingerprints(uri string, c *Container) {
	for fi := range c.Fields {
		fd := &c.Fields[fi]
		for xi := range fd.Findings {
			fd.Findings[xi].Fingerprint = Fingerprint(uri, c.Name, fd.Path, fd.Findings[xi].Category)
		}
	}
}

// add adds a container's risk to its target's.
func (tf *targetFinisher) add(cr containerRisk) { tf.rollup.add(cr.level, cr.position) }

// count adds a container to the summary, the people and the guidance: what
// does not depend on risk.
func (tf *targetFinisher) count(c *Container) {
	f, sum := tf.f, &tf.f.sum
	if c.Error != nil {
		f.complete = false
		sum.ContainersFailed++
	}
	if c.Error == nil || c.SampledDocuments > 0 {
		sum.ContainersScanned++
		tf.scanned++
	}
	sum.DocumentsSampled += c.SampledDocuments
	sum.DocumentsSkipped += c.SkippedDocuments
	affected := map[string]int64{}
	for fi := range c.Fields {
		for _, x := range c.Fields[fi].Findings {
			affected[x.Category] = max(affected[x.Category], x.EstimatedAffectedDocuments)
		}
	}
	for _, k := range c.Combinations {
		if sum.Combinations == nil {
			sum.Combinations = map[string]int{}
		}
		sum.Combinations[k.ID]++
	}
	var pc PeopleCounter
	if c.People != nil {
		// a sketch that cannot be read leaves the roll-ups without it
		if p, err := DecodePeople(c.People); err == nil {
			pc = p
			tf.people.Merge(pc)
			tf.sampled = tf.sampled || c.People.LowerBound
		}
	}
	if len(affected) > 0 {
		sum.ContainersWithFindings++
	}
	for cat, n := range affected {
		cs := sum.ByCategory[cat]
		cs.Containers++
		cs.EstimatedAffectedDocuments += n
		sum.ByCategory[cat] = cs
	}
	f.guide.add(c, pc)
}

// end finishes the target, once all its containers are counted: its
// errors, risk and people. shard is the report's (a shard of a sharded
// scan may have no container of a target to read).
func (tf *targetFinisher) end(shard *ShardInfo) {
	f, t, sum := tf.f, tf.t, &tf.f.sum
	if t.Error != nil || len(t.ShardErrors) > 0 {
		f.complete = false
		sum.TargetsFailed++
	}
	sum.ContainersSkipped += len(t.Skipped)
	// a shard of a sharded scan may have no container of a target to
	// read: the other shards read them (report merge checks the whole)
	if t.Error == nil && tf.scanned == 0 && (shard == nil || shard.Count <= 1) {
		f.complete = false
		sum.TargetsEmpty++
	}
	tp := tf.rollup.position(f.damping)
	t.RiskLevel = RiskLevelNames[tf.rollup.level]
	t.RiskScore = f.m.Score(tf.rollup.level, tp)
	f.scan.add(tf.rollup.level, tp)
	people, sampled := tf.people, tf.sampled
	t.People = people.People(sampled, 0, 0, false)
	f.everyone.Merge(people)
	for k, v := range t.Tags {
		if t.People == nil {
			break
		}
		if f.byTag[k] == nil {
			f.byTag[k] = map[string]*tagPeople{}
		}
		tp := f.byTag[k][v]
		if tp == nil {
			tp = &tagPeople{pc: PeopleCounter{}}
			f.byTag[k][v] = tp
		}
		tp.pc.Merge(people)
		tp.sampled = tp.sampled || sampled
	}
	f.everyoneSampled = f.everyoneSampled || sampled
}

// done fills the summary of r and sets Complete, once every target ended.
func (f *finisher) done(r *Report) {
	m, sum := f.m, f.sum
	sp := f.scan.position(f.damping)
	sum.RiskScore = m.Score(f.scan.level, sp)
	sum.RiskLevel = RiskLevelNames[f.scan.level]
	sum.RiskMeaning = m.Meaning(f.scan.level)
	sum.RiskModel = "v2"
	sum.People = f.everyone.People(f.everyoneSampled, 0, 0, false)
	for k, vals := range f.byTag {
		for v, tp := range vals {
			if sum.PeopleByTag == nil {
				sum.PeopleByTag = map[string]map[string]*People{}
			}
			if sum.PeopleByTag[k] == nil {
				sum.PeopleByTag[k] = map[string]*People{}
			}
			sum.PeopleByTag[k][v] = tp.pc.People(tp.sampled, 0, 0, false)
		}
	}
	r.Summary = sum
	r.Summary.NotificationGuidance = f.guide.result()
	r.Complete = f.complete
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

// tagPeople counts the people of the targets carrying one tag value.
type tagPeople struct {
	pc      PeopleCounter
	sampled bool
}

func sensIndex(name string) int {
	for i, n := range SensitivityNames {
		if i > 0 && n == name {
			return i
		}
	}
	return SensVeryHigh
}
