package classifiers

import (
	"math"
	"strings"
)

// fieldRule is a rule as it applies to one field path.
type fieldRule struct {
	r       *rule
	maxConf float64  // the confidence of a hit of this rule on this field
	ev      Evidence // the evidence the field's path gives it
	named   bool     // the field's name matches the rule's field names
	context bool     // a parent's name or a context keyword matches
	kwList  uint8    // keywordIndex.list of the rule: one byte, which the struct's padding holds
}

// Field is the compiled view of the engine for one field path. It is
// immutable and safe for concurrent use.
type Field struct {
	e         *Engine
	path      string
	name      string // the normalised key, for explanations
	storeType string
	rules     []fieldRule
	typeHits  []Hit
	regional  []*rule       // rules of the field whose validator reads the region
	gate      *gate         // the rules by value kind and shape (nil: test each rule's bounds)
	kw        *keywordIndex // the engine's keywords
}

// Field returns what the engine knows about a field path. Everything that
// depends on the path alone is computed here, once; callers cache the result
// per path. storeType is the store-declared type ("" when unknown).
func (e *Engine) Field(path, storeType string) *Field {
	f := &Field{e: e, path: path, storeType: storeType, kw: e.keywords()}
	pn := newPathNames(path)
	f.name = pn.leaf
	if pn.combined != "" {
		f.name = pn.combined
	}
	names := pn.names()
	st := strings.ToLower(storeType)
	var key []byte // the indices of the field's rules
	for i, r := range e.rules {
		if st != "" {
			for _, t := range r.storeTypes {
				if strings.EqualFold(t, st) {
					f.typeHits = append(f.typeHits, Hit{Category: r.category, Confidence: r.conf, Evidence: EvStoreType, Rule: r.id})
				}
			}
		}
		if len(r.matchers) == 0 && r.validator == nil && !r.nameOnly {
			continue // store-type rule
		}
		if e.nameMatches(i, names, true) {
			continue
		}
		fr := fieldRule{r: r, named: e.nameMatches(i, names, false), kwList: f.kw.list[i]}
		if !fr.named {
			fr.context = e.nameMatches(i, pn.ancestor, false)
			for _, c := range r.context {
				if strings.Contains(pn.tokens, c) {
					fr.context = true
				}
			}
		}
		if (r.nameOnly || r.requiresName) && !fr.named {
			continue
		}
		fr.maxConf, fr.ev = fr.confidence()
		f.rules = append(f.rules, fr)
		key = append(key, byte(i), byte(i>>8))
		if r.regionCheck != nil {
			f.regional = append(f.regional, r)
		}
	}
	if len(f.rules) > 0 {
		f.gate = e.gateFor(string(key), f.rules)
	}
	return f
}

// nameEval is what the rules' field-name patterns say about one
// normalised name: bit i of match is set when rule i's field_names match
// it, of excl when its exclude.field_names do.
type nameEval struct{ match, excl []uint64 }

// maxNameCache bounds the per-engine cache of evaluated names (stores with
// keys that are ids have unbounded distinct names).
const maxNameCache = 1 << 16

// nameMatches reports whether rule i's field-name patterns (or, with excl,
// its field-name exclusions) match any of names. Names are evaluated against
// every rule once per engine and cached: containers share field names.
func (e *Engine) nameMatches(i int, names []string, excl bool) bool {
	for _, n := range names {
		if n == "" {
			continue
		}
		ev := e.evalName(n)
		bits := ev.match
		if excl {
			bits = ev.excl
		}
		if bits[i>>6]&(1<<(i&63)) != 0 {
			return true
		}
	}
	return false
}

func (e *Engine) evalName(n string) *nameEval {
	if v, ok := e.names.Load(n); ok {
		return v.(*nameEval)
	}
	words := (len(e.rules) + 63) / 64
	ev := &nameEval{match: make([]uint64, words), excl: make([]uint64, words)}
	for i, r := range e.rules {
		if r.fieldNameRE != nil && r.fieldNameLits.mayMatch(n) && r.fieldNameRE.MatchString(n) {
			ev.match[i>>6] |= 1 << (i & 63)
		}
		if r.exclFieldRE != nil && r.exclFieldLits.mayMatch(n) && r.exclFieldRE.MatchString(n) {
			ev.excl[i>>6] |= 1 << (i & 63)
		}
	}

	if e.nNames.Add(1) <= maxNameCache {
		e.names.Store(n, ev)
	}
	return ev
}

// Path is the field path this view was made for.
func (f *Field) Path() string { return f.path }

// Name is how field-name patterns read the path's last key (with its
// parent): "billingAddress.zipCode" → "billing address zip code".
func (f *Field) Name() string { return f.name }

// TypeHits are the findings implied by the store-declared type alone (for
// example an Elasticsearch geo_point), reported even for fields no sampled
// document holds.
func (f *Field) TypeHits() []Hit { return f.typeHits }

// confidence of a hit of fr on a value match.
func (fr *fieldRule) confidence() (float64, Evidence) {
	r := fr.r
	switch {
	case r.nameOnly:
		return r.conf, EvFieldName
	case fr.named:
		if r.requiresName {
			return r.conf, EvFieldName
		}
		return r.fieldConf, EvFieldName
	case fr.context:
		return math.Min(1, (r.conf+r.fieldConf)/2), EvContext
	}
	return r.conf, 0
}
