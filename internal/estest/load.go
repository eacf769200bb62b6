package estest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// IndexName is the index a file is loaded into: its base name without the
// extension, lower-cased ("Users.ndjson" -> "users").
func IndexName(file string) string {
	b := filepath.Base(file)
	if i := strings.IndexByte(b, '.'); i > 0 {
		b = b[:i]
	}
	return strings.ToLower(b)
}

// LoadDir loads a directory shaped like examples/leaky-app: every *.ndjson
// and *.jsonl file directly in dir becomes one index (see IndexName), and
// every *.json file under dir/elasticdump (elasticdump lines with _index,
// _id and _source) is loaded into the indices it names. Mappings are dynamic.
// It returns the number of documents per index.
func LoadDir(s *Server, dir string) (map[string]int, error) {
	counts, err := LoadNDJSONDir(s, dir)
	if err != nil {
		return counts, err
	}
	dumps, _ := filepath.Glob(filepath.Join(dir, "elasticdump", "*.json"))
	sort.Strings(dumps)
	for _, f := range dumps {
		n, err := loadFile(f, func(r io.Reader) (map[string]int, error) { return LoadElasticdump(s, r) })
		if err != nil {
			return counts, err
		}
		for k, v := range n {
			counts[k] += v
		}
	}
	return counts, nil
}

// LoadNDJSONDir loads every *.ndjson and *.jsonl file directly in dir into
// its own index.
func LoadNDJSONDir(s *Server, dir string) (map[string]int, error) {
	counts := map[string]int{}
	var files []string
	for _, pat := range []string{"*.ndjson", "*.jsonl"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	for _, f := range files {
		name := IndexName(f)
		n, err := loadFile(f, func(r io.Reader) (map[string]int, error) {
			n, err := LoadNDJSON(s, name, r)
			return map[string]int{name: n}, err
		})
		if err != nil {
			return counts, err
		}
		counts[name] += n[name]
	}
	return counts, nil
}

func loadFile(path string, fn func(io.Reader) (map[string]int, error)) (map[string]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n, err := fn(f)
	if err != nil {
		return n, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// LoadNDJSON creates index name from one JSON object per non-blank line of
// r, with a dynamic mapping. It returns the number of documents.
func LoadNDJSON(s *Server, name string, r io.Reader) (int, error) {
	docs, err := readLines(r)
	if err != nil {
		return 0, err
	}
	return len(docs), s.AddIndex(name, nil, docs)
}

// LoadElasticdump loads elasticdump output (one {"_index","_id","_source"}
// object per line) into the indices it names, with dynamic mappings.
func LoadElasticdump(s *Server, r io.Reader) (map[string]int, error) {
	lines, err := readLines(r)
	if err != nil {
		return nil, err
	}
	byIndex := map[string][]map[string]any{}
	var order []string
	for i, l := range lines {
		ix, _ := l["_index"].(string)
		src, ok := l["_source"].(map[string]any)
		if ix == "" || !ok {
			return nil, fmt.Errorf("line %d: not an elasticdump document", i+1)
		}
		if id, ok := l["_id"].(string); ok {
			src["_id"] = id
		}
		if _, seen := byIndex[ix]; !seen {
			order = append(order, ix)
		}
		byIndex[ix] = append(byIndex[ix], src)
	}
	counts := map[string]int{}
	for _, ix := range order {
		if err := s.AddIndex(ix, nil, byIndex[ix]); err != nil {
			return counts, err
		}
		counts[ix] = len(byIndex[ix])
	}
	return counts, nil
}

func readLines(r io.Reader) ([]map[string]any, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	var docs []map[string]any
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		docs = append(docs, m)
	}
	return docs, sc.Err()
}

// dateRE is the shape Elasticsearch's default date detection accepts
// (strict_date_optional_time and yyyy/MM/dd forms).
var dateRE = regexp.MustCompile(`^\d{4}[-/]\d{2}[-/]\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$`)

// DynamicMapping returns the "mappings" object Elasticsearch's dynamic
// mapping would build from docs: strings that look like dates are date,
// other strings text with a keyword sub-field, integers long, other numbers
// float, booleans boolean, objects object (properties), arrays the type of
// their elements.
func DynamicMapping(docs []map[string]any) map[string]any {
	props := map[string]any{}
	for _, d := range docs {
		mergeProps(props, d)
	}
	return map[string]any{"properties": props}
}

func mergeProps(props map[string]any, obj map[string]any) {
	for k, v := range obj {
		if k == "_id" {
			continue
		}
		mergeField(props, k, v)
	}
}

func mergeField(props map[string]any, k string, v any) {
	switch x := v.(type) {
	case nil:
		return
	case []any:
		for _, e := range x {
			mergeField(props, k, e)
		}
		return
	case map[string]any:
		f, _ := props[k].(map[string]any)
		if f == nil {
			f = map[string]any{"properties": map[string]any{}}
			props[k] = f
		}
		sub, _ := f["properties"].(map[string]any)
		if sub == nil {
			return // mapped as a leaf already; real ES would reject the document
		}
		mergeProps(sub, x)
		return
	}
	if _, ok := props[k]; ok {
		return
	}
	switch x := v.(type) {
	case string:
		if dateRE.MatchString(x) {
			props[k] = map[string]any{"type": "date"}
		} else {
			props[k] = map[string]any{"type": "text", "fields": map[string]any{"keyword": map[string]any{"type": "keyword", "ignore_above": 256}}}
		}
	case json.Number:
		if _, err := x.Int64(); err == nil {
			props[k] = map[string]any{"type": "long"}
		} else {
			props[k] = map[string]any{"type": "float"}
		}
	case float64, float32:
		props[k] = map[string]any{"type": "float"}
	case int, int64, int32, uint64:
		props[k] = map[string]any{"type": "long"}
	case bool:
		props[k] = map[string]any{"type": "boolean"}
	default:
		props[k] = map[string]any{"type": "keyword"}
	}
}
