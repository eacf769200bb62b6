package pgtest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/piisniff/piisniff/internal/mongotest"
)

// textJSONColumns are object columns of the example loaded as text (the
// JSON as a string) and jsonColumns as json, not jsonb: the connector
// must parse JSON wherever it is.
var (
	textJSONColumns = map[string]bool{"legacy": true, "hardware": true}
	jsonColumns     = map[string]bool{"smtp": true, "refund": true}
)

// LeakyAppTable is the table (schema.table) that a file of the example is
// loaded into, "" for files LoadLeakyApp leaves out (CSV, the
// elasticdump export, EXPECTED.md).
func LeakyAppTable(file string) string {
	dir, base := filepath.Split(filepath.ToSlash(file))
	dir = strings.TrimSuffix(dir, "/")
	if !hasDocExt(base) || dir == "elasticdump" {
		return ""
	}
	name := mongotest.CollectionName(base)
	if dir == "mongoexport" {
		return name // shop.customers: schema shop
	}
	return "public." + name
}

var docExts = []string{".ndjson.gz", ".ndjson", ".json"}

func hasDocExt(name string) bool {
	for _, e := range docExts {
		if strings.HasSuffix(strings.ToLower(name), e) {
			return true
		}
	}
	return false
}

// LoadLeakyApp loads the bundled example into the database as typed
// tables, one per file that holds documents (see LeakyAppTable): every
// top-level key a column, typed from its values (text, bigint, numeric,
// boolean, date, timestamptz, inet, text[]); objects and arrays of objects
// become jsonb columns (json or text for a few, to test those too);
// MongoDB Extended JSON is unwrapped first. A unique "_id" or "id" is the
// primary key. It returns the number of rows per table.
func LoadLeakyApp(ctx context.Context, conn *pgx.Conn) (map[string]int64, error) {
	dir, err := mongotest.LeakyAppDir()
	if err != nil {
		return nil, err
	}
	var files []string
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if LeakyAppTable(rel) != "" {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	counts := map[string]int64{}
	for _, rel := range files {
		docs, err := readDocs(filepath.Join(dir, rel))
		if err != nil {
			return counts, fmt.Errorf("%s: %w", rel, err)
		}
		table := LeakyAppTable(rel)
		if err := LoadDocs(ctx, conn, table, docs); err != nil {
			return counts, fmt.Errorf("%s: %w", rel, err)
		}
		counts[table] = int64(len(docs))
	}
	return counts, nil
}

// readDocs reads JSON values one after the other (NDJSON, pretty-printed
// objects, or arrays of them); .gz is decompressed.
func readDocs(file string) ([]map[string]any, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(file, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		defer gz.Close()
		r = gz
	}
	dec := json.NewDecoder(bufio.NewReader(r))
	dec.UseNumber()
	var out []map[string]any
	for {
		var v any
		if err := dec.Decode(&v); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case map[string]any:
			out = append(out, unwrapExt(x).(map[string]any))
		case []any:
			for _, e := range x {
				m, ok := e.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("array element %T, want an object", e)
				}
				out = append(out, unwrapExt(m).(map[string]any))
			}
		default:
			return nil, fmt.Errorf("top-level %T, want an object", v)
		}
	}
	return out, nil
}

// unwrapExt turns MongoDB Extended JSON wrappers into plain JSON values:
// numbers for $numberInt/Long/Double/Decimal, strings for $oid, $date,
// $binary.
func unwrapExt(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, inner := range x {
				switch k {
				case "$numberInt", "$numberLong", "$numberDouble", "$numberDecimal":
					if s, ok := inner.(string); ok {
						return json.Number(s)
					}
				case "$oid":
					return inner
				case "$date":
					switch d := inner.(type) {
					case string:
						return d
					case map[string]any:
						if ms, ok := d["$numberLong"].(string); ok {
							n, _ := strconv.ParseInt(ms, 10, 64)
							return time.UnixMilli(n).UTC().Format(time.RFC3339Nano)
						}
					}
				case "$binary":
					if b, ok := inner.(map[string]any); ok {
						return b["base64"]
					}
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = unwrapExt(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = unwrapExt(e)
		}
		return out
	}
	return v
}

var (
	dateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	tsRe   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)
)

