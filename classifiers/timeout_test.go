package classifiers_test

import (
	"strings"
	"testing"

	"github.com/piisniff/piisniff/classifiers"
)

// TestCatastrophicPatternIsGivenUp: a regexp2 pattern that backtracks
// exponentially costs its MatchTimeout on a few values, then is given up
// for the rest of the scan instead of costing it on every value.
func TestCatastrophicPatternIsGivenUp(t *testing.T) {
	rules := "version: 1\nrules:\n  - id: catastrophic\n    category: api_secret\n    engine: regexp2\n    patterns: [\"(a+)+$\"]\n    confidence: 0.9\n"
	e, err := classifiers.Load(classifiers.Source{Name: "user.yaml", Data: []byte(rules)})
	if err != nil {
		t.Fatal(err)
	}
	f := e.Field("token", "")
	if h := f.Classify(classifiers.Value{S: "aaaa"}, nil); len(h) != 1 {
		t.Fatalf("the pattern does not match a plain value: %+v", h)
	}
	if g := e.GivenUp(); len(g) != 0 {
		t.Fatalf("given up before any timeout: %+v", g)
	}
	for i := 0; i < classifiers.MaxMatchTimeouts; i++ {
		v := strings.Repeat("a", 40+i) + "!"
		if h := f.Classify(classifiers.Value{S: v}, nil); len(h) != 0 {
			t.Fatalf("%q matched: %+v", v, h)
		}
	}
	g := e.GivenUp()
	if len(g) != 1 || g[0].RuleID != "catastrophic" || g[0].Pattern != "(a+)+$" {
		t.Fatalf("given up: %+v", g)
	}
	// from now on the pattern is not run at all
	if h := f.Classify(classifiers.Value{S: strings.Repeat("a", 10000) + "!"}, nil); len(h) != 0 {
		t.Fatalf("matched after being given up: %+v", h)
	}
}
