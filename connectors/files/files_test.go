package files

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
)

// scan opens target, lists its containers and samples every one of them.
func scan(t testing.TB, target string, opts connectors.Options, so connectors.SampleOptions) (map[string][]map[string]any, map[string]connectors.SampleResult, *Conn) {
	t.Helper()
	conn, err := connectors.Open(context.Background(), target, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cs, err := conn.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string][]map[string]any{}
	results := map[string]connectors.SampleResult{}
	for _, c := range cs {
		var got []map[string]any
		res, err := sampleDecoded(conn, c, so, func(fields map[string]any) {
			checkTypes(t, c.Name, fields)
			got = append(got, fields)
		})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		docs[c.Name] = got
		results[c.Name] = res
	}
	return docs, results, conn.(*Conn)
}

func sampleOne(t testing.TB, path string, so connectors.SampleOptions) ([]map[string]any, connectors.SampleResult) {
	t.Helper()
	docs, results, _ := scan(t, path, connectors.Options{}, so)
	name := filepath.Base(path)
	if _, ok := results[name]; !ok {
		t.Fatalf("%s: not a container", path)
	}
	return docs[name], results[name]
}

// checkTypes fails when a value is not one of the types of connectors.Document.
func checkTypes(t testing.TB, where string, v any) {
	t.Helper()
	if err := allowedTypes(v, 0); err != "" {
		t.Fatalf("%s: %s", where, err)
	}
}

func allowedTypes(v any, depth int) string {
	if depth > MaxDepth+1 {
		return "too deep"
	}
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			if err := allowedTypes(e, depth+1); err != "" {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := allowedTypes(e, depth+1); err != "" {
				return err
			}
		}
	case string, json.Number, float64, float32, int, int32, int64, uint64, bool, nil, time.Time, []byte:
	default:
		return "value of type " + reflect.TypeOf(v).String()
	}
	return ""
}

func fixture(name string) string { return filepath.Join("testdata", filepath.FromSlash(name)) }

