package classifiers

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"
)

// charSet is a set of ASCII bytes.
type charSet [2]uint64

func (c *charSet) add(b byte)          { c[b>>6] |= 1 << (b & 63) }
func (c charSet) has(b byte) bool      { return c[b>>6]&(1<<(b&63)) != 0 }
func (c charSet) meets(o charSet) bool { return c[0]&o[0] != 0 || c[1]&o[1] != 0 }
func (c charSet) within(o charSet) bool {
	return c[0]&^o[0] == 0 && c[1]&^o[1] == 0
}

// parseCharSet reads a character class body such as "0-9 +().-".
func parseCharSet(s string) (charSet, error) {
	var c charSet
	re, err := regexp.Compile("[" + s + "]")
	if err != nil {
		return c, fmt.Errorf("bad character class %q: %s", s, cleanRegexpErr(err))
	}
	var buf [1]byte
	for b := 0; b < 128; b++ {
		buf[0] = byte(b)
		if re.Match(buf[:]) {
			c.add(byte(b))
		}
	}
	return c, nil
}

// profile is what one pass over a value tells every prefilter.
type profile struct {
	n, digits, letters, spaces int
	digitRun                   int // most digits in one group joined by single separators ("+1 415-555-2671": 11)
	letterRun                  int // longest run of ASCII letters
	wordRun                    int // longest run of bytes other than white space
	set                        charSet
	nonASCII                   bool
	kw                         *keywordIndex // the keywords of the field's engine
	kwFound                    uint64        // the keyword lists found in the value, once kwDone
	kwDone                     bool
}

// byte classes of profile.compute
const (
	clSpace  = 1 << iota // ' ', '\t', '\n', '\r'
	clLetter             // an ASCII letter
	clDigit              // '0'-'9'
	clSep                // what may join the digits of one group: " -./()"
	clHigh               // not ASCII
)

var byteClass = func() (t [256]uint8) {
	for b := 0; b < 256; b++ {
		c := byte(b)
		switch {
		case c >= utf8.RuneSelf:
			t[b] |= clHigh
		case c >= '0' && c <= '9':
			t[b] |= clDigit
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			t[b] |= clLetter
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			t[b] |= clSpace
		}
		switch c {
		case ' ', '-', '.', '/', '(', ')':
			t[b] |= clSep
		}
	}
	return t
}()

// compute fills p from one pass over s (p starts zero). The counters are
// kept in locals and the bytes classified by one table lookup.
func (p *profile) compute(s string) {
	p.n = len(s)
	run, seps, lrun, wrun := 0, 0, 0, 0
	digitRun, letterRun, wordRun := p.digitRun, p.letterRun, p.wordRun
	digits, letters, spaces := p.digits, p.letters, p.spaces
	set, nonASCII := p.set, p.nonASCII
	for i := 0; i < len(s); i++ {
		b := s[i]
		c := byteClass[b]
		if c&clSpace != 0 {
			wrun = 0
		} else {
			wrun++
			wordRun = max(wordRun, wrun)
		}
		if c&clLetter != 0 {
			lrun++
			letterRun = max(letterRun, lrun)
		} else {
			lrun = 0
		}
		if c&clDigit != 0 {
			run++
			seps = 0
			digitRun = max(digitRun, run)
		} else if seps == 0 && run > 0 && c&clSep != 0 {
			seps++
		} else if !(b == '(' && seps == 1) {
			run, seps = 0, 0
		}
		switch {
		case c&clHigh != 0:
			nonASCII = true
			continue
		case c&clDigit != 0:
			digits++
		case c&clLetter != 0:
			letters++
		case c&clSpace != 0:
			spaces++
		}
		set.add(b)
	}
	p.digitRun, p.letterRun, p.wordRun = digitRun, letterRun, wordRun
	p.digits, p.letters, p.spaces = digits, letters, spaces
	p.set, p.nonASCII = set, nonASCII
}

// prefilter runs the cheap checks of a rule against a value's profile.
// whole is false for searches inside free text, where length and charset
// bounds do not apply.
func (fr *fieldRule) prefilter(p *profile, s string, whole bool) bool {
	r := fr.r
	if r.hasAny && !p.set.meets(r.anySet) {
		return false
	}
	if p.wordRun < r.minWord || !whole && (p.digitRun < r.minDigits || p.letters < r.minLetters) {
		return false
	}
	if whole {
		if p.n < r.minLen || p.n > r.maxLen || p.digits < r.minDigits || p.digits > r.maxDigits || p.letters < r.minLetters {
			return false
		}
		if r.hasOnly && (p.nonASCII || !p.set.within(r.onlySet)) {
			return false
		}
	}
	return len(r.keywords) == 0 || fr.hasKeyword(p, s)
}

// hasKeyword reports whether s holds one of the rule's keywords, ignoring
// ASCII case: whether the rule's list is among those the engine's keyword
// index finds in the value, in one pass for all rules. The pass is left
// out while the value lacks a byte of each of the rule's keywords.
func (fr *fieldRule) hasKeyword(p *profile, s string) bool {
	if fr.kwList == 0 {
		return fr.r.hasKeywordEach(p, s)
	}
	l := fr.kwList - 1
	if !p.kwDone && !p.mayHoldOne(p.kw.chars[l]) {
		return false
	}
	return p.keywordLists(s)>>l&1 != 0
}

// hasKeywordEach is hasKeyword for a rule whose list the index has no bit
// for: each keyword is searched in turn, and only when every one of its
// bytes occurs in the value, which the profile tells without a scan.
func (r *rule) hasKeywordEach(p *profile, s string) bool {
	for _, k := range r.keywords {
		if p.hasChars(k) && containsFold(s, k) {
			return true
		}
	}
	return false
}

// hasChars reports whether every ASCII byte of the lower-case word k occurs
// in the value, in either case.
func (p *profile) hasChars(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= utf8.RuneSelf {
			continue
		}
		if !p.set.has(c) && !(c >= 'a' && c <= 'z' && p.set.has(c-('a'-'A'))) {
			return false
		}
	}
	return true
}

// containsFold reports whether s contains the lower-case word k, ignoring
// ASCII case, without allocating. The next occurrences of k's first byte
// in either case are each searched for once, whatever the order in which
// they come.
func containsFold(s, k string) bool {
	n := len(k)
	if n == 0 {
		return true
	}
	c0 := k[0]
	u0 := c0
	if c0 >= 'a' && c0 <= 'z' {
		u0 = c0 - ('a' - 'A')
	}
	end := len(s) - n + 1 // a match starts before end
	lo, up := -2, -2      // next occurrence of c0 and of u0 at or after i (-1: none; -2: not searched)
	if u0 == c0 {
		up = -1
	}
	for i := 0; i < end; {
		if lo != -1 && lo < i {
			if lo = strings.IndexByte(s[i:end], c0); lo >= 0 {
				lo += i
			}
		}
		if up != -1 && up < i {
			if up = strings.IndexByte(s[i:end], u0); up >= 0 {
				up += i
			}
		}
		j := lo
		if j < 0 || up >= 0 && up < j {
			j = up
		}
		if j < 0 {
			return false
		}
		if hasPrefixFold(s[j:], k) {
			return true
		}
		i = j + 1
	}
	return false
}

// hasPrefixFold reports whether s starts with the lower-case word k,
// ignoring ASCII case.
func hasPrefixFold(s, k string) bool {
	if len(s) < len(k) {
		return false
	}
	for j := 0; j < len(k); j++ {
		c := s[j]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != k[j] {
			return false
		}
	}
	return true
}

// entropy is the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	h, n := 0.0, float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}
