package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/files"
	"github.com/piisniff/piisniff/internal/estest"
)

// reportBalance reports, for a full scan split into n shards, the
// documents of one run, the sum over the shards, and the largest and
// smallest shard as a percentage of the documents.
func reportBalance(b *testing.B, counts map[string]int, perShard []int, want int) {
	sum, hi, lo := 0, 0, int(^uint(0)>>1)
	for _, c := range perShard {
		sum += c
		hi, lo = max(hi, c), min(lo, c)
	}
	if sum != want || len(counts) != want {
		b.Fatalf("the shards read %d documents (%d distinct), one run %d", sum, len(counts), want)
	}
	b.ReportMetric(float64(want), "docs")
	b.ReportMetric(float64(sum), "docs-over-shards")
	b.ReportMetric(100*float64(hi)/float64(want), "max-shard-%")
	b.ReportMetric(100*float64(lo)/float64(want), "min-shard-%")
}

// BenchmarkShardBalanceFiles: a full scan of large NDJSON and CSV files
// (cut into byte ranges) and small files (whole) split into 4 shards.
func BenchmarkShardBalanceFiles(b *testing.B) {
	old := files.SliceThreshold
	files.SliceThreshold = 1 << 20
	b.Cleanup(func() { files.SliceThreshold = old })
	dir := b.TempDir()
	var nd, csv strings.Builder
	csv.WriteString("id,email,city\n")
	const big = 60000
	for i := range big {
		fmt.Fprintf(&nd, `{"id":"n%d","email":"n%d@example.com","note":"%s"}`+"\n", i, i, strings.Repeat("z", i%91))
		fmt.Fprintf(&csv, "c%d,c%d@example.com,%s\n", i, i, strings.Repeat("y", i%53))
	}
	for name, s := range map[string]string{"big.ndjson": nd.String(), "big.csv": csv.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	want := 2 * big
	for f := range 20 {
		var s strings.Builder
		for i := range 50 {
			fmt.Fprintf(&s, `{"id":"s%d-%d"}`+"\n", f, i)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("small-%02d.ndjson", f)), []byte(s.String()), 0o600); err != nil {
			b.Fatal(err)
		}
		want += 50
	}
	b.ResetTimer()
	for range b.N {
		counts, perShard, _ := shardReads(b, TargetSpec{Target: dir}, connectors.Options{}, 4, idKey)
		reportBalance(b, counts, perShard, want)
	}
}

// BenchmarkShardBalanceElasticsearch: a full scan of two indices read as
// sliced points in time, split into 4 shards.
func BenchmarkShardBalanceElasticsearch(b *testing.B) {
	srv := estest.New(estest.Config{Flavor: estest.ES8})
	b.Cleanup(srv.Close)
	want := 0
	for i, size := range []int{30000, 10000} {
		docs := make([]map[string]any, 0, size)
		for j := range size {
			docs = append(docs, map[string]any{"id": fmt.Sprintf("e%d-%d", i, j), "email": fmt.Sprintf("e%d@example.com", j)})
		}
		if err := srv.AddIndex(fmt.Sprintf("index-%d", i), nil, docs); err != nil {
			b.Fatal(err)
		}
		want += size
	}
	b.ResetTimer()
	for range b.N {
		counts, perShard, _ := shardReads(b, TargetSpec{Target: srv.URL()}, connectors.Options{}, 4, idKey)
		reportBalance(b, counts, perShard, want)
	}
}
