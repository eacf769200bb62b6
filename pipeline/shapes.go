package pipeline

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/piisniff/piisniff/classifiers"
)

// Shapes the flattener reads beyond plain objects and arrays.
//
// Key/value pairs. An object holding a name key (name, key, field, label,
// type, meta_key, attribute_code, in that order of preference) whose value
// is an identifier, and a value key (value, val, data, meta_value), is a
// key/value pair: the name is the field name of the value. The value is
// reported at the path of the object with a selector naming the sibling key
// and its value: attributes[name=billing_phone].value for an element of
// the array attributes, [meta_key=billing_phone].meta_value for a row of an
// entity-attribute-value table (WordPress wp_usermeta, Magento EAV) read as
// a document. The name key itself stays at its plain path
// (attributes[].name). A name is used when it is an identifier of at most
// 48 characters (letters, digits, "_", "-", ":") and not a known first name
// or surname (a path never carries a person's name); at most maxKVNames
// distinct names per path are used, later ones fall back to the plain path
// (attributes[].value), so keys that are data do not explode the report.
//
// Data inside strings. A string value is reported as it is and, when it
// holds one of these encodings, what it decodes to is flattened below the
// path with a marker saying how it was reached:
//
//	payload<json>.email        JSON object or array serialised in a string
//	token<jwt>.email           the claims of a JSON Web Token (also "Bearer …")
//	blob<base64>               base64 of text; blob<base64><json>.email for JSON
//	url<query>.email           query string of a URL, or a form body a=1&b=2
//	line<kv>.user              key=value pairs of a log line (logfmt)
//	raw<http>.authorization    an HTTP header block (Name: value lines)
//
// Decoding is bounded: strings longer than maxDecodeLen are not decoded, at
// most maxDecodePerDoc bytes are decoded per document, decoded JSON counts
// towards the nesting limit, and an encoding is looked into at most
// maxEncodings deep (base64 holding JSON, JSON holding a query string, not
// further). A string that looks like JSON or a JWT and does not decode is
// counted (Decoder.Undecodable) and the container's notes say how many.

const (
	maxKVNames      = 32
	maxKVNameLen    = 48
	maxDecodeLen    = 64 << 10
	maxDecodePerDoc = 1 << 20
	maxEncodings    = 2
	maxPairs        = 64
)

var (
	kvNameKeys  = []string{"name", "key", "field", "label", "type", "meta_key", "attribute_code"}
	kvValueKeys = []string{"value", "val", "data", "meta_value"}
)

// Undecodable is implemented by visitors that count strings that looked
// like an encoding and did not decode (enc is "json", "jwt").
type Undecodable interface {
	Undecodable(path []byte, enc string)
}

// kvPair returns the name key, its value and the value key of m when m is
// a key/value pair.
func kvPair(m map[string]any) (nameKey, name, valueKey string, ok bool) {
	if len(m) < 2 || len(m) > 8 {
		return "", "", "", false
	}
	for _, vk := range kvValueKeys {
		if _, has := m[vk]; has {
			valueKey = vk
			break
		}
	}
	if valueKey == "" {
		return "", "", "", false
	}
	for _, nk := range kvNameKeys {
		s, isStr := m[nk].(string)
		if !isStr {
			continue
		}
		if !kvName(s) {
			return "", "", "", false
		}
		return nk, s, valueKey, true
	}
	return "", "", "", false
}

// kvName reports whether s can name a field in a path.
func kvName(s string) bool {
	if s == "" || len(s) > maxKVNameLen {
		return false
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == ':') {
			return false
		}
	}
	return !classifiers.KnownPersonName(s)
}

// admitName reports whether name may be used as a selector at path (a
// bounded number of distinct names per path).
func (f *Flattener) admitName(path []byte, name string) bool {
	if f.kvNames == nil {
		f.kvNames = map[string]map[string]struct{}{}
	}
	set := f.kvNames[string(path)]
	if _, ok := set[name]; ok {
		return true
	}
	if len(set) >= maxKVNames {
		return false
	}
	if set == nil {
		set = map[string]struct{}{}
		f.kvNames[string(path)] = set
	}
	set[strings.Clone(name)] = struct{}{} // a copy: name may share its record's memory
	return true
}