func TestFormats(t *testing.T) {
	tests := []struct {
		file  string
		notes []string // each must be a substring of some container note
		want  []map[string]any
	}{
		{"formats/basic.ndjson", []string{"format: ndjson"}, []map[string]any{
			{"name": "Ada Lovelace", "card": json.Number("4111111111111111"), "contacts": []any{map[string]any{"phone": "+1 202-555-0143"}}, "n": json.Number("1")},
			{"name": "Alan Turing", "card": json.Number("5555555555554444"), "tags": []any{"a", "b"}, "n": json.Number("2")},
			{"name": "Grace Hopper", "nested": map[string]any{"deep": map[string]any{"x": true, "y": nil}}, "big": json.Number("12345678901234567890"), "n": json.Number("3")},
		}},
		{"formats/lines.jsonl", []string{"format: ndjson"}, []map[string]any{{"a": json.Number("1")}, {"a": json.Number("2")}}},
		{"formats/array.json", []string{"format: json"}, []map[string]any{
			{"id": json.Number("1"), "email": "a@example.com"},
			{"id": json.Number("2"), "email": "b@example.com", "addr": map[string]any{"zip": "12345"}},
			{"id": json.Number("3"), "list": []any{json.Number("1"), json.Number("2"), map[string]any{"k": "v"}}, "s": `brackets ] } [ { and "quotes" \\`},
		}},
		{"formats/object.json", []string{"format: json"}, []map[string]any{
			{"env": "prod", "db": map[string]any{"url": "postgres://u:p@h/db"}, "n": json.Number("1.5")},
		}},
		{"formats/concat.json", []string{"format: json"}, []map[string]any{
			{"a": json.Number("1"), "b": json.Number("2")}, {"a": json.Number("3"), "b": json.Number("4")},
		}},
		{"formats/empty_array.json", []string{"format: json"}, nil},
		{"formats/basic.csv", []string{"format: csv"}, []map[string]any{
			{"name": "Ada", "email": "ada@example.com", "note": "multi\nline, with comma"},
			{"name": "Alan", "email": "alan@example.com", "note": `say "hi"`},
			{"name": "Grace", "email": "grace@example.com", "note": ""},
		}},
		{"formats/basic.tsv", []string{"format: tsv"}, []map[string]any{
			{"name": "Ada", "email": "ada@example.com", "zip": "02139"},
			{"name": "Alan", "email": "alan@example.com", "zip": "10115"},
		}},
		{"formats/semicolon.csv", []string{"format: csv", `delimiter ';'`}, []map[string]any{
			{"name": "Ada", "email": "ada@example.com", "iban": "DE89370400440532013000"},
			{"name": "Doe; Jane", "email": "jane@example.com", "iban": "GB82WEST12345698765432"},
		}},
		{"formats/excel_sep.csv", []string{`delimiter '|'`}, []map[string]any{{"name": "Ada", "email": "ada@example.com"}}},
		{"formats/dup_header.csv", nil, []map[string]any{{"a": "1", "column_2": "2", "a_2": "3"}}},
		{"formats/compressed.ndjson.gz", []string{"format: ndjson (gzip)"}, []map[string]any{
			{"email": "a@example.com", "n": json.Number("1")}, {"email": "b@example.com", "n": json.Number("2")},
		}},
		{"formats/compressed.csv.gz", []string{"format: csv (gzip)"}, []map[string]any{
			{"id": "1", "phone": "+44 7700 900123"}, {"id": "2", "phone": "+44 7700 900456"},
		}},
		{"formats/elasticdump.json", []string{"format: ndjson", `elasticdump output of index "customers-2024"`}, []map[string]any{
			{"email": "e1@example.com", "ip": "192.0.2.1"},
			{"email": "e2@example.com", "geo": map[string]any{"location": "52.52,13.40"}},
			{"card": "4111 1111 1111 1111"},
		}},
		{"formats/mongoexport_array.json", []string{"format: json", "mongoexport output"}, []map[string]any{
			{"_id": "5f1d7a3e9b1e8a3c4d5e6f70", "at": time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), "n": json.Number("4111111111111111")},
			{"_id": "5f1d7a3e9b1e8a3c4d5e6f71", "at": time.Unix(0, 0).UTC(), "n": json.Number("1")},
		}},
		{"formats/detected.dump", []string{"format: ndjson", "format detected from the content"}, []map[string]any{
			{"email": "x@example.com"}, {"email": "y@example.com"},
		}},
		{"hostile/bom.ndjson", nil, []map[string]any{{"a": json.Number("1")}, {"a": json.Number("2")}}},
		{"hostile/bom.csv", nil, []map[string]any{{"name": "Ada", "email": "ada@example.com"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, _, conn := scan(t, fixture(tt.file), connectors.Options{}, connectors.SampleOptions{})
			cs, err := conn.Containers(context.Background())
			if err != nil || len(cs) != 1 {
				t.Fatalf("containers: %v %v (skipped %v)", cs, err, conn.SkippedContainers())
			}
			for _, n := range tt.notes {
				if !containsSub(cs[0].Notes, n) {
					t.Errorf("notes %q lack %q", cs[0].Notes, n)
				}
			}
			for _, size := range []int{0, 1000} {
				got, res := sampleOne(t, fixture(tt.file), connectors.SampleOptions{Size: size, Seed: 1})
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("size %d: got\n%#v\nwant\n%#v", size, got, tt.want)
				}
				if res.TotalDocuments != int64(len(tt.want)) || res.Skipped != 0 || res.Method != "all" {
					t.Errorf("size %d: result %+v", size, res)
				}
			}
		})
	}
}

