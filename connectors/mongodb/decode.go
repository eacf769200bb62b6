package mongodb

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// maxDepth bounds how deeply nested a decoded document may be. MongoDB
// itself refuses documents nested deeper than 100 levels.
const maxDepth = 200

// DecodeError says why a BSON document could not be decoded.
type DecodeError struct {
	Reason string // short, for SampleResult.Skip: "invalid BSON", ...
	Detail string
}

func (e *DecodeError) Error() string {
	if e.Detail == "" {
		return e.Reason
	}
	return e.Reason + ": " + e.Detail
}

func invalid(format string, args ...any) error {
	return &DecodeError{Reason: "invalid BSON", Detail: fmt.Sprintf(format, args...)}
}

// Decode converts one BSON document into the plain values documented on
// connectors.Document:
//
//	double                -> float64
//	string, symbol, code  -> string ([]byte when not valid UTF-8)
//	document              -> map[string]any (a later duplicate key wins)
//	array                 -> []any
//	binary                -> string when the bytes are valid UTF-8 text,
//	                         UUID string for UUID subtypes 3 and 4 of 16 bytes,
//	                         []byte otherwise
//	ObjectId              -> 24-character hex string
//	bool                  -> bool
//	date                  -> time.Time (UTC)
//	timestamp             -> time.Time (UTC, seconds)
//	null, undefined,
//	minKey, maxKey        -> nil
//	regex                 -> "/pattern/options"
//	DBPointer             -> map{"$ref": namespace, "$id": hex id}
//	int32                 -> int32
//	int64                 -> int64
//	decimal128            -> json.Number, or string for NaN and infinities
//
// GeoJSON stays the map it is ({"type": "Point", "coordinates": [...]}).
func Decode(raw []byte) (map[string]any, error) {
	doc, rem, ok := bsoncore.ReadDocument(raw)
	if !ok {
		return nil, invalid("truncated document")
	}
	if len(rem) != 0 {
		return nil, invalid("%d bytes after the document", len(rem))
	}
	m := map[string]any{}
	if err := decodeInto(doc, 0, func(k string, v any) { m[k] = v }); err != nil {
		return nil, err
	}
	return m, nil
}

