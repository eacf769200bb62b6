package classifiers

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// regexp2Timeout bounds one regexp2 match.
const regexp2Timeout = 50 * time.Millisecond

// matcher is a compiled value pattern of either engine.
type matcher interface {
	match(s string) bool
	// find returns the first match at or after byte offset from.
	find(s string, from int) (start, end int, ok bool)
	String() string
}

type re2Matcher struct {
	whole, text *regexp.Regexp
	relaxed     relaxedWhole  // whole without its large repetition bounds, for short values (relax.go)
	literals    valueLiterals // literals every match of whole holds one of (literals.go)
	textLits    valueLiterals // the same for a match of the pattern inside free text
	backtracks  bool          // whole (or relaxed) is small enough for regexp's backtracker
	src         string
	first       firstSet // bytes a match of the pattern (inside the text boundaries) starts with
	contain     containFilter
	dfa         *asciiDFA // whole as an automaton, for ASCII values (dfa.go)
}

// newRE2Whole is a re2Matcher of the anchored expression whole, with its
// relaxed form where it has one.
func newRE2Whole(whole *regexp.Regexp, src string) *re2Matcher {
	m := &re2Matcher{whole: whole, src: src, dfa: newASCIIDFA(whole.String())}
	m.relaxed, _, m.backtracks = relaxWhole(whole.String())
	m.literals = newValueLiterals(whole.String())
	return m
}

func (m *re2Matcher) match(s string) bool {
	if !m.literals.may(s) {
		return false
	}
	if ok, decided := m.dfa.match(s); decided {
		return ok
	}
	if len(s) < m.relaxed.below {
		return m.relaxed.re.MatchString(s)
	}
	return m.whole.MatchString(s)
}
func (m *re2Matcher) String() string { return m.src }

// find searches from the rune before the first byte a match can start with
// (the boundary before the match) rather than from from: the regular
// expression then skips no text it could match, and gives the same match,
// since a match cannot start earlier and the text boundary "^" cannot
// match at a byte that does not start the pattern.
func (m *re2Matcher) find(s string, from int) (int, int, bool) {
	start := from
	if !m.first.any {
		i := from
		for i < len(s) && !m.first.accepts(s[i]) {
			i++
		}
		if i == len(s) {
			return 0, 0, false
		}
		if i > from+1 {
			start = i - 1
			for start > from && !utf8.RuneStart(s[start]) {
				start--
			}
		}
	}
	loc := m.text.FindStringSubmatchIndex(s[start:])
	if loc == nil {
		return 0, 0, false
	}
	return start + loc[2], start + loc[3], true
}

type re2xMatcher struct {
	whole, text *regexp2.Regexp
	src         string
	guard       timeoutGuard
}

func (m *re2xMatcher) match(s string) bool {
	if m.guard.gaveUp() {
		return false
	}
	ok, err := m.whole.MatchString(s)
	m.guard.failed(err)
	return ok && err == nil
}
func (m *re2xMatcher) String() string { return m.src }
func (m *re2xMatcher) find(s string, from int) (int, int, bool) {
	if m.guard.gaveUp() {
		return 0, 0, false
	}
	runeFrom := utf8.RuneCountInString(s[:from])
	mt, err := m.text.FindStringMatchStartingAt(s, runeFrom)
	m.guard.failed(err)
	if err != nil || mt == nil {
		return 0, 0, false
	}
	g := mt.GroupByNumber(1)
	if g == nil {
		return 0, 0, false
	}
	start := runeOffset(s, g.Index)
	return start, start + len(g.String()), true
}

func runeOffset(s string, n int) int {
	i := 0
	for n > 0 && i < len(s) {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
		n--
	}
	return i
}

// boundaries around a pattern searched inside free text
const (
	textBefore = `(?:^|[^\p{L}\p{N}_])(`
	textAfter  = `)(?:[^\p{L}\p{N}_]|$)`
)

