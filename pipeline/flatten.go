package pipeline

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/piisniff/piisniff/classifiers"
)

// DefaultMaxDepth bounds how deep the flattener descends into a document.
const DefaultMaxDepth = 256

// Visitor receives what the flattener finds. path is only valid during the
// call (it is a reused buffer); convert it with string(path) to keep it.
type Visitor interface {
	// Scalar is called for every non-empty scalar value.
	Scalar(path []byte, v classifiers.Value)
	// Node is called for every object (map[string]any) and array ([]any)
	// below the document root, before its children.
	Node(path []byte, node any)
}

// ReasonTooDeep is the skip reason of a document nested deeper than the
// limit, the one the file connector uses for the same fault.
const ReasonTooDeep = "nesting too deep"

// ErrTooDeep is returned by Flatten for documents nested deeper than the limit.
type ErrTooDeep struct{ Limit int }

func (e ErrTooDeep) Error() string {
	return "nesting deeper than " + strconv.Itoa(e.Limit) + " levels"
}

// Flattener walks decoded documents into (path, value) pairs following the
// report's path convention: object keys joined with ".", "[]" after the key
// of an array ("contacts[].phone", "tags[]"). Key/value pairs and data
// inside strings add selectors and markers to the path (see shapes.go:
// "attributes[name=billing_phone].value", "payload<json>.email"). It reuses
// its buffers: one Flattener per goroutine.
type Flattener struct {
	MaxDepth int
	// Plain turns off key/value pairs and decoding inside strings.
	Plain bool
	buf   []byte

	kvNames map[string]map[string]struct{} // selector names used per path
	decoded int                            // bytes decoded in this document
	encs    int                            // encodings the current value is inside
}

// Flatten visits every scalar of doc. It returns ErrTooDeep (having visited
// nothing deeper than the limit) when the document is nested too deeply.
func (f *Flattener) Flatten(doc map[string]any, v Visitor) error {
	limit := f.MaxDepth
	if limit <= 0 {
		limit = DefaultMaxDepth
	}
	f.buf = f.buf[:0]
	f.decoded, f.encs = 0, 0
	if !f.object(doc, v, 1, limit) {
		return ErrTooDeep{Limit: limit}
	}
	return nil
}

func (f *Flattener) object(m map[string]any, v Visitor, depth, limit int) bool {
	if depth > limit {
		return false
	}
	mark := len(f.buf)
	ok := true
	var valueKey, sel string
	if !f.Plain {
		if nk, name, vk, isKV := kvPair(m); isKV && f.admitName(f.buf, name) {
			valueKey, sel = vk, "["+nk+"="+name+"]"
		}
	}
	for k, val := range m {
		f.buf = f.buf[:mark]
		trimmed := false
		if k == valueKey && valueKey != "" {
			// the pair's value, named by its sibling key
			if mark >= 2 && f.buf[mark-2] == '[' && f.buf[mark-1] == ']' {
				f.buf, trimmed = f.buf[:mark-2], true
			}
			f.buf = append(f.buf, sel...)
			f.buf = append(f.buf, '.')
		} else if mark > 0 {
			f.buf = append(f.buf, '.')
		}
		f.buf = append(f.buf, k...)
		if !f.value(val, v, depth, limit) {
			ok = false
		}
		if trimmed { // the selector wrote over the array's "[]"
			f.buf = append(f.buf[:mark-2], "[]"...)
		}
	}
	f.buf = f.buf[:mark]
	return ok
}

func (f *Flattener) array(a []any, v Visitor, depth, limit int) bool {
	if depth > limit {
		return false
	}
	mark := len(f.buf)
	ok := true
	for _, val := range a {
		f.buf = append(f.buf[:mark], "[]"...)
		if !f.value(val, v, depth, limit) {
			ok = false
		}
	}
	f.buf = f.buf[:mark]
	return ok
}

func (f *Flattener) value(val any, v Visitor, depth, limit int) bool {
	switch x := val.(type) {
	case nil:
	case string:
		if x != "" {
			v.Scalar(f.buf, classifiers.Value{Kind: classifiers.KindString, S: x})
			if !f.Plain && len(x) >= 8 {
				return f.decodeString(x, v, depth+1, limit, f.encs)
			}
		}
	case map[string]any:
		v.Node(f.buf, x)
		return f.object(x, v, depth+1, limit)
	case []any:
		if len(x) == 0 {
			return true
		}
		v.Node(f.buf, x)
		return f.array(x, v, depth+1, limit)
	case json.Number:
		v.Scalar(f.buf, classifiers.Value{Kind: classifiers.KindNumber, S: string(x)})
	case float64:
		v.Scalar(f.buf, classifiers.Value{Kind: classifiers.KindNumber, S: strconv.FormatFloat(x, 'f', -1, 64)})
	case float32:
		v.Scalar(f.buf, classifiers.Value{Kind: classifiers.KindNumber, S: strconv.FormatFloat(float64(x), 'f', -1, 32)})
	case int64:
		v.Scalar(f.buf, classifiers.Value{Kind: classifiers.KindNumber, S: strconv.FormatInt(x, 10)})
	case int:
		v.Scalar(f.buf, classifiers.Value{Kind: classifiers.KindNumber, S: strconv.Itoa(x)})
	case int32:
		v.Scalar(f.buf, classifiers.Value{Kind: classifiers.KindNumber, S: strconv.FormatInt(int64(x), 10)})
	case uint64:
		v.Scalar(f.buf, classifiers.Value{Kind: classifiers.KindNumber, S: strconv.FormatUint(x, 10)})
	case bool:
		s := "false"
		if x {
			s = "true"
		}
		v.Scalar(f.buf, classifiers.Value{Kind: classifiers.KindBool, S: s})
	case time.Time:
		v.Scalar(f.buf, classifiers.Value{Kind: classifiers.KindDate, S: x.UTC().Format(time.RFC3339Nano)})
	case []byte:
		if len(x) > 0 && utf8.Valid(x) {
			v.Scalar(f.buf, classifiers.Value{Kind: classifiers.KindBinary, S: string(x)})
		}
	}
	return true
}