// decodeInto walks the elements of a document or array, calling set for each.
func decodeInto(doc bsoncore.Document, depth int, set func(key string, v any)) error {
	if depth > maxDepth {
		return &DecodeError{Reason: "document nested too deeply", Detail: fmt.Sprintf("more than %d levels", maxDepth)}
	}
	length, rem, ok := bsoncore.ReadLength(doc)
	if !ok || int(length) != len(doc) || length < 5 {
		return invalid("bad document length")
	}
	if doc[len(doc)-1] != 0 {
		return invalid("document not terminated")
	}
	rem = rem[:len(rem)-1] // drop the terminating NUL
	for len(rem) > 0 {
		elem, next, ok := bsoncore.ReadElement(rem)
		if !ok {
			return invalid("truncated element")
		}
		key, err := elem.KeyErr()
		if err != nil {
			return invalid("bad key")
		}
		val, err := elem.ValueErr()
		if err != nil {
			return invalid("bad value for key %q", truncate(key))
		}
		v, err := value(val, depth)
		if err != nil {
			return err
		}
		set(key, v)
		rem = next
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	if !utf8.ValidString(s) {
		return strconv.QuoteToASCII(s)
	}
	return s
}

func value(v bsoncore.Value, depth int) (any, error) {
	switch v.Type {
	case bsoncore.TypeDouble:
		f, ok := v.DoubleOK()
		if !ok {
			return nil, invalid("bad double")
		}
		return f, nil
	case bsoncore.TypeString:
		s, ok := v.StringValueOK()
		if !ok {
			return nil, invalid("bad string")
		}
		return text(s), nil
	case bsoncore.TypeEmbeddedDocument:
		d, ok := v.DocumentOK()
		if !ok {
			return nil, invalid("bad embedded document")
		}
		m := map[string]any{}
		if err := decodeInto(d, depth+1, func(k string, x any) { m[k] = x }); err != nil {
			return nil, err
		}
		return m, nil
	case bsoncore.TypeArray:
		a, ok := v.ArrayOK()
		if !ok {
			return nil, invalid("bad array")
		}
		out := []any{}
		if err := decodeInto(bsoncore.Document(a), depth+1, func(_ string, x any) { out = append(out, x) }); err != nil {
			return nil, err
		}
		return out, nil
	case bsoncore.TypeBinary:
		sub, data, ok := v.BinaryOK()
		if !ok {
			return nil, invalid("bad binary")
		}
		return binary(sub, data), nil
	case bsoncore.TypeUndefined, bsoncore.TypeNull, bsoncore.TypeMinKey, bsoncore.TypeMaxKey:
		return nil, nil
	case bsoncore.TypeObjectID:
		id, ok := v.ObjectIDOK()
		if !ok {
			return nil, invalid("bad ObjectId")
		}
		return hex.EncodeToString(id[:]), nil
	case bsoncore.TypeBoolean:
		if len(v.Data) < 1 || v.Data[0] > 1 {
			return nil, invalid("bad boolean")
		}
		return v.Data[0] == 1, nil
	case bsoncore.TypeDateTime:
		ms, ok := v.DateTimeOK()
		if !ok {
			return nil, invalid("bad date")
		}
		return time.UnixMilli(ms).UTC(), nil
	case bsoncore.TypeRegex:
		p, o, ok := v.RegexOK()
		if !ok {
			return nil, invalid("bad regex")
		}
		return text("/" + p + "/" + o), nil
	case bsoncore.TypeDBPointer:
		ns, id, ok := v.DBPointerOK()
		if !ok {
			return nil, invalid("bad DBPointer")
		}
		return map[string]any{"$ref": text(ns), "$id": hex.EncodeToString(id[:])}, nil
	case bsoncore.TypeJavaScript:
		s, ok := v.JavaScriptOK()
		if !ok {
			return nil, invalid("bad JavaScript")
		}
		return text(s), nil
	case bsoncore.TypeSymbol:
		s, ok := v.SymbolOK()
		if !ok {
			return nil, invalid("bad symbol")
		}
		return text(s), nil
	case bsoncore.TypeCodeWithScope:
		code, _, ok := v.CodeWithScopeOK()
		if !ok {
			return nil, invalid("bad code with scope")
		}
		return text(code), nil
	case bsoncore.TypeInt32:
		i, ok := v.Int32OK()
		if !ok {
			return nil, invalid("bad int32")
		}
		return i, nil
	case bsoncore.TypeTimestamp:
		t, _, ok := v.TimestampOK()
		if !ok {
			return nil, invalid("bad timestamp")
		}
		return time.Unix(int64(t), 0).UTC(), nil
	case bsoncore.TypeInt64:
		i, ok := v.Int64OK()
		if !ok {
			return nil, invalid("bad int64")
		}
		return i, nil
	case bsoncore.TypeDecimal128:
		h, l, ok := v.Decimal128OK()
		if !ok {
			return nil, invalid("bad decimal128")
		}
		return decimal(bson.NewDecimal128(h, l)), nil
	default:
		return nil, &DecodeError{Reason: "unsupported BSON type", Detail: fmt.Sprintf("type 0x%02x", byte(v.Type))}
	}
}

// text returns s, or its bytes when it is not valid UTF-8 (BSON requires
// UTF-8, but not every writer obeys).
func text(s string) any {
	if utf8.ValidString(s) {
		return s
	}
	return []byte(s)
}

// binary reads BSON binary data as text only when it is valid UTF-8 without
// control characters other than tab, CR and LF; UUIDs become their canonical
// string; anything else stays bytes.
func binary(subtype byte, data []byte) any {
	if (subtype == bson.TypeBinaryUUID || subtype == bson.TypeBinaryUUIDOld) && len(data) == 16 {
		var b [36]byte
		hex.Encode(b[0:8], data[0:4])
		b[8] = '-'
		hex.Encode(b[9:13], data[4:6])
		b[13] = '-'
		hex.Encode(b[14:18], data[6:8])
		b[18] = '-'
		hex.Encode(b[19:23], data[8:10])
		b[23] = '-'
		hex.Encode(b[24:], data[10:])
		return string(b[:])
	}
	if len(data) > 0 && isText(data) {
		return string(data)
	}
	out := make([]byte, len(data))
	copy(out, data)
	return out
}

func isText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return utf8.Valid(b)
}

// decimal returns a Decimal128 as a json.Number when it is a finite number,
// otherwise as its string ("NaN", "Infinity", "-Infinity").
func decimal(d bson.Decimal128) any {
	s := d.String()
	if d.IsNaN() || d.IsInf() != 0 {
		return s
	}
	// Decimal128.String gives forms such as "1.5E+3" that are valid JSON
	// numbers; verify rather than trust.
	if json.Valid([]byte(s)) {
		return json.Number(s)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return s
}

// errorsAsDecode reports whether err is a decoding error and its reason.
func decodeReason(err error) string {
	var de *DecodeError
	if errors.As(err, &de) {
		return de.Reason
	}
	return "invalid BSON"
}
