package classifiers

import (
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// shapeFilter rejects, before a whole-value pattern runs, ASCII values
// that no alternative of the pattern can match: a value outside every
// alternative's length bounds, or holding a byte none of its elements
// matches, or with a byte at a fixed position from the start or the end
// that the element there does not match ("SKU-415371" cannot be an IBAN:
// its third byte is not a digit). Every check is a necessary condition of
// a match derived from the pattern's syntax, so the filter never rejects a
// value the pattern matches; it says nothing about values holding
// non-ASCII bytes, whose runes and bytes do not line up, and lets them
// through.
type shapeFilter struct {
	alts []altShape
	on   bool
}

// maxShapePositions bounds the fixed positions kept at each end.
const maxShapePositions = 8

// maxShapeAlts bounds the alternatives a filter checks one by one.
const maxShapeAlts = 64

// altShape is what every match of one alternative has, counted in runes
// (which are bytes in an ASCII value).
type altShape struct {
	minLen, maxLen int       // maxLen < 0: unbounded
	pre, suf       []charSet // the ASCII bytes possible at positions 0, 1, … from the start and from the end
	all            charSet   // every ASCII byte any element can match
}

// may reports whether the pattern can match the trimmed value s, whose
// profile is p: false only when no alternative can.
func (f *shapeFilter) may(s string, p *profile) bool {
	if !f.on || p.nonASCII {
		return true
	}
	for i := range f.alts {
		if f.alts[i].may(s, p) {
			return true
		}
	}
	return false
}

// mayBytes is may for bytes whose profile is not at hand, such as the
// digits of a national phone number.
func (f *shapeFilter) mayBytes(b []byte) bool {
	if !f.on {
		return true
	}
	var set charSet
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return true
		}
		set.add(c)
	}
	for i := range f.alts {
		if altMay(&f.alts[i], b, set) {
			return true
		}
	}
	return false
}

func (a *altShape) may(s string, p *profile) bool { return altMay(a, s, p.set) }

// altMay reports whether the ASCII value s, holding the bytes set, meets
// the alternative's conditions.
func altMay[T string | []byte](a *altShape, s T, set charSet) bool {
	n := len(s)
	if n < a.minLen || a.maxLen >= 0 && n > a.maxLen || !set.within(a.all) {
		return false
	}
	for i, c := range a.pre {
		if !c.has(s[i]) {
			return false
		}
	}
	for i, c := range a.suf {
		if !c.has(s[n-1-i]) {
			return false
		}
	}
	return true
}

// alternatives parses an RE2 pattern (Perl syntax) and returns its
// top-level alternatives, simplified and without an enclosing capture
// group; ok is false when the pattern does not parse.
func alternatives(pattern string) (subs []*syntax.Regexp, ok bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	re = re.Simplify()
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op == syntax.OpAlternate {
		return re.Sub, true
	}
	return []*syntax.Regexp{re}, true
}

// newShapeFilter derives the filter of the RE2 patterns of a rule, whose
// whole-value matcher is ^(?:p1|p2|…)$. The filter is off when a pattern
// cannot be analysed or restricts nothing.
func newShapeFilter(patterns []string) shapeFilter {
	var f shapeFilter
	for _, p := range patterns {
		subs, ok := alternatives(p)
		if !ok {
			return shapeFilter{}
		}
		for _, sub := range subs {
			a := shapeOf(sub)
			if a.minLen == 0 && a.maxLen < 0 && len(a.pre) == 0 && len(a.suf) == 0 && a.all == fullASCII {
				return shapeFilter{}
			}
			f.alts = append(f.alts, a)
		}
	}
	if len(f.alts) == 0 || len(f.alts) > maxShapeAlts {
		return shapeFilter{}
	}
	f.on = true
	return f
}

var fullASCII = charSet{^uint64(0), ^uint64(0)}

func shapeOf(re *syntax.Regexp) altShape {
	var a altShape
	a.minLen, a.maxLen = runeLen(re)
	a.pre, _ = positions(re, false)
	a.suf, _ = positions(re, true)
	if len(a.pre) > maxShapePositions {
		a.pre = a.pre[:maxShapePositions]
	}
	if len(a.suf) > maxShapePositions {
		a.suf = a.suf[:maxShapePositions]
	}
	a.all = asciiBytes(re)
	return a
}

// runeLen returns the fewest and most runes a match of re has (max < 0:
// unbounded).
func runeLen(re *syntax.Regexp) (lo, hi int) {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune), len(re.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1, 1
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0, 0
	case syntax.OpCapture:
		return runeLen(re.Sub[0])
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			l, h := runeLen(sub)
			lo += l
			if hi >= 0 {
				if h < 0 {
					hi = -1
				} else {
					hi += h
				}
			}
		}
		return lo, hi
	case syntax.OpAlternate:
		for i, sub := range re.Sub {
			l, h := runeLen(sub)
			if i == 0 {
				lo, hi = l, h
				continue
			}
			lo = min(lo, l)
			if hi >= 0 && (h < 0 || h > hi) {
				hi = h
			}
		}
		return lo, hi
	case syntax.OpQuest:
		_, h := runeLen(re.Sub[0])
		return 0, h
	case syntax.OpStar:
		return 0, -1
	case syntax.OpPlus:
		l, _ := runeLen(re.Sub[0])
		return l, -1
	case syntax.OpRepeat:
		l, h := runeLen(re.Sub[0])
		lo = re.Min * l
		if re.Max < 0 || h < 0 {
			return lo, -1
		}
		return lo, re.Max * h
	}
	return 0, -1
}

