package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// PolicyHelp documents the policy language of --fail-on.
const PolicyHelp = `A policy is a list of conditions, comma-separated or given in repeated flags;
it is breached when any condition holds:
  risk>=N                 a finding has a risk of N or more (also risk>N)
  score>=N                the scan's overall risk score is N or more (also score>N)
  category:ID             a finding of this category (category:credit_card)
  group:ID                a finding of this group (group:credentials)
  combination:ID          a container holds this combination (combination:usable_card)
  exposure:anonymous      a target answers without credentials
  exposure:no-tls         a network target is reached without TLS
  incomplete              the scan is incomplete
  new-only=false          with --baseline, count findings already in the baseline
                          too (by default, new-only=true, only new findings,
                          combinations and exposures count, and score>=N holds
                          only when the score also rose above the baseline's)`

// Condition is one condition of a policy.
type Condition struct {
	// Kind is risk, score, category, group, combination, exposure or incomplete.
	Kind string
	// Op is >= or > for risk and score.
	Op string
	// Threshold is the number of risk and score.
	Threshold float64
	// Value is the id of category, group, combination and exposure.
	Value string
}

// String writes the condition back in the policy language.
func (c Condition) String() string {
	switch c.Kind {
	case "risk", "score":
		return c.Kind + c.Op + strconv.FormatFloat(c.Threshold, 'f', -1, 64)
	case "incomplete":
		return c.Kind
	case "new-only":
		return c.Kind + "=" + c.Value
	}
	return c.Kind + ":" + c.Value
}

// Policy is a list of conditions; it is breached when any holds.
type Policy []Condition

var groupIDs = func() map[string]bool {
	m := map[string]bool{}
	for _, g := range Categories {
		m[g] = true
	}
	return m
}()

// ParsePolicy parses conditions; each spec may hold several, separated by
// commas. Empty specs give an empty policy, which nothing breaches.
func ParsePolicy(specs ...string) (Policy, error) {
	var p Policy
	for _, spec := range specs {
		for _, part := range strings.Split(spec, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			c, err := parseCondition(part)
			if err != nil {
				return nil, err
			}
			p = append(p, c)
		}
	}
	return p, nil
}

