package sqlrows

import (
	"encoding/json"
	"unicode/utf8"
)

// parseJSONString parses one JSON value held in s the way ParseJSON does,
// but without encoding/json's per-value decoder for the common case: a
// value whose strings hold no escapes and only valid UTF-8. Keys, strings
// and numbers are substrings of s (no copies). Anything else, errors
// included, goes to ParseJSON, so that the result (or the error) is always
// exactly encoding/json's (FuzzParseJSONString holds it to that). The
// fast path counts the nesting as it goes (no pass over the bytes before
// it): a value nested deeper than maxDepth leaves it, and ParseJSON's
// depth check gives the error.
func parseJSONString(s string, maxDepth int) (any, error) {
	if maxDepth <= 0 {
		maxDepth = DefaultMaxJSONDepth
	}
	p := fastParser{s: s, depth: maxDepth}
	v, ok := p.value()
	if ok {
		p.space()
		if p.i == len(p.s) {
			return v, nil
		}
	}
	return ParseJSON([]byte(s), maxDepth)
}

// fastParser is a recursive descent over s; ok false means "not the
// simple case" (or invalid, or nested deeper than allowed), never a
// different result.
type fastParser struct {
	s     string
	i     int
	depth int // objects and arrays that may still be opened
}

func (p *fastParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *fastParser) value() (any, bool) {
	p.space()
	if p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{' || c == '[':
		if p.depth == 0 {
			return nil, false // too deep: ParseJSON says so
		}
		p.depth--
		p.i++
		var v any
		var ok bool
		if c == '{' {
			v, ok = p.object()
		} else {
			v, ok = p.array()
		}
		p.depth++
		return v, ok
	case c == '"':
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		return s, true
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		for p.i < len(p.s) {
			switch d := p.s[p.i]; {
			case d >= '0' && d <= '9', d == '-', d == '+', d == '.', d == 'e', d == 'E':
				p.i++
				continue
			}
			break
		}
		n := p.s[start:p.i]
		if !isJSONNumber(n) {
			return nil, false
		}
		return json.Number(n), true
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, false
}

// object reads the members of an object after its '{'.
func (p *fastParser) object() (any, bool) {
	m := make(map[string]any)
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return m, true
	}
	for {
		p.space()
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		m[k] = v
		if more, ok := p.separator('}'); !more {
			if !ok {
				return nil, false
			}
			return m, true
		}
	}
}

// separator reads what follows a member or item: a ',' (more is true),
// or the closing byte of its object or array (more false, ok true); ok
// is false for anything else.
func (p *fastParser) separator(closing byte) (more, ok bool) {
	p.space()
	if p.i >= len(p.s) {
		return false, false
	}
	switch p.s[p.i] {
	case ',':
		p.i++
		return true, true
	case closing:
		p.i++
		return false, true
	}
	return false, false
}

// array reads the items of an array after its '['.
func (p *fastParser) array() (any, bool) {
	a := make([]any, 0)
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return a, true
	}
	for {
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		a = append(a, v)
		if more, ok := p.separator(']'); !more {
			if !ok {
				return nil, false
			}
			return a, true
		}
	}
}

func (p *fastParser) literal(word string) bool {
	if len(p.s)-p.i < len(word) || p.s[p.i:p.i+len(word)] != word {
		return false
	}
	p.i += len(word)
	return true
}

// str reads a string without escapes or control characters, of valid
// UTF-8.
func (p *fastParser) str() (string, bool) {
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", false
	}
	p.i++
	start := p.i
	ascii := true
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			out := p.s[start:p.i]
			p.i++
			if !ascii && !utf8.ValidString(out) {
				return "", false
			}
			return out, true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		p.i++
	}
	return "", false
}

// ParseJSONFast is the fast path of parseJSONString alone, for other
// stores' JSON held in strings: the value of s (one JSON value, white
// space around it allowed) when its strings hold no escapes and only
// valid UTF-8 and it is nested at most maxDepth levels, exactly as
// encoding/json (numbers as json.Number) gives it; ok is false for
// anything else, which the caller parses with encoding/json. Keys, strings
// and numbers are substrings of s.
func ParseJSONFast(s string, maxDepth int) (v any, ok bool) {
	p := fastParser{s: s, depth: maxDepth}
	if v, ok = p.value(); !ok {
		return nil, false
	}
	p.space()
	return v, p.i == len(p.s)
}
