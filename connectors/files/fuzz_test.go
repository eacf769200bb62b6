package files

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// refDecode is decodeJSON written with encoding/json, the reference the
// single-pass parser is checked against.
func refDecode(raw []byte) (map[string]any, string) {
	if r := checkRaw(raw); r != "" {
		return nil, r
	}
	if refDepth(raw) > MaxDepth {
		return nil, ReasonTooDeep
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, ReasonInvalidJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, ReasonInvalidJSON
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, ReasonNotObject
	}
	return m, ""
}

func refDepth(raw []byte) int {
	depth, deepest := 0, 0
	inStr, esc := false, false
	for _, c := range raw {
		switch {
		case inStr && esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case inStr && c == '"':
			inStr = false
		case inStr:
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

func addFixtureSeeds(f *testing.F, patterns ...string) {
	for _, pat := range patterns {
		files, _ := filepath.Glob(filepath.Join("testdata", pat))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && len(b) < 1<<16 {
				f.Add(b)
			}
		}
	}
}

var lineSeeds = []string{
	`{"a":1}`, `{"a":"\u00e9\ud83d\ude00\ud800x"}`, `{"a":[1,2,{"b":null}],"c":true,"d":false}`,
	`{"n":-0.5e+10,"m":12345678901234567890}`, `{"a":1,"a":2}`, `{}`, `[]`, `"s"`, `{"a":01}`,
	`{"a":1,}`, `{"a":"\x"}`, ` {"a" : [ ] } `, `{"a":1} x`, `{"a":"tab	in"}`, `{"a":1.}`, `{"a":-}`,
	`{"$oid":"x"}`, `{"_index":"i","_source":{"e":"x"}}`,
}

// FuzzNDJSONLine checks the parser of one record against encoding/json.
func FuzzNDJSONLine(f *testing.F) {
	for _, s := range lineSeeds {
		f.Add([]byte(s))
	}
	p := newParser(MaxDepth)
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, gotReason := p.parseObject(raw)
		if r := checkRaw(raw); r != "" {
			return // rejected before parsing
		}
		want, wantReason := refDecode(raw)
		if gotReason == ReasonTooDeep || wantReason == ReasonTooDeep {
			return // which of two faults is found first may differ
		}
		if gotReason != wantReason {
			t.Fatalf("%q: reason %q, encoding/json %q", raw, gotReason, wantReason)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %#v, encoding/json %#v", raw, got, want)
		}
		doc, _, reason := decodeJSON(p, raw, -1)
		if reason == "" {
			if err := allowedTypes(doc, 0); err != "" {
				t.Fatal(err)
			}
		}
	})
}

// readAll reads every record of a reader and checks the values it returns.
func readAll(t *testing.T, rr recordReader, decode func(*record) (map[string]any, string)) (docs []map[string]any, reasons []string) {
	var rec record
	for range 1 << 20 {
		err := rr.next(&rec)
		if err == io.EOF {
			return docs, reasons
		}
		if err != nil {
			if _, ok := err.(*stopError); !ok {
				t.Fatalf("unexpected error %v", err)
			}
			return docs, append(reasons, err.(*stopError).reason)
		}
		if rec.bad != "" {
			reasons = append(reasons, rec.bad)
			continue
		}
		d, r := decode(&rec)
		if r != "" {
			reasons = append(reasons, r)
			continue
		}
		if err := allowedTypes(d, 0); err != "" {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	t.Fatal("reader does not end")
	return nil, nil
}

func jsonDecoder() func(*record) (map[string]any, string) {
	p := newParser(MaxDepth)
	return func(r *record) (map[string]any, string) {
		d, _, reason := decodeJSON(p, r.raw, r.depth)
		return d, reason
	}
}

// FuzzNDJSONFile reads whole NDJSON files: every non-blank line is a document
// or a skipped record.
func FuzzNDJSONFile(f *testing.F) {
	addFixtureSeeds(f, "formats/*.ndjson", "formats/*.jsonl", "hostile/*.ndjson")
	f.Add([]byte(strings.Join(lineSeeds, "\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReaderSize(bytes.NewReader(data), 16)
		stripBOM(br)
		docs, reasons := readAll(t, newLineReader(br, 64), jsonDecoder())
		lines := 0
		for _, l := range bytes.Split(bytes.TrimPrefix(data, bomUTF8), []byte("\n")) {
			if !isBlank(l) {
				lines++
			}
		}
		if len(docs)+len(reasons) != lines {
			t.Fatalf("%d documents + %d skipped, %d lines", len(docs), len(reasons), lines)
		}
	})
}

// FuzzJSONStream reads JSON files as streams; a valid array of objects must
// give the same documents as encoding/json.
func FuzzJSONStream(f *testing.F) {
	addFixtureSeeds(f, "formats/*.json", "hostile/*.json")
	f.Add([]byte(`[{"a":"]"},{"b":"\"}"}]`))
	f.Add([]byte(`{"a":1} {"b":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReaderSize(bytes.NewReader(data), 16)
		docs, reasons := readAll(t, newJSONStreamReader(br, 1<<10, MaxDepth), jsonDecoder())
		var want []map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if len(data) < 1<<10 && checkRaw(data) == "" && dec.Decode(&want) == nil && !dec.More() && refDepth(data) <= MaxDepth && !hasNil(want) {
			if len(reasons) != 0 || len(docs) != len(want) {
				t.Fatalf("%q: %d documents, %v skipped; encoding/json %d", data, len(docs), reasons, len(want))
			}
			for i := range want {
				if src, ok := want[i]["_source"].(map[string]any); ok {
					if _, ok := want[i]["_index"].(string); ok {
						want[i] = src
					}
				}
				if bytes.Contains(data, []byte(`"$`)) {
					want[i] = convertDoc(want[i])
				}
				if !reflect.DeepEqual(docs[i], want[i]) {
					t.Fatalf("%q: element %d: %#v, want %#v", data, i, docs[i], want[i])
				}
			}
		}
	})
}

