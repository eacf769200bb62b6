package classifiers

import (
	"regexp/syntax"
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
