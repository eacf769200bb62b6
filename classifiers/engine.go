package classifiers

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Source is one rules file: its name (for file:line errors) and content.
type Source struct {
	Name string
	Data []byte
}

// RuleInfo describes a compiled rule for `piisniff rules list`.
type RuleInfo struct {
	ID          string
	Category    string
	Group       string
	Description string
	Confidence  float64
	Validator   string
	Engine      string
	Source      string // file:line of the rule's definition
}

// Engine is an immutable, compiled rule set. It is safe for concurrent use.
type Engine struct {
	names  *sync.Map // normalised field name → *nameEval
	nNames *atomic.Int64
	gates  sync.Map // rule indices of a field → *gate
	nGates atomic.Int64
	kwOnce sync.Once
	kw     *keywordIndex // the rules' keywords, built by the first Field
	rules  []*rule
	geo    bool // some rule reports geo_coordinates: Structure applies
	groupW map[string]float64
	catW   map[string]float64
	combos map[string]Combination // risk.combinations by id
	// riskModel is the merged risk model (sensitivity, matrix, bands).
	riskModel RiskModelSpec
}

// Restrict returns an engine that reports only the given categories or
// groups (all when only is empty) minus those in except.
func (e *Engine) Restrict(only, except []string) (*Engine, error) {
	for _, s := range append(append([]string(nil), only...), except...) {
		if GroupOf(s) == "" && !IsGroup(s) {
			return nil, fmt.Errorf("unknown category or group %q", s)
		}
	}
	in := func(list []string, r *rule) bool {
		for _, s := range list {
			if s == r.category || s == r.group {
				return true
			}
		}
		return false
	}
	ne := &Engine{groupW: e.groupW, catW: e.catW, combos: e.combos, names: new(sync.Map), nNames: new(atomic.Int64)}
	for _, r := range e.rules {
		if (len(only) == 0 || in(only, r)) && !in(except, r) {
			ne.rules = append(ne.rules, r)
			ne.geo = ne.geo || r.category == "geo_coordinates"
		}
	}
	return ne, nil
}

// keywords is the index of the rules' prefilter keywords, compiled the
// first time it is asked for.
func (e *Engine) keywords() *keywordIndex {
	e.kwOnce.Do(func() { e.kw = newKeywordIndex(e.rules) })
	return e.kw
}

// Rules lists the compiled rules.
func (e *Engine) Rules() []RuleInfo {
	out := make([]RuleInfo, 0, len(e.rules))
	for _, r := range e.rules {
		out = append(out, RuleInfo{ID: r.id, Category: r.category, Group: r.group, Description: r.desc,
			Confidence: r.conf, Validator: r.validatorName, Engine: r.engine, Source: r.source})
	}
	return out
}

// RiskWeight is the risk weight of a category in [0, 1], from rules.yaml:
// the category's own weight, else its group's, else 0.5.
func (e *Engine) RiskWeight(category string) float64 {
	if w, ok := e.catW[category]; ok {
		return w
	}
	if w, ok := e.groupW[GroupOf(category)]; ok {
		return w
	}
	return 0.5
}

// RiskWeights returns the configured weights: per group and per category.
func (e *Engine) RiskWeights() (groups, categories map[string]float64) {
	groups, categories = map[string]float64{}, map[string]float64{}
	for k, v := range e.groupW {
		groups[k] = v
	}
	for k, v := range e.catW {
		categories[k] = v
	}
	return groups, categories
}
