package classifiers

import (
	"sync"
	"sync/atomic"
)

// Load compiles the default rules and then each user source in order. A
// user rule with the id of an earlier rule changes the keys it states and
// keeps the others (`disabled: true` alone removes the rule); a new id adds
// a rule. The error, if any, is a LoadErrors listing every error found.
// Examples are read and their form checked, but not run: Check runs them.
func Load(sources ...Source) (*Engine, error) {
	e, _, err := load(sources, "")
	return e, err
}

// Check compiles one rules file merged over the given default rules (nil
// for none), runs the examples that file states, and returns the warnings
// about that file (nested quantifiers, rules that can never fire). The
// error, if any, is a LoadErrors holding every error, each at its
// file:line:column: unknown keys, ids and categories, patterns that do not
// compile, examples that the rule does not judge as stated.
func Check(src Source, defaults []byte) ([]Warning, error) {
	var sources []Source
	if defaults != nil {
		sources = append(sources, Source{Name: "rules.yaml (built in)", Data: defaults})
	}
	_, ws, err := load(append(sources, src), src.Name)
	var out []Warning
	for _, w := range ws {
		if w.Source == src.Name {
			out = append(out, w)
		}
	}
	return out, err
}

// load compiles sources; the examples stated in the source named examplesOf
// are run ("" for none). Everything wrong is reported, not only the first
// error.
func load(sources []Source, examplesOf string) (*Engine, []Warning, error) {
	var order []string
	specs := map[string]*ruleSpec{}
	d := &diag{}
	e := &Engine{groupW: map[string]float64{}, catW: map[string]float64{}, combos: map[string]Combination{}, names: new(sync.Map), nNames: new(atomic.Int64)}
	for _, src := range sources {
		d.sources = append(d.sources, src.Name)
		fs := parseFile(src, d)
		seen := map[string]int{}
		for _, r := range fs.rules {
			if l, dup := seen[r.ID]; dup {
				d.errAt(r.src, r.posOf("id", ""), "rule %q: duplicate id (first defined on line %d)", r.ID, l)
				continue
			}
			seen[r.ID] = r.line
			if base, ok := specs[r.ID]; ok {
				r = r.mergeOver(base)
			} else {
				order = append(order, r.ID)
			}
			specs[r.ID] = r
		}
		for k, v := range fs.risk.groups {
			e.groupW[k] = v
		}
		for k, v := range fs.risk.categories {
			e.catW[k] = v
		}
		mergeRiskModel(&e.riskModel, fs.risk.model)
		for id, c := range fs.risk.combinations {
			if base, ok := e.combos[id]; ok {
				e.combos[id] = mergeCombination(base, c)
			} else {
				e.combos[id] = finishCombination(c)
			}
		}
	}
	for _, id := range order {
		s := specs[id]
		if s.Disabled {
			continue
		}
		r := compileRule(s, d)
		if r == nil {
			continue
		}
		e.rules = append(e.rules, r)
		e.geo = e.geo || r.category == "geo_coordinates"
		if examplesOf != "" {
			runExamples(r, s.Examples, examplesOf, d)
		}
	}
	if err := checkRiskModel(e.riskModel); err != nil {
		d.errs = append(d.errs, err)
	}
	if err := d.err(); err != nil {
		return nil, d.warns, err
	}
	return e, d.warns, nil
}
