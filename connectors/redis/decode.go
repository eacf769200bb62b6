package redis

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/piisniff/piisniff/connectors/sqlrows"
)

// Skip reasons of values that are not documents.
const (
	ReasonBinary     = "binary value"
	ReasonTooLarge   = "value larger than --max-document-bytes"
	ReasonVanished   = "key deleted or expired before it was read"
	ReasonBadGzip    = "corrupt gzip value"
	ReasonUnknown    = "unsupported key type"
	ReasonReadFailed = "key could not be read"
	// ReasonJSONUnavailable: a RedisJSON value (type ReJSON-RL) whose
	// JSON.GET the server refused.
	ReasonJSONUnavailable = "RedisJSON value: JSON.GET unavailable"
)

// maxNesting bounds the wrappers unwrapped (base64 of gzip of JSON ...).
const maxNesting = 3

// DecodeString turns a string value into the value of a document field: a
// JSON object or array (parsed, numbers kept as json.Number), a gzip,
// base64 or MessagePack wrapped one, or the text itself. It returns a skip
// reason for binary that is none of these. limit bounds decompressed sizes.
func DecodeString(b []byte, limit int64) (any, string) {
	return decodeString(b, limit, 0)
}

func decodeString(b []byte, limit int64, depth int) (any, string) {
	if depth > maxNesting {
		return nil, ReasonBinary
	}
	if v, ok := decodeJSON(b); ok {
		return v, ""
	}
	return decodeWrapped(b, limit, depth)
}

// decodeText is DecodeString for a value held as a string (go-redis's
// replies): text that none of the decoders would take is the string
// itself, and a JSON object or array is parsed from the string's bytes,
// not a copy of them (see decodeJSONText).
func decodeText(s string, limit int64) (any, string) {
	if plainText(s) {
		return s, ""
	}
	if v, ok := decodeJSONText(s); ok {
		return v, ""
	}
	return decodeWrapped([]byte(s), limit, 0)
}

// jsonMaxDepth is encoding/json's own limit of nesting.
const jsonMaxDepth = 10000

// decodeJSONText is decodeJSON for a value held as a string: parsed from
// the string's bytes, not a copy of them, without a decoder when its
// strings hold no escapes (sqlrows.ParseJSONFast: encoding/json's value,
// its strings substrings of s).
func decodeJSONText(s string) (any, bool) {
	t := strings.TrimSpace(s) // as bytes.TrimSpace in decodeJSON
	if len(t) < 2 || !(t[0] == '{' && t[len(t)-1] == '}' || t[0] == '[' && t[len(t)-1] == ']') {
		return nil, false
	}
	if v, ok := sqlrows.ParseJSONFast(t, jsonMaxDepth); ok {
		return v, true
	}
	return decodeJSON(unsafe.Slice(unsafe.StringData(t), len(t))) // the parser only reads them
}

// textual reports whether DecodeString of s can only succeed: valid UTF-8
// without control characters is at worst text (gzip starts with a control
// character), so that only other values can be skipped in decoding.
func textual(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f:
			return false
		case c >= 0x80:
			ascii = false
		}
	}
	return ascii || utf8.ValidString(s)
}

// decodeWrapped is decodeString for b that is not a JSON object or array.
func decodeWrapped(b []byte, limit int64, depth int) (any, string) {
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		out, err := gunzip(b, limit)
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return nil, ReasonTooLarge
			}
			return nil, ReasonBadGzip
		}
		return decodeString(out, limit, depth+1)
	}
	if v, ok := decodeMsgpack(b); ok {
		return v, ""
	}
	if utf8.Valid(b) && !hasControl(b) {
		s := string(b)
		if raw, ok := unbase64(s); ok {
			if v, reason := decodeString(raw, limit, depth+1); reason == "" {
				if _, isText := v.(string); !isText {
					return v, ""
				}
			}
		}
		return s, ""
	}
	return nil, ReasonBinary
}

// DecodeField is DecodeString for a hash field, stream field or collection
// item: JSON (also wrapped) is parsed, text stays text, binary is kept as
// bytes for the classifiers' binary checks.
func DecodeField(b []byte, limit int64) any {
	v, reason := DecodeString(b, limit)
	if reason != "" {
		return append([]byte(nil), b...)
	}
	return v
}

