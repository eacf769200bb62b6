package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
	"github.com/piisniff/piisniff/connectors/sqlrows"
)

// fixture writes a database with the tables the tests read and returns
// its path.
func fixture(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts := []string{
		"CREATE TABLE seq (id INTEGER PRIMARY KEY, v TEXT)",
		"CREATE TABLE norowid (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID",
		`CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT, profile JSON, avatar BLOB, note)`,
		"CREATE VIEW people_view AS SELECT id, email FROM people",
		"BEGIN",
	}
	for i := 0; i < 1200; i++ {
		stmts = append(stmts, fmt.Sprintf("INSERT INTO seq VALUES (%d, 'row %d')", i*7+1, i),
			fmt.Sprintf("INSERT INTO norowid VALUES ('k%05d', 'row %d')", i, i))
	}
	stmts = append(stmts,
		`INSERT INTO people VALUES (1, 'amelia.haddad@example.org', '{"address":{"street":"11 Linden Lane"}}', X'89504E470D0A1A0A00FF', '["x"]')`,
		"COMMIT")
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

type stmtLog struct {
	mu    sync.Mutex
	stmts []string
}

func (l *stmtLog) add(s string) { l.mu.Lock(); l.stmts = append(l.stmts, s); l.mu.Unlock() }
func (l *stmtLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.stmts)
}

func openTest(t *testing.T, path string, opts connectors.Options) (*Connector, *stmtLog) {
	t.Helper()
	log := &stmtLog{}
	c, err := open(context.Background(), path, filepath.Base(path), opts, log.add)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, log
}

func list(t *testing.T, c *Connector) map[string]connectors.Container {
	t.Helper()
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]connectors.Container{}
	for _, ct := range cs {
		out[ct.Name] = ct
	}
	return out
}

func sample(t *testing.T, c *Connector, ct connectors.Container, size int, seed int64) ([]map[string]any, connectors.SampleResult) {
	t.Helper()
	var docs []map[string]any
	res, err := c.Sample(context.Background(), ct, connectors.SampleOptions{Size: size, Seed: seed}, func(d connectors.Document) error {
		docs = append(docs, d.Fields)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return docs, res
}

func keys(docs []map[string]any, field string) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = fmt.Sprint(d[field])
	}
	return out
}

