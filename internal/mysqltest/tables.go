package mysqltest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Column kinds of a Table.
const (
	KindText   = "text"
	KindInt    = "int"
	KindDouble = "double"
	KindBool   = "bool"
	KindJSON   = "json" // objects and arrays, stored as JSON text
)

// Table is a file of the example as a typed table: one column per
// top-level key, objects and arrays in JSON columns.
type Table struct {
	Name    string // the file's name without extensions
	File    string // path relative to the example directory
	Columns []Column
	Rows    [][]any // values per column: string, int64, float64, bool, nil; JSON columns hold their JSON text
	Key     string  // primary key column ("_id" or "id" when unique), or ""
}

// Column is one column of a Table.
type Column struct {
	Name, Kind string
}

// Dialects for CreateStatements.
const (
	MySQL  = "mysql"
	SQLite = "sqlite"
)

// ModuleRoot is the directory holding go.mod above the working directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("mysqltest: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// LeakyAppDir is the bundled example.
func LeakyAppDir() (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "examples", "leaky-app"), nil
}

// LeakyAppFiles are the example's files loaded as tables: the top-level
// NDJSON files, the JSON array of backup/, the config object and the
// gzip-compressed sessions export.
var LeakyAppFiles = []string{
	"bookings.ndjson", "checkins.ndjson", "devices.ndjson", "orders.ndjson", "users.ndjson",
	"backup/admins.json", "config/app.json", "exports/sessions.ndjson.gz",
}

// TableName is the table a file of the example loads into.
func TableName(file string) string {
	base := filepath.Base(file)
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	return base
}

// LeakyAppTables reads the example's LeakyAppFiles as tables.
func LeakyAppTables() ([]Table, error) {
	dir, err := LeakyAppDir()
	if err != nil {
		return nil, err
	}
	var out []Table
	for _, f := range LeakyAppFiles {
		docs, err := readDocs(filepath.Join(dir, f))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		t, err := TableOf(TableName(f), docs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		t.File = f
		out = append(out, t)
	}
	return out, nil
}

// readDocs reads NDJSON (optionally gzip-compressed), a JSON array or one
// JSON object.
func readDocs(path string) ([]map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		if raw, err = io.ReadAll(zr); err != nil {
			return nil, err
		}
	}
	trimmed := bytes.TrimSpace(raw)
	dec := func(b []byte, v any) error {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		return d.Decode(v)
	}
	switch {
	case strings.HasSuffix(path, ".json") && len(trimmed) > 0 && trimmed[0] == '[':
		var docs []map[string]any
		return docs, dec(trimmed, &docs)
	case strings.HasSuffix(path, ".json"):
		var doc map[string]any
		return []map[string]any{doc}, dec(trimmed, &doc)
	}
	var docs []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var doc map[string]any
		if err := dec(line, &doc); err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	return docs, sc.Err()
}