func parseCondition(s string) (Condition, error) {
	lower := strings.ToLower(s)
	if lower == "incomplete" {
		return Condition{Kind: "incomplete"}, nil
	}
	if rest, ok := strings.CutPrefix(lower, "new-only"); ok {
		rest = strings.TrimSpace(rest)
		if rest == "" {
			return Condition{Kind: "new-only", Value: "true"}, nil
		}
		if v, ok := strings.CutPrefix(rest, "="); ok {
			switch v = strings.TrimSpace(v); v {
			case "true", "false":
				return Condition{Kind: "new-only", Value: v}, nil
			}
		}
		return Condition{}, fmt.Errorf("condition %q: new-only is new-only=true or new-only=false", s)
	}
	for _, kind := range []string{"risk", "score"} {
		rest, ok := strings.CutPrefix(lower, kind)
		if !ok || rest == "" || !strings.ContainsRune("><= ", rune(rest[0])) {
			continue
		}
		rest = strings.TrimSpace(rest)
		op := ">"
		if strings.HasPrefix(rest, ">=") {
			op = ">="
		} else if !strings.HasPrefix(rest, ">") {
			return Condition{}, fmt.Errorf("condition %q: %s takes >= or > and a number from 0 to 100 (%s>=70)", s, kind, kind)
		}
		num := strings.TrimSpace(rest[len(op):])
		n, err := strconv.ParseFloat(num, 64)
		if err != nil || math.IsNaN(n) || n < 0 || n > 100 {
			return Condition{}, fmt.Errorf("condition %q: %q is not a number from 0 to 100", s, num)
		}
		return Condition{Kind: kind, Op: op, Threshold: n}, nil
	}
	kind, value, ok := strings.Cut(lower, ":")
	if !ok {
		return Condition{}, fmt.Errorf("condition %q is not one of risk>=N, score>=N, category:ID, group:ID, combination:ID, exposure:anonymous, exposure:no-tls, incomplete, new-only=false", s)
	}
	kind, value = strings.TrimSpace(kind), strings.TrimSpace(value)
	c := Condition{Kind: kind, Value: value}
	switch kind {
	case "category":
		if _, known := Categories[value]; !known {
			return c, fmt.Errorf("condition %q: unknown category %q (one of %s)", s, value, strings.Join(sortedKeys(Categories), ", "))
		}
	case "group":
		if !groupIDs[value] {
			return c, fmt.Errorf("condition %q: unknown group %q (one of %s)", s, value, strings.Join(sortedKeys(groupIDs), ", "))
		}
	case "combination":
		known := false
		var ids []string
		for _, k := range DefaultCombinations {
			ids = append(ids, k.ID)
			known = known || k.ID == value
		}
		if !known {
			return c, fmt.Errorf("condition %q: unknown combination %q (one of %s)", s, value, strings.Join(ids, ", "))
		}
	case "exposure":
		if value == "no_tls" {
			c.Value = "no-tls"
		} else if value != "anonymous" && value != "no-tls" {
			return c, fmt.Errorf("condition %q: exposure is anonymous or no-tls", s)
		}
	default:
		return c, fmt.Errorf("condition %q: unknown condition %q (risk, score, category, group, combination, exposure, incomplete)", s, kind)
	}
	return c, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Breach is a condition that holds, with the first thing that made it hold.
type Breach struct {
	Condition Condition
	// Detail names what breached it (a finding, a target).
	Detail string
	// Count is how many findings, containers or targets breach it.
	Count int
}

func (b Breach) String() string {
	s := b.Condition.String() + ": " + b.Detail
	if b.Count > 1 {
		s += fmt.Sprintf(" (and %d more)", b.Count-1)
	}
	return s
}

// NewOnly says whether findings already in a baseline are left out: true
// unless the policy says new-only=false (the last such condition wins).
func (p Policy) NewOnly() bool {
	newOnly := true
	for _, c := range p {
		if c.Kind == "new-only" {
			newOnly = c.Value != "false"
		}
	}
	return newOnly
}

// Evaluate returns the conditions of p that hold for r, in policy order.
// With a baseline (r.Baseline) and new-only (the default), findings,
// combinations and exposures already in the baseline do not count, and
// score>=N holds only when the score also rose above the baseline's.
// Ignored findings (r.Ignored) never count.
func (p Policy) Evaluate(r *Report) []Breach {
	var out []Breach
	newOnly := p.NewOnly() && r.Baseline != nil
	known := map[string]bool{}
	if newOnly {
		for _, e := range r.Baseline.Exposures {
			known[e] = true
		}
	}
	flat := Flatten(r)
	for _, c := range p {
		if c.Kind == "new-only" {
			continue
		}
		b := Breach{Condition: c}
		note := func(detail string) {
			if b.Count == 0 {
				b.Detail = detail
			}
			b.Count++
		}
		switch c.Kind {
		case "risk", "category", "group":
			for _, f := range flat {
				if c.matchFinding(f.Finding) && !(newOnly && f.Baseline) {
					note(fmt.Sprintf("%s at %s › %s (risk %.1f) in %s", f.Category, f.Container, f.Path, f.Risk, f.Target))
				}
			}
		case "score":
			if compare(r.Summary.RiskScore, c.Op, c.Threshold) && !(newOnly && r.Summary.RiskScore <= r.Baseline.RiskScore) {
				note(fmt.Sprintf("overall risk score %.1f", r.Summary.RiskScore))
			}
		case "combination":
			for _, t := range r.Targets {
				for _, ct := range t.Containers {
					for _, k := range ct.Combinations {
						if k.ID == c.Value && !(newOnly && k.Baseline) {
							note(fmt.Sprintf("%s (%s) in %s of %s", k.Name, strings.Join(k.Categories, " + "), ct.Name, t.URI))
						}
					}
				}
			}
		case "exposure":
			for _, t := range r.Targets {
				switch {
				case known[c.Value+" "+TargetIdentity(t.URI)]:
				case c.Value == "anonymous" && t.Exposure.AnonymousAccess:
					note(t.URI + " answers without credentials")
				case c.Value == "no-tls" && t.Kind != "file" && t.Exposure.Reachable && !t.Exposure.TLS:
					note(t.URI + " is reached without TLS")
				}
			}
		case "incomplete":
			if !r.Complete {
				note("the scan is incomplete")
			}
		}
		if b.Count > 0 {
			out = append(out, b)
		}
	}
	return out
}

func (c Condition) matchFinding(x Finding) bool {
	switch c.Kind {
	case "risk":
		return compare(x.Risk, c.Op, c.Threshold)
	case "category":
		return x.Category == c.Value
	case "group":
		g := x.Group
		if g == "" {
			g = Categories[x.Category]
		}
		return g == c.Value
	}
	return false
}

func compare(x float64, op string, n float64) bool {
	if op == ">=" {
		return x >= n
	}
	return x > n
}
