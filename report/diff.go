package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// Changes of a finding between two reports.
const (
	Appeared    = "appeared"
	Disappeared = "disappeared"
	RiskUp      = "risk_up"
	RiskDown    = "risk_down"
)

// DiffKey identifies a finding across reports.
type DiffKey struct {
	Target    string `json:"target"`
	Container string `json:"container"`
	Path      string `json:"path"`
	Category  string `json:"category"`
}

// FindingChange is one finding that appeared, disappeared or changed risk.
type FindingChange struct {
	Change string `json:"change"`
	DiffKey
	Group string `json:"group"`
	// Old and new values; nil on the side where the finding is absent.
	OldRisk     *float64 `json:"old_risk"`
	NewRisk     *float64 `json:"new_risk"`
	OldAffected *int64   `json:"old_estimated_affected_documents"`
	NewAffected *int64   `json:"new_estimated_affected_documents"`
}

// ExposureChange is a change of a target's exposure.
type ExposureChange struct {
	Target string `json:"target"`
	// Property is anonymous_access, tls or reachable.
	Property string `json:"property"`
	Old      bool   `json:"old"`
	New      bool   `json:"new"`
}

// CombinationChange is a harmful combination that appeared or disappeared.
type CombinationChange struct {
	Change    string `json:"change"`
	Target    string `json:"target"`
	Container string `json:"container"`
	ID        string `json:"id"`
	Name      string `json:"name"`
}

// Diff compares two reports.
type Diff struct {
	OldRiskScore float64             `json:"old_risk_score"`
	NewRiskScore float64             `json:"new_risk_score"`
	Findings     []FindingChange     `json:"findings"`
	Combinations []CombinationChange `json:"combinations"`
	Exposure     []ExposureChange    `json:"exposure"`
	Unchanged    int                 `json:"unchanged"`
	// PairedTargets is set when each report has one target and their URIs
	// differ (the same store scanned from another path or host): they are
	// compared with each other, under the new URI.
	PairedTargets *TargetPair `json:"paired_targets,omitempty"`
	// Ignored are the new report's ignored findings, with their reasons:
	// they are left out of the comparison, never silently.
	Ignored []IgnoredFinding `json:"ignored,omitempty"`
}

// TargetPair names two targets compared with each other.
type TargetPair struct {
	Old string `json:"old"`
	New string `json:"new"`
}

// Compare lists what changed from old to new. Findings are matched by
// target URI, container, field path and category; a risk change of less
// than 0.05 (the precision of the report) is no change. When each report has
// a single target and their URIs differ, the two targets are compared with
// each other (see Diff.PairedTargets).
func Compare(old, new *Report) *Diff {
	d := &Diff{OldRiskScore: old.Summary.RiskScore, NewRiskScore: new.Summary.RiskScore,
		Findings: []FindingChange{}, Combinations: []CombinationChange{}, Exposure: []ExposureChange{}, Ignored: new.Ignored}
	if len(old.Targets) == 1 && len(new.Targets) == 1 && old.Targets[0].URI != new.Targets[0].URI {
		d.PairedTargets = &TargetPair{Old: old.Targets[0].URI, New: new.Targets[0].URI}
		renamed := *old
		renamed.Targets = []Target{old.Targets[0]}
		renamed.Targets[0].URI = new.Targets[0].URI
		old = &renamed
	}
	index := func(r *Report) (map[DiffKey]FlatFinding, []DiffKey) {
		m := map[DiffKey]FlatFinding{}
		var keys []DiffKey
		for _, f := range Flatten(r) {
			k := DiffKey{f.Target, f.Container, f.Path, f.Category}
			if _, dup := m[k]; !dup {
				keys = append(keys, k)
			}
			m[k] = f
		}
		return m, keys
	}
	om, okeys := index(old)
	nm, nkeys := index(new)
	for _, k := range nkeys {
		n := nm[k]
		o, had := om[k]
		switch {
		case !had:
			d.Findings = append(d.Findings, FindingChange{Change: Appeared, DiffKey: k, Group: n.Group,
				NewRisk: ptr(n.Risk), NewAffected: ptr(n.EstimatedAffectedDocuments)})
		case math.Abs(n.Risk-o.Risk) >= 0.05:
			ch := RiskUp
			if n.Risk < o.Risk {
				ch = RiskDown
			}
			d.Findings = append(d.Findings, FindingChange{Change: ch, DiffKey: k, Group: n.Group,
				OldRisk: ptr(o.Risk), NewRisk: ptr(n.Risk), OldAffected: ptr(o.EstimatedAffectedDocuments), NewAffected: ptr(n.EstimatedAffectedDocuments)})
		default:
			d.Unchanged++
		}
	}
	for _, k := range okeys {
		if _, still := nm[k]; !still {
			o := om[k]
			d.Findings = append(d.Findings, FindingChange{Change: Disappeared, DiffKey: k, Group: o.Group,
				OldRisk: ptr(o.Risk), OldAffected: ptr(o.EstimatedAffectedDocuments)})
		}
	}
	rank := map[string]int{Appeared: 0, RiskUp: 1, RiskDown: 2, Disappeared: 3}
	sort.SliceStable(d.Findings, func(i, j int) bool {
		a, b := d.Findings[i], d.Findings[j]
		if rank[a.Change] != rank[b.Change] {
			return rank[a.Change] < rank[b.Change]
		}
		return a.riskNow() > b.riskNow()
	})

	type ckey struct{ target, container, id string }
	combos := func(r *Report) map[ckey]string {
		m := map[ckey]string{}
		for _, t := range r.Targets {
			for _, c := range t.Containers {
				for _, k := range c.Combinations {
					m[ckey{t.URI, c.Name, k.ID}] = k.Name
				}
			}
		}
		return m
	}
	oc, nc := combos(old), combos(new)
	for k, name := range nc {
		if _, had := oc[k]; !had {
			d.Combinations = append(d.Combinations, CombinationChange{Appeared, k.target, k.container, k.id, name})
		}
	}
	for k, name := range oc {
		if _, still := nc[k]; !still {
			d.Combinations = append(d.Combinations, CombinationChange{Disappeared, k.target, k.container, k.id, name})
		}
	}
	sort.Slice(d.Combinations, func(i, j int) bool {
		a, b := d.Combinations[i], d.Combinations[j]
		return fmt.Sprint(a.Change, a.Target, a.Container, a.ID) < fmt.Sprint(b.Change, b.Target, b.Container, b.ID)
	})

	ot := map[string]Target{}
	for _, t := range old.Targets {
		ot[t.URI] = t
	}
	for _, t := range new.Targets {
		o, ok := ot[t.URI]
		if !ok || o.Error != nil || t.Error != nil {
			continue
		}
		for _, p := range []struct {
			name     string
			old, new bool
		}{
			{"reachable", o.Exposure.Reachable, t.Exposure.Reachable},
			{"anonymous_access", o.Exposure.AnonymousAccess, t.Exposure.AnonymousAccess},
			{"tls", o.Exposure.TLS, t.Exposure.TLS},
		} {
			if p.old != p.new {
				d.Exposure = append(d.Exposure, ExposureChange{t.URI, p.name, p.old, p.new})
			}
		}
	}
	return d
}

