package sqlrows

import (
	"fmt"

	"github.com/piisniff/piisniff/connectors"
)

// SliceKeys names a table's range key in a sliced read's notes.
type SliceKeys struct {
	Plural string // "keys", "rowids"
	Range  string // what a slice is a range of: `key "id"`, "rowid"
}

// ReadSlice reads slice sl of a table in a sharded full scan: the rows
// whose integer key lies in the slice's share of [lo, hi] (the table's
// smallest and largest key, as text; lo == "" for an empty table), with
// read (a keyset read in key order within the bounds). When the keys
// cannot be cut (fewer than two), slice 0 reads the whole table and the
// others nothing. A slice reports the method of a whole read (methodAll);
// what is particular to the cut is in notes that begin "slice I of N: ",
// which report merge takes out, so that merged shards equal one machine's
// report.
func ReadSlice(lo, hi string, unsigned bool, keys SliceKeys, sl connectors.Slice, methodAll string,
	res *connectors.SampleResult, read func(KeyBounds) error) error {
	res.Method = methodAll
	if lo == "" {
		res.TotalDocuments = 0
		return nil // empty table
	}
	space, ok := NewKeySpace(lo, hi, unsigned)
	if !ok {
		if sl.Index != 0 {
			res.TotalDocuments = 0
			res.Notes = append(res.Notes, fmt.Sprintf("slice %d of %d: the %s cannot be cut into ranges (fewer than two); slice 0 reads the table", sl.Index, sl.Count, keys.Plural))
			return nil
		}
		res.Notes = append(res.Notes, fmt.Sprintf("slice 0 of %d: the %s cannot be cut into ranges (fewer than two): this slice read the whole table", sl.Count, keys.Plural))
		return read(KeyBounds{})
	}
	res.Notes = append(res.Notes, fmt.Sprintf("slice %d of %d: a range of %s", sl.Index, sl.Count, keys.Range))
	return read(space.Bounds(sl.Index, sl.Count))
}