func TestSQLite(t *testing.T) {
	path := fixture(t)
	before, _ := os.ReadFile(path)
	c, log := openTest(t, path, connectors.Options{})
	if !c.immutable {
		t.Error("a database nobody writes is not opened immutable")
	}
	cs := list(t, c)
	var names []string
	for n := range cs {
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"app.db.norowid", "app.db.people", "app.db.seq"}; !slices.Equal(names, want) {
		t.Fatalf("containers %v, want %v", names, want)
	}
	if sk := c.SkippedContainers(); len(sk) != 1 || sk[0].Name != "app.db.people_view" {
		t.Errorf("skipped %v", sk)
	}
	if ct := cs["app.db.seq"]; ct.EstimatedDocuments != 1200*7-6 || !slices.Equal(ct.PrimaryKey, []string{"id"}) {
		t.Errorf("seq: estimate %d pk %v", ct.EstimatedDocuments, ct.PrimaryKey)
	}
	if h := cs["app.db.norowid"].Handle.(*table); h.Rowid != "" {
		t.Errorf("WITHOUT ROWID table read by %q", h.Rowid)
	}
	tests := []struct {
		table  string
		size   int
		method string
		n      int
		field  string
	}{
		{"seq", 100, MethodRowidRanges, 100, "id"},
		{"seq", 0, MethodAll, 1200, "id"},
		{"norowid", 100, MethodReservoir, 100, "k"},
		{"norowid", 0, MethodAll, 1200, "k"},
		{"people", 10, MethodAll, 1, "id"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.table, tc.size), func(t *testing.T) {
			ct := cs["app.db."+tc.table]
			docs, res := sample(t, c, ct, tc.size, 5)
			if res.Method != tc.method || len(docs) != tc.n {
				t.Fatalf("method %s, %d docs; want %s, %d (%v)", res.Method, len(docs), tc.method, tc.n, res.Notes)
			}
			got := keys(docs, tc.field)
			if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
				t.Error("a row emitted twice")
			}
			again, _ := sample(t, c, ct, tc.size, 5)
			if !slices.Equal(keys(again, tc.field), got) {
				t.Error("same seed, different sample")
			}
			if tc.size > 0 && tc.n < 1200 && tc.n > 1 {
				other, _ := sample(t, c, ct, tc.size, 6)
				if slices.Equal(keys(other, tc.field), got) {
					t.Error("another seed, the same sample")
				}
			}
		})
	}
	t.Run("rows", func(t *testing.T) {
		docs, res := sample(t, c, cs["app.db.people"], 0, 1)
		d := docs[0]
		if p, ok := d["profile"].(map[string]any); !ok || p["address"].(map[string]any)["street"] != "11 Linden Lane" {
			t.Errorf("profile %#v", d["profile"])
		}
		if _, ok := d["avatar"]; ok {
			t.Errorf("binary kept: %#v", d["avatar"])
		}
		if n, ok := d["note"].([]any); !ok || len(n) != 1 {
			t.Errorf("JSON in an untyped column: %#v", d["note"])
		}
		if len(res.Notes) == 0 {
			t.Error("no note of the binary value left out")
		}
	})
	t.Run("keyset pages", func(t *testing.T) {
		old := keysetPageRows
		keysetPageRows = 100
		defer func() { keysetPageRows = old }()
		docs, res := sample(t, c, cs["app.db.seq"], 0, 1)
		if len(docs) != 1200 || res.TotalDocuments != 1200 {
			t.Errorf("%d docs, total %d", len(docs), res.TotalDocuments)
		}
	})
	for _, s := range log.all() {
		if !sqlrows.ReadOnlyStatement(s) {
			t.Errorf("statement not on the allow-list: %s", s)
		}
	}
	_ = c.Close()
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("the database file changed")
	}
	for _, suffix := range []string{"-wal", "-journal", "-shm"} {
		if _, err := os.Stat(path + suffix); err == nil {
			t.Errorf("%s created", suffix)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	corrupt := filepath.Join(dir, "corrupt.db")
	notdb := filepath.Join(dir, "text.db")
	good := fixture(t)
	raw, _ := os.ReadFile(good)
	// A valid header over a broken page: the schema cannot be read.
	bad := append([]byte(nil), raw[:100]...)
	bad = append(bad, bytes.Repeat([]byte{0xAB}, len(raw)-100)...)
	if err := os.WriteFile(corrupt, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(notdb, []byte("hello, not a database at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{missing, "no such file"},
		{corrupt, "corrupt"},
		{notdb, "not a SQLite 3 database"},
		{dir, "is a directory"},
	}
	for _, tc := range tests {
		_, err := OpenFile(context.Background(), tc.path, "x", connectors.Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.path, err, tc.want)
		}
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Error("opening a missing file created it")
	}
	if err := connectors.CheckTarget("sqlite://"+missing, connectors.Options{}); err == nil {
		t.Error("Check accepted a missing file")
	}
}

// TestLocked: a database another process holds an exclusive lock on
// (a writer in the middle of a rollback-journal transaction) is a clear
// error, and the scan creates nothing.
func TestLocked(t *testing.T) {
	path := fixture(t)
	w, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	conn, err := w.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range []string{"BEGIN EXCLUSIVE", "INSERT INTO seq VALUES (100000, 'x')"} {
		if _, err := conn.ExecContext(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	_, err = OpenFile(context.Background(), path, "app.db", connectors.Options{})
	if err == nil || !strings.Contains(err.Error(), "locked") {
		t.Errorf("err %v, want locked", err)
	}
	_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
}

func TestExposure(t *testing.T) {
	path := fixture(t)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	c, _ := openTest(t, path, connectors.Options{})
	ex := c.Exposure(context.Background())
	if !ex.Reachable || ex.AnonymousAccess || !strings.HasPrefix(ex.Server, "SQLite 3.") {
		t.Errorf("%+v", ex)
	}
	if !slices.ContainsFunc(ex.Notes, func(n string) bool { return strings.Contains(n, "readable by every user") }) {
		t.Errorf("no world-readable note: %v", ex.Notes)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(c.Exposure(context.Background()).Notes, func(n string) bool { return strings.Contains(n, "readable by every user") }) {
		t.Error("world-readable note for a 0600 file")
	}
}

func TestConformance(t *testing.T) {
	path := fixture(t)
	log := &stmtLog{}
	connectortest.Run(t, connectortest.Instance{
		Target: "sqlite://" + path,
		Open: func(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
			p, err := PathOf(target)
			if err != nil {
				return nil, err
			}
			return open(ctx, p, filepath.Base(p), opts, log.add)
		},
		Log:      log.all,
		ReadOnly: sqlrows.ReadOnlyStatement,
		Big:      "app.db.seq",
		Snapshot: func() string {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("%x", b)
		},
	})
}

// TestRowidReadsSearch: listing a table and sampling it read through the
// rowid's b-tree, never the whole table: SQLite's own plan of every
// statement sent (EXPLAIN QUERY PLAN) searches the table, where
// "SELECT min(rowid), max(rowid)" and an OR of 20 rowid ranges made it
// read every row (a second for a million rows, against milliseconds).
func TestRowidReadsSearch(t *testing.T) {
	path := fixture(t)
	plans, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer plans.Close()
	for _, tc := range []struct {
		name string
		run  func(c *Connector, cs map[string]connectors.Container) error
	}{
		{"listing", func(*Connector, map[string]connectors.Container) error { return nil }},
		{"sample of 100 of 1,200 rows", func(c *Connector, cs map[string]connectors.Container) error {
			res, err := c.Sample(context.Background(), cs["app.db.seq"], connectors.SampleOptions{Size: 100, Seed: 7}, func(connectors.Document) error { return nil })
			if err == nil && res.Method != MethodRowidRanges {
				t.Errorf("method %q, want %q", res.Method, MethodRowidRanges)
			}
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, log := openTest(t, path, connectors.Options{})
			cs := list(t, c)
			if err := tc.run(c, cs); err != nil {
				t.Fatal(err)
			}
			checked := 0
			for _, stmt := range log.all() {
				if !strings.HasPrefix(stmt, "SELECT") || !strings.Contains(stmt, `"seq"`) {
					continue
				}
				checked++
				args := make([]any, strings.Count(stmt, "?")) // the plan is made before they are bound
				for i := range args {
					args[i] = int64(1)
				}
				rows, err := plans.Query("EXPLAIN QUERY PLAN "+stmt, args...)
				if err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
				var plan []string
				for rows.Next() {
					var id, parent, unused int
					var detail string
					if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
						t.Fatal(err)
					}
					plan = append(plan, detail)
				}
				rows.Close()
				for _, p := range plan {
					if strings.HasPrefix(p, "SCAN seq") {
						t.Errorf("%.120s: reads the whole table: %q", stmt, plan)
						break
					}
				}
			}
			if checked == 0 {
				t.Fatal("no statement read the table")
			}
		})
	}
}