// decodeFieldString is DecodeField for a value held as a string (a hash
// field, a collection's item): text that none of the decoders would take
// is the string itself, not a copy.
func decodeFieldString(s string, limit int64) any {
	v, reason := decodeText(s, limit)
	if reason != "" {
		return []byte(s)
	}
	return v
}

// plainText reports whether DecodeString returns s unchanged as text,
// without trying the decoders: valid UTF-8 without control characters
// (so neither gzip nor binary), no '{' or '[' (no JSON object or array),
// not starting with a MessagePack map or array marker, and either shorter
// than a base64 candidate (see unbase64) or holding a character no base64
// alphabet has.
func plainText(s string) bool {
	if s == "" {
		return true
	}
	if c := s[0]; c >= 0x80 && c <= 0x9f || c >= 0xdc && c <= 0xdf {
		return false
	}
	ascii, b64 := true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f:
			return false
		case c == '{' || c == '[':
			return false
		case c >= 0x80:
			ascii, b64 = false, false
		case !b64Alphabet[c]:
			b64 = false
		}
	}
	if !ascii && !utf8.ValidString(s) {
		return false
	}
	return len(s) < 16 || !b64
}

// b64Alphabet holds the characters of the standard and URL base64
// alphabets, padding included.
var b64Alphabet = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_=" {
		t[c] = true
	}
	return t
}()

// decodeJSON parses b when it is a JSON object or array.
func decodeJSON(b []byte) (any, bool) {
	t := bytes.TrimSpace(b)
	if len(t) < 2 || !(t[0] == '{' && t[len(t)-1] == '}' || t[0] == '[' && t[len(t)-1] == ']') {
		return nil, false
	}
	d := jsonDecoders.Get().(*jsonDecoder)
	d.src = t
	var v any
	err := d.dec.Decode(&v)
	// one value that took every byte: the decoder read them all and used
	// them all, and holds none for a next value
	ok := err == nil && len(d.src) == 0 && d.dec.InputOffset() == d.fed
	d.src = nil
	if ok && len(t) <= 64<<10 {
		jsonDecoders.Put(d) // a decoder that failed, or grew big, is dropped
	}
	if !ok {
		return nil, false
	}
	return v, true
}

// jsonDecoders are encoding/json decoders (numbers as json.Number) kept
// for the next value: a decoder and its buffer made once, not per value.
var jsonDecoders = sync.Pool{New: func() any {
	d := &jsonDecoder{}
	d.dec = json.NewDecoder(d)
	d.dec.UseNumber()
	return d
}}

// jsonDecoder is the reader of a decoder of jsonDecoders: it gives the
// decoder one value's bytes, then io.EOF (a value that needs more fails,
// and its decoder is dropped).
type jsonDecoder struct {
	dec *json.Decoder
	src []byte // the bytes not yet given
	fed int64  // the bytes given since the decoder was made
}

func (d *jsonDecoder) Read(p []byte) (int, error) {
	if len(d.src) == 0 {
		return 0, io.EOF
	}
	n := copy(p, d.src)
	d.src = d.src[n:]
	d.fed += int64(n)
	return n, nil
}

var errTooLarge = errors.New("decompressed value too large")

func gunzip(b []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(out)) > limit {
		return nil, errTooLarge
	}
	return out, nil
}

