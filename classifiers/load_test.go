package classifiers_test

import (
	"testing"

	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/classifiers"
)

func defaultEngine(t testing.TB) *classifiers.Engine {
	t.Helper()
	e, err := classifiers.Load(classifiers.Source{Name: "rules.yaml (built in)", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestDefaultRulesLoad(t *testing.T) {
	e := defaultEngine(t)
	ws, err := classifiers.Check(classifiers.Source{Name: "rules.yaml", Data: piisniff.DefaultRules}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		t.Errorf("warning: %s", w)
	}
	have := map[string]bool{}
	for _, r := range e.Rules() {
		have[r.Category] = true
	}
	for _, c := range classifiers.Taxonomy {
		if !have[c.Category] {
			t.Errorf("no rule for category %s", c.Category)
		}
	}
}
