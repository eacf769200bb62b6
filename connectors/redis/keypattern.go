package redis

import (
	"regexp"
	"strings"
)

// Key patterns: apps name keys user:1042, session:9f1c..., cart:alice@example.com:items.
// Pattern replaces each id-like segment of a key with * (user:*, session:*,
// cart:*:items) and returns the segments it replaced, which are data too
// (an e-mail address inside a key name).
//
// A key is cut at the separators ':', '/', '|', '#' and ','. A segment that
// is id-like as a whole (a number, a UUID, a hex or base64 token, an e-mail
// address, a date, an IP address, a phone number) becomes *; otherwise the
// parts of the segment between '_', '-' and '.' are tried one by one
// (usr_10000 -> usr_*). E-mail addresses and ISO timestamps, which contain
// separators themselves, are recognised before the key is cut.
//
// The pattern is a Redis glob that matches the key: literal characters that
// are glob syntax (* ? [ ] \) are escaped with a backslash.

const (
	keySeparators  = ":/|#,"
	partSeparators = "_-."
)

// keySep and partSep are the separators as lookup tables.
var keySep, partSep = byteSet(keySeparators), byteSet(partSeparators)

func byteSet(s string) (t [256]bool) {
	for i := 0; i < len(s); i++ {
		t[s[i]] = true
	}
	return t
}