func ptr[T any](v T) *T { return &v }

func (c FindingChange) riskNow() float64 {
	if c.NewRisk != nil {
		return *c.NewRisk
	}
	if c.OldRisk != nil {
		return *c.OldRisk
	}
	return 0
}

// Worse returns a copy of new that keeps only what got worse since old:
// findings that appeared or whose risk rose, and combinations that appeared.
// Targets, exposure and the summary are new's. A policy evaluated on it
// fails a change, not a state that was already accepted.
func (d *Diff) Worse(new *Report) *Report {
	worse := map[DiffKey]bool{}
	for _, c := range d.Findings {
		if c.Change == Appeared || c.Change == RiskUp {
			worse[c.DiffKey] = true
		}
	}
	newCombo := map[string]bool{}
	for _, c := range d.Combinations {
		if c.Change == Appeared {
			newCombo[c.Target+"\x00"+c.Container+"\x00"+c.ID] = true
		}
	}
	out := *new
	out.Targets = make([]Target, len(new.Targets))
	for ti, t := range new.Targets {
		nt := t
		nt.Containers = make([]Container, len(t.Containers))
		for ci, c := range t.Containers {
			nc := c
			nc.Fields = nil
			for _, f := range c.Fields {
				nf := Field{Path: f.Path}
				for _, x := range f.Findings {
					if worse[DiffKey{t.URI, c.Name, f.Path, x.Category}] {
						nf.Findings = append(nf.Findings, x)
					}
				}
				if len(nf.Findings) > 0 {
					nc.Fields = append(nc.Fields, nf)
				}
			}
			nc.Combinations = nil
			for _, k := range c.Combinations {
				if newCombo[t.URI+"\x00"+c.Name+"\x00"+k.ID] {
					nc.Combinations = append(nc.Combinations, k)
				}
			}
			nt.Containers[ci] = nc
		}
		out.Targets[ti] = nt
	}
	return &out
}

// WriteDiffJSON writes the diff as one indented JSON object.
func WriteDiffJSON(w io.Writer, d *Diff) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(d)
}