// ResetShapes forgets the key/value names seen so far: call it when the
// flattener moves to another container.
func (f *Flattener) ResetShapes() { f.kvNames = nil }

// decodeString flattens what s decodes to below the current path. It is
// cheap for the common case: the first bytes decide.
func (f *Flattener) decodeString(s string, v Visitor, depth, limit, encs int) bool {
	if encs >= maxEncodings || len(s) < 8 || len(s) > maxDecodeLen || f.decoded+len(s) > maxDecodePerDoc {
		return true
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return true
	}
	if plainString(t) {
		return true // the common case: plain text, names, numbers, ids
	}
	switch c := t[0]; {
	case c == '{' || c == '[':
		last := t[len(t)-1]
		complete := c == '{' && last == '}' || c == '[' && last == ']'
		if !complete && !(len(t) > 1 && (c == '{' && t[1] == '"' || c == '[' && t[1] == '{')) {
			return true
		}
		var x any
		dec := json.NewDecoder(strings.NewReader(t))
		dec.UseNumber()
		if err := dec.Decode(&x); err != nil || dec.More() {
			f.undecodable(v, "json")
			return true
		}
		if a, isArr := x.([]any); isArr && !structured(a) {
			return true // [1, 2] is a list of numbers, not a document
		}
		f.decoded += len(s)
		return f.under("<json>", x, v, depth, limit, encs)
	case (strings.HasPrefix(t, "eyJ") || strings.HasPrefix(t, "Bearer eyJ") || strings.HasPrefix(t, "bearer eyJ")) && strings.Count(t, ".") == 2:
		claims, ok := jwtClaims(strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(t, "Bearer"), "bearer")))
		if !ok {
			f.undecodable(v, "jwt")
			return true
		}
		f.decoded += len(s)
		return f.under("<jwt>", claims, v, depth, limit, encs)
	}
	if pairs, enc, ok := splitPairs(t); ok {
		f.decoded += len(s)
		return f.under(enc, pairs, v, depth, limit, encs)
	}
	if text, ok := base64Text(t); ok {
		f.decoded += len(s)
		mark := len(f.buf)
		f.buf = append(f.buf, "<base64>"...)
		v.Scalar(f.buf, classifiers.Value{Kind: classifiers.KindString, S: text})
		ok := f.decodeString(text, v, depth, limit, encs+1)
		f.buf = f.buf[:mark]
		return ok
	}
	return true
}

// plainString reports whether the trimmed string t certainly holds none of
// the encodings: its first byte starts no JSON, JWT or URL, and
// mayHoldPairsOrBase64 says no. It is what most strings meet.
func plainString(t string) bool {
	c := t[0]
	return c != '{' && c != '[' && c != 'e' && c != 'B' && c != 'b' && c != 'h' && c != '/' && !mayHoldPairsOrBase64(t)
}

// mayHoldPairsOrBase64 is one pass over t that tells whether splitPairs
// or base64Text can accept it, for a t that does not start like JSON, a
// JWT or a URL: pairs need an "=" (query strings, logfmt) or a line break
// (header blocks), base64 at least 16 bytes of its alphabet only.
func mayHoldPairsOrBase64(t string) bool {
	if len(t) >= 16 {
		i := 0
		for i < len(t) && base64Alphabet[t[i]] {
			i++
		}
		if i == len(t) {
			return true
		}
	}
	return strings.IndexByte(t, '=') >= 0 || strings.IndexByte(t, '\n') >= 0
}

// base64Alphabet holds the bytes of standard and URL-safe base64, padding
// aside.
var base64Alphabet = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_") {
		t[c] = true
	}
	return t
}()

func (f *Flattener) undecodable(v Visitor, enc string) {
	if u, ok := v.(Undecodable); ok {
		u.Undecodable(f.buf, enc)
	}
}

// under flattens x below the current path followed by marker.
func (f *Flattener) under(marker string, x any, v Visitor, depth, limit, encs int) bool {
	mark, prev := len(f.buf), f.encs
	f.buf = append(f.buf, marker...)
	f.encs = encs + 1
	ok := f.value(x, v, depth, limit)
	// restore the depth of encodings of the enclosing value, not of this
	// one's string: a sibling decoded next starts where this one started
	f.encs = prev
	f.buf = f.buf[:mark]
	return ok
}

