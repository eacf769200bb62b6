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
	lits, ok := required(re.Simplify(), false)
	out := make([]string, len(lits))
	for i, l := range lits {
		out[i] = l.s
	}
	return out, ok
}

// literal is a string a match holds; a fold one is lower-case ASCII
// where it is ASCII, and matches ASCII text case-insensitively.
type literal struct {
	s    string
	fold bool
}

// required returns the literals one of which every match of re holds,
// ok false when it derives none. Case-folded literals are taken only
// when fold is set (and lower-cased): on ASCII text a fold-case match of
// a literal is an ASCII case-insensitive match (the runes that fold into
// ASCII letters, such as the Kelvin sign, are not ASCII).
func required(re *syntax.Regexp, fold bool) ([]literal, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return nil, false
		}
		s := string(re.Rune)
		if re.Flags&syntax.FoldCase != 0 {
			if !fold {
				return nil, false // names are lower case, but keep the check exact
			}
			return []literal{{s: asciiLower(s), fold: true}}, true
		}
		return []literal{{s: s}}, true
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0], fold)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0], fold)
		}
		return nil, false
	case syntax.OpConcat:
		// each sub's literals are candidates, and so are the strings of
		// a run of subs that each match one of a few strings ("r" then
		// "oad" or "d": "road" or "rd", as the parser factors road|rd)
		var best []literal
		bestLen := 0
		consider := func(lits []literal) {
			if len(lits) == 0 {
				return
			}
			shortest := len(lits[0].s)
			for _, l := range lits {
				shortest = min(shortest, len(l.s))
			}
			if shortest > 0 && (best == nil || shortest > bestLen) {
				best, bestLen = lits, shortest
			}
		}
		var run []literal
		inRun := false
		for _, sub := range re.Sub {
			if strs, ok := exactStrings(sub, fold); ok {
				if !inRun {
					run, inRun = strs, true
				} else if run, ok = concatStrings(run, strs); !ok {
					inRun = false // too many: the run so far is lost, not wrong
				}
				if inRun {
					continue
				}
			} else if inRun {
				consider(run)
				inRun = false
			}
			if lits, ok := required(sub, fold); ok {
				consider(lits)
			}
		}
		if inRun {
			consider(run)
		}
		return best, best != nil
	case syntax.OpAlternate:
		var all []literal
		for _, sub := range re.Sub {
			lits, ok := required(sub, fold)
			if !ok {
				return nil, false
			}
			all = append(all, lits...)
		}
		return all, true
	}
	return nil, false
}

// maxExactStrings bounds the strings exactStrings and concatStrings make.
const maxExactStrings = 64

// exactStrings returns every string re matches, when they are a few
// literals (an empty one for what may match nothing) of one case
// sensitivity.
func exactStrings(re *syntax.Regexp, fold bool) ([]literal, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []literal{{}}, true
	case syntax.OpLiteral:
		return required(re, fold)
	case syntax.OpCapture:
		return exactStrings(re.Sub[0], fold)
	case syntax.OpQuest:
		strs, ok := exactStrings(re.Sub[0], fold)
		if !ok || len(strs) >= maxExactStrings {
			return nil, false
		}
		return append(strs, literal{fold: strs[0].fold}), true
	case syntax.OpAlternate:
		var all []literal
		for _, sub := range re.Sub {
			strs, ok := exactStrings(sub, fold)
			if !ok || len(all)+len(strs) > maxExactStrings {
				return nil, false
			}
			all = append(all, strs...)
		}
		return all, sameFold(all)
	case syntax.OpConcat:
		out := []literal{{}}
		for _, sub := range re.Sub {
			strs, ok := exactStrings(sub, fold)
			if !ok {
				return nil, false
			}
			if out, ok = concatStrings(out, strs); !ok {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// concatStrings is every string of a followed by one of b, when they are
// few and of one case sensitivity (an empty string takes the other's).
func concatStrings(a, b []literal) ([]literal, bool) {
	if len(a)*len(b) > maxExactStrings {
		return nil, false
	}
	out := make([]literal, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, literal{s: x.s + y.s, fold: x.fold || y.fold})
		}
	}
	return out, sameFold(a) && sameFold(b) && (len(a) == 0 || len(b) == 0 || foldOf(a) == foldOf(b) || allEmpty(a) || allEmpty(b))
}

// sameFold reports whether the non-empty strings are all of one case
// sensitivity.
func sameFold(lits []literal) bool {
	seen, fold := false, false
	for _, l := range lits {
		if l.s == "" {
			continue
		}
		if seen && l.fold != fold {
			return false
		}
		seen, fold = true, l.fold
	}
	return true
}

// foldOf is the case sensitivity of the non-empty strings (false when
// there are none).
func foldOf(lits []literal) bool {
	for _, l := range lits {
		if l.s != "" {
			return l.fold
		}
	}
	return false
}

func allEmpty(lits []literal) bool {
	for _, l := range lits {
		if l.s != "" {
			return false
		}
	}
	return true
}

// asciiLower lower-cases the ASCII letters of s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
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
