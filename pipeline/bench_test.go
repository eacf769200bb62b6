package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	_ "github.com/piisniff/piisniff/connectors/files"
	"github.com/piisniff/piisniff/internal/benchgen"
)

// benchDocs is the size of the generated NDJSON file of the scan benchmarks
// (PIISNIFF_BENCH_DOCS overrides it for quick profiling).
var benchDocs = func() int {
	if n, err := strconv.Atoi(os.Getenv("PIISNIFF_BENCH_DOCS")); err == nil && n > 0 {
		return n
	}
	return 200000
}()

var (
	benchOnce sync.Once
	benchFile string
	benchSize int64
)

func benchInput(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "piisniff-bench")
		if err != nil {
			b.Fatal(err)
		}
		benchFile = filepath.Join(dir, "docs.ndjson")
		f, err := os.Create(benchFile)
		if err != nil {
			b.Fatal(err)
		}
		if err := benchgen.Write(f, benchDocs, 1); err != nil {
			b.Fatal(err)
		}
		f.Close()
		st, _ := os.Stat(benchFile)
		benchSize = st.Size()
	})
	return benchFile
}

// BenchmarkDecodeOnly is the baseline: decoding the file with encoding/json
// into maps, one document per line, nothing else.
func BenchmarkDecodeOnly(b *testing.B) {
	path := benchInput(b)
	b.SetBytes(benchSize)
	b.ResetTimer()
	for range b.N {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		n := 0
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				b.Fatal(err)
			}
			n++
		}
		f.Close()
		if n != benchDocs {
			b.Fatalf("decoded %d documents", n)
		}
	}
	b.ReportMetric(float64(benchDocs)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkScanAll is the full scan of the same file with --sample-size 0:
// files connector, flattening, every rule, aggregation and the report.
func BenchmarkScanAll(b *testing.B) {
	path := benchInput(b)
	e := testEngine(b)
	b.SetBytes(benchSize)
	b.ResetTimer()
	for range b.N {
		r := Run(context.Background(), []string{path}, Config{Engine: e, SampleSize: 0, MinConfidence: 0.5})
		if !r.Complete || r.Summary.DocumentsSampled != int64(benchDocs) {
			b.Fatalf("complete=%v sampled=%d", r.Complete, r.Summary.DocumentsSampled)
		}
	}
	b.ReportMetric(float64(benchDocs)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchFile != "" {
		os.RemoveAll(filepath.Dir(benchFile))
	}
	os.Exit(code)
}
