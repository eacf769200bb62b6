package classifiers

import (
	"fmt"
	"sort"
	"strings"
)

// Explanation is how one rule judged one value of a field.
type Explanation struct {
	Rule       string
	Category   string
	Matched    bool
	Confidence float64  // when matched
	Evidence   Evidence // when matched
	// Stage is where a rule that did not match stopped: "kind", "prefilter",
	// "entropy", "pattern", "validator", "excluded value", "text search",
	// "suppressed".
	Stage      string
	FieldName  bool // the field's name matched the rule's field names
	Context    bool // a parent's name or a context keyword matched
	Start, End int  // span of a match inside free text
}

// String is a one-line account of the explanation, for `piisniff explain`:
//
//	phone: matched (value, field_name, validator) 0.97
//	credit-card: no match, stopped at validator (field name matches)
func (x Explanation) String() string {
	var b strings.Builder
	b.WriteString(x.Rule)
	b.WriteString(": ")
	if x.Matched {
		fmt.Fprintf(&b, "matched %s (%s) %.2f", x.Category, x.Evidence, x.Confidence)
		if x.End > x.Start {
			fmt.Fprintf(&b, " at bytes %d-%d", x.Start, x.End)
		}
		return b.String()
	}
	b.WriteString("no match, stopped at " + x.Stage)
	switch {
	case x.FieldName:
		b.WriteString(" (field name matches)")
	case x.Context:
		b.WriteString(" (context matches)")
	}
	return b.String()
}

// Explain reports, for every rule that applies to the field, whether it
// matched the value and if not where it stopped. Rules whose field-name
// conditions exclude the field are listed by ExcludedRules.
func (f *Field) Explain(v Value) []Explanation {
	s := trimSpace(v.S)
	p := profile{kw: f.kw}
	p.compute(s)
	kb := uint8(1) << v.Kind
	out := make([]Explanation, 0, len(f.rules))
	hits := f.Classify(v, nil)
	for i := range f.rules {
		fr := &f.rules[i]
		x := Explanation{Rule: fr.r.id, Category: fr.r.category, FieldName: fr.named, Context: fr.context}
		if fr.r.kinds&kb == 0 {
			x.Stage = "kind"
		} else if s == "" {
			x.Stage = "prefilter"
		} else {
			var tr trace
			h, ok := fr.classify(s, &p, "", &tr)
			if ok {
				x.Matched, x.Confidence, x.Evidence, x.Start, x.End = true, h.Confidence, h.Evidence, h.Start, h.End
				kept := false
				for _, k := range hits {
					if k.Category == h.Category {
						kept = true
					}
				}
				if !kept {
					x.Matched, x.Stage = false, "suppressed"
				}
			} else {
				x.Stage = tr.stage
			}
		}
		out = append(out, x)
	}
	return out
}

// ExcludedRules lists the rules that cannot fire on this field because of
// its name: rules that need a field name it does not have, and rules whose
// field-name exclusions match it.
func (f *Field) ExcludedRules() []string {
	in := map[string]bool{}
	for _, fr := range f.rules {
		in[fr.r.id] = true
	}
	var out []string
	for _, r := range f.e.rules {
		if !in[r.id] && (len(r.matchers) > 0 || r.validator != nil || r.nameOnly) {
			out = append(out, r.id)
		}
	}
	sort.Strings(out)
	return out
}
