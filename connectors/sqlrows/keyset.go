package sqlrows

import "strings"

// KeyBounds limits a read in key order to keys in [Lo, Hi): Lo nil is
// unbounded below, Hi nil unbounded above. The values are the driver's
// arguments (int64 or uint64 for integer keys).
type KeyBounds struct {
	Lo, Hi any
}

// Where is the condition of one page of a keyset read of key (a quoted
// column name): key > after (after nil: key >= Lo, the first page), and
// key < Hi; "" when there is none. param writes a value into the
// statement (a placeholder with its argument kept, or a literal).
func (b KeyBounds) Where(key string, after any, param func(any) string) string {
	var conds []string
	switch {
	case after != nil:
		conds = append(conds, key+" > "+param(after))
	case b.Lo != nil:
		conds = append(conds, key+" >= "+param(b.Lo))
	}
	if b.Hi != nil {
		conds = append(conds, key+" < "+param(b.Hi))
	}
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// ReadKeyset reads rows in key order, pageRows rows per statement, so that
// no statement runs longer than one page takes and a cursor is never held
// open over the whole table: page runs the statement of the rows whose
// key is above after (nil for the first page), at most limit of them in
// key order, and returns how many it read and the key of the last one (the
// next page's after). ReadKeyset returns the number of rows read.
func ReadKeyset(pageRows int, page func(after any, limit int) (rows int, last any, err error)) (int64, error) {
	var total int64
	var after any
	for {
		n, last, err := page(after, pageRows)
		total += int64(n)
		if err != nil || n < pageRows {
			return total, err
		}
		after = last
	}
}
