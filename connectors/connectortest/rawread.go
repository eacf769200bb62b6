package connectortest

import (
	"database/sql"
	"testing"
)

// RawRead is the baseline of the SQL connectors' benchmarks: it runs query
// through database/sql and scans every row into sql.RawBytes (no
// conversion, no allocation per value), and returns the number of rows.
func RawRead(tb testing.TB, db *sql.DB, query string) int {
	tb.Helper()
	r, err := db.Query(query)
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	cols, err := r.Columns()
	if err != nil {
		tb.Fatal(err)
	}
	vals := make([]sql.RawBytes, len(cols))
	dest := make([]any, len(cols))
	for j := range vals {
		dest[j] = &vals[j]
	}
	rows := 0
	for r.Next() {
		if err := r.Scan(dest...); err != nil {
			tb.Fatal(err)
		}
		rows++
	}
	if err := r.Err(); err != nil {
		tb.Fatal(err)
	}
	return rows
}