// unbase64 decodes s when it is plausibly base64 of something: at least 16
// characters of one alphabet, padded right.
func unbase64(s string) ([]byte, bool) {
	if len(s) < 16 {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		if !b64Alphabet[s[i]] {
			return nil, false // whitespace, or no alphabet's: no decoding can succeed
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if out, err := enc.DecodeString(s); err == nil {
			return out, true
		}
	}
	return nil, false
}

// decodeMsgpack decodes b when it is one MessagePack map or array that
// takes every byte, with text keys. Plain text is never MessagePack here:
// the first byte must be a map or array marker.
func decodeMsgpack(b []byte) (any, bool) {
	if len(b) < 2 {
		return nil, false
	}
	c := b[0]
	if !(c >= 0x80 && c <= 0x9f || c == 0xdc || c == 0xdd || c == 0xde || c == 0xdf) {
		return nil, false
	}
	if end, ok := msgpackWalk(b, 0, 0); !ok || end != len(b) {
		return nil, false // declared lengths beyond the bytes: not MessagePack
	}
	r := bytes.NewReader(b)
	dec := msgpack.NewDecoder(r)
	v, err := dec.DecodeInterface()
	if err != nil || r.Len() != 0 {
		return nil, false
	}
	out, ok := fromMsgpack(v, 0)
	if !ok {
		return nil, false
	}
	switch out.(type) {
	case map[string]any, []any:
		return out, true
	}
	return nil, false
}

// fromMsgpack converts a decoded MessagePack value to document values.
func fromMsgpack(v any, depth int) (any, bool) {
	if depth > 64 {
		return nil, false
	}
	switch x := v.(type) {
	case nil, bool, string, float64, float32, int64, uint64:
		return x, true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int:
		return int64(x), true
	case uint8:
		return uint64(x), true
	case uint16:
		return uint64(x), true
	case uint32:
		return uint64(x), true
	case []byte:
		if utf8.Valid(x) {
			return string(x), true
		}
		return x, true
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			var ok bool
			if out[i], ok = fromMsgpack(e, depth+1); !ok {
				return nil, false
			}
		}
		return out, true
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ks, ok := k.(string)
			if !ok {
				return nil, false
			}
			if out[ks], ok = fromMsgpack(e, depth+1); !ok {
				return nil, false
			}
		}
		return out, true
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			var ok bool
			if out[k], ok = fromMsgpack(e, depth+1); !ok {
				return nil, false
			}
		}
		return out, true
	}
	return fmt.Sprint(v), true
}

// hasControl reports control characters other than tab and newlines: text
// holding them is binary.
func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return true
		}
	}
	return false
}

// msgpackWalk checks the MessagePack value at b[i:] without allocating:
// every declared length must fit in the bytes left (the decoder allocates
// by declared lengths). It returns the end of the value.
func msgpackWalk(b []byte, i, depth int) (int, bool) {
	if depth > 64 || i >= len(b) {
		return 0, false
	}
	c := b[i]
	i++
	need := func(n int) bool { return n >= 0 && i+n <= len(b) }
	uint := func(n int) (int, bool) {
		if !need(n) {
			return 0, false
		}
		v := 0
		for k := 0; k < n; k++ {
			v = v<<8 | int(b[i+k])
			if v > len(b) {
				return 0, false
			}
		}
		i += n
		return v, true
	}
	skip := func(n int) (int, bool) {
		if !need(n) {
			return 0, false
		}
		return i + n, true
	}
	elems := func(n int) (int, bool) {
		if n > len(b)-i {
			return 0, false
		}
		for k := 0; k < n; k++ {
			var ok bool
			if i, ok = msgpackWalk(b, i, depth+1); !ok {
				return 0, false
			}
		}
		return i, true
	}
	switch {
	case c <= 0x7f, c >= 0xe0, c == 0xc0, c == 0xc2, c == 0xc3:
		return i, true
	case c >= 0x80 && c <= 0x8f:
		return elems(2 * int(c&0x0f))
	case c >= 0x90 && c <= 0x9f:
		return elems(int(c & 0x0f))
	case c >= 0xa0 && c <= 0xbf:
		return skip(int(c & 0x1f))
	}
	switch c {
	case 0xcc, 0xd0:
		return skip(1)
	case 0xcd, 0xd1:
		return skip(2)
	case 0xca, 0xce, 0xd2:
		return skip(4)
	case 0xcb, 0xcf, 0xd3:
		return skip(8)
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8: // fixext 1..16
		return skip(1 + 1<<(c-0xd4))
	case 0xc4, 0xd9, 0xc5, 0xda, 0xc6, 0xdb: // bin / str 8, 16, 32
		width := map[byte]int{0xc4: 1, 0xd9: 1, 0xc5: 2, 0xda: 2, 0xc6: 4, 0xdb: 4}[c]
		n, ok := uint(width)
		if !ok {
			return 0, false
		}
		return skip(n)
	case 0xc7, 0xc8, 0xc9: // ext 8, 16, 32
		n, ok := uint(map[byte]int{0xc7: 1, 0xc8: 2, 0xc9: 4}[c])
		if !ok {
			return 0, false
		}
		return skip(n + 1)
	case 0xdc, 0xdd: // array 16, 32
		n, ok := uint(map[byte]int{0xdc: 2, 0xdd: 4}[c])
		if !ok {
			return 0, false
		}
		return elems(n)
	case 0xde, 0xdf: // map 16, 32
		n, ok := uint(map[byte]int{0xde: 2, 0xdf: 4}[c])
		if !ok {
			return 0, false
		}
		return elems(2 * n)
	}
	return 0, false
}