// structured reports whether a decoded JSON array holds objects.
func structured(a []any) bool {
	for _, x := range a {
		if _, ok := x.(map[string]any); ok {
			return true
		}
	}
	return false
}

func jwtClaims(t string) (map[string]any, bool) {
	parts := strings.Split(t, ".")
	if len(parts) != 3 {
		return nil, false
	}
	h, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[0], "="))
	if err != nil || !bytes.Contains(h, []byte(`"alg"`)) {
		return nil, false
	}
	p, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, false
	}
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.UseNumber()
	if dec.Decode(&claims) != nil {
		return nil, false
	}
	return claims, true
}

// pairKey reports whether s can be the key of a query, form, log or header
// pair.
func pairKey(s string) bool {
	if s == "" || len(s) > maxKVNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '[' || c == ']') {
			return false
		}
	}
	return true
}

// cleanKey makes a pair's key a path segment: path syntax is dropped.
func cleanKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '.', '[', ']':
			return '_'
		}
		return r
	}, s)
}

// splitPairs reads t as a URL or form query string, an HTTP header block
// or a logfmt line.
func splitPairs(t string) (map[string]any, string, bool) {
	switch {
	case strings.Contains(t, "\n") && strings.Contains(t, ": "):
		return headerBlock(t)
	case strings.HasPrefix(t, "http://") || strings.HasPrefix(t, "https://") || strings.HasPrefix(t, "/"):
		i := strings.IndexByte(t, '?')
		if i < 0 {
			return nil, "", false
		}
		q := t[i+1:]
		if j := strings.IndexByte(q, '#'); j >= 0 {
			q = q[:j]
		}
		return query(q)
	case strings.IndexByte(t, '=') > 0 && strings.IndexByte(t, '&') > 0 && strings.IndexByte(t, ' ') < 0:
		return query(t)
	case strings.IndexByte(t, '=') > 0 && strings.IndexByte(t, ' ') > 0:
		return logfmt(t)
	}
	return nil, "", false
}

func query(q string) (map[string]any, string, bool) {
	vals, err := url.ParseQuery(q)
	if err != nil || len(vals) == 0 || len(vals) > maxPairs {
		return nil, "", false
	}
	out := make(map[string]any, len(vals))
	for k, vs := range vals {
		if !pairKey(k) {
			return nil, "", false
		}
		var arr []any
		for _, x := range vs {
			if x != "" {
				arr = append(arr, x)
			}
		}
		switch len(arr) {
		case 0:
		case 1:
			out[cleanKey(k)] = arr[0]
		default:
			out[cleanKey(k)] = arr
		}
	}
	return out, "<query>", len(out) > 0
}

// logfmt reads key=value tokens of a log line (values may be quoted); at
// least two pairs are needed, and half of the line's words must be pairs
// (free text with one "value=x" in it stays free text).
func logfmt(t string) (map[string]any, string, bool) {
	out := map[string]any{}
	tokens := 0
	for len(t) > 0 && len(out) < maxPairs {
		tokens++
		t = strings.TrimLeft(t, " \t")
		end := strings.IndexAny(t, " \t")
		tok := t
		if end >= 0 {
			tok = t[:end]
		}
		k, val, isPair := strings.Cut(tok, "=")
		if isPair && pairKey(k) && strings.HasPrefix(val, `"`) {
			// quoted value: up to the closing quote
			rest := t[len(k)+2:]
			j := strings.IndexByte(rest, '"')
			if j < 0 {
				break
			}
			val = rest[:j]
			tok = t[:len(k)+2+j+1]
			end = len(tok)
		}
		if isPair && pairKey(k) && val != "" {
			out[cleanKey(k)] = strings.Trim(val, ",;")
		}
		if end < 0 || end >= len(t) {
			break
		}
		t = t[end:]
	}
	return out, "<kv>", len(out) >= 2 && 2*len(out) >= tokens
}

