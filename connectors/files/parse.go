package files

import (
	"encoding/json"
	"errors"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// parser decodes one JSON value into the plain values of
// connectors.Document in a single pass: objects become map[string]any,
// arrays []any, numbers json.Number, strings string, and true, false and
// null bool and nil. It accepts exactly what encoding/json accepts (for
// UTF-8 input) and decodes to the same values, a later duplicate key
// winning; it is faster because it does not scan each value twice. One
// parser per goroutine: it keeps a small cache of object keys, which repeat
// from one document to the next. String values and numbers are copied
// into slabs that the records a parser reads share (see keep): one
// allocation per slab instead of one per value, and the keys, white space
// and punctuation of a record are not copied at all.
type parser struct {
	data     []byte
	slab     []byte // the free room of the current slab (see keep)
	pos      int
	maxDepth int
	keys     map[string]*keyEntry
	// firstKeys[d] is the first key of the last object read at depth d,
	// the guess for the next object's (see key)
	firstKeys [maxPredictDepth]*keyEntry
	scratch   []byte
	// Values of the arrays and objects being read, so that each gets
	// allocated once at its final size.
	vals     []any
	keyStack []string
	// values counts the values of the document being read (see MaxValues).
	values int
	// stash holds the maps and slices of recycled documents, while a
	// document is read.
	stash *stash
}

var (
	errSyntax  = errors.New(ReasonInvalidJSON)
	errTooDeep = errors.New(ReasonTooDeep)
	errTooMany = errors.New(ReasonTooManyValues)
)

// maxCachedKeys bounds the key cache of a parser.
const maxCachedKeys = 4096

// maxPredictDepth bounds the depths at which an object's first key is
// guessed.
const maxPredictDepth = 16

// keyEntry is a cached object key and the key that followed it last time
// in the same object: documents of one shape repeat their keys in the
// same order, so the next key is most often the one guessed, checked by
// comparing bytes instead of hashing them for the cache.
type keyEntry struct {
	s    string
	next *keyEntry
}

// Slabs: the strings of the values a parser reads are cut from slabs of
// slabSize bytes, each written once, front to back, and never changed or
// reused: a string handed out points into bytes that are not written
// again, so it is as immutable as any Go string, and the slab lives as long
// as one of its strings does. Strings longer than slabMaxString get an
// allocation of their own, so that a slab is not mostly left empty and a
// kept string does not hold much more than itself.
const (
	slabSize      = 8 << 10
	slabMaxString = 1 << 10
)

// keep returns b as a string cut from the parser's slab.
func (p *parser) keep(b []byte) string {
	n := len(b)
	switch {
	case n == 0:
		return ""
	case n > slabMaxString:
		return string(b)
	case cap(p.slab)-len(p.slab) < n:
		p.slab = make([]byte, 0, slabSize)
	}
	at := len(p.slab)
	p.slab = append(p.slab, b...) // within the room checked: never moves
	return unsafe.String(&p.slab[at], n)
}

func newParser(maxDepth int) *parser {
	return &parser{maxDepth: maxDepth, keys: make(map[string]*keyEntry)}
}

// parseObject decodes data, which must hold one JSON object and nothing but
// white space around it. It returns a skip reason on failure.
func (p *parser) parseObject(data []byte) (map[string]any, string) {
	p.data, p.pos, p.values = data, 0, 0
	p.stash = stashes.Get().(*stash)
	defer func() {
		stashes.Put(p.stash)
		p.data, p.stash = nil, nil
	}()
	p.skipSpace()
	if p.pos >= len(p.data) {
		return nil, ReasonInvalidJSON
	}
	isObject := p.data[p.pos] == '{'
	v, err := p.value(0)
	if cap(p.vals) > 1<<16 { // do not keep what a huge array needed
		p.vals, p.keyStack = nil, nil
	}
	if cap(p.scratch) > 1<<16 {
		p.scratch = nil
	}
	if err == nil {
		p.skipSpace()
		if p.pos != len(p.data) {
			err = errSyntax
		}
	}
	switch {
	case err == errTooDeep:
		return nil, ReasonTooDeep
	case err == errTooMany:
		return nil, ReasonTooManyValues
	case err != nil:
		return nil, ReasonInvalidJSON
	case !isObject:
		return nil, ReasonNotObject
	}
	return v.(map[string]any), ""
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (any, error) {
	if p.pos >= len(p.data) {
		return nil, errSyntax
	}
	if p.values++; p.values > MaxValues {
		return nil, errTooMany
	}
	switch c := p.data[p.pos]; c {
	case '{':
		return p.object(depth + 1)
	case '[':
		return p.array(depth + 1)
	case '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return s, nil
	case 't':
		return p.literal("true", true)
	case 'f':
		return p.literal("false", false)
	case 'n':
		return p.literal("null", nil)
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return p.number()
		}
	}
	return nil, errSyntax
}

func (p *parser) literal(word string, v any) (any, error) {
	if len(p.data)-p.pos < len(word) || string(p.data[p.pos:p.pos+len(word)]) != word {
		return nil, errSyntax
	}
	p.pos += len(word)
	return v, nil
}

func (p *parser) object(depth int) (any, error) {
	if depth > p.maxDepth {
		return nil, errTooDeep
	}
	p.pos++ // {
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return map[string]any{}, nil
	}
	base := len(p.vals)
	defer func() {
		clear(p.vals[base:])
		p.vals = p.vals[:base]
		p.keyStack = p.keyStack[:base]
	}()
	var prev *keyEntry // the key before, when cached
	for {
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, errSyntax
		}
		var guess *keyEntry
		switch {
		case len(p.vals) == base && depth < maxPredictDepth:
			guess = p.firstKeys[depth]
		case prev != nil:
			guess = prev.next
		}
		e, k, err := p.key(guess)
		if err != nil {
			return nil, err
		}
		if e != nil && e != guess {
			if len(p.vals) == base {
				if depth < maxPredictDepth {
					p.firstKeys[depth] = e
				}
			} else if prev != nil {
				prev.next = e
			}
		}
		prev = e
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, errSyntax
		}
		p.pos++
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		p.keyStack = append(p.keyStack, k)
		p.vals = append(p.vals, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, errSyntax
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case '}':
			p.pos++
			m := p.stash.mapFor(len(p.vals) - base)
			for i := base; i < len(p.vals); i++ {
				m[p.keyStack[i]] = p.vals[i]
			}
			return m, nil
		default:
			return nil, errSyntax
		}
	}
}