// TableOf types the documents' top-level keys as columns.
func TableOf(name string, docs []map[string]any) (Table, error) {
	t := Table{Name: name}
	kinds := map[string]string{}
	var names []string
	for _, d := range docs {
		for k, v := range d {
			if _, ok := kinds[k]; !ok {
				names = append(names, k)
				kinds[k] = ""
			}
			kinds[k] = merge(kinds[k], kindOf(v))
		}
	}
	sort.Strings(names)
	// _id (or id) first: the primary key when its values are unique.
	for _, key := range []string{"id", "_id"} {
		if i := indexOf(names, key); i >= 0 {
			names = append([]string{key}, append(names[:i:i], names[i+1:]...)...)
		}
	}
	for _, n := range names {
		k := kinds[n]
		if k == "" {
			k = KindText // only nulls
		}
		t.Columns = append(t.Columns, Column{Name: n, Kind: k})
	}
	if len(names) > 0 && (names[0] == "_id" || names[0] == "id") && (kinds[names[0]] == KindText || kinds[names[0]] == KindInt) {
		seen := map[string]bool{}
		unique := true
		for _, d := range docs {
			v, ok := d[names[0]]
			s := fmt.Sprint(v)
			if !ok || v == nil || seen[s] {
				unique = false
				break
			}
			seen[s] = true
		}
		if unique {
			t.Key = names[0]
		}
	}
	for _, d := range docs {
		row := make([]any, len(t.Columns))
		for i, col := range t.Columns {
			v, ok := d[col.Name]
			if !ok || v == nil {
				continue
			}
			switch col.Kind {
			case KindJSON:
				b, err := json.Marshal(v)
				if err != nil {
					return t, err
				}
				row[i] = string(b)
			case KindInt:
				n, err := v.(json.Number).Int64()
				if err != nil {
					return t, err
				}
				row[i] = n
			case KindDouble:
				f, err := v.(json.Number).Float64()
				if err != nil {
					return t, err
				}
				row[i] = f
			case KindBool:
				row[i] = v.(bool)
			default:
				if s, ok := v.(string); ok {
					row[i] = s
				} else {
					row[i] = fmt.Sprint(v)
				}
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

func indexOf(s []string, x string) int {
	for i, v := range s {
		if v == x {
			return i
		}
	}
	return -1
}

func kindOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case map[string]any, []any:
		return KindJSON
	case bool:
		return KindBool
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return KindInt
		}
		return KindDouble
	}
	return KindText
}

// merge is the kind of a column holding values of kinds a and b.
func merge(a, b string) string {
	switch {
	case a == "" || a == b:
		return b
	case b == "":
		return a
	case a == KindInt && b == KindDouble || a == KindDouble && b == KindInt:
		return KindDouble
	case a == KindJSON || b == KindJSON:
		return KindJSON
	}
	return KindText
}

// CreateStatement is the CREATE TABLE of t in a dialect.
func (t Table) CreateStatement(dialect string) string {
	q := func(s string) string {
		if dialect == MySQL {
			return "`" + strings.ReplaceAll(s, "`", "``") + "`"
		}
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	var cols []string
	for _, c := range t.Columns {
		var typ string
		switch {
		case dialect == MySQL && c.Name == t.Key && c.Kind == KindText:
			typ = "VARCHAR(191) NOT NULL"
		case dialect == MySQL:
			typ = map[string]string{KindText: "TEXT", KindInt: "BIGINT", KindDouble: "DOUBLE", KindBool: "BOOLEAN", KindJSON: "JSON"}[c.Kind]
		default:
			typ = map[string]string{KindText: "TEXT", KindInt: "INTEGER", KindDouble: "REAL", KindBool: "BOOLEAN", KindJSON: "JSON"}[c.Kind]
		}
		cols = append(cols, q(c.Name)+" "+typ)
	}
	if t.Key != "" {
		cols = append(cols, "PRIMARY KEY ("+q(t.Key)+")")
	}
	return "CREATE TABLE " + q(t.Name) + " (" + strings.Join(cols, ", ") + ")"
}

// Load creates and fills the tables in db (the current database).
func Load(ctx context.Context, db *sql.DB, dialect string, tables []Table) error {
	for _, t := range tables {
		if _, err := db.ExecContext(ctx, t.CreateStatement(dialect)); err != nil {
			return fmt.Errorf("%s: %w", t.Name, err)
		}
		if len(t.Rows) == 0 {
			continue
		}
		marks := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.Columns)), ", ") + ")"
		ins := "INSERT INTO " + t.Name + " VALUES " + marks
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for _, r := range t.Rows {
			if _, err := tx.ExecContext(ctx, ins, r...); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("%s: %w", t.Name, err)
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// SQLiteFile writes the tables into a new SQLite database file at path
// (driver "sqlite", modernc.org/sqlite, which the caller imports).
func SQLiteFile(ctx context.Context, path string, tables []Table) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := Load(ctx, db, SQLite, tables); err != nil {
		return err
	}
	return db.Close()
}

// LoadLeakyApp creates and fills the example's tables (LeakyAppTables)
// and the extra ones in db (the current database) in a dialect: how the
// MariaDB and SQLite tests load the example.
func LoadLeakyApp(ctx context.Context, db *sql.DB, dialect string, extra ...Table) error {
	tables, err := LeakyAppTables()
	if err != nil {
		return err
	}
	return Load(ctx, db, dialect, append(tables, extra...))
}

// LeakyAppSQLite writes the example's tables and the extra ones into a
// new SQLite database file at path (driver "sqlite", which the caller
// imports).
func LeakyAppSQLite(ctx context.Context, path string, extra ...Table) error {
	tables, err := LeakyAppTables()
	if err != nil {
		return err
	}
	return SQLiteFile(ctx, path, append(tables, extra...))
}
