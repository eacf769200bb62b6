// Package accuracy is piisniff's labelled detection benchmark: a
// deterministic generator of app-backend collections with field-level
// ground truth, and a scorer that compares a scan report with it.
package accuracy

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Collection is one generated container with its ground truth.
type Collection struct {
	Name string // container name as the report writes it (file name)
	CSV  bool   // written as CSV instead of NDJSON
	// Elasticdump writes each document as a search hit, under _source.
	Elasticdump bool
	Docs        []map[string]any
	Truth       map[string][]string // field path → categories (fields absent: none)
	// Fields lists every field path the generator wrote that should
	// carry no finding; reported categories there are false positives.
	Negatives []string
	// Shape is what the collection exercises ("flat", "key/value pairs",
	// "JSON in strings"…); results are also reported per shape.
	Shape string
	// Clean marks a collection of the no-personal-data corpus: none of its
	// fields holds personal data.
	Clean bool
	// Why says, for a case that is there because users hit it, what they
	// hit.
	Why string
}

type field struct {
	path  string // where the value goes: "a.b", "items[].sku"
	cats  []string
	p     float64 // presence probability; 0 means always
	gen   func(g) any
	at    string // truth path when it differs from path
	notes string
}

type spec struct {
	name   string
	csv    bool
	esdump bool
	shape  string // default "flat"
	clean  bool   // no-personal-data corpus
	// why: the case is here because a user would hit it (for the record)
	why    string
	fields []field
}

func f(path string, gen func(g) any, cats ...string) field {
	return field{path: path, gen: gen, cats: cats}
}
func neg(path string, gen func(g) any) field { return field{path: path, gen: gen} }
func opt(p float64, fl field) field          { fl.p = p; return fl }
func at(truthPath string, fl field) field    { fl.at = truthPath; return fl }

// truth states a category at a path no field of its own writes: what a
// value decodes to ("payload<json>.email") or a key/value pair's value.
func truth(path string, cats ...string) field { return field{path: path, cats: cats} }

func str(fn func(g) string) func(g) any { return func(x g) any { return fn(x) } }

// Generate returns the benchmark's collections: docs documents each, the
// same for the same seed.
func Generate(seed uint64, docs int) []Collection {
	var out []Collection
	all := append(append(specs(), shapeSpecs()...), cleanSpecs()...)
	for i, sp := range all {
		r := rand.New(rand.NewPCG(seed, uint64(i)+1))
		shape := sp.shape
		if shape == "" {
			shape = "flat"
		}
		if sp.clean {
			shape = "no personal data"
		}
		c := Collection{Name: sp.name, CSV: sp.csv, Elasticdump: sp.esdump, Truth: map[string][]string{}, Shape: shape, Clean: sp.clean, Why: sp.why}
		for _, fl := range sp.fields {
			tp := fl.path
			if fl.at != "" {
				tp = fl.at
			}
			if len(fl.cats) > 0 {
				c.Truth[tp] = append(c.Truth[tp], fl.cats...)
			} else {
				c.Negatives = append(c.Negatives, tp)
			}
		}
		for range docs {
			c.Docs = append(c.Docs, build(g{r}, sp.fields))
		}
		out = append(out, c)
	}
	return out
}

func build(x g, fields []field) map[string]any {
	doc := map[string]any{}
	arrays := map[string][]any{} // array key path → elements of this document
	for _, fl := range fields {
		if fl.gen == nil {
			continue // truth only
		}
		if fl.p > 0 && !x.chance(fl.p) {
			continue
		}
		if i := strings.Index(fl.path, "[]."); i >= 0 {
			key, sub := fl.path[:i], fl.path[i+3:]
			elems, ok := arrays[key]
			if !ok {
				n := x.n(1, 3)
				for range n {
					elems = append(elems, map[string]any{})
				}
				arrays[key] = elems
				set(doc, key, elems)
			}
			for _, e := range elems {
				set(e.(map[string]any), sub, fl.gen(x))
			}
			continue
		}
		if fl.path == "." { // the generator writes several keys of the root
			for k, v := range fl.gen(x).(map[string]any) {
				doc[k] = v
			}
			continue
		}
		set(doc, fl.path, fl.gen(x))
	}
	return doc
}

func set(m map[string]any, path string, v any) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = v
}

// Write writes the collections into dir, one file each.
func Write(dir string, cols []Collection) error {
	for _, c := range cols {
		path := filepath.Join(dir, c.Name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		fh, err := os.Create(path)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(fh)
		if c.CSV {
			err = writeCSV(w, c)
		} else {
			enc := json.NewEncoder(w)
			enc.SetEscapeHTML(false)
			for i, d := range c.Docs {
				var v any = d
				if c.Elasticdump {
					v = map[string]any{"_index": strings.TrimSuffix(c.Name, ".json"), "_type": "_doc",
						"_id": fmt.Sprintf("doc%06d", i), "_score": 1, "_source": d}
				}
				if err = enc.Encode(v); err != nil {
					break
				}
			}
		}
		if err == nil {
			err = w.Flush()
		}
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func writeCSV(w *bufio.Writer, c Collection) error {
	cols := map[string]bool{}
	for _, d := range c.Docs {
		for k := range d {
			cols[k] = true
		}
	}
	var header []string
	for k := range cols {
		header = append(header, k)
	}
	sort.Strings(header)
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, d := range c.Docs {
		row := make([]string, len(header))
		for i, k := range header {
			switch v := d[k].(type) {
			case nil:
			case string:
				row[i] = v
			case float64:
				row[i] = strconv.FormatFloat(v, 'f', -1, 64)
			case int:
				row[i] = strconv.Itoa(v)
			default:
				row[i] = fmt.Sprint(v)
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
