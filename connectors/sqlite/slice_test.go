package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
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
			seen := map[string]int{}
			for i := range tc.count {
				var n int
				res, err := c.Sample(context.Background(), ct, connectors.SampleOptions{Slice: connectors.Slice{Index: i, Count: tc.count}},
					func(d connectors.Document) error {
						seen[fmt.Sprint(d.Fields["v"])]++
						n++
						return nil
					})
				if err != nil {
					t.Fatal(err)
				}
				if res.TotalDocuments != int64(n) {
					t.Errorf("slice %d: TotalDocuments %d, %d read", i, res.TotalDocuments, n)
				}
				if tc.rows == 1 {
					if want := map[bool]int{true: 1, false: 0}[i == 0]; n != want || !strings.Contains(strings.Join(res.Notes, "\n"), "cannot be cut") {
						t.Errorf("slice %d of a table of one row: %d rows (want %d), notes %q", i, n, want, res.Notes)
					}
					continue
				}
				if res.Method != MethodAll || !strings.Contains(strings.Join(res.Notes, "\n"), fmt.Sprintf("slice %d of %d: ", i, tc.count)) {
					t.Errorf("slice %d: method %q, notes %q; want all and a slice note", i, res.Method, res.Notes)
				}
				if share := float64(n) / float64(tc.rows); share < 0.95/float64(tc.count) || share > 1.05/float64(tc.count) {
					t.Errorf("slice %d of %d holds %d of %d rows: not within 5%% of 1/%d", i, tc.count, n, tc.rows, tc.count)
				}
			}
			if len(seen) != tc.rows {
				t.Errorf("%d distinct rows over the slices, want %d", len(seen), tc.rows)
			}
			for v, k := range seen {
				if k != 1 {
					t.Errorf("row %q read %d times", v, k)
				}
			}
		})
	}
}
