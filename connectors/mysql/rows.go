package mysql

import (
	"database/sql"
	"encoding/binary"
	"math"
	"strconv"

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
		case isGeometry(r.t.Cols[i].DataType):
			if lat, lon, ok := point(b); ok {
				r.vals[i] = strconv.FormatFloat(lat, 'f', -1, 64) + "," + strconv.FormatFloat(lon, 'f', -1, 64)
			} else {
				r.vals[i] = nil // a shape that is not a point: its coordinates are not one place
			}
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

// point decodes a MySQL geometry value holding a point: a 4-byte SRID, then
// WKB (byte order, type 1, x, y). x is the longitude, y the latitude.
func point(b []byte) (lat, lon float64, ok bool) {
	if len(b) != 4+1+4+16 {
		return 0, 0, false
	}
	w := b[4:]
	var bo binary.ByteOrder = binary.LittleEndian
	switch w[0] {
	case 0:
		bo = binary.BigEndian
	case 1:
	default:
		return 0, 0, false
	}
	if bo.Uint32(w[1:5]) != 1 {
		return 0, 0, false
	}
	x := math.Float64frombits(bo.Uint64(w[5:13]))
	y := math.Float64frombits(bo.Uint64(w[13:21]))
	if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return 0, 0, false
	}
	return y, x, true
}