// positions returns the ASCII bytes possible at the first positions of
// every match of re (from the end when rev), and whether they describe
// the whole match (re is a fixed number of single-rune elements).
func positions(re *syntax.Regexp, rev bool) ([]charSet, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		out := make([]charSet, len(re.Rune))
		for i, r := range re.Rune {
			j := i
			if rev {
				j = len(re.Rune) - 1 - i
			}
			out[j] = literalSet(r, re.Flags&syntax.FoldCase != 0)
		}
		return out, true
	case syntax.OpCharClass:
		return []charSet{classSet(re.Rune)}, true
	case syntax.OpAnyChar:
		return []charSet{fullASCII}, true
	case syntax.OpAnyCharNotNL:
		c := fullASCII
		c[0] &^= 1 << '\n'
		return []charSet{c}, true
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return nil, true
	case syntax.OpCapture:
		return positions(re.Sub[0], rev)
	case syntax.OpPlus:
		p, _ := positions(re.Sub[0], rev)
		return p, false
	case syntax.OpRepeat:
		if re.Min == 0 {
			return nil, false
		}
		p, complete := positions(re.Sub[0], rev)
		if !complete || re.Max != re.Min {
			return p, false
		}
		var out []charSet
		for range re.Min {
			out = append(out, p...)
		}
		return out, true
	case syntax.OpConcat:
		var out []charSet
		for i := range re.Sub {
			sub := re.Sub[i]
			if rev {
				sub = re.Sub[len(re.Sub)-1-i]
			}
			p, complete := positions(sub, rev)
			out = append(out, p...)
			if !complete {
				return out, false
			}
		}
		return out, true
	case syntax.OpAlternate:
		var out []charSet
		complete := true
		for i, sub := range re.Sub {
			p, c := positions(sub, rev)
			if i == 0 {
				out = append(out, p...)
				complete = c
				continue
			}
			if len(p) != len(out) || !c {
				complete = false
			}
			out = out[:min(len(out), len(p))]
			for j := range out {
				out[j][0] |= p[j][0]
				out[j][1] |= p[j][1]
			}
		}
		return out, complete
	}
	return nil, false
}

// asciiBytes returns every ASCII byte an element of re can match.
func asciiBytes(re *syntax.Regexp) charSet {
	var c charSet
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			l := literalSet(r, re.Flags&syntax.FoldCase != 0)
			c[0] |= l[0]
			c[1] |= l[1]
		}
	case syntax.OpCharClass:
		c = classSet(re.Rune)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		c = fullASCII
	default:
		for _, sub := range re.Sub {
			s := asciiBytes(sub)
			c[0] |= s[0]
			c[1] |= s[1]
		}
	}
	return c
}

// literalSet is the ASCII runes a literal rune matches: itself, and its
// case variants when folding.
func literalSet(r rune, fold bool) charSet {
	var c charSet
	if r < utf8.RuneSelf {
		c.add(byte(r))
	}
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < utf8.RuneSelf {
				c.add(byte(f))
			}
		}
	}
	return c
}

// classSet is the ASCII part of a character class given as rune ranges.
func classSet(ranges []rune) charSet {
	var c charSet
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1] && r < utf8.RuneSelf; r++ {
			c.add(byte(r))
		}
	}
	return c
}

// containFilter rejects, before a pattern is searched for in free text, an
// ASCII text in which no alternative of the pattern can start: nowhere do
// its bytes match, one after the other, the elements every match of the
// alternative begins with ("[A-Z]{2}[0-9]{2}…" needs two letters followed
// by two digits somewhere). A necessary condition of a match, like
// shapeFilter.
type containFilter struct {
	alts [][]charSet
	on   bool
}

// newContainFilter derives the filter of one RE2 pattern; it is off when an
// alternative begins with nothing fixed.
func newContainFilter(pattern string) containFilter {
	subs, ok := alternatives(pattern)
	if !ok {
		return containFilter{}
	}
	var f containFilter
	for _, sub := range subs {
		pre, _ := positions(sub, false)
		if len(pre) == 0 {
			return containFilter{}
		}
		f.alts = append(f.alts, pre[:min(len(pre), maxShapePositions)])
	}
	f.on = len(f.alts) > 0 && len(f.alts) <= maxShapeAlts
	return f
}

// may reports whether a match of the pattern can start somewhere in the
// ASCII text s.
func (f *containFilter) may(s string) bool {
	if !f.on {
		return true
	}
	for _, pre := range f.alts {
		for i := 0; i+len(pre) <= len(s); i++ {
			j := 0
			for j < len(pre) && pre[j].has(s[i+j]) {
				j++
			}
			if j == len(pre) {
				return true
			}
		}
	}
	return false
}
