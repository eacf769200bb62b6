package postgres

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/piisniff/piisniff/connectors"
)

var _ connectors.Slicer = (*Connector)(nil)

// CanSlice implements connectors.Slicer: a table (or partitioned table)
// with a primary key of one column is cut into key ranges. Whether the
// key's values can be cut (integers) is known only once they are read:
// otherwise slice 0 reads the whole table.
func (c *Connector) CanSlice(ct connectors.Container) bool {
	h, ok := ct.Handle.(*handle)
	return ok && (h.kind == 'r' || h.kind == 'p') && len(ct.PrimaryKey) == 1
}

// integerKey reports whether a column type is one whose ranges are
// interpolated (smallint, integer, bigint and their serials).
func integerKey(dbType string) bool {
	switch strings.ToLower(dbType) {
	case "smallint", "integer", "bigint":
		return true
	}
	return false
}

// sliceBounds cuts the keys lo..hi (lo <= hi) into count ranges of equal
// width: the bounds b[0..count], b[i] = lo + floor((hi-lo+1)*i/count), in
// exact arithmetic (no overflow at the ends of int64). Slice i holds the
// keys b[i] <= k < b[i+1]; the first is unbounded below and the last
// above (keys inserted beyond the ends between two shards' reads are still
// read once).
func sliceBounds(lo, hi int64, count int) []int64 {
	width := new(big.Int).Sub(big.NewInt(hi), big.NewInt(lo))
	width.Add(width, big.NewInt(1))
	out := make([]int64, count+1)
	for i := 0; i <= count; i++ {
		b := new(big.Int).Mul(width, big.NewInt(int64(i)))
		b.Quo(b, big.NewInt(int64(count)))
		b.Add(b, big.NewInt(lo))
		if b.IsInt64() {
			out[i] = b.Int64()
		} else {
			out[i] = hi // only b[count] = hi+1 can overflow: the last slice is unbounded anyway
		}
	}
	return out
}

// sliceWhere is the condition of slice s on the key (quoted), with its
// arguments; "" for the whole table.
func sliceWhere(key string, b []int64, s connectors.Slice) (string, []any) {
	var conds []string
	var args []any
	if s.Index > 0 {
		args = append(args, b[s.Index])
		conds = append(conds, fmt.Sprintf("%s >= $%d", key, len(args)))
	}
	if s.Index < s.Count-1 {
		args = append(args, b[s.Index+1])
		conds = append(conds, fmt.Sprintf("%s < $%d", key, len(args)))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// readSlice reads slice s of the table in a full scan: the rows whose key
// lies within the slice's range, the bounds cut evenly between the
// smallest and the largest key (read through the key's index). A key that
// is not an integer cannot be cut: slice 0 reads the whole table and the
// others nothing, with a note.
func (s *sampler) readSlice(ctx context.Context, ct connectors.Container, sl connectors.Slice) error {
	from := s.h.qualified()
	sel := selectList(s.h.cols)
	// a slice reports the method of a whole read; what is particular to
	// the cut is in notes that begin "slice I of N: ", which report merge
	// takes out, so that merged shards equal one machine's report
	s.res.Method = MethodAll
	keyCol := ct.PrimaryKey[0]
	keyType := ""
	for _, col := range s.h.cols {
		if col.Name == keyCol {
			keyType = col.DBType
		}
	}
	key := pgx.Identifier{keyCol}.Sanitize()
	whole := func(note string) error {
		if sl.Index != 0 {
			s.res.TotalDocuments = 0
			s.res.Notes = append(s.res.Notes, fmt.Sprintf("slice %d of %d: %s; slice 0 reads the table", sl.Index, sl.Count, note))
			return nil
		}
		s.res.Notes = append(s.res.Notes, fmt.Sprintf("slice 0 of %d read the whole table: %s", sl.Count, note))
		if err := s.read(ctx, "SELECT "+sel+" FROM "+from, false); err != nil {
			return err
		}
		s.res.TotalDocuments = int64(s.handed)
		return nil
	}
	if !integerKey(keyType) {
		return whole(fmt.Sprintf("the primary key %s (%s) is not an integer and cannot be cut into even ranges", keyCol, keyType))
	}
	var lo, hi *int64
	if err := s.tx.QueryRow(ctx, "SELECT min("+key+")::int8, max("+key+")::int8 FROM "+from).Scan(&lo, &hi); err != nil {
		return err
	}
	if lo == nil || hi == nil {
		return whole("the table is empty")
	}
	b := sliceBounds(*lo, *hi, sl.Count)
	where, args := sliceWhere(key, b, sl)
	rng := []string{}
	if sl.Index > 0 {
		rng = append(rng, fmt.Sprintf("from %d", b[sl.Index]))
	}
	if sl.Index < sl.Count-1 {
		rng = append(rng, fmt.Sprintf("below %d", b[sl.Index+1]))
	}
	s.res.Notes = append(s.res.Notes, fmt.Sprintf("slice %d of %d: the rows whose primary key %s is %s", sl.Index, sl.Count, keyCol, strings.Join(rng, " and ")))
	if err := s.read(ctx, "SELECT "+sel+" FROM "+from+where, false, args...); err != nil {
		return err
	}
	s.res.TotalDocuments = int64(s.handed)
	return nil
}
