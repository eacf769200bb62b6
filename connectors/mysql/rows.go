package mysql

import (
	"database/sql"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/sqlrows"
)

// rowReader converts the rows of one table into documents.
type rowReader struct {
	t      *table
	raw    []sql.RawBytes
	dest   []any
	vals   []any
	keyIdx int // index of t.Key in the columns, -1 without one
	conv   *sqlrows.Converter
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

func newRowReader(t *table, conv *sqlrows.Converter) *rowReader {
	r := &rowReader{t: t, raw: make([]sql.RawBytes, len(t.Cols)), dest: make([]any, len(t.Cols)),
		vals: make([]any, len(t.Cols)), keyIdx: -1, conv: conv}
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

// document converts the current row; a row that is not a document is
// counted in res and ok is false.
func (r *rowReader) document(res *connectors.SampleResult) (map[string]any, bool) {
	for i, b := range r.raw {
		switch {
		case b == nil:
			r.vals[i] = nil // NULL
		default:
			r.vals[i] = []byte(b)
		}
	}
	doc, ok, reason := r.conv.Document(r.vals)
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
