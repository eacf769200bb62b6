package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
)

// TestSlices: the slices of a sharded full scan read every row exactly
// once, in pages of a few rows, each slice of a table with dense rowids
// within 5% of 1/N of the rows; a table of one row is read by slice 0
// alone, with a note; a WITHOUT ROWID table is not cut.
func TestSlices(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slices.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{"CREATE TABLE dense (id INTEGER PRIMARY KEY, v TEXT)", "CREATE TABLE steps (v TEXT)",
		"CREATE TABLE one (v TEXT)", "INSERT INTO one VALUES ('only')",
		"CREATE TABLE norowid (k TEXT PRIMARY KEY) WITHOUT ROWID", "INSERT INTO norowid VALUES ('a')", "BEGIN"}
	for i := range 10000 {
		stmts = append(stmts, fmt.Sprintf("INSERT INTO dense VALUES (%d, 'row %d')", i-5000, i))
	}
	for i := range 3001 {
		stmts = append(stmts, fmt.Sprintf("INSERT INTO steps (rowid, v) VALUES (%d, 'row %d')", i*13+5, i))
	}
	stmts = append(stmts, "COMMIT")
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	defer func(n int) { keysetPageRows = n }(keysetPageRows)
	keysetPageRows = 700
	c, _ := openTest(t, path, connectors.Options{})
	cs := list(t, c)
	if c.CanSlice(cs["slices.db.norowid"]) {
		t.Error("a WITHOUT ROWID table is cut")
	}
	for _, tc := range []struct {
		table string
		rows  int
		count int
	}{{"dense", 10000, 4}, {"dense", 10000, 7}, {"steps", 3001, 3}, {"one", 1, 3}} {
		t.Run(fmt.Sprintf("%s in %d", tc.table, tc.count), func(t *testing.T) {
			ct := cs["slices.db."+tc.table]
			if !c.CanSlice(ct) {
				t.Fatal("not cut")
			}
			connectortest.CheckSlices(t, c, ct, "v", tc.rows, tc.count, MethodAll)
		})
	}
}
