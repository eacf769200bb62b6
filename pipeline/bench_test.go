package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"github.com/piisniff/piisniff/internal/benchstat"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/piisniff/piisniff/classifiers"

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

// benchCorpus is the generated corpus: "mixed" (the default: nine
// collection shapes, eight locales, free text; benchgen.WriteMixed) or
// "uniform" (one shape; benchgen.Write), from PIISNIFF_BENCH_CORPUS.
var benchCorpus = func() string {
	if c := os.Getenv("PIISNIFF_BENCH_CORPUS"); c != "" {
		return c
	}
	return "mixed"
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
		write := benchgen.WriteMixed
		if benchCorpus == "uniform" {
			write = benchgen.Write
		}
		if err := write(f, benchDocs, 1); err != nil {
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
		decodeFile(b, path)
	}
	b.ReportMetric(float64(benchDocs)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

func decodeFile(b *testing.B, path string) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
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
	if n != benchDocs {
		b.Fatalf("decoded %d documents", n)
	}
}

func scanFile(b *testing.B, e *classifiers.Engine, path string, workers, sample int) {
	r := Run(context.Background(), []string{path}, Config{Engine: e, SampleSize: sample, MinConfidence: 0.5, Workers: workers})
	if !r.Complete || sample == 0 && r.Summary.DocumentsSampled != int64(benchDocs) {
		b.Fatalf("complete=%v sampled=%d", r.Complete, r.Summary.DocumentsSampled)
	}
}

// BenchmarkScanVsDecode is the figure the README gives: each iteration
// decodes the file with encoding/json into maps, then scans it in full
// with two workers, so both see the same machine load; ratio is the
// decode time over the scan time (1.0: the scan is as fast as decoding
// alone), scan-MB/s and scan-docs/s the scan's throughput. cpu-ratio is
// the decode's CPU time over the scan's (all its workers together): it
// depends much less on other load of the machine than the wall times, and
// the scan's ratio on two free cores is about twice it. scan-cpu-ns/doc
// and decode-cpu-ns/doc are the CPU times per document, for comparing two
// builds on a busy machine.
func BenchmarkScanVsDecode(b *testing.B) {
	path := benchInput(b)
	e := testEngine(b)
	var dec, scan, decCPU, scanCPU time.Duration
	b.ResetTimer()
	for range b.N {
		c0, t0 := benchstat.ProcessCPU(), time.Now()
		decodeFile(b, path)
		c1, t1 := benchstat.ProcessCPU(), time.Now()
		scanFile(b, e, path, 2, 0)
		dec += t1.Sub(t0)
		scan += time.Since(t1)
		decCPU += c1 - c0
		scanCPU += benchstat.ProcessCPU() - c1
	}
	b.ReportMetric(dec.Seconds()/scan.Seconds(), "ratio")
	b.ReportMetric(decCPU.Seconds()/scanCPU.Seconds(), "cpu-ratio")
	b.ReportMetric(float64(benchSize)*float64(b.N)/scan.Seconds()/1e6, "scan-MB/s")
	b.ReportMetric(float64(benchSize)*float64(b.N)/dec.Seconds()/1e6, "decode-MB/s")
	b.ReportMetric(float64(benchDocs)*float64(b.N)/scan.Seconds(), "scan-docs/s")
	b.ReportMetric(float64(scanCPU.Nanoseconds())/float64(benchDocs*b.N), "scan-cpu-ns/doc")
	b.ReportMetric(float64(decCPU.Nanoseconds())/float64(benchDocs*b.N), "decode-cpu-ns/doc")
}

// BenchmarkScanWorkers scans the file in full with one and with two
// workers, interleaved in each iteration; speedup is the one-worker time
// over the two-worker time, 1w-cpu-ns/doc and 2w-cpu-ns/doc the CPU time
// (all threads) per document of each: two workers cannot be twice as fast
// when they take more CPU per document than one (the collector and the
// goroutine reading the file have a core of their own with one worker,
// and two hardware threads may share one core's units).
func BenchmarkScanWorkers(b *testing.B) {
	path := benchInput(b)
	e := testEngine(b)
	var one, two, oneCPU, twoCPU time.Duration
	b.ResetTimer()
	for range b.N {
		c0, t0 := benchstat.ProcessCPU(), time.Now()
		scanFile(b, e, path, 1, 0)
		c1, t1 := benchstat.ProcessCPU(), time.Now()
		scanFile(b, e, path, 2, 0)
		one += t1.Sub(t0)
		two += time.Since(t1)
		oneCPU += c1 - c0
		twoCPU += benchstat.ProcessCPU() - c1
	}
	b.ReportMetric(one.Seconds()/two.Seconds(), "speedup")
	b.ReportMetric(float64(oneCPU.Nanoseconds())/float64(benchDocs*b.N), "1w-cpu-ns/doc")
	b.ReportMetric(float64(twoCPU.Nanoseconds())/float64(benchDocs*b.N), "2w-cpu-ns/doc")
	b.ReportMetric(float64(benchDocs)*float64(b.N)/one.Seconds(), "1w-docs/s")
	b.ReportMetric(float64(benchDocs)*float64(b.N)/two.Seconds(), "2w-docs/s")
}

// BenchmarkScanSampled is a default scan: 10,000 documents sampled.
func BenchmarkScanSampled(b *testing.B) {
	path := benchInput(b)
	e := testEngine(b)
	b.ResetTimer()
	for range b.N {
		scanFile(b, e, path, 0, 10000)
	}
}

// BenchmarkScanAll is the full scan of the same file with --sample-size 0:
// files connector, flattening, every rule, aggregation and the report.
func BenchmarkScanAll(b *testing.B) {
	path := benchInput(b)
	e := testEngine(b)
	b.SetBytes(benchSize)
	b.ResetTimer()
	for range b.N {
		scanFile(b, e, path, 0, 0)
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

// classifyVisitor classifies every scalar of a document as the workers do,
// without aggregation.
type classifyVisitor struct {
	e      *classifiers.Engine
	fields map[string]*classifiers.Field
	region string
	hits   []classifiers.Hit
	n      int
}

func (v *classifyVisitor) Scalar(path []byte, val classifiers.Value) {
	f, ok := v.fields[string(path)]
	if !ok {
		f = v.e.Field(string(path), "")
		v.fields[string(path)] = f
	}
	v.hits = f.ClassifyIn(val, v.region, v.hits[:0])
	v.n += len(v.hits)
}

func (v *classifyVisitor) Node(path []byte, node any) {}

// BenchmarkClassifyCorpus flattens and classifies 20,000 documents of the
// benchmark corpus held in memory, on one goroutine: the classifiers' cost
// alone, for comparing two builds (it reads no file and decodes nothing).
func BenchmarkClassifyCorpus(b *testing.B) {
	var buf bytes.Buffer
	if err := benchgen.WriteMixed(&buf, 20000, 1); err != nil {
		b.Fatal(err)
	}
	var docs []map[string]any
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			b.Fatal(err)
		}
		docs = append(docs, m)
	}
	e := testEngine(b)
	v := &classifyVisitor{e: e, fields: map[string]*classifiers.Field{}}
	var fl Flattener
	b.ResetTimer()
	c0 := benchstat.ProcessCPU()
	for range b.N {
		for _, d := range docs {
			v.region = e.DocumentRegion(d)
			if err := fl.Flatten(d, v); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(benchstat.ProcessCPU()-c0)/float64(len(docs)*b.N), "cpu-ns/doc")
	b.ReportMetric(float64(len(docs)*b.N)/b.Elapsed().Seconds(), "docs/s")
}
