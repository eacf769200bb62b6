package classifiers

import "strings"

// Kind is the type a scalar value had in the store.
type Kind uint8

const (
	KindString Kind = iota
	KindNumber      // S holds the number as the store wrote it (no float rounding)
	KindBool
	KindDate   // S holds the time in RFC 3339
	KindBinary // S holds the bytes; only valid UTF-8 binary reaches classifiers
)

// Value is one scalar value of a document, as text.
type Value struct {
	Kind Kind
	S    string
}

// Evidence is a set of reasons a finding fired.
type Evidence uint16

const (
	EvValue     Evidence = 1 << iota // the value's shape matched a pattern
	EvFieldName                      // the field's name (or its parents') says so
	EvContext                        // context keywords around the value or in the path
	EvValidator                      // a checksum or a library validated the value
	EvStructure                      // the document's structure (GeoJSON, lat/lng siblings)
	EvStoreType                      // the store declared the type (for example geo_point)
)

var evidenceNames = []string{"value", "field_name", "context", "validator", "structure", "store_type"}

// Strings lists the evidence names in a fixed order.
func (e Evidence) Strings() []string {
	var out []string
	for i, n := range evidenceNames {
		if e&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

func (e Evidence) String() string { return strings.Join(e.Strings(), ",") }

// Hit is one category found in one value.
type Hit struct {
	Category   string
	Confidence float64 // in [0, 1]
	Evidence   Evidence
	Rule       string // id of the rule that fired
	// Start and End delimit the matched part of the value, in bytes; both
	// zero mean the whole value. Used to attribute and mask matches found in
	// free text.
	Start, End int
}

// PathHit is a hit found from the structure of a document, attributed to a
// field path in the report's path convention.
type PathHit struct {
	Path string
	Hit  Hit
}
