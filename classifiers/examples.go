package classifiers

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
)

// ExampleField is the field path an example is classified under when
// neither the example nor its rule's examples name one. No rule's field
// names mention it, so it gives a rule no field-name or context evidence.
const ExampleField = "sample"

// example is one example value of a rule, from its examples key: a value
// the rule must report (match) or must not (no_match).
type example struct {
	value     string
	kind      Kind
	field     string // field path; "" for ExampleField
	storeType string
	match     bool
	src       string
	at        pos
}

// parseExamples reads a rule's examples:
//
//	examples:
//	  field: card_number        # optional: the path of every example below
//	  match: ["4111 1111 1111 1111", {value: "378282246310005", field: amex}]
//	  no_match: ["4111 1111 1111 1112"]
//
// An example is a string, or a mapping with value and optionally field,
// kind (string, number, bool, date, binary; string by default) and
// store_type.
func parseExamples(src string, n *yaml.Node, r *ruleSpec, d *diag) bool {
	if n.Kind != yaml.MappingNode {
		d.nodeErr(src, n, "examples must be a mapping with the keys match, no_match and field")
		return false
	}
	ok := true
	field := ""
	var lists [2]*yaml.Node // match, no_match
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "field":
			ok = decodeScalar(src, v, "examples.field", &field, d) && ok
		case "match":
			lists[0] = v
		case "no_match":
			lists[1] = v
		default:
			d.nodeErr(src, k, "unknown key %q in examples (want match, no_match, field)", k.Value)
			ok = false
		}
	}
	r.Examples = nil
	for li, list := range lists {
		if list == nil {
			continue
		}
		key := [2]string{"examples.match", "examples.no_match"}[li]
		if list.Kind != yaml.SequenceNode {
			d.nodeErr(src, list, "%s must be a list of examples", key)
			ok = false
			continue
		}
		for _, en := range list.Content {
			x, good := parseExample(src, en, key, d)
			if !good {
				ok = false
				continue
			}
			x.match = li == 0
			if x.field == "" {
				x.field = field
			}
			r.Examples = append(r.Examples, x)
		}
	}
	return ok
}

func parseExample(src string, n *yaml.Node, key string, d *diag) (example, bool) {
	x := example{src: src, at: posOf(n), kind: KindString}
	if n.Kind == yaml.ScalarNode {
		x.value = n.Value
		return x, true
	}
	if n.Kind != yaml.MappingNode {
		d.nodeErr(src, n, "an entry of %s is a string or a mapping with value, field, kind, store_type", key)
		return x, false
	}
	ok, hasValue := true, false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "value":
			hasValue = true
			ok = decodeScalar(src, v, key+".value", &x.value, d) && ok
		case "field":
			ok = decodeScalar(src, v, key+".field", &x.field, d) && ok
		case "store_type":
			ok = decodeScalar(src, v, key+".store_type", &x.storeType, d) && ok
		case "kind":
			var kn string
			if decodeScalar(src, v, key+".kind", &kn, d) {
				k, known := kindNames[kn]
				if !known {
					d.nodeErr(src, v, "unknown kind %q (want string, number, bool, date, binary)", kn)
					ok = false
				}
				x.kind = k
			} else {
				ok = false
			}
		default:
			d.nodeErr(src, k, "unknown key %q in an example (want value, field, kind, store_type)", k.Value)
			ok = false
		}
	}
	if !hasValue && x.storeType == "" {
		d.nodeErr(src, n, "an example needs a value (or a store_type)")
		ok = false
	}
	return x, ok
}

// runExamples classifies each example of r that source src states and
// records an error for each one the rule does not judge as stated.
//
// The rule matches an example when an engine holding this rule alone
// reports it, for the example's value of the example's kind, in a field
// with the example's path (ExampleField by default) and store type: as
// Field(path, store_type).TypeHits or .Classify would at scan time, free
// text included. Other rules (which at scan time may cover or suppress
// it) play no part.
func runExamples(r *rule, exs []example, src string, d *diag) {
	var single *Engine
	for _, x := range exs {
		if x.src != src {
			continue
		}
		if single == nil {
			single = &Engine{rules: []*rule{r}, names: new(sync.Map), nNames: new(atomic.Int64)}
		}
		field := x.field
		if field == "" {
			if r.requiresName || r.nameOnly {
				d.errAt(x.src, x.at, "rule %q: the rule needs a field name, so its examples need one: set field: under examples or on the example", r.id)
				continue
			}
			field = ExampleField
		}
		got, why := single.judge(field, x)
		if got == x.match {
			continue
		}
		if x.match {
			d.errAt(x.src, x.at, "rule %q: match example %q (field %q) is not matched: %s", r.id, x.value, field, why)
		} else {
			d.errAt(x.src, x.at, "rule %q: no_match example %q (field %q) is matched: %s", r.id, x.value, field, why)
		}
	}
}

// judge tells whether the engine's only rule reports the example, and why
// or why not, in the words of Explain.
func (e *Engine) judge(field string, x example) (bool, string) {
	f := e.Field(field, x.storeType)
	if len(f.TypeHits()) > 0 {
		return true, fmt.Sprintf("the store type %q", x.storeType)
	}
	v := Value{Kind: x.kind, S: x.value}
	if xs := f.Explain(v); len(xs) > 0 { // the engine's only rule applies to the field
		if xs[0].Matched {
			return true, strings.TrimPrefix(xs[0].String(), xs[0].Rule+": ")
		}
		return false, "stopped at " + xs[0].Stage
	}
	if r := e.rules[0]; len(r.matchers) == 0 && r.validator == nil && !r.nameOnly {
		return false, fmt.Sprintf("the store type %q is not one of the rule's store_types", x.storeType)
	}
	return false, "the field name rules it out"
}
