package classifiers

import (
	"os"
	"sync"
	"sync/atomic"
	"testing"
)

// builtinSpecs parses ../rules.yaml, failing the test on any error.
func builtinSpecs(t *testing.T) []*ruleSpec {
	t.Helper()
	data, err := os.ReadFile("../rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d := &diag{}
	fs := parseFile(Source{Name: "rules.yaml", Data: data}, d)
	if err := d.err(); err != nil {
		t.Fatal(err)
	}
	if len(fs.rules) < 50 {
		t.Fatalf("only %d rules read from rules.yaml", len(fs.rules))
	}
	return fs.rules
}

// TestBuiltinRulesHaveExamples: every built-in rule shows at least two
// values it reports and two it does not.
func TestBuiltinRulesHaveExamples(t *testing.T) {
	for _, s := range builtinSpecs(t) {
		match, noMatch := 0, 0
		for _, x := range s.Examples {
			if x.match {
				match++
			} else {
				noMatch++
			}
		}
		if match < 2 || noMatch < 2 {
			t.Errorf("rules.yaml:%d: rule %q has %d match and %d no_match examples, want at least 2 of each", s.line, s.ID, match, noMatch)
		}
	}
}

// TestBuiltinExamples runs every example of every built-in rule, one
// subtest per example, through the rule alone (see runExamples).
func TestBuiltinExamples(t *testing.T) {
	ran := 0
	for _, s := range builtinSpecs(t) {
		d := &diag{}
		r := compileRule(s, d)
		if r == nil {
			t.Errorf("rule %s: %v", s.ID, d.err())
			continue
		}
		e := &Engine{rules: []*rule{r}, names: new(sync.Map), nNames: new(atomic.Int64)}
		t.Run(s.ID, func(t *testing.T) {
			for _, x := range s.Examples {
				field := x.field
				if field == "" {
					if r.requiresName || r.nameOnly {
						t.Errorf("rules.yaml:%d:%d: example %q has no field, and the rule needs one", x.at.line, x.at.col, x.value)
						continue
					}
					field = ExampleField
				}
				ran++
				if got, why := e.judge(field, x); got != x.match {
					t.Errorf("rules.yaml:%d:%d: %q in field %q (store type %q): matched = %v, want %v (%s)",
						x.at.line, x.at.col, x.value, field, x.storeType, got, x.match, why)
				}
			}
		})
	}
	if ran < 4*50 {
		t.Errorf("only %d examples ran", ran)
	}
}

// TestExampleFieldIsNeutral: the default field of examples gives no rule
// field-name or context evidence, and no rule excludes it.
func TestExampleFieldIsNeutral(t *testing.T) {
	var sources []Source
	data, err := os.ReadFile("../rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sources = append(sources, Source{Name: "rules.yaml", Data: data})
	e, err := Load(sources...)
	if err != nil {
		t.Fatal(err)
	}
	f := e.Field(ExampleField, "")
	for _, fr := range f.rules {
		if fr.named || fr.context {
			t.Errorf("rule %s: field %q named=%v context=%v", fr.r.id, ExampleField, fr.named, fr.context)
		}
	}
	if ex := f.ExcludedRules(); len(ex) == 0 {
		t.Error("no rule needs a field name: the test proves nothing")
	} else {
		for _, id := range ex {
			r := e.ruleByID(id)
			if !r.requiresName && !r.nameOnly {
				t.Errorf("rule %s excludes the field %q", id, ExampleField)
			}
		}
	}
}
