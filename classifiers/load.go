package classifiers

import (
	"sync"
	"sync/atomic"
)

// Load compiles the default rules and then each user source in order. A
// user rule with the id of an earlier rule changes the keys it states and
// keeps the others (`disabled: true` alone removes the rule); a new id adds
// a rule.
func Load(sources ...Source) (*Engine, error) {
	e, _, err := load(sources)
	return e, err
}

// Check compiles one rules file merged over the given default rules (nil
// for none) and returns the warnings about that file (nested quantifiers,
// rules that can never fire); errors carry file:line.
func Check(src Source, defaults []byte) ([]Warning, error) {
	var sources []Source
	if defaults != nil {
		sources = append(sources, Source{Name: "rules.yaml (built in)", Data: defaults})
	}
	_, ws, err := load(append(sources, src))
	if err != nil {
		return nil, err
	}
	var out []Warning
	for _, w := range ws {
		if w.Source == src.Name {
			out = append(out, w)
		}
	}
	return out, nil
}

func load(sources []Source) (*Engine, []Warning, error) {
	var order []string
	specs := map[string]*ruleSpec{}
	e := &Engine{groupW: map[string]float64{}, catW: map[string]float64{}, combos: map[string]Combination{}, names: new(sync.Map), nNames: new(atomic.Int64)}
	for _, src := range sources {
		fs, err := parseFile(src)
		if err != nil {
			return nil, nil, err
		}
		seen := map[string]int{}
		for _, r := range fs.rules {
			if l, dup := seen[r.ID]; dup {
				return nil, nil, r.errf(r.line, "duplicate id (first defined on line %d)", l)
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
		for id, c := range fs.risk.combinations {
			if base, ok := e.combos[id]; ok {
				e.combos[id] = mergeCombination(base, c)
			} else {
				e.combos[id] = finishCombination(c)
			}
		}
	}
	var warns []Warning
	for _, id := range order {
		s := specs[id]
		if s.Disabled {
			continue
		}
		r, w, err := compileRule(s)
		if err != nil {
			return nil, nil, err
		}
		warns = append(warns, w...)
		e.rules = append(e.rules, r)
		e.geo = e.geo || r.category == "geo_coordinates"
	}
	return e, warns, nil
}
