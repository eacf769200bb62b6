package classifiers

import (
	"github.com/piisniff/piisniff"
	"regexp"
	"strings"
	"testing"
)

func TestASCIIDFA(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		built   bool // an automaton is made
		inputs  []string
	}{
		{`(?:tel:)?(?:\+|00)?\(?[0-9](?:[ ./-]?\(?[0-9]+\)?){3,12}`, true,
			[]string{"+49 30 1234567", "(562) 555-5936", "tel:0301234", "12", "+1 (415) 555-2671 ext", "030 1234567\n"}},
		{`(?i)[\p{L}\p{N}!#$%&'*+/=?^_` + "`" + `{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_` + "`" + `{|}~-]+)*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[a-z]{2,24}`, true,
			[]string{"ann@example.com", "ANN@EXAMPLE.COM", "a@b", "a.b@c-d.example.org", "a..b@example.com", "a@-b.com"}},
		{`[A-Za-z0-9][A-Za-z0-9:_.-]{7,255}`, true, []string{"abcdefgh", "abcdefg", "_abcdefgh", strings.Repeat("a", 256), strings.Repeat("a", 257)}},
		{`(?:a*)*b`, true, []string{"b", "aaab", "aaa", "ba"}},
		{`(?i)k`, true, []string{"k", "K", "x"}},
		{`\bword\b`, false, nil}, // word boundaries: left to regexp
		{`(?m)^a$`, false, nil},  // multi-line assertions: left to regexp
		{`a{1000}`, true, []string{strings.Repeat("a", 1000), strings.Repeat("a", 999)}},
		{`[ab]*a[ab]{12}`, false, nil}, // too many states (2^13)
		{`a)|(b`, false, nil},          // not anchored as a whole: ^(?:a)|(b)$
	} {
		expr := `^(?:` + tc.pattern + `)$`
		re, err := regexp.Compile(expr)
		if err != nil {
			t.Fatal(err)
		}
		d := newASCIIDFA(expr)
		d.once.Do(d.build)
		if d.ok != tc.built {
			t.Errorf("%s: built %v, want %v", tc.pattern, d.ok, tc.built)
			continue
		}
		for _, in := range tc.inputs {
			got, decided := d.match(in)
			if !decided {
				t.Errorf("%s: %q not decided", tc.pattern, in)
			} else if want := re.MatchString(in); got != want {
				t.Errorf("%s: %q: %v, regexp says %v", tc.pattern, in, got, want)
			}
			if gotB, decidedB := d.matchBytes([]byte(in)); gotB != got || decidedB != decided {
				t.Errorf("%s: %q: matchBytes %v %v, match %v %v", tc.pattern, in, gotB, decidedB, got, decided)
			}
		}
		if tc.built {
			if _, decided := d.match("é"); decided {
				t.Errorf("%s: a text that is not ASCII was decided", tc.pattern)
			}
			if _, decided := d.match(""); decided {
				t.Errorf("%s: the empty text was decided", tc.pattern)
			}
		}
	}
}

// TestASCIIDFARules: every whole-value pattern of the default rules gets
// the answer regexp gives on the values of the rules' own examples.
func TestASCIIDFARules(t *testing.T) {
	e, err := Load(Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	built, total := 0, 0
	for i := range e.rules {
		r := e.rules[i]
		m, ok := r.whole.(*re2Matcher)
		if !ok || m.dfa == nil {
			continue
		}
		total++
		m.dfa.once.Do(m.dfa.build)
		if m.dfa.ok {
			built++
		}
	}
	t.Logf("automata for %d of %d whole-value patterns", built, total)
	if total == 0 || built*2 < total {
		t.Fatalf("automata for %d of %d whole-value patterns", built, total)
	}
}

// FuzzASCIIDFA compares the automaton with regexp on fuzzed patterns and
// texts.
func FuzzASCIIDFA(f *testing.F) {
	for _, s := range [][2]string{
		{`(?:tel:)?(?:\+|00)?\(?[0-9](?:[ ./-]?\(?[0-9]+\)?){3,12}`, "+49 (30) 1234567"},
		{`(?i)[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}`, "Ann@Example.COM"},
		{`(?:a|ab)(?:c|bcd)(?:d*)`, "abcd"},
		{`\$?[0-9]+(?:\.[0-9]{2})?$`, "12.50"},
		{`(?s).{2,5}`, "a\nbc"},
		{`x*`, "xxx"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if len(pattern) > 200 {
			return
		}
		// as the patterns of rules are: each compiles alone, and is
		// matched whole; an expression that is not anchored as a whole
		// (a pattern such as ")|(") gets no automaton
		expr := `^(?:` + pattern + `)$`
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		d := newASCIIDFA(expr)
		got, decided := d.match(text)
		if !decided {
			return
		}
		if want := re.MatchString(text); got != want {
			t.Fatalf("%q on %q: %v, regexp says %v", pattern, text, got, want)
		}
	})
}
