package files

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	_ "github.com/piisniff/piisniff/connectors/sqlite" // registers the SQLite file format
)

func writeSQLite(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{
		"CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)",
		"INSERT INTO users VALUES (1, 'a@example.org'), (2, 'b@example.org')",
		"CREATE VIEW v AS SELECT email FROM users",
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEmbeddedSQLite: a SQLite database met in a directory scan is listed
// as its tables, relative/path.db.TABLE, and sampled through the SQLite
// connector; files that only look like one stay skipped with the reason.
func TestEmbeddedSQLite(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeSQLite(t, filepath.Join(dir, "sub", "app.db"))
	raw, err := os.ReadFile(filepath.Join(dir, "sub", "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	broken := append(append([]byte(nil), raw[:100]...), bytes.Repeat([]byte{0xAB}, len(raw)-100)...)
	for name, data := range map[string][]byte{
		"data.ndjson": []byte(`{"email":"c@example.org"}` + "\n"),
		"broken.db":   broken,
		"noise.bin":   {0, 1, 2, 3, 0xff},
		".hidden.db":  raw,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Open(context.Background(), dir, connectors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ct := range cs {
		names = append(names, ct.Name)
	}
	if want := []string{"data.ndjson", "sub/app.db.users"}; !slices.Equal(names, want) {
		t.Fatalf("containers %v, want %v", names, want)
	}
	reasons := map[string]string{}
	for _, s := range c.(connectors.SkipLister).SkippedContainers() {
		reasons[s.Name] = s.Reason
	}
	for name, want := range map[string]string{
		"broken.db":    "SQLite database",
		"noise.bin":    "unknown format",
		".hidden.db":   "hidden",
		"sub/app.db.v": "a view",
	} {
		if !strings.Contains(reasons[name], want) {
			t.Errorf("%s: skip reason %q, want %q (all: %v)", name, reasons[name], want, reasons)
		}
	}
	var emails []string
	res, err := sampleDecoded(c, cs[1], connectors.SampleOptions{Size: 10}, func(fields map[string]any) {
		emails = append(emails, fields["email"].(string))
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(emails, []string{"a@example.org", "b@example.org"}) || res.Method != "all" {
		t.Errorf("sampled %v (%s)", emails, res.Method)
	}
	if !slices.Equal(cs[1].PrimaryKey, []string{"id"}) {
		t.Errorf("primary key %v", cs[1].PrimaryKey)
	}

	// Named directly.
	fc, err := Open(context.Background(), filepath.Join(dir, "sub", "app.db"), connectors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	cs, err = fc.Containers(context.Background())
	if err != nil || len(cs) != 1 || cs[0].Name != "app.db.users" {
		t.Errorf("named directly: %v %v", cs, err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "sub", "app.db"))
	if !bytes.Equal(after, raw) {
		t.Error("the database file changed")
	}
}