// columnType is the SQL type of a key from its values.
func columnType(key string, vals []any) string {
	if textJSONColumns[key] {
		return "text"
	}
	if jsonColumns[key] {
		return "json"
	}
	kinds := map[string]bool{}
	allInt, allDate, allTS, allIP, allStrArr := true, true, true, true, true
	for _, v := range vals {
		switch x := v.(type) {
		case nil:
			continue
		case string:
			kinds["s"] = true
			allDate = allDate && dateRe.MatchString(x)
			allTS = allTS && tsRe.MatchString(x)
			allIP = allIP && net.ParseIP(x) != nil
		case json.Number:
			kinds["n"] = true
			_, err := strconv.ParseInt(string(x), 10, 64)
			allInt = allInt && err == nil
		case bool:
			kinds["b"] = true
		case map[string]any:
			kinds["o"] = true
		case []any:
			kinds["a"] = true
			for _, e := range x {
				if _, ok := e.(string); !ok {
					allStrArr = false
				}
			}
		}
	}
	if len(kinds) != 1 {
		if len(kinds) == 0 {
			return "text"
		}
		return "jsonb"
	}
	switch {
	case kinds["s"] && allDate:
		return "date"
	case kinds["s"] && allTS:
		return "timestamptz"
	case kinds["s"] && allIP:
		return "inet"
	case kinds["s"]:
		return "text"
	case kinds["n"] && allInt:
		return "bigint"
	case kinds["n"]:
		return "numeric"
	case kinds["b"]:
		return "boolean"
	case kinds["a"] && allStrArr:
		return "text[]"
	}
	return "jsonb"
}

// LoadDocs creates table (schema.table or table) with a column per
// top-level key of docs, typed from the values, and inserts the documents.
func LoadDocs(ctx context.Context, conn *pgx.Conn, table string, docs []map[string]any) error {
	schema, name, ok := strings.Cut(table, ".")
	if !ok {
		schema, name = "public", table
	}
	var keys []string
	vals := map[string][]any{}
	for _, d := range docs {
		for k, v := range d {
			if _, seen := vals[k]; !seen {
				keys = append(keys, k)
			}
			vals[k] = append(vals[k], v)
		}
	}
	sort.Strings(keys)
	pk := ""
	for _, k := range []string{"_id", "id"} {
		if vs, ok := vals[k]; ok && len(vs) == len(docs) && unique(vs) {
			pk = k
			break
		}
	}
	var cols []string
	types := map[string]string{}
	for _, k := range keys {
		t := columnType(k, vals[k])
		types[k] = t
		col := pgx.Identifier{k}.Sanitize() + " " + t
		if k == pk {
			col += " PRIMARY KEY"
		}
		cols = append(cols, col)
	}
	qt := pgx.Identifier{schema, name}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE "+qt+" ("+strings.Join(cols, ", ")+")"); err != nil {
		return err
	}
	// text columns holding JSON get the JSON text
	rows := make([]map[string]any, len(docs))
	for i, d := range docs {
		r := make(map[string]any, len(d))
		for k, v := range d {
			if types[k] == "text" {
				switch v.(type) {
				case map[string]any, []any:
					b, _ := json.Marshal(v)
					v = string(b)
				}
			}
			r[k] = v
		}
		rows[i] = r
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(rows); err != nil {
		return err
	}
	_, err := conn.Exec(ctx, "INSERT INTO "+qt+" SELECT * FROM jsonb_populate_recordset(NULL::"+qt+", $1::jsonb)", buf.String())
	return err
}

func unique(vs []any) bool {
	seen := map[string]bool{}
	for _, v := range vs {
		if v == nil {
			return false
		}
		k := fmt.Sprint(v)
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}