func compileMatcher(engine, p string, text bool) (matcher, error) {
	if engine == "regexp2" {
		w, err := regexp2.Compile(`^(?:`+p+`)$`, regexp2.RE2)
		if err != nil {
			w, err = regexp2.Compile(`^(?:`+p+`)$`, 0)
		}
		if err != nil {
			return nil, err
		}
		w.MatchTimeout = regexp2Timeout
		m := &re2xMatcher{whole: w, src: p}
		if text {
			t, err := regexp2.Compile(textBefore+p+textAfter, 0)
			if err != nil {
				return nil, err
			}
			t.MatchTimeout = regexp2Timeout
			m.text = t
		}
		return m, nil
	}
	w, err := regexp.Compile(`^(?:` + p + `)$`)
	if err != nil {
		return nil, err
	}
	m := newRE2Whole(w, p)
	m.first = firstSet{any: true}
	if text {
		if m.text, err = regexp.Compile(textBefore + p + textAfter); err != nil {
			return nil, err
		}
		if fs, ok := patternFirstSet(p); ok {
			m.first = fs
		}
		m.contain = newContainFilter(p)
		m.textLits = newValueLiterals(p)
	}
	return m, nil
}

// combine joins whole-value patterns into one matcher, so a value is
// scanned once for all of them; each was compiled alone first for errors.
func combine(engine string, patterns []string, ms []matcher) matcher {
	switch len(ms) {
	case 0:
		return nil
	case 1:
		return ms[0]
	}
	if engine == "re2" {
		parts := make([]string, len(patterns))
		for i, p := range patterns {
			parts[i] = "(?:" + p + ")"
		}
		if re, err := regexp.Compile("^(?:" + strings.Join(parts, "|") + ")$"); err == nil {
			m := newRE2Whole(re, strings.Join(patterns, " | "))
			if m.backtracks || !fewSmall(ms) {
				return m
			}
			// Joined, the patterns are too large for regexp's backtracker
			// and every value would go through the slower NFA (a street
			// address matched in 3 µs instead of 0.5 µs): a few patterns
			// that each fit it are tried one after the other instead.
		}
	}
	return multiMatcher(ms)
}

// maxSplit is the most patterns of a rule tried one by one (fewSmall);
// more are joined, however large.
const maxSplit = 4

// fewSmall reports whether ms are at most maxSplit RE2 matchers that each
// fit regexp's backtracker.
func fewSmall(ms []matcher) bool {
	if len(ms) > maxSplit {
		return false
	}
	for _, x := range ms {
		if m, ok := x.(*re2Matcher); !ok || !m.backtracks {
			return false
		}
	}
	return true
}

// unionRE compiles patterns (each valid on its own) as one alternation.
func unionRE(patterns []string) *regexp.Regexp {
	if len(patterns) == 0 {
		return nil
	}
	parts := make([]string, len(patterns))
	for i, p := range patterns {
		parts[i] = "(?:" + p + ")"
	}
	re, err := regexp.Compile(strings.Join(parts, "|"))
	if err != nil {
		return nil
	}
	return re
}

// multiMatcher tries several matchers in turn.
type multiMatcher []matcher

func (m multiMatcher) match(s string) bool {
	for _, x := range m {
		if x.match(s) {
			return true
		}
	}
	return false
}

// find returns the earliest match of any of the matchers.
func (m multiMatcher) find(s string, from int) (int, int, bool) {
	start, end, found := 0, 0, false
	for _, x := range m {
		if a, b, ok := x.find(s, from); ok && (!found || a < start) {
			start, end, found = a, b, true
		}
	}
	return start, end, found
}

func (m multiMatcher) String() string {
	parts := make([]string, len(m))
	for i, x := range m {
		parts[i] = x.String()
	}
	return strings.Join(parts, " | ")
}

func cleanRegexpErr(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "error parsing regexp: ")
	return s
}
