package files

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// convertDoc replaces MongoDB Extended JSON wrappers in a decoded document
// by plain values (see the package documentation). Objects that only look
// like a wrapper (wrong value type, extra keys) are left as they are.
func convertDoc(m map[string]any) map[string]any {
	for k, v := range m {
		m[k] = convertValue(v)
	}
	return m
}

func convertValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if out, ok := convertWrapper(x); ok {
			return out
		}
		return convertDoc(x)
	case []any:
		for i, e := range x {
			x[i] = convertValue(e)
		}
		return x
	}
	return v
}

// convertWrapper converts one Extended JSON wrapper object.
func convertWrapper(m map[string]any) (any, bool) {
	switch len(m) {
	case 1:
		for k, v := range m {
			if len(k) == 0 || k[0] != '$' {
				return nil, false
			}
			return convertSingle(k, v)
		}
	case 2:
		// Legacy v1 shapes.
		if b, ok := m["$binary"].(string); ok {
			if t, ok := m["$type"].(string); ok {
				return binaryValue(b, t)
			}
		}
		if p, ok := m["$regex"].(string); ok {
			if o, ok := m["$options"].(string); ok {
				return "/" + p + "/" + o, true
			}
		}
		if c, ok := m["$code"].(string); ok {
			if s, ok := m["$scope"].(map[string]any); ok {
				return map[string]any{"code": c, "scope": convertDoc(s)}, true
			}
		}
	}
	return nil, false
}

func convertSingle(k string, v any) (any, bool) {
	switch k {
	case "$oid", "$symbol", "$code", "$uuid":
		s, ok := v.(string)
		return s, ok
	case "$date":
		return dateValue(v)
	case "$numberLong", "$numberInt":
		if s, ok := v.(string); ok && isJSONNumber(s) {
			return json.Number(s), true
		}
		if n, ok := v.(json.Number); ok { // shell-style {"$numberLong": 5}
			return n, true
		}
	case "$numberDouble":
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		switch s {
		case "Infinity":
			return math.Inf(1), true
		case "-Infinity":
			return math.Inf(-1), true
		case "NaN":
			return math.NaN(), true
		}
		if isJSONNumber(s) {
			return json.Number(s), true
		}
	case "$numberDecimal":
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		if isJSONNumber(s) {
			return json.Number(s), true
		}
		return s, true // NaN, Infinity, -0E+10 forms: keep the text
	case "$binary":
		b, ok := v.(map[string]any)
		if !ok || len(b) != 2 {
			return nil, false
		}
		data, ok1 := b["base64"].(string)
		sub, ok2 := b["subType"].(string)
		if !ok1 || !ok2 {
			return nil, false
		}
		return binaryValue(data, sub)
	case "$timestamp":
		t, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		sec, ok := t["t"].(json.Number)
		if !ok {
			return nil, false
		}
		n, err := sec.Int64()
		if err != nil || n < 0 || n > math.MaxUint32 {
			return nil, false
		}
		return time.Unix(n, 0).UTC(), true
	case "$regularExpression":
		r, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		p, ok1 := r["pattern"].(string)
		o, ok2 := r["options"].(string)
		if !ok1 || !ok2 {
			return nil, false
		}
		return "/" + p + "/" + o, true
	case "$minKey", "$maxKey", "$undefined":
		return nil, true
	case "$dbPointer":
		d, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		ref, ok := d["$ref"].(string)
		if !ok {
			return nil, false
		}
		var id any = d["$id"]
		if oid, ok := id.(map[string]any); ok {
			if s, ok := oid["$oid"].(string); ok {
				id = s
			}
		}
		return map[string]any{"$ref": ref, "$id": convertValue(id)}, true
	}
	return nil, false
}

var jsonNumberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

func isJSONNumber(s string) bool { return len(s) <= 400 && jsonNumberRE.MatchString(s) }

// dateValue converts the value of a $date wrapper: an ISO-8601 string
// (relaxed), {"$numberLong": "ms"} (canonical) or milliseconds (legacy).
func dateValue(v any) (any, bool) {
	var ms string
	switch x := v.(type) {
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02"} {
			if t, err := time.Parse(layout, x); err == nil {
				return t.UTC(), true
			}
		}
		return x, true // not a date we can read: keep the text
	case json.Number:
		ms = string(x)
	case map[string]any:
		s, ok := x["$numberLong"].(string)
		if !ok || len(x) != 1 {
			return nil, false
		}
		ms = s
	default:
		return nil, false
	}
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(ms, 64)
		if ferr != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 9e18 {
			return ms, true
		}
		n = int64(f)
	}
	return time.UnixMilli(n).UTC(), true
}

// binaryValue decodes base64 binary: UUID subtypes (3, 4) of 16 bytes become
// the UUID string, valid UTF-8 text becomes a string, anything else []byte.
func binaryValue(data, subType string) (any, bool) {
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(data); err != nil {
			return data, true // keep what it says
		}
	}
	sub := strings.ToLower(strings.TrimLeft(subType, "0"))
	if (sub == "3" || sub == "4") && len(b) == 16 {
		h := hex.EncodeToString(b)
		return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], true
	}
	if utf8.Valid(b) && isText(b) {
		return string(b), true
	}
	return b, true
}

// isText reports whether b has no control characters but white space.
func isText(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}
