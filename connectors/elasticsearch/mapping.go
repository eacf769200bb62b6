package elasticsearch

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// indexMapping is what the scanner keeps of one index's mapping.
type indexMapping struct {
	FieldTypes     map[string]string
	SourceDisabled bool
	HasNested      bool
}

// parseMappings decodes a get mapping answer ({"<index>":{"mappings":{..}}})
// into one indexMapping per index.
func parseMappings(body []byte) (map[string]indexMapping, error) {
	var resp map[string]struct {
		Mappings map[string]any `json:"mappings"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("unexpected mapping answer: %w", err)
	}
	out := make(map[string]indexMapping, len(resp))
	for name, m := range resp {
		out[name] = flattenMapping(m.Mappings)
	}
	return out, nil
}

// flattenMapping turns a "mappings" object into field types by path, in the
// report's path convention: object keys are joined with "." and a field of
// type nested (an array of objects by definition) adds "[]" after its key
// ("contacts[].phone"). Multi-fields ("name.keyword") and field aliases are
// not document fields and are left out; plain objects are not listed, their
// leaves are. Mappings from before 7.0 (with a type name level) are read too.
func flattenMapping(mappings map[string]any) indexMapping {
	im := indexMapping{FieldTypes: map[string]string{}}
	if mappings == nil {
		return im
	}
	props, ok := mappings["properties"].(map[string]any)
	if !ok {
		// 6.x and older: {"<type>": {"properties": ..., "_source": ...}}
		for _, v := range mappings {
			if t, isObj := v.(map[string]any); isObj {
				if p, ok2 := t["properties"].(map[string]any); ok2 {
					props = p
					mappings = t
					break
				}
			}
		}
	}
	if src, ok := mappings["_source"].(map[string]any); ok {
		if en, ok := src["enabled"].(bool); ok && !en {
			im.SourceDisabled = true
		}
	}
	walkProps("", props, &im, 0)
	return im
}

const maxMappingDepth = 64

// validFieldName reports whether a mapping property name can name a field:
// Elasticsearch rejects empty names and names with an empty part between
// dots ("", ".", "a..b", ".a"), so a mapping that holds one is not a real
// cluster's and the property is passed over.
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for _, part := range strings.Split(name, ".") {
		if part == "" {
			return false
		}
	}
	return true
}

func walkProps(prefix string, props map[string]any, im *indexMapping, depth int) {
	if depth > maxMappingDepth {
		return
	}
	// sorted for a deterministic result when paths collide
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		def, ok := props[name].(map[string]any)
		if !ok || !validFieldName(name) {
			continue
		}
		typ, _ := def["type"].(string)
		sub, hasSub := def["properties"].(map[string]any)
		path := prefix + name
		switch {
		case typ == "nested":
			im.HasNested = true
			path += "[]"
			if _, dup := im.FieldTypes[path]; !dup {
				im.FieldTypes[path] = "nested"
			}
			walkProps(path+".", sub, im, depth+1)
		case hasSub:
			walkProps(path+".", sub, im, depth+1)
		case typ == "" || typ == "alias" || typ == "object":
			// an object without mapped sub-fields, or an alias to another field
		default:
			if _, dup := im.FieldTypes[path]; !dup {
				im.FieldTypes[path] = typ
			}
		}
	}
}

// mergeMappings unions the mappings of several indices (a data stream's
// backing indices, an alias); the first type seen for a path wins.
func mergeMappings(list ...indexMapping) indexMapping {
	out := indexMapping{FieldTypes: map[string]string{}}
	for _, m := range list {
		for k, v := range m.FieldTypes {
			if _, ok := out.FieldTypes[k]; !ok {
				out.FieldTypes[k] = v
			}
		}
		out.SourceDisabled = out.SourceDisabled || m.SourceDisabled
		out.HasNested = out.HasNested || m.HasNested
	}
	return out
}

// catIndex is one row of _cat/indices?format=json.
type catIndex struct {
	Index     string
	Status    string // open, close
	Health    string
	DocsCount int64 // -1 when unknown (closed index)
}

// flexString accepts a JSON string, number or null (cat APIs answer strings,
// some proxies and old versions numbers).
type flexString struct {
	s     string
	valid bool
}

func (f *flexString) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		f.s, f.valid = s, true
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	f.s, f.valid = n.String(), true
	return nil
}

// parseCatIndices decodes the cat indices API answer with format=json: an
// array of objects whose values are strings ("docs.count": "1200").
func parseCatIndices(body []byte) ([]catIndex, error) {
	var rows []struct {
		Index     flexString `json:"index"`
		Status    flexString `json:"status"`
		Health    flexString `json:"health"`
		DocsCount flexString `json:"docs.count"`
	}
	if err := json.Unmarshal(body, &rows); err != nil {
		return nil, fmt.Errorf("unexpected _cat/indices answer (is this Elasticsearch or OpenSearch?): %w", err)
	}
	out := make([]catIndex, 0, len(rows))
	for _, r := range rows {
		if !r.Index.valid || r.Index.s == "" {
			continue
		}
		ci := catIndex{Index: r.Index.s, Status: r.Status.s, Health: r.Health.s, DocsCount: -1}
		if r.DocsCount.valid {
			var n json.Number = json.Number(r.DocsCount.s)
			if v, err := n.Int64(); err == nil && v >= 0 {
				ci.DocsCount = v
			}
		}
		out = append(out, ci)
	}
	return out, nil
}
