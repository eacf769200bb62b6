package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/internal/examplegen"
	"github.com/piisniff/piisniff/internal/mysqltest"
	"github.com/piisniff/piisniff/report"
)

// TestScanMariaDBExample loads the example as typed tables with JSON
// columns into a database of its own and scans it through the CLI: every
// planted field is reported at its column path.
func TestScanMariaDBExample(t *testing.T) {
	db := mysqltest.New(t)
	if err := mysqltest.LoadLeakyApp(context.Background(), db.SQL, mysqltest.MySQL); err != nil {
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
	if err := mysqltest.LeakyAppSQLite(context.Background(), path); err != nil {
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

// TestScanMariaDBPermissionDenied: a table the user may not read fails
// alone; the scan goes on, the report is incomplete, the exit code 1, and
// the password shows nowhere.
func TestScanMariaDBPermissionDenied(t *testing.T) {
	db := mysqltest.New(t)
	db.Exec(t, "CREATE TABLE open_t (id INT PRIMARY KEY, email VARCHAR(100))",
		"INSERT INTO open_t VALUES (1, 'amelia.haddad@example.org'), (2, 'aisha.weber18@mail.example.com')",
		"CREATE TABLE closed_t (id INT PRIMARY KEY, email VARCHAR(100))", "INSERT INTO closed_t VALUES (1, 'x@example.org')")
	const password = "Sup3r-secret-pw"
	uri := db.User(t, password, map[string]string{"open_t": "SELECT", "closed_t": "INSERT"})
	res := runCLI(t, nil, "scan", uri, "-f", "json")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1: %s", res.code, res.stderr)
	}
	if strings.Contains(res.stdout+res.stderr, password) {
		t.Error("the password shows in the output")
	}
	var r report.Report
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Complete {
		t.Error("complete: true with a table not read")
	}
	var failed, read bool
	for _, c := range r.Targets[0].Containers {
		switch c.Name {
		case db.Name + ".closed_t":
			failed = c.Error != nil && strings.Contains(*c.Error, "permission denied")
		case db.Name + ".open_t":
			read = c.Error == nil && examplegen.HasFinding(c, "email", "email")
		}
	}
	if !failed || !read {
		t.Errorf("closed_t failed with permission denied: %v; open_t read: %v", failed, read)
	}
}
