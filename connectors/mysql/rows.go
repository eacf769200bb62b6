package mysql

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/sqlrows"
)

// rowReader scans the rows of one table into buffers of the driver
// (sql.RawBytes: no copy, no allocation per value).
type rowReader struct {
	t *table
	// vals are the current row's values (nil for NULL): database/sql's
	// Scan writes them as sql.RawBytes through dest, set as the driver
	// gave them; row hands them over as they are (no copy of the slice).
	vals   [][]byte
	dest   []any
	num    [][]byte // per column, the text of a value the driver parsed (set)
	keyIdx int      // index of t.Key in the columns, -1 without one
}

// columns describes the table's columns for sqlrows: MariaDB's JSON
// columns (LONGTEXT with a JSON_VALID check) are JSON.
func columns(t *table) []sqlrows.Column {
	cols := make([]sqlrows.Column, len(t.Cols))
	for i, c := range t.Cols {
		cols[i] = sqlrows.NewColumn(c.Name, c.DataType)
		if c.JSON {
			cols[i].Class = sqlrows.JSON
		}
	}
	return cols
}

func newRowReader(t *table) *rowReader {
	r := &rowReader{t: t, vals: make([][]byte, len(t.Cols)), dest: make([]any, len(t.Cols)),
		num: make([][]byte, len(t.Cols)), keyIdx: -1}
	for i := range r.vals {
		r.dest[i] = (*sql.RawBytes)(&r.vals[i])
		if t.Key != "" && t.Cols[i].Name == t.Key {
			r.keyIdx = i
		}
	}
	return r
}

// scan reads the current row into r.vals (valid until the next Next).
func (r *rowReader) scan(rows *sql.Rows) error { return rows.Scan(r.dest...) }

// set takes the values of a row the driver read into r.vals: the bytes
// database/sql's Scan into sql.RawBytes gives for them (the driver parses
// integer and floating-point columns of the text protocol; they are
// written back as database/sql writes them), nil for NULL.
func (r *rowReader) set(vals []driver.Value) error {
	for i, v := range vals {
		b := r.num[i][:0]
		switch x := v.(type) {
		case nil:
			r.vals[i] = nil
			continue
		case []byte:
			r.vals[i] = x
			continue
		case int64:
			b = strconv.AppendInt(b, x, 10)
		case uint64:
			b = strconv.AppendUint(b, x, 10)
		case float64:
			b = strconv.AppendFloat(b, x, 'g', -1, 64)
		case float32:
			b = strconv.AppendFloat(b, float64(x), 'g', -1, 32)
		case bool:
			b = strconv.AppendBool(b, x)
		case string:
			b = append(b, x...)
		case time.Time:
			b = x.AppendFormat(b, time.RFC3339Nano)
		default:
			return fmt.Errorf("column %q: the driver gave a value of type %T", r.t.Cols[i].Name, v)
		}
		if b == nil {
			b = []byte{} // an empty value, not NULL
		}
		r.num[i] = b
		r.vals[i] = b
	}
	return nil
}

// key is the text of the range key of the current row.
func (r *rowReader) key() string {
	if r.keyIdx < 0 {
		return ""
	}
	return string(r.vals[r.keyIdx])
}

// appendKey appends the range key of the current row to b.
func (r *rowReader) appendKey(b []byte) []byte {
	if r.keyIdx < 0 {
		return b
	}
	return append(b, r.vals[r.keyIdx]...)
}

// row is the current row's values (nil for NULL), valid until the next
// scan.
func (r *rowReader) row() [][]byte { return r.vals }

// document converts the current row; a row that is not a document is
// counted in res and ok is false.
func (r *rowReader) document(conv *sqlrows.Converter, res *connectors.SampleResult) (map[string]any, bool) {
	doc, ok, reason := conv.DocumentRaw(r.row())
	clear(r.vals)
	if !ok {
		res.Skip(reason)
		return nil, false
	}
	return doc.Fields, true
}

func isGeometry(dataType string) bool {
	switch dataType {
	case "point", "geometry", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection":
		return true
	}
	return false
}
