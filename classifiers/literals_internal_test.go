package classifiers

import (
	"regexp"
	"testing"

	"github.com/piisniff/piisniff"
)

func TestValueLiterals(t *testing.T) {
	for _, tc := range []struct {
		pattern      string
		off          bool
		pass, reject []string
	}{
		{pattern: `(?i)\d{1,5} (?:[a-z]+ ){1,3}(?:street|lane|ave)\.?`,
			pass:   []string{"10 Downing STREET", "123 Linden Lane", "1 ave", "x street x", "Straße 5 é"}, // non-ASCII: no verdict
			reject: []string{"Name 12345", "Lyon", "123 Linden Road"}},
		{pattern: `sk_live_[0-9a-zA-Z]{10,}|rk_live_[0-9a-z]+`,
			pass:   []string{"sk_live_abc", "RK_LIVE_x rk_live_"},
			reject: []string{"SK_LIVE_abcdefghijk", "sk_test_abc"}}, // case-sensitive
		{pattern: `[a-z]+@[a-z]+\.[a-z]{2,}`, off: true},                                 // one-byte literals only
		{pattern: `(?i)(?:a|bc)+x{2}`, pass: []string{"bcXx"}, reject: []string{"abcx"}}, // "a" is too short, "xx" is not
		{pattern: `(?i)(?:a|bc)+x?`, off: true},
		{pattern: `(?i)r(?:oad|d)\.?|l(?:ane|n)`, pass: []string{"1 Main Rd.", "Penny LANE"}, reject: []string{"Main", "lan"}},
		{pattern: `(?i)(?:foo)?bar`, pass: []string{"xBaRx"}, reject: []string{"foo"}},
		{pattern: `(?:\w+)`, off: true},
	} {
		f := newValueLiterals(`^(?:` + tc.pattern + `)$`)
		if f.on == tc.off {
			t.Errorf("%s: on %v", tc.pattern, f.on)
			continue
		}
		for _, v := range tc.pass {
			if !f.may(v) {
				t.Errorf("%s: %q rejected", tc.pattern, v)
			}
		}
		for _, v := range tc.reject {
			if f.may(v) {
				t.Errorf("%s: %q let through", tc.pattern, v)
			}
		}
	}
}

// wholeMatchers are the default rules' RE2 whole-value matchers (joined
// and one by one) that have a literal filter.
func wholeMatchers(t testing.TB) []*re2Matcher {
	e, err := Load(Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	var out []*re2Matcher
	add := func(m matcher) {
		if rm, ok := m.(*re2Matcher); ok && (rm.literals.on || rm.textLits.on) {
			out = append(out, rm)
		}
	}
	street := false
	for _, r := range e.rules {
		add(r.whole)
		for _, m := range r.textMatchers {
			add(m)
		}
		for _, m := range r.matchers {
			add(m)
			if rm, ok := m.(*re2Matcher); ok && rm.literals.on && regexp.MustCompile(`street`).MatchString(rm.src) {
				street = true
			}
		}
	}
	if !street || len(out) < 10 {
		t.Fatalf("%d whole-value matchers with a literal filter (the street address patterns: %v)", len(out), street)
	}
	return out
}

// FuzzValueLiterals: the filter never rejects a value its pattern matches,
// nor a text its pattern is found in.
func FuzzValueLiterals(f *testing.F) {
	ms := wholeMatchers(f)
	for _, v := range []string{"123 Linden Lane", "10 Downing Street", "Hauptstraße 5", "12 rue de la Paix", "Name 12345",
		"postgres://app:pw@db:5432/x", "write to me at jane@example.org, or call", "$2b$12$abcdefghijklmnopqrstuv", "AKIAIOSFODNN7EXAMPLE", "ghp_0123456789abcdefghijABCDEFGHIJ012345"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, m := range ms {
			if !m.literals.may(v) && m.whole.MatchString(v) {
				t.Fatalf("%s: the literal filter rejects %q that the pattern matches", m.src, v)
			}
			if m.text != nil && !m.textLits.may(v) && m.text.MatchString(v) {
				t.Fatalf("%s: the literal filter rejects the text %q that the pattern is found in", m.src, v)
			}
		}
	})
}