var (
	// spanRE finds the id-like values that contain separators.
	spanRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}|` +
		`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?`)
	uuidRE  = regexp.MustCompile(`^(?i:[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})$`)
	dateRE  = regexp.MustCompile(`^\d{4}-\d{2}(?:-\d{2})?$`)
	ipv4RE  = regexp.MustCompile(`^\d{1,3}(?:\.\d{1,3}){3}$`)
	phoneRE = regexp.MustCompile(`^\+\d{6,15}$`)
	emailRE = regexp.MustCompile(`^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$`)
)

// Pattern returns the key pattern of key and the id-like values replaced.
func Pattern(key string) (pattern string, ids []string) {
	b := make(patBuf, 0, len(key))
	ids = appendPattern(&b, key, nil)
	return string(b), ids
}

// patBuf is the bytes of a pattern being built.
type patBuf []byte

func (b *patBuf) add(c byte) { *b = append(*b, c) }

// appendPattern writes the pattern of key to b and appends its id-like
// segments to ids.
func appendPattern(b *patBuf, key string, ids []string) []string {
	var spans [][]int
	if strings.IndexByte(key, '@') >= 0 || strings.IndexByte(key, '-') >= 0 && strings.IndexByte(key, ':') >= 0 {
		spans = spanRE.FindAllStringIndex(key, -1)
	}
	pos := 0
	for _, sp := range spans {
		// a span is a segment of its own only between separators (or
		// the key's ends)
		if sp[0] > 0 && !keySep[key[sp[0]-1]] {
			continue
		}
		if sp[1] < len(key) && !keySep[key[sp[1]]] {
			continue
		}
		ids = patternSegments(b, key[pos:sp[0]], ids)
		b.add('*')
		ids = append(ids, key[sp[0]:sp[1]])
		pos = sp[1]
	}
	return patternSegments(b, key[pos:], ids)
}

// patterner finds the patterns of many keys (the keys a listing meets)
// with few allocations: the pattern is built in a buffer used again for
// the next key (a map of patterns is looked up with it without a copy),
// and the id-like segments of the keys kept share arenas of arenaIDs
// segments rather than a slice each. Not safe for concurrent use.
type patterner struct {
	buf   patBuf
	arena []string // the segments of the keys kept; its free tail is scratch
}

const arenaIDs = 1024

// pattern returns the pattern of key, valid until the next call, and its
// id-like segments, valid until the next call unless kept (see keep).
func (p *patterner) pattern(key string) ([]byte, []string) {
	if cap(p.arena)-len(p.arena) < 8 {
		p.arena = make([]string, 0, arenaIDs)
	}
	p.buf = p.buf[:0]
	n := len(p.arena)
	ids := appendPattern(&p.buf, key, p.arena[n:n:cap(p.arena)])
	if len(ids) == 0 {
		ids = nil
	}
	return p.buf, ids
}

// keep makes the segments ids, returned by the last call of pattern, the
// key's own: they stay valid.
func (p *patterner) keep(ids []string) []string {
	n := len(p.arena)
	if len(ids) > 0 && n < cap(p.arena) && &p.arena[:n+1][n] == &ids[0] {
		p.arena = p.arena[:n+len(ids)]
	}
	return ids[:len(ids):len(ids)]
}

// patternSegments writes the pattern of s (a piece of a key holding no span)
// to b.
func patternSegments(b *patBuf, s string, ids []string) []string {
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && !keySep[s[i]] {
			continue
		}
		ids = patternSegment(b, s[start:i], ids)
		if i < len(s) {
			b.add(s[i])
		}
		start = i + 1
	}
	return ids
}

func patternSegment(b *patBuf, seg string, ids []string) []string {
	if seg == "*" {
		b.add('*')
		return ids
	}
	if idLike(seg) {
		b.add('*')
		return append(ids, seg)
	}
	start := 0
	for i := 0; i <= len(seg); i++ {
		if i < len(seg) && !partSep[seg[i]] {
			continue
		}
		part := seg[start:i]
		switch {
		case part == "*":
			b.add('*')
		case idLikePart(part):
			b.add('*')
			ids = append(ids, part)
		default:
			writeLiteral(b, part)
		}
		if i < len(seg) {
			b.add(seg[i])
		}
		start = i + 1
	}
	return ids
}

// writeLiteral writes s escaping Redis glob syntax.
func writeLiteral(b *patBuf, s string) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', ']', '\\':
			b.add('\\')
		}
		b.add(s[i])
	}
}

// idLike reports whether a whole segment is an identifier or a value
// rather than a name.
func idLike(s string) bool {
	if s == "" {
		return false
	}
	if allDigits(s) {
		return true
	}
	// each expression only where it can match: most segments are words
	switch {
	case (len(s) == 32 || len(s) == 36) && uuidRE.MatchString(s),
		(len(s) == 7 || len(s) == 10) && s[0] >= '0' && s[0] <= '9' && dateRE.MatchString(s),
		s[0] >= '0' && s[0] <= '9' && strings.IndexByte(s, '.') >= 0 && ipv4RE.MatchString(s),
		s[0] == '+' && phoneRE.MatchString(s),
		strings.IndexByte(s, '@') >= 0 && emailRE.MatchString(s):
		return true
	}
	return hexToken(s) || b64Token(s)
}

// idLikePart is idLike for a part of a segment between '_', '-' and '.'.
func idLikePart(s string) bool {
	return s != "" && (allDigits(s) || hexToken(s) || b64Token(s))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// hexToken: at least 8 hex digits, at least one of them a digit (deadbeef
// and facade stay words).
func hexToken(s string) bool {
	if len(s) < 8 {
		return false
	}
	digit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return digit
}

// b64Token: at least 16 characters of the base64 (or base64url) alphabet
// that look random: letters and digits mixed, not a name with a version
// number (user_profile_settings_v2).
func b64Token(s string) bool {
	if len(s) < 16 {
		return false
	}
	var upper, lower, digit int
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			upper++
		case c >= 'a' && c <= 'z':
			lower++
		case c >= '0' && c <= '9':
			digit++
		case c == '+' || c == '/' || c == '=' || c == '_' || c == '-':
		default:
			return false
		}
	}
	if digit < 2 || upper+lower < 2 {
		return false
	}
	return upper >= 2 && lower >= 2 || digit >= 4
}

// globFor is the SCAN MATCH glob that finds the keys of pattern: the pattern
// itself (literals are already escaped).
func globFor(pattern string) string { return pattern }