func containsSub(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestElasticdumpIndicesInNotes(t *testing.T) {
	_, res := sampleOne(t, fixture("formats/elasticdump.json"), connectors.SampleOptions{})
	if !containsSub(res.Notes, `documents from index "customers-2024", "orders-2024"`) {
		t.Errorf("notes: %q", res.Notes)
	}
}

func TestMongoexport(t *testing.T) {
	docs, res := sampleOne(t, fixture("formats/mongoexport.json"), connectors.SampleOptions{})
	if len(docs) != 2 || res.Skipped != 0 {
		t.Fatalf("docs %d, result %+v", len(docs), res)
	}
	d := docs[0]
	want := map[string]any{
		"_id":        "5f1d7a3e9b1e8a3c4d5e6f70",
		"email":      "m@example.com",
		"created":    time.Date(2020, 7, 26, 12, 0, 0, 123e6, time.UTC),
		"born":       time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC),
		"card":       json.Number("4111111111111111"),
		"i":          json.Number("42"),
		"d":          json.Number("1.5"),
		"inf":        math.Inf(-1),
		"dec":        json.Number("1234.5600"),
		"decnan":     "NaN",
		"bin":        "hello world",
		"raw":        []byte{0, 1, 2, 3, 4},
		"uuid":       "73ffd264-44b3-4c69-90e8-e7d1dfc035d4",
		"ts":         time.Unix(1565545664, 0).UTC(),
		"re":         "/^a/i",
		"min":        nil,
		"max":        nil,
		"undef":      nil,
		"sym":        "s",
		"code":       "function(){}",
		"ptr":        map[string]any{"$ref": "db.coll", "$id": "5f1d7a3e9b1e8a3c4d5e6f71"},
		"arr":        []any{"5f1d7a3e9b1e8a3c4d5e6f72", json.Number("7")},
		"nested":     map[string]any{"at": time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC)},
		"notwrapper": map[string]any{"$oid": "x", "other": json.Number("1")},
	}
	for k, w := range want {
		if !reflect.DeepEqual(d[k], w) {
			t.Errorf("%s: got %#v, want %#v", k, d[k], w)
		}
	}
	if len(d) != len(want) {
		t.Errorf("got %d fields, want %d", len(d), len(want))
	}
	legacy := map[string]any{
		"_id":         "5f1d7a3e9b1e8a3c4d5e6f73",
		"legacy_date": time.UnixMilli(1595764800000).UTC(),
		"legacy_bin":  "hi",
		"legacy_re":   "/b+/m",
		"offset_date": time.Date(2020, 7, 26, 12, 0, 0, 0, time.UTC),
		"scope":       map[string]any{"code": "x", "scope": map[string]any{"a": json.Number("1")}},
	}
	if !reflect.DeepEqual(docs[1], legacy) {
		t.Errorf("legacy shapes: got %#v", docs[1])
	}
}

