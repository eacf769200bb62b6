package mysql

import (
	"database/sql"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/sqlrows"
)

// rowReader scans the rows of one table into buffers of the driver
// (sql.RawBytes: no copy, no allocation per value).
type rowReader struct {
	t      *table
	raw    []sql.RawBytes
	dest   []any
	vals   [][]byte
	keyIdx int // index of t.Key in the columns, -1 without one
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
	r := &rowReader{t: t, raw: make([]sql.RawBytes, len(t.Cols)), dest: make([]any, len(t.Cols)),
		vals: make([][]byte, len(t.Cols)), keyIdx: -1}
	for i := range r.raw {
		r.dest[i] = &r.raw[i]
		if t.Key != "" && t.Cols[i].Name == t.Key {
			r.keyIdx = i
		}
	}
	return r
}

// scan reads the current row into r.raw (valid until the next Next).
func (r *rowReader) scan(rows *sql.Rows) error { return rows.Scan(r.dest...) }

// key is the text of the range key of the current row.
func (r *rowReader) key() string {
	if r.keyIdx < 0 {
		return ""
	}
	return string(r.raw[r.keyIdx])
}

// appendKey appends the range key of the current row to b.
func (r *rowReader) appendKey(b []byte) []byte {
	if r.keyIdx < 0 {
		return b
	}
	return append(b, r.raw[r.keyIdx]...)
}

// row is the current row's values (nil for NULL), valid until the next
// scan.
func (r *rowReader) row() [][]byte {
	for i, b := range r.raw {
		r.vals[i] = b
	}
	return r.vals
}

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
