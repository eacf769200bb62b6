package files

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/benchgen"
)

// benchDoc is one document of the benchmark file, shaped like an app's user.
func benchDoc(i int) string {
	return fmt.Sprintf(`{"_id":"usr_%d","name":"User %d","email":"user%d@example.com","contacts":[{"type":"mobile","phone":"+1 202-555-%04d"}],`+
		`"address":{"street":"%d Maple Avenue","city":"Springfield","postal_code":"%05d"},"card":%d,"created_at":"2026-03-01T10:00:00Z",`+
		`"active":true,"score":%d.5,"tags":["a","b","c"]}`, i, i, i, i%10000, i%500, i%100000, 4000000000000000+i, i%100)
}

// BenchmarkNDJSON reads a generated NDJSON file of 200,000 documents:
// every document, a 10,000-document reservoir, and, as the baseline, a
// plain encoding/json decode of every line.
func BenchmarkNDJSON(b *testing.B) {
	const docs = 200000
	path := writeLines(b, b.TempDir(), "bench.ndjson", docs, benchDoc)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	report := func(b *testing.B) {
		b.SetBytes(st.Size())
		b.ReportMetric(float64(docs)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	}
	c, ct := openContainer(b, path, connectors.Options{})
	for _, size := range []int{0, 10000} {
		name := "all"
		if size > 0 {
			name = fmt.Sprintf("reservoir-%d", size)
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				// the records are decoded here, as the pipeline's
				// workers decode them
				res, err := c.Sample(context.Background(), ct, connectors.SampleOptions{Size: size, Seed: 1}, func(d connectors.Document) error {
					if _, reason, ok := d.Decode(); !ok {
						b.Fatal(reason)
					}
					return nil
				})
				if err != nil || res.TotalDocuments != docs {
					b.Fatal(res, err)
				}
			}
			report(b)
		})
	}
	b.Run("encoding-json-baseline", func(b *testing.B) {
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 64<<10), 16<<20)
			n := 0
			for sc.Scan() {
				dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
				dec.UseNumber()
				var v map[string]any
				if err := dec.Decode(&v); err != nil {
					b.Fatal(err)
				}
				n++
			}
			f.Close()
			if n != docs {
				b.Fatal(n)
			}
		}
		report(b)
	})
}

// BenchmarkCSV reads a generated CSV file of 200,000 rows.
func BenchmarkCSV(b *testing.B) {
	const rows = 200000
	dir := b.TempDir()
	path := filepath.Join(dir, "bench.csv")
	var buf bytes.Buffer
	buf.WriteString("name,email,phone,zip,note\n")
	for i := range rows {
		fmt.Fprintf(&buf, "User %d,user%d@example.com,+1 202-555-%04d,%05d,\"said \"\"hi\"\", twice\"\n", i, i, i%10000, i%100000)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	c, ct := openContainer(b, path, connectors.Options{})
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		res, err := c.Sample(context.Background(), ct, connectors.SampleOptions{}, func(connectors.Document) error { return nil })
		if err != nil || res.TotalDocuments != rows {
			b.Fatal(res, err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkParseCorpus parses the records of the scan benchmarks' corpus
// (benchgen.WriteMixed: nine shapes interleaved) on one goroutine: the
// parser's cost alone.
func BenchmarkParseCorpus(b *testing.B) {
	var buf bytes.Buffer
	if err := benchgen.WriteMixed(&buf, 20000, 1); err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	p := newParser(MaxDepth)
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, l := range lines {
			if _, reason := p.parseObject(l); reason != "" {
				b.Fatal(reason)
			}
		}
	}
}