func headerBlock(t string) (map[string]any, string, bool) {
	out := map[string]any{}
	lines := strings.Split(strings.ReplaceAll(t, "\r\n", "\n"), "\n")
	headers := 0
	for i, ln := range lines {
		if i == 0 && (strings.Contains(ln, " HTTP/") || strings.HasPrefix(ln, "HTTP/")) {
			continue // request or status line
		}
		if strings.TrimSpace(ln) == "" {
			break // the body starts
		}
		k, val, ok := strings.Cut(ln, ":")
		if !ok || !pairKey(k) {
			return nil, "", false
		}
		headers++
		if len(out) < maxPairs {
			out[strings.ToLower(k)] = strings.TrimSpace(val)
		}
	}
	return out, "<http>", headers >= 2
}

// base64Text decodes t when it is base64 (standard or URL alphabet, with
// or without padding) of printable UTF-8 text.
func base64Text(t string) (string, bool) {
	if len(t) < 16 {
		return "", false
	}
	var upper, lower bool
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= '0' && c <= '9', c == '+', c == '/', c == '-', c == '_':
		case c == '=' && i >= len(t)-2:
		default:
			return "", false
		}
	}
	if !upper || !lower {
		return "", false
	}
	raw := strings.TrimRight(t, "=")
	var b []byte
	var err error
	if strings.ContainsAny(raw, "-_") {
		b, err = base64.RawURLEncoding.DecodeString(raw)
	} else {
		b, err = base64.RawStdEncoding.DecodeString(raw)
	}
	if err != nil || len(b) < 8 || !utf8.Valid(b) {
		return "", false
	}
	printable := 0
	for _, r := range string(b) {
		if r >= 0x20 && r != 0x7f || r == '\n' || r == '\r' || r == '\t' {
			printable++
		}
	}
	if printable < utf8.RuneCount(b) {
		return "", false
	}
	// random bytes are rarely all printable; text has words or structure
	s := string(b)
	if !strings.ContainsAny(s, " {=:@") {
		return "", false
	}
	return s, true
}

// Undecodable implements Undecodable for the scan's workers.
func (w *worker) Undecodable(_ []byte, enc string) {
	if w.sh.undecoded == nil {
		w.sh.undecoded = map[string]int64{}
	}
	w.sh.undecoded[enc]++
}

// undecodedNotes says how many strings looked encoded and did not decode.
func undecodedNotes(n map[string]int64) []string {
	var out []string
	for _, enc := range []string{"json", "jwt"} {
		if n[enc] > 0 {
			out = append(out, fmt.Sprintf("%d string values looked like %s and could not be decoded; their contents were read as plain text only", n[enc], strings.ToUpper(enc)))
		}
	}
	return out
}

// encodingNames are the markers of DescribePath.
var encodingNames = map[string]string{
	"json":   "JSON serialised in the string",
	"jwt":    "the claims of the JSON Web Token in the string",
	"base64": "base64 decoded from the string",
	"query":  "the query string or form body in the string",
	"kv":     "the key=value pairs of the log line in the string",
	"http":   "the HTTP header block in the string",
}

// DescribePath says, step by step, how a path of the report was reached
// when it is not a plain field: the key/value pairs whose sibling key
// names the value, the encodings decoded. A plain path gives nothing.
func DescribePath(path string) []string {
	var out []string
	prefix := ""
	for i := 0; i < len(path); i++ {
		switch path[i] {
		case '[':
			j := strings.IndexByte(path[i:], ']')
			if j < 0 {
				return out
			}
			inner := path[i+1 : i+j]
			if k, name, ok := strings.Cut(inner, "="); ok {
				carrier := prefix
				if carrier == "" {
					carrier = "the document"
				}
				out = append(out, fmt.Sprintf("key/value pair in %s: the sibling key %q holds %q, which names the value", carrier, k, name))
			}
			i += j
		case '<':
			j := strings.IndexByte(path[i:], '>')
			if j < 0 {
				return out
			}
			enc := path[i+1 : i+j]
			if d, ok := encodingNames[enc]; ok {
				out = append(out, fmt.Sprintf("%s: %s at %s", path[:i+j+1], d, path[:i]))
			}
			i += j
		}
		prefix = path[:min(i+1, len(path))]
	}
	return out
}
