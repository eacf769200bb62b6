package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/piisniff/piisniff/internal/mysqltest"
)

// TestScanMariaDBExample loads the example as typed tables with JSON
// columns into a database of its own and scans it through the CLI: every
// planted field is reported at its column path.
func TestScanMariaDBExample(t *testing.T) {
	db := mysqltest.New(t)
	tables, err := mysqltest.LeakyAppTables()
	if err != nil {
		t.Fatal(err)
	}
	if err := mysqltest.Load(context.Background(), db.SQL, mysqltest.MySQL, tables); err != nil {
		t.Fatal(err)
	}
	before := db.Checksums(t)
	r, found := scanStore(t, db.URI)
	tg := r.Targets[0]
	if tg.Kind != "mysql" || !tg.Exposure.AnonymousAccess || !r.Complete {
		t.Fatalf("kind %s anonymous %v complete %v", tg.Kind, tg.Exposure.AnonymousAccess, r.Complete)
	}
	checkSQLExample(t, found, func(file string) string { return db.Name + "." + mysqltest.TableName(file) })
	if after := db.Checksums(t); after != before {
		t.Errorf("table checksums changed:\n%s\n%s", before, after)
	}
}

// checkSQLExample checks every planted field of the files loaded as tables.
func checkSQLExample(t *testing.T, found map[planted]bool, table func(file string) string) {
	t.Helper()
	loaded := map[string]bool{}
	for _, f := range mysqltest.LeakyAppFiles {
		loaded[f] = true
	}
	checked := 0
	for _, p := range loadPlanted(t) {
		if !loaded[p.File] {
			continue
		}
		checked++
		want := planted{table(p.File), p.Path, p.Category}
		if !found[want] {
			t.Errorf("planted %s in %s › %s not found", want.Category, want.File, want.Path)
		}
	}
	if checked < 30 {
		t.Fatalf("only %d planted fields checked", checked)
	}
}

// TestScanSQLiteExample writes the example as typed tables into a SQLite
// file and scans it through the CLI, as sqlite://PATH and as a file met
// in a directory scan.
func TestScanSQLiteExample(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.db")
	tables, err := mysqltest.LeakyAppTables()
	if err != nil {
		t.Fatal(err)
	}
	if err := mysqltest.SQLiteFile(context.Background(), path, tables); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"sqlite://" + path, dir, path} {
		t.Run(target, func(t *testing.T) {
			r, found := scanStore(t, target)
			tg := r.Targets[0]
			if tg.Kind != "file" || !r.Complete {
				t.Fatalf("kind %s complete %v", tg.Kind, r.Complete)
			}
			checkSQLExample(t, found, func(file string) string { return "app.db." + mysqltest.TableName(file) })
		})
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the database file changed")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files beside the database after the scans: %v", entries)
	}
}