// FuzzCSV reads CSV files; without quotes and carriage returns a record is
// a line split at commas.
func FuzzCSV(f *testing.F) {
	addFixtureSeeds(f, "formats/*.csv", "hostile/*.csv")
	f.Add([]byte("a,b\n1,2\n\n3,4"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cr := newCSVReader(bufio.NewReaderSize(bytes.NewReader(data), 16), ',', 256)
		docs, reasons := readAll(t, cr, func(r *record) (map[string]any, string) { return csvDoc(cr.header, r.row), "" })
		if bytes.ContainsAny(data, "\"\r") || len(data) > 200 || checkRaw(data) != "" {
			return
		}
		var lines [][]string
		for _, l := range strings.Split(string(data), "\n") {
			if l != "" {
				lines = append(lines, strings.Split(l, ","))
			}
		}
		if len(lines) == 0 {
			if len(docs)+len(reasons) != 0 {
				t.Fatalf("records from nothing")
			}
			return
		}
		if len(docs)+len(reasons) != len(lines)-1 {
			t.Fatalf("%q: %d documents + %d skipped, %d lines", data, len(docs), len(reasons), len(lines))
		}
		// encoding/csv agrees on unquoted input.
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		all, err := r.ReadAll()
		if err == nil && len(all) != len(lines) {
			t.Fatalf("%q: encoding/csv reads %d records, %d lines", data, len(all), len(lines))
		}
	})
}

// FuzzExtendedJSON converts arbitrary decoded JSON: it must not panic and
// must give only the types of connectors.Document.
func FuzzExtendedJSON(f *testing.F) {
	addFixtureSeeds(f, "formats/mongoexport.json")
	for _, s := range []string{`{"a":{"$date":{"$numberLong":"-99999999999999999"}}}`, `{"a":{"$binary":{"base64":"!!","subType":"04"}}}`,
		`{"a":{"$timestamp":{"t":-1,"i":1}}}`, `{"a":{"$numberDouble":"1e999"}}`, `{"a":{"$date":1e300}}`, `{"a":{"$dbPointer":{"$ref":"x","$id":{"$oid":1}}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, line := range bytes.Split(data, []byte("\n")) {
			dec := json.NewDecoder(bytes.NewReader(line))
			dec.UseNumber()
			var m map[string]any
			if dec.Decode(&m) != nil || m == nil || refDepth(line) > MaxDepth {
				continue
			}
			if err := allowedTypes(convertDoc(m), 0); err != "" {
				t.Fatalf("%q: %s", line, err)
			}
		}
	})
}

func hasNil(ms []map[string]any) bool {
	for _, m := range ms {
		if m == nil {
			return true
		}
	}
	return false
}

// TestParserKeyGuesses: one parser reads documents whose keys come in the
// order it guesses, in another order, escaped, and new: each decodes as
// encoding/json decodes it.
func TestParserKeyGuesses(t *testing.T) {
	p := newParser(MaxDepth)
	for _, doc := range []string{
		`{"a":1,"b":{"c":2,"d":3},"e":[{"f":1,"g":2},{"f":3,"g":4}]}`,
		`{"a":1,"b":{"c":2,"d":3},"e":[{"f":1,"g":2},{"f":3,"g":4}]}`,
		`{"b":{"d":1,"c":2},"a":3,"e":[{"g":1,"f":2}]}`,
		`{"a":1,"x":2,"b":{"c":{"c":{"c":1}}}}`,
		`{"\u0061":1,"a\"b":2,"b":{"c":2,"d":3}}`,
		`{"a":1,"a":2}`,
		`{"e":[{"f":1,"g":2},{"g":3,"f":4,"h":{}}],"a":null}`,
	} {
		got, reason := p.parseObject([]byte(doc))
		want, wantReason := refDecode([]byte(doc))
		if reason != wantReason || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v (%q), encoding/json %v (%q)", doc, got, reason, want, wantReason)
		}
	}
}
