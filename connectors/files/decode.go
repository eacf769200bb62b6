package files

import (
	"bytes"
	"encoding/json"
	"io"
	"unicode/utf8"
)

// checkRaw runs the checks that are cheap enough for every record: NUL
// bytes and UTF-8 validity. It returns a skip reason or "".
func checkRaw(raw []byte) string {
	if bytes.IndexByte(raw, 0) >= 0 {
		return ReasonNUL
	}
	if !utf8.Valid(raw) {
		return ReasonInvalidUTF8
	}
	return ""
}

// jsonDepth returns the deepest nesting of objects and arrays in raw,
// counting only brackets outside strings. It stops counting past limit.
func jsonDepth(raw []byte, limit int) int {
	depth, deepest := 0, 0
	inStr, esc := false, false
	for _, c := range raw {
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
			if depth > deepest {
				deepest = depth
				if deepest > limit {
					return deepest
				}
			}
		case '}', ']':
			depth--
		}
	}
	return deepest
}

// decodeJSON decodes one JSON record into a document. It returns the
// document, the elasticdump index when the record is a search hit ("" when
// not), and a skip reason ("" when the record is good).
func decodeJSON(raw []byte, depth, maxDepth int) (doc map[string]any, index string, reason string) {
	if r := checkRaw(raw); r != "" {
		return nil, "", r
	}
	if depth < 0 {
		depth = jsonDepth(raw, maxDepth)
	}
	if depth > maxDepth {
		return nil, "", ReasonTooDeep
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, "", ReasonInvalidJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "", ReasonInvalidJSON // something after the value
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, "", ReasonNotObject
	}
	if src, ok := m["_source"].(map[string]any); ok {
		if idx, ok := m["_index"].(string); ok {
			m, index = src, idx
		}
	}
	if bytes.Contains(raw, []byte(`"$`)) {
		m = convertDoc(m)
	}
	return m, index, ""
}

// csvDoc makes a document of a CSV row.
func csvDoc(header, row []string) map[string]any {
	m := make(map[string]any, len(header))
	for i, h := range header {
		m[h] = row[i]
	}
	return m
}