// WriteDiffTable writes the diff for a person at a terminal.
func WriteDiffTable(w io.Writer, d *Diff, opt TableOptions) error {
	if opt.Width <= 0 {
		opt.Width = 100
	}
	p := &printer{w: w, color: opt.Color}
	delta := d.NewRiskScore - d.OldRiskScore
	if d.PairedTargets != nil {
		p.wrapped(opt.Width, "", "  ", "Comparing "+d.PairedTargets.Old+" (old) with "+d.PairedTargets.New+" (new)")
	}
	p.line("%s %s → %s (%+.1f)", p.bold("Overall risk"), f1(d.OldRiskScore), f1(d.NewRiskScore), delta)
	for _, e := range d.Exposure {
		what := map[string]string{"reachable": "reachable", "anonymous_access": "anonymous access", "tls": "TLS"}[e.Property]
		s := fmt.Sprintf("%s: %s %s → %s", e.Target, what, yesNo(e.Old), yesNo(e.New))
		if (e.Property == "tls") != e.New { // anonymous access or reachability gained, TLS lost
			s = p.red(s)
		}
		p.wrapped(opt.Width, "  ", "    ", s)
	}
	for _, c := range d.Combinations {
		mark := "+"
		if c.Change == Disappeared {
			mark = "-"
		}
		p.wrapped(opt.Width, "  ", "    ", mark+" "+c.Name+" in "+c.Container)
	}
	for _, x := range d.Ignored {
		p.wrapped(opt.Width, "  ", "    ", fmt.Sprintf("ignored: %s at %s › %s: %s (%s)", x.Category, x.Container, x.Path, x.Reason, x.Entry))
	}
	p.line("")
	if len(d.Findings) == 0 {
		p.line("No finding appeared, disappeared or changed risk (%d unchanged).", d.Unchanged)
		return p.err
	}
	// CHANGE 9, RISK 13, CATEGORY 15, the rest WHERE
	where := max(opt.Width-9-1-13-1-15-1, 20)
	p.line("%s", p.bold(fmt.Sprintf("%-9s %-13s %-15s %s", "CHANGE", "RISK", "CATEGORY", "WHERE")))
	for _, c := range d.Findings {
		var label, risk string
		switch c.Change {
		case Appeared:
			label, risk = p.red("+ new    "), fmt.Sprintf("%13s", "→ "+f1(*c.NewRisk))
		case Disappeared:
			label, risk = "- gone   ", fmt.Sprintf("%13s", f1(*c.OldRisk)+" → ")
		case RiskUp:
			label, risk = p.red("▲ up     "), fmt.Sprintf("%13s", f1(*c.OldRisk)+" → "+f1(*c.NewRisk))
		case RiskDown:
			label, risk = "▼ down   ", fmt.Sprintf("%13s", f1(*c.OldRisk)+" → "+f1(*c.NewRisk))
		}
		p.line("%s %s %-15s %s", label, risk, clip(c.Category, 15), clip(c.Container+" › "+c.Path, where))
	}
	counts := map[string]int{}
	for _, c := range d.Findings {
		counts[c.Change]++
	}
	var parts []string
	for _, c := range []struct{ k, label string }{{Appeared, "appeared"}, {RiskUp, "risk up"}, {RiskDown, "risk down"}, {Disappeared, "disappeared"}} {
		if counts[c.k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[c.k], c.label))
		}
	}
	p.line("")
	p.line("%s, %d unchanged", strings.Join(parts, ", "), d.Unchanged)
	return p.err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// WriteDiffMarkdown writes the diff for a pull request or a ticket.
func WriteDiffMarkdown(w io.Writer, d *Diff) error {
	p := &printer{w: w}
	p.line("# Personal data: what changed")
	p.line("")
	if d.PairedTargets != nil {
		p.line("Comparing %s (old) with %s (new).", code(d.PairedTargets.Old), code(d.PairedTargets.New))
		p.line("")
	}
	p.line("Overall risk %s → %s (%+.1f).", f1(d.OldRiskScore), f1(d.NewRiskScore), d.NewRiskScore-d.OldRiskScore)
	p.line("")
	for _, e := range d.Exposure {
		what := map[string]string{"reachable": "reachable", "anonymous_access": "anonymous access", "tls": "TLS"}[e.Property]
		p.line("- %s: %s %s → **%s**", code(e.Target), what, yesNo(e.Old), yesNo(e.New))
	}
	for _, c := range d.Combinations {
		verb := "appeared"
		if c.Change == Disappeared {
			verb = "disappeared"
		}
		p.line("- %s in %s %s", md(c.Name), code(c.Container), verb)
	}
	for _, x := range d.Ignored {
		p.line("- ignored: %s at %s › %s: %s (%s)", md(x.Category), code(x.Container), code(x.Path), md(x.Reason), code(x.Entry))
	}
	if len(d.Exposure)+len(d.Combinations)+len(d.Ignored) > 0 {
		p.line("")
	}
	if len(d.Findings) == 0 {
		p.line("No finding appeared, disappeared or changed risk (%d unchanged).", d.Unchanged)
		return p.err
	}
	p.line("| change | risk | category | where |")
	p.line("| --- | ---: | --- | --- |")
	label := map[string]string{Appeared: "**new**", Disappeared: "gone", RiskUp: "**risk up**", RiskDown: "risk down"}
	for _, c := range d.Findings {
		risk := ""
		switch {
		case c.OldRisk != nil && c.NewRisk != nil:
			risk = f1(*c.OldRisk) + " → " + f1(*c.NewRisk)
		case c.NewRisk != nil:
			risk = f1(*c.NewRisk)
		case c.OldRisk != nil:
			risk = "~~" + f1(*c.OldRisk) + "~~"
		}
		p.line("| %s | %s | %s | %s › %s |", label[c.Change], risk, md(c.Category), code(c.Container), code(c.Path))
	}
	p.line("")
	p.line("%d unchanged.", d.Unchanged)
	return p.err
}
