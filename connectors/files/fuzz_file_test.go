package files

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
)

var fuzzExts = []string{".ndjson", ".json", ".csv", ".tsv", ".jsonl", ".ndjson.gz", ".json.gz", ".csv.gz"}

// FuzzSampleFile reads arbitrary bytes as a file of each format, gzip
// included (compressed, or raw bytes under a .gz name), through the
// connector as a scan does: format detection, decompression, parsing,
// Extended JSON and elasticdump unwrapping, the reservoir. It must not
// panic, must emit only the types of connectors.Document, no more documents
// than asked for and no more than it counted.
func FuzzSampleFile(f *testing.F) {
	for _, pat := range []string{"formats/*", "hostile/*"} {
		files, _ := filepath.Glob(filepath.Join("testdata", pat))
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil || len(b) >= 1<<16 {
				continue
			}
			for i, ext := range fuzzExts {
				if strings.HasSuffix(p, ext) {
					f.Add(b, byte(i), true)
				}
			}
		}
	}
	f.Add([]byte("\x00"+`{"a":1}`+"\n"+`{"b":[1,{"$oid":"5f1d7c2e9b1e8a3d4c5b6a79"}]}`), byte(5), false)
	f.Add([]byte(`[{"_index":"i","_source":{"e":"x@example.com"}}]`), byte(1), true)
	f.Add([]byte("sep=;\na;b\n1;2\n"), byte(2), false)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, sel byte, raw bool) {
		ext := fuzzExts[int(sel)%len(fuzzExts)]
		if filepath.Ext(ext) == ".gz" && !raw {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			_, _ = zw.Write(data)
			_ = zw.Close()
			data = b.Bytes()
		}
		p := filepath.Join(dir, "f"+ext)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		conn, err := Open(context.Background(), p, connectors.Options{MaxDocumentBytes: 1 << 16})
		if err != nil {
			return
		}
		defer conn.Close()
		cs, err := conn.Containers(context.Background())
		if err != nil || len(cs) == 0 {
			return
		}
		for _, size := range []int{0, 2} {
			n := 0
			res, err := sampleDecoded(conn, cs[0], connectors.SampleOptions{Size: size, Seed: 1}, func(fields map[string]any) {
				n++
				if msg := allowedTypes(fields, 0); msg != "" {
					t.Fatalf("%s: %s", ext, msg)
				}
			})
			if err != nil {
				continue
			}
			if size > 0 && n > size {
				t.Fatalf("%s: %d documents emitted, %d asked for", ext, n, size)
			}
			if res.TotalDocuments >= 0 && int64(n) > res.TotalDocuments {
				t.Fatalf("%s: %d documents emitted, %d counted", ext, n, res.TotalDocuments)
			}
			if res.Skipped < 0 {
				t.Fatalf("%s: %d skipped", ext, res.Skipped)
			}
		}
	})
}
