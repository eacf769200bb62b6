package mysql

import (
	"bytes"
	"context"
	"database/sql"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/mysqltest"
)

// TestDriverRowsAreDatabaseSQLs: a row read through the driver itself
// (eachRow, which the driver gives parsed integers and floats) is the
// bytes database/sql's Scan into sql.RawBytes gives, for every column
// type, NULL and the empty string kept apart.
func TestDriverRowsAreDatabaseSQLs(t *testing.T) {
	db := mysqltest.New(t)
	db.Exec(t,
		"CREATE TABLE types (id INT PRIMARY KEY, ti TINYINT, si SMALLINT, mi MEDIUMINT, bi BIGINT, ub BIGINT UNSIGNED, "+
			"f FLOAT, d DOUBLE, dec_ DECIMAL(12,3), dt DATE, dtm DATETIME(6), ts TIMESTAMP NULL, tm TIME, yr YEAR, b BIT(8), "+
			"vc VARCHAR(20), tx TEXT, en ENUM('a','b'), st SET('x','y'), bl BLOB, js JSON)",
		"INSERT INTO types VALUES (1, -128, -32768, -8388608, -9223372036854775808, 18446744073709551615, "+
			"1.1, 2.2250738585072014e-308, -123456789.125, '1940-01-17', '2024-02-29 23:59:59.123456', '2024-03-01 00:00:00', '-838:59:59', 2155, b'10100101', "+
			"'', 'text', 'b', 'x,y', x'00ff', '{\"a\": [1, 2.5, null]}')",
		"INSERT INTO types (id) VALUES (2)",
		"INSERT INTO types VALUES (3, 0, 0, 0, 0, 0, 0, -0.5, 0, '0000-00-00', '0000-00-00 00:00:00', NULL, '00:00:00', 0, b'0', "+
			"'x', '', 'a', '', '', '[]')",
		"INSERT INTO types (id, f, d) VALUES (4, 3.4e38, 1e300)",
	)
	c, _ := openTest(t, db.URI, connectors.Options{})
	tb := containers(t, c)[db.Name+".types"].Handle.(*table)
	read := func(viaDriver bool) [][][]byte {
		var rows [][][]byte
		r := newRowReader(tb)
		keep := func() error {
			row := make([][]byte, len(r.vals))
			for i, v := range r.vals {
				if v != nil {
					row[i] = append([]byte{}, v...)
				}
			}
			rows = append(rows, row)
			return nil
		}
		stmt := "SELECT " + tb.selectList() + " FROM " + tb.from() + " ORDER BY id"
		err := c.withSession(context.Background(), func(s *session) error {
			if viaDriver {
				return s.eachRow(context.Background(), r, keep, stmt)
			}
			return s.each(context.Background(), func(rs *sql.Rows) error {
				if err := r.scan(rs); err != nil {
					return err
				}
				return keep()
			}, stmt)
		})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	want, got := read(false), read(true)
	if len(got) != 4 || len(want) != 4 {
		t.Fatalf("%d rows through the driver, %d through database/sql", len(got), len(want))
	}
	for i := range want {
		for j, w := range want[i] {
			g := got[i][j]
			if (g == nil) != (w == nil) || !bytes.Equal(g, w) {
				t.Errorf("row %d, column %s: %q (nil %v) through the driver, %q (nil %v) through database/sql",
					i+1, tb.Cols[j].Name, g, g == nil, w, w == nil)
			}
		}
	}
}
