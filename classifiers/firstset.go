package classifiers

import (
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// firstSet is the set of bytes a match of a pattern can start with: a
// prefilter that rejects most values with one lookup before any regular
// expression runs.
type firstSet struct {
	ascii    charSet
	nonASCII bool // a match may start with a multi-byte character
	any      bool // no restriction could be derived
}

func (f *firstSet) accepts(b byte) bool {
	if f.any {
		return true
	}
	if b >= utf8.RuneSelf {
		return f.nonASCII
	}
	return f.ascii.has(b)
}

func (f *firstSet) union(o firstSet) {
	f.ascii[0] |= o.ascii[0]
	f.ascii[1] |= o.ascii[1]
	f.nonASCII = f.nonASCII || o.nonASCII
	f.any = f.any || o.any
}

func (f *firstSet) addRune(r rune, fold bool) {
	if r >= utf8.RuneSelf {
		f.nonASCII = true
	} else {
		f.ascii.add(byte(r))
	}
	if fold {
		for c := unicode.SimpleFold(r); c != r; c = unicode.SimpleFold(c) {
			if c >= utf8.RuneSelf {
				f.nonASCII = true
			} else {
				f.ascii.add(byte(c))
			}
		}
	}
}

func (f *firstSet) addRange(lo, hi rune) {
	if hi >= utf8.RuneSelf {
		f.nonASCII = true
		hi = utf8.RuneSelf - 1
	}
	for r := lo; r <= hi; r++ {
		f.ascii.add(byte(r))
	}
}

// patternFirstSet derives the first-byte set of an RE2 pattern; ok is false
// when the pattern cannot be analysed.
func patternFirstSet(pattern string) (firstSet, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return firstSet{any: true}, false
	}
	fs, nullable := first(re.Simplify())
	if nullable {
		return firstSet{any: true}, true
	}
	return fs, true
}

// first returns the bytes a match of re can start with and whether re can
// match the empty string.
func first(re *syntax.Regexp) (firstSet, bool) {
	var fs firstSet
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return fs, true
		}
		fs.addRune(re.Rune[0], re.Flags&syntax.FoldCase != 0)
		return fs, false
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			fs.addRange(re.Rune[i], re.Rune[i+1])
		}
		return fs, false
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return firstSet{any: true}, false
	case syntax.OpCapture, syntax.OpPlus:
		return first(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		s, _ := first(re.Sub[0])
		return s, true
	case syntax.OpRepeat:
		s, null := first(re.Sub[0])
		return s, null || re.Min == 0
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			s, null := first(sub)
			fs.union(s)
			if !null {
				return fs, false
			}
		}
		return fs, true
	case syntax.OpAlternate:
		nullable := false
		for _, sub := range re.Sub {
			s, null := first(sub)
			fs.union(s)
			nullable = nullable || null
		}
		return fs, nullable
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return fs, true
	}
	return firstSet{any: true}, false
}

// requiredLiterals returns strings of which every match of pattern contains
// at least one, or ok false when no such set can be derived. Matching a
// short field name against a few substrings is much cheaper than running a
// large alternation, so names that contain none of them skip the pattern.
func requiredLiterals(pattern string) ([]string, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	return required(re.Simplify())
}

func required(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return nil, false
		}
		s := string(re.Rune)
		if re.Flags&syntax.FoldCase != 0 {
			return nil, false // names are lower case, but keep the check exact
		}
		return []string{s}, true
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
		return nil, false
	case syntax.OpConcat:
		var best []string
		bestLen := 0
		for _, sub := range re.Sub {
			lits, ok := required(sub)
			if !ok {
				continue
			}
			shortest := len(lits[0])
			for _, l := range lits {
				shortest = min(shortest, len(l))
			}
			if best == nil || shortest > bestLen {
				best, bestLen = lits, shortest
			}
		}
		return best, best != nil
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			lits, ok := required(sub)
			if !ok {
				return nil, false
			}
			all = append(all, lits...)
		}
		return all, true
	}
	return nil, false
}

// literalFilter holds the required literals of a set of patterns; a name
// containing none of them cannot match any pattern.
type literalFilter struct {
	lits []string
	on   bool
}

func newLiteralFilter(patterns []string) literalFilter {
	var f literalFilter
	for _, p := range patterns {
		lits, ok := requiredLiterals(p)
		if !ok {
			return literalFilter{}
		}
		f.lits = append(f.lits, lits...)
	}
	f.on = len(f.lits) > 0
	return f
}

// mayMatch reports whether s contains one of the literals (always true when
// the filter could not be derived).
func (f *literalFilter) mayMatch(s string) bool {
	if !f.on {
		return true
	}
	for _, l := range f.lits {
		if strings.Contains(s, l) {
			return true
		}
	}
	return false
}