func TestHostile(t *testing.T) {
	tests := []struct {
		file    string
		docs    int
		skipped map[string]int64
		note    string // a substring of some sample note
	}{
		{"hostile/invalid_lines.ndjson", 2, map[string]int64{ReasonInvalidJSON: 2, ReasonNotObject: 2}, "line 2: invalid JSON"},
		{"hostile/nul.ndjson", 2, map[string]int64{ReasonNUL: 1}, "line 2: NUL byte"},
		{"hostile/invalid_utf8.ndjson", 2, map[string]int64{ReasonInvalidUTF8: 1}, "line 2: invalid UTF-8"},
		{"hostile/ragged.csv", 2, map[string]int64{ReasonRaggedCSV: 2}, "line 3: ragged CSV row"},
		{"hostile/bad_utf8.csv", 2, map[string]int64{ReasonInvalidUTF8: 1, ReasonNUL: 1}, "line 4: NUL byte"},
		{"hostile/unclosed_quote.csv", 1, map[string]int64{ReasonRaggedCSV: 1}, "line 3: ragged CSV row"},
		{"hostile/array_bad_element.json", 3, map[string]int64{ReasonInvalidJSON: 1, ReasonNotObject: 3}, "line 1: invalid JSON"},
		{"hostile/array_truncated.json", 2, map[string]int64{ReasonInvalidJSON: 1}, "unexpected end of file"},
		{"hostile/array_garbage.json", 1, map[string]int64{ReasonInvalidJSON: 1}, "expected , or ]"},
		{"hostile/trailing_comma.json", 2, nil, ""},
		{"hostile/truncated.ndjson.gz", -1, map[string]int64{ReasonCorruptGzip: 1}, "stopped reading"},
		{"hostile/badcrc.ndjson.gz", 2000, map[string]int64{ReasonCorruptGzip: 1}, "stopped reading"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			for _, size := range []int{0, 1, 1000, 100000} {
				docs, res := sampleOne(t, fixture(tt.file), connectors.SampleOptions{Size: size, Seed: 7})
				// A small reservoir decodes only the records it draws: records
				// that are not drawn count as documents unless a cheap check failed.
				decodesAll := size == 0 || size >= 1000
				if tt.docs >= 0 && decodesAll && res.TotalDocuments != int64(tt.docs) {
					t.Errorf("size %d: %d documents, want %d", size, res.TotalDocuments, tt.docs)
				}
				var sum int64
				for _, n := range tt.skipped {
					sum += n
				}
				if tt.docs >= 0 && !decodesAll && (res.TotalDocuments < int64(tt.docs) || res.TotalDocuments+res.Skipped != int64(tt.docs)+sum) {
					t.Errorf("size %d: %d documents, %d skipped; want at least %d", size, res.TotalDocuments, res.Skipped, tt.docs)
				}
				if tt.docs < 0 && (res.TotalDocuments == 0 || res.TotalDocuments >= 2000) {
					t.Errorf("size %d: %d documents of a truncated file", size, res.TotalDocuments)
				}
				if want := min(int64(max(size, 0)), res.TotalDocuments); size > 0 && int64(len(docs)) != want {
					t.Errorf("size %d: emitted %d, want %d", size, len(docs), want)
				}
				if decodesAll {
					if !reflect.DeepEqual(res.SkipReasons, tt.skipped) && !(len(tt.skipped) == 0 && len(res.SkipReasons) == 0) {
						t.Errorf("size %d: skip reasons %v, want %v", size, res.SkipReasons, tt.skipped)
					}
					if res.Skipped != sum {
						t.Errorf("size %d: skipped %d, want %d", size, res.Skipped, sum)
					}
					if tt.note != "" && !containsSub(res.Notes, tt.note) {
						t.Errorf("size %d: notes %q lack %q", size, res.Notes, tt.note)
					}
				}
			}
		})
	}
}