func (p *parser) array(depth int) (any, error) {
	if depth > p.maxDepth {
		return nil, errTooDeep
	}
	p.pos++ // [
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return []any{}, nil
	}
	base := len(p.vals)
	defer func() {
		clear(p.vals[base:])
		p.vals = p.vals[:base]
		p.keyStack = p.keyStack[:base]
	}()
	for {
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		p.vals = append(p.vals, v)
		p.keyStack = append(p.keyStack, "")
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, errSyntax
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case ']':
			p.pos++
			a := p.stash.arrFor(len(p.vals) - base)
			copy(a, p.vals[base:])
			return a, nil
		default:
			return nil, errSyntax
		}
	}
}

// number reads a number as encoding/json's grammar has it.
func (p *parser) number() (any, error) {
	d := p.data
	start := p.pos
	i := p.pos
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		return nil, errSyntax
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return nil, errSyntax
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return nil, errSyntax
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	p.pos = i
	return json.Number(p.keep(d[start:i])), nil
}

// key reads an object key: the cached one, found by comparing the bytes
// with guess (the key that came next last time) or by a lookup, or a new
// string. e is nil for a key not in the cache (escaped, too long, the
// cache full).
func (p *parser) key(guess *keyEntry) (e *keyEntry, k string, err error) {
	d := p.data
	start := p.pos + 1
	for i := start; i < len(d); i++ {
		switch c := d[i]; {
		case c == '"':
			p.pos = i + 1
			raw := d[start:i]
			if guess != nil && guess.s == string(raw) {
				return guess, guess.s, nil
			}
			if e, ok := p.keys[string(raw)]; ok {
				return e, e.s, nil
			}
			s := string(raw)
			if len(p.keys) < maxCachedKeys && len(s) <= 64 {
				e = &keyEntry{s: s}
				p.keys[s] = e
			}
			return e, s, nil
		case c == '\\':
			k, err = p.strEscaped(start, i)
			return nil, k, err
		case c < 0x20:
			return nil, "", errSyntax
		}
	}
	return nil, "", errSyntax
}

// str reads a string value.
func (p *parser) str() (string, error) {
	d := p.data
	start := p.pos + 1
	i := start
	for i < len(d) {
		c := d[i]
		if c == '"' {
			p.pos = i + 1
			return p.keep(d[start:i]), nil
		}
		if c == '\\' {
			return p.strEscaped(start, i)
		}
		if c < 0x20 {
			return "", errSyntax
		}
		i++
	}
	return "", errSyntax
}

// strEscaped reads a string with escapes; i is the first backslash.
func (p *parser) strEscaped(start, i int) (string, error) {
	d := p.data
	b := append(p.scratch[:0], d[start:i]...)
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			p.scratch = b[:0]
			return p.keep(b), nil
		case c < 0x20:
			return "", errSyntax
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(d) {
			return "", errSyntax
		}
		switch d[i+1] {
		case '"', '\\', '/':
			b = append(b, d[i+1])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := hex4(d[i+2:])
			if r < 0 {
				return "", errSyntax
			}
			i += 6
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' {
					r2 = hex4(d[i+2:])
				}
				if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
					b = utf8.AppendRune(b, dec)
					i += 6
					continue
				}
				r = unicode.ReplacementChar
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			return "", errSyntax
		}
		i += 2
	}
	return "", errSyntax
}

// hex4 decodes four hex digits, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
