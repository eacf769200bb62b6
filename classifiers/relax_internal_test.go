package classifiers

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/piisniff/piisniff"
)

func TestRelaxWhole(t *testing.T) {
	for _, tc := range []struct {
		expr  string
		below int // 0: not relaxed
	}{
		{`^(?:a{1,64})$`, 65},
		{`^(?:(?:ab){0,40})$`, 82},
		{`^(?:[a-z]{2,24}@x{1,70})$`, 71}, // {2,24} would matter for values of 25 bytes: kept
		{`^(?:[a-z]{2,24}@x{1,17})$`, 0},
		{`^(?:(?:a{0,50}\.){1,8})$`, 51},
		{`^(?:x{2,10})$`, 0},          // a small bound: kept
		{`^(?:(?:a?){1,80})$`, 0},     // a repetition that may take nothing cannot be bounded by length
		{`^(?:(?:ab|c){3,70}d)$`, 71}, // the fewest runes of the alternation: 1
		{`^(?:a+)$`, 0},
		{`^(?:(?:\p{L}{2}){1,32}.)$`, 66},
		{`^(?:a{600}b{1,100})$`, 0}, // too large for the backtracker relaxed too
	} {
		r, ok, _ := relaxWhole(tc.expr)
		if ok != (tc.below > 0) || ok && r.below != tc.below {
			t.Errorf("%s: relaxed %v below %d, want below %d", tc.expr, ok, r.below, tc.below)
		}
	}
}

// relaxedRules are the default rules' whole-value matchers that have a
// relaxed form.
func relaxedRules(t testing.TB) []*re2Matcher {
	e, err := Load(Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	var out []*re2Matcher
	for _, r := range e.rules {
		if m, ok := r.whole.(*re2Matcher); ok && m.relaxed.re != nil {
			out = append(out, m)
		}
	}
	if len(out) < 3 {
		t.Fatalf("%d default rules with a relaxed whole-value pattern: the e-mail and token rules should", len(out))
	}
	return out
}

// TestRelaxedRulesMatchExactly: on values shorter than its bound, a
// relaxed pattern of the default rules matches exactly what the exact one
// matches: values that match (and those one edit away), and random
// strings of the characters the patterns are made of.
func TestRelaxedRulesMatchExactly(t *testing.T) {
	ms := relaxedRules(t)
	values := []string{"user123@example.org", "jane.doe+tag@mail.example.co.uk", "Jürgen.Müller@beispiel.de",
		"123 Linden Lane", "10 Downing Street", "user@@example.org", "a@b.c", "x@" + string(make([]byte, 70)),
		"postgres://app:s3cr3t@db.internal:5432/app", "https://user:pw@host/x"}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aZé0._%+-@:/ 1x9#"
	for range 20000 {
		b := make([]rune, rng.IntN(80))
		for i := range b {
			b[i] = []rune(alphabet)[rng.IntN(len([]rune(alphabet)))]
		}
		values = append(values, string(b))
	}
	for _, m := range ms {
		for _, v := range values {
			checkRelaxed(t, m, v)
		}
	}
}

func checkRelaxed(t *testing.T, m *re2Matcher, v string) {
	if len(v) >= m.relaxed.below {
		return
	}
	if got, want := m.relaxed.re.MatchString(v), m.whole.MatchString(v); got != want {
		t.Fatalf("%s: %q matched %v relaxed, %v exact", m.src, v, got, want)
	}
}

// splitRule is a rule whose whole-value patterns are tried one by one,
// and its patterns joined as combine would have joined them.
type splitRule struct {
	id     string
	whole  matcher
	joined *regexp.Regexp
}

// splitRules are the default rules whose patterns are tried one by one.
func splitRules(t testing.TB) []splitRule {
	e, err := Load(Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	var out []splitRule
	for _, r := range e.rules {
		if _, ok := r.whole.(multiMatcher); !ok || r.engine != "re2" {
			continue
		}
		var parts []string
		for _, m := range r.matchers {
			parts = append(parts, "(?:"+m.(*re2Matcher).src+")")
		}
		out = append(out, splitRule{r.id, r.whole, regexp.MustCompile("^(?:" + strings.Join(parts, "|") + ")$")})
	}
	if len(out) == 0 {
		t.Fatal("no default rule has its patterns tried one by one: the street address rule should")
	}
	return out
}

// TestSplitRulesMatchExactly: patterns tried one by one match what they
// match joined.
func TestSplitRulesMatchExactly(t *testing.T) {
	rs := splitRules(t)
	values := []string{"123 Linden Lane", "10 Downing Street", "Hauptstraße 5", "12 rue de la Paix", "Calle Mayor 3",
		"Name 12345", "Lyon", "1 a b c d e street", "42, avenue Foch, 75016 Paris"}
	for _, r := range rs {
		for _, v := range values {
			if got, want := r.whole.match(v), r.joined.MatchString(v); got != want {
				t.Errorf("%s: %q matched %v one by one, %v joined", r.id, v, got, want)
			}
		}
	}
}

// FuzzRelaxedWhole: the oracle is the exact pattern (and, for patterns
// tried one by one, the patterns joined).
func FuzzRelaxedWhole(f *testing.F) {
	ms := relaxedRules(f)
	rs := splitRules(f)
	for _, v := range []string{"user123@example.org", "a@b.co", "x.y@z", "123 Linden Lane", "ftp://u:p@h", "Hauptstraße 5"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, m := range ms {
			checkRelaxed(t, m, v)
		}
		for _, r := range rs {
			if got, want := r.whole.match(v), r.joined.MatchString(v); got != want {
				t.Fatalf("%s: %q matched %v one by one, %v joined", r.id, v, got, want)
			}
		}
	})
}

// BenchmarkRelaxedWhole: an e-mail address matched by the default rules'
// whole-value patterns that have a relaxed form, relaxed against exact.
func BenchmarkRelaxedWhole(b *testing.B) {
	ms := relaxedRules(b)
	for _, exact := range []bool{false, true} {
		name := "relaxed"
		if exact {
			name = "exact"
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				for _, m := range ms {
					re := m.relaxed.re
					if exact {
						re = m.whole
					}
					re.MatchString("jane.doe@example.org")
				}
			}
		})
	}
}
