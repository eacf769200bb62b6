package redis

import (
	"fmt"

	"github.com/piisniff/piisniff/connectors"
)

// The kinds of raw documents: which reply a rawDoc holds.
const (
	rawString  = iota + 1 // a string (GET, GETRANGE, JSON.GET) that decodes: see textual
	rawHash               // HSCAN's field and value pairs
	rawItems              // the items of a list, set or sorted set
	rawHashMap            // HGETALL
	rawEntry              // one stream entry's fields
)

// rawDoc is a value read but not yet decoded (connectors.RawDocument): the
// reply's strings, which go-redis made for this reply alone, and the key's
// id-like segments. The JSON parsing, the unwrapping and the building of
// the document are done by Decode, on the consumer's goroutine (the
// pipeline's workers), not on the goroutine that reads. Only values that
// cannot fail to decode are handed over raw, so that the sampler counts
// every skip itself, as when it decoded everything.
type rawDoc struct {
	kind  uint8
	limit int64    // --max-document-bytes: the bound of decompressed sizes
	ids   []string // the key's id-like segments (kept, never rewritten)
	str   string
	vals  []string
	hash  map[string]string
	entry map[string]any
}

// Size implements connectors.Sizer: the bytes of the reply's strings.
func (r *rawDoc) Size() int {
	n := len(r.str)
	for _, v := range r.vals {
		n += len(v)
	}
	for k, v := range r.hash {
		n += len(k) + len(v)
	}
	for k, v := range r.entry {
		n += len(k)
		if s, ok := v.(string); ok {
			n += len(s)
		}
	}
	return n
}

// Decode implements connectors.RawDocument. The reply is let go once
// decoded: a raw document shares its allocation with others of its batch
// (see sampler.raw), and its values are not held for them.
func (r *rawDoc) Decode() (map[string]any, string, bool) {
	var f map[string]any
	switch r.kind {
	case rawString:
		v, reason := decodeText(r.str, r.limit)
		if reason != "" {
			// no document: only a string that is not textual, which the
			// sampler decodes itself (stringDoc) and counts as skipped
			*r = rawDoc{}
			return nil, reason, false
		}
		if m, ok := v.(map[string]any); ok {
			// the decoded object is the document (fresh, not shared): the
			// key's ids are added unless the object has a field of that name
			if _, taken := m[FieldKey]; !taken {
				if ids := keyIDs(r.ids); ids != nil {
					m[FieldKey] = ids
				}
			}
			f = m
			break
		}
		f = base(r.ids, 1)
		f[FieldValue] = v
	case rawHash:
		f = base(r.ids, len(r.vals)/2)
		for i := 0; i+1 < len(r.vals); i += 2 {
			f[r.vals[i]] = decodeFieldString(r.vals[i+1], r.limit)
		}
	case rawItems:
		f = base(r.ids, 1)
		f[FieldItems] = items(r.vals, r.limit)
	case rawHashMap:
		f = base(r.ids, len(r.hash))
		for name, v := range r.hash {
			f[name] = decodeFieldString(v, r.limit)
		}
	case rawEntry:
		f = base(r.ids, len(r.entry))
		for name, v := range r.entry {
			if str, ok := v.(string); ok {
				f[name] = decodeFieldString(str, r.limit)
			} else {
				f[name] = fmt.Sprint(v)
			}
		}
	default:
		return nil, "decoded twice", false
	}
	*r = rawDoc{}
	return f, "", true
}

// rawSlab is how many raw documents share one allocation.
const rawSlab = 256

// raw is a new raw document of kind for the key of ids, cut from the
// sampler's current slab: one allocation for rawSlab documents.
func (s *sampler) raw(kind uint8, ids []string) *rawDoc {
	if len(s.slab) == cap(s.slab) {
		s.slab = make([]rawDoc, 0, rawSlab)
	}
	s.slab = s.slab[:len(s.slab)+1]
	r := &s.slab[len(s.slab)-1]
	r.kind, r.limit, r.ids = kind, s.c.opts.MaxDocumentBytes, ids
	return r
}

// outRaw emits a raw document.
func (s *sampler) outRaw(r *rawDoc) error {
	s.emitted++
	return s.emit(connectors.Document{Raw: r})
}
