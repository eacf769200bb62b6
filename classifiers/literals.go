package classifiers

import (
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// valueLiterals rejects, before a whole-value pattern runs, an ASCII
// value that holds none of the literals every match of the pattern holds
// one of: `(?:[\p{L}'.-]+ ){1,4}(?:street|st|avenue|…)` needs one of the
// street words, so "Name 12345" is rejected without the regular
// expression (which would try and fail at every split of the words). The
// literals are derived from the pattern's syntax (required); like
// shapeFilter it is a necessary condition of a match, and it says nothing
// about values holding non-ASCII bytes.
type valueLiterals struct {
	lits  []literal
	first [256][]uint8 // by a value's byte (folded where a literal is), the literals that may start there
	on    bool
}

// Limits of a filter: more literals, or shorter ones, reject too little to
// pay for the scan.
const (
	maxLiterals   = 64
	minLiteralLen = 2
)

// newValueLiterals derives the filter of one RE2 whole-value pattern; it
// is off when the pattern needs no literal the limits allow.
func newValueLiterals(pattern string) valueLiterals {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return valueLiterals{}
	}
	lits, ok := required(re.Simplify(), true)
	if !ok {
		return valueLiterals{}
	}
	lits = pruneLiterals(lits)
	if len(lits) == 0 || len(lits) > maxLiterals {
		return valueLiterals{}
	}
	f := valueLiterals{lits: lits, on: true}
	for i, l := range lits {
		if len(l.s) < minLiteralLen {
			return valueLiterals{}
		}
		c := l.s[0]
		if c >= utf8.RuneSelf {
			continue // no ASCII value holds it
		}
		f.first[c] = append(f.first[c], uint8(i))
		if l.fold && 'a' <= c && c <= 'z' {
			f.first[c-'a'+'A'] = append(f.first[c-'a'+'A'], uint8(i))
		}
	}
	return f
}

// may reports whether s holds one of the literals, or is not ASCII.
func (f *valueLiterals) may(s string) bool {
	if !f.on {
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true // runes and bytes do not line up: no verdict
		}
		for _, li := range f.first[s[i]] {
			if l := &f.lits[li]; hasLiteralAt(s, i, l) {
				return true
			}
		}
	}
	return false
}

func hasLiteralAt(s string, i int, l *literal) bool {
	if len(s)-i < len(l.s) {
		return false
	}
	if !l.fold {
		return s[i:i+len(l.s)] == l.s
	}
	for j := 0; j < len(l.s); j++ {
		c := s[i+j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != l.s[j] {
			return false
		}
	}
	return true
}

// pruneLiterals drops duplicates and every literal that holds another
// one of the same case sensitivity: a value holding it holds the other.
func pruneLiterals(lits []literal) []literal {
	var out []literal
	for i, l := range lits {
		redundant := false
		for j, o := range lits {
			if i != j && o.fold == l.fold && strings.Contains(l.s, o.s) && (len(o.s) < len(l.s) || j < i) {
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, l)
		}
	}
	return out
}