func TestUnknownFilesAreListed(t *testing.T) {
	conn, err := Open(context.Background(), fixture("unknown"), connectors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := conn.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 0 {
		t.Errorf("containers: %v", cs)
	}
	got := map[string]string{}
	for _, s := range conn.(*Conn).SkippedContainers() {
		got[s.Name] = s.Reason
	}
	want := map[string]string{
		"data.bin":     "unknown format (.bin)",
		"image.png":    "unknown format (.png)",
		"notes.txt":    "unknown format (.txt)",
		"scalars.json": "not JSON (a .json file that holds no objects)",
		"utf16.json":   "unknown format (UTF-16 text)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("skipped %v, want %v", got, want)
	}
}

func TestNotGzip(t *testing.T) {
	conn, err := Open(context.Background(), fixture("hostile/notgzip.ndjson.gz"), connectors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// a file named on its own that cannot be read fails the target
	cs, err := conn.Containers(context.Background())
	if len(cs) != 0 || err == nil || !strings.Contains(err.Error(), ReasonCorruptGzip) {
		t.Errorf("containers %v, error %v; want no container and a %q error", cs, err, ReasonCorruptGzip)
	}
}

func TestWalkNamesFilterHidden(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.ndjson", `{"x":1}`+"\n")
	write("sub/b.json", `[{"x":1}]`)
	write("sub/deeper/c.csv", "x\n1\n")
	write("sub/skip.csv", "x\n1\n")
	write(".git/config", "[core]\n")
	write(".hidden.ndjson", `{"x":1}`+"\n")
	write("README.md", "# hi\n")
	if err := os.Symlink(filepath.Join(dir, "sub"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}

	names := func(o connectors.Options, target string) ([]string, []string) {
		conn, err := Open(context.Background(), target, o)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := conn.Containers(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var n, s []string
		for _, c := range cs {
			n = append(n, c.Name)
		}
		for _, k := range conn.(*Conn).SkippedContainers() {
			s = append(s, k.Name+": "+k.Reason)
		}
		sort.Strings(s)
		return n, s
	}
	n, s := names(connectors.Options{}, dir)
	if want := []string{"a.ndjson", "sub/b.json", "sub/deeper/c.csv", "sub/skip.csv"}; !reflect.DeepEqual(n, want) {
		t.Errorf("names %v, want %v", n, want)
	}
	wantSkipped := []string{".git/: hidden directory", ".hidden.ndjson: hidden file", "README.md: unknown format (.md)", "link: symbolic link to a directory (not followed)"}
	if !reflect.DeepEqual(s, wantSkipped) {
		t.Errorf("skipped %v, want %v", s, wantSkipped)
	}
	n, _ = names(connectors.Options{Containers: connectors.Filter{Include: []string{"sub/*"}, Exclude: []string{"*/skip.csv"}}}, "file://"+filepath.ToSlash(dir))
	if want := []string{"sub/b.json"}; !reflect.DeepEqual(n, want) {
		t.Errorf("filtered names %v, want %v", n, want)
	}
	n, _ = names(connectors.Options{IncludeHidden: true}, dir)
	if !contains(n, ".hidden.ndjson") {
		t.Errorf("IncludeHidden: %v", n)
	}
	n, _ = names(connectors.Options{}, filepath.Join(dir, "sub", "b.json"))
	if want := []string{"b.json"}; !reflect.DeepEqual(n, want) {
		t.Errorf("single file: %v", n)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestOpenErrors(t *testing.T) {
	for _, target := range []string{"testdata/does-not-exist", "file:///does/not/exist", ""} {
		if _, err := connectors.Open(context.Background(), target, connectors.Options{}); err == nil {
			t.Errorf("%q: no error", target)
		}
	}
	c, err := connectors.Open(context.Background(), "file://"+filepath.ToSlash(mustAbs(t, "testdata")), connectors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind() != "file" || !c.Exposure(context.Background()).Reachable {
		t.Errorf("kind %q exposure %+v", c.Kind(), c.Exposure(context.Background()))
	}
	if err := c.Close(); err != nil {
		t.Error(err)
	}
	if err := c.Close(); err != nil {
		t.Error(err)
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestPathOf(t *testing.T) {
	tests := []struct{ target, want string }{
		{"examples/leaky-app", "examples/leaky-app"},
		{"./dump/", "dump"},
		{"file:///var/dump", "/var/dump"},
		{"file://localhost/var/dump", "/var/dump"},
		{"file://dump/users.ndjson", "dump/users.ndjson"},
		{"file:///tmp/with%20space", "/tmp/with space"},
		{"FILE:///x", "/x"},
	}
	for _, tt := range tests {
		got, err := pathOf(tt.target)
		if err != nil || got != filepath.FromSlash(tt.want) {
			t.Errorf("pathOf(%q) = %q, %v; want %q", tt.target, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "file://", "file://%zz"} {
		if _, err := pathOf(bad); err == nil {
			t.Errorf("pathOf(%q): no error", bad)
		}
	}
}
