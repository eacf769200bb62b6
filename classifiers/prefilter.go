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
}

func (p *profile) compute(s string) {
	p.n = len(s)
	run, seps, lrun, wrun := 0, 0, 0, 0
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b == ' ' || b == '\t' || b == '\n' || b == '\r' {
			wrun = 0
		} else {
			wrun++
			if wrun > p.wordRun {
				p.wordRun = wrun
			}
		}
		if b|0x20 >= 'a' && b|0x20 <= 'z' {
			lrun++
			if lrun > p.letterRun {
				p.letterRun = lrun
			}
		} else {
			lrun = 0
		}
		if b >= '0' && b <= '9' {
			run++
			seps = 0
			if run > p.digitRun {
				p.digitRun = run
			}
		} else if seps == 0 && run > 0 && (b == ' ' || b == '-' || b == '.' || b == '/' || b == '(' || b == ')') {
			seps++
		} else if !(b == '(' && seps == 1) {
			run, seps = 0, 0
		}
		switch {
		case b >= utf8.RuneSelf:
			p.nonASCII = true
			continue
		case b >= '0' && b <= '9':
			p.digits++
		case b|0x20 >= 'a' && b|0x20 <= 'z':
			p.letters++
		case b == ' ' || b == '\t' || b == '\n' || b == '\r':
			p.spaces++
		}
		p.set.add(b)
	}
}

// prefilter runs the cheap checks of a rule against a value's profile.
// whole is false for searches inside free text, where length and charset
// bounds do not apply.
func (r *rule) prefilter(p *profile, s string, whole bool) bool {
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
	return len(r.keywords) == 0 || r.hasKeyword(p, s)
}

// hasKeyword reports whether s holds one of the rule's keywords, ignoring
// ASCII case. A keyword is looked for only when every one of its bytes
// occurs in the value, which the profile tells without a scan.
func (r *rule) hasKeyword(p *profile, s string) bool {
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
