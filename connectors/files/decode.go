package files

import (
	"bytes"
	"strings"
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

// decodeJSON decodes one JSON record into a document with p. depth is the
// nesting depth when the reader measured it (-1 when not). It returns the
// document, the elasticdump index when the record is a search hit ("" when
// not), and a skip reason ("" when the record is good).
func decodeJSON(p *parser, raw []byte, depth int) (doc map[string]any, index string, reason string) {
	if r := checkRaw(raw); r != "" {
		return nil, "", r
	}
	if depth > p.maxDepth {
		return nil, "", ReasonTooDeep
	}
	m, reason := p.parseObject(raw)
	if reason != "" {
		return nil, "", reason
	}
	if src, ok := m["_source"].(map[string]any); ok {
		if idx, ok := m["_index"].(string); ok {
			m, index = src, strings.Clone(idx) // kept for the notes: not a substring of the record
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
