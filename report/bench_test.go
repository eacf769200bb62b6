//go:build unix

package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"github.com/piisniff/piisniff/internal/benchstat"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// writeSyntheticShard writes shard index of count with n containers, as
// the pipeline writes a shard report: findings, people and merge state.
// With sliced, every shard holds a slice of the same containers (a full
// scan cut into slices); otherwise each shard holds its own containers.
func writeSyntheticShard(path string, index, count, n int, sliced bool) error {
	r := &Report{SchemaVersion: SchemaVersion, Tool: Tool{Name: "piisniff", Version: "bench"},
		StartedAt: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC), FinishedAt: time.Date(2026, 11, 24, 10, 5, 0, 0, time.UTC),
		Complete: true, Shard: &ShardInfo{Index: index, Count: count}, Fingerprint: "sha256:bench",
		Settings: &Settings{Seed: 1, MinConfidence: 0.5}}
	t := Target{URI: "mongodb://db.example.internal:27017", Kind: "mongodb",
		Exposure: Exposure{Reachable: true, Server: "MongoDB 7.0", Notes: []string{}}}
	for j := 0; j < n; j++ {
		name := fmt.Sprintf("shop.c%05d", j)
		if !sliced {
			name = fmt.Sprintf("shop.s%04d.c%05d", index, j)
		}
		pc := PeopleCounter{}
		for k := 0; k < 8; k++ {
			pc.Add("email", hashOf(uint64(index*1_000_003+j*17+k)))
		}
		h := hashOf(uint64(index*7919 + j))
		st := &MergeState{TotalDocuments: 100, ListedDocuments: 100 * int64(count), Fields: []FieldState{
			{Path: "email", Documents: 100, Values: 100, Categories: []CategoryState{{
				Category: "email", MatchedDocuments: 97, MatchedValues: 97, ConfidenceSum: 97 * 0.93, ConfidenceMax: 0.99,
				Evidence: []string{"value", "field_name", "validator"}, Rules: []string{"email"},
				Examples: []Example{{HashString(h), "a***@example.org"}, {HashString(h + 1), "b***@example.org"}, {HashString(h + 2), "c***@example.org"}},
				People:   pc["email"].Encode(), Counter: pc["email"]}}},
			{Path: "name", Documents: 100, Values: 100, Categories: []CategoryState{{
				Category: "person_name", MatchedDocuments: 90, MatchedValues: 90, ConfidenceSum: 90 * 0.8, ConfidenceMax: 0.9,
				Evidence: []string{"value", "field_name"}, Rules: []string{"person_name"},
				Examples: []Example{{HashString(h + 3), "A*** B***"}}}}},
		}}
		if sliced {
			st.Slice = &ShardInfo{Index: index, Count: count}
		}
		c := Container{Name: name, SampledDocuments: 100, SamplingMethod: "all", MergeState: st}
		c.EstimatedDocuments = ContainerTotal(st.TotalDocuments, st.ListedDocuments, 100)
		fields, people := BuildFields(st, 100, c.EstimatedDocuments, testBuild)
		c.Fields, c.People = fields, people.People(false, 100, 100, true)
		t.Containers = append(t.Containers, c)
	}
	r.Targets = []Target{t}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := json.NewEncoder(w).Encode(r); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// BenchmarkMergeShards merges PIISNIFF_MERGE_SHARDS synthetic shard reports
// (default 20) of PIISNIFF_MERGE_CONTAINERS containers each (default 100);
// PIISNIFF_MERGE_MODE=disjoint gives every shard its own containers, else
// every shard holds a slice of the same containers. It reports the peak
// heap sampled during the merge and the writing of the JSON report (to
// io.Discard); scripts/bench-merge.sh runs it at 1,000 × 1,000 under
// /usr/bin/time for the peak RSS.
func BenchmarkMergeShards(b *testing.B) {
	shards := envInt("PIISNIFF_MERGE_SHARDS", 20)
	containers := envInt("PIISNIFF_MERGE_CONTAINERS", 100)
	sliced := os.Getenv("PIISNIFF_MERGE_MODE") != "disjoint"
	dir := b.TempDir()
	var srcs []MergeSource
	var bytes int64
	for i := 0; i < shards; i++ {
		p := filepath.Join(dir, fmt.Sprintf("shard-%04d.json", i))
		if err := writeSyntheticShard(p, i, shards, containers, sliced); err != nil {
			b.Fatal(err)
		}
		st, _ := os.Stat(p)
		bytes += st.Size()
		srcs = append(srcs, MergeSource{Name: p, Open: func() (io.ReadCloser, error) { return os.Open(p) }})
	}
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	b.SetBytes(bytes)
	cpu0 := benchstat.ProcessCPU()
	b.ResetTimer()
	var out *Report
	n := 0
	for range b.N {
		// what report merge -o report.json does: merge, then write
		m, err := MergeStream(srcs, testMergeOptions())
		if err != nil {
			b.Fatal(err)
		}
		if err := m.WriteJSON(io.Discard); err != nil {
			b.Fatal(err)
		}
		out, n = m.Head, m.Containers()
		m.Close()
	}
	b.StopTimer()
	cpu := benchstat.ProcessCPU() - cpu0
	close(stop)
	wg.Wait()
	if !out.Complete || out.Summary.DocumentsSampled != int64(shards*containers*100) {
		b.Fatalf("merged: complete %v, %d documents", out.Complete, out.Summary.DocumentsSampled)
	}
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(bytes)/(1<<20), "input-MiB")
	b.ReportMetric(float64(n), "containers-out")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkPeopleMillion counts 1,000,000 generated identities (e-mail
// addresses, keyed hashes) in one container's counter and reports the
// error of the estimate and the size of the sketch that travels in the
// report.
func BenchmarkPeopleMillion(b *testing.B) {
	const n = 1_000_000
	h := NewPeopleHasher(42, "bench")
	var worst float64
	var size int
	for range b.N {
		var d Distinct
		for i := 0; i < n; i++ {
			id := "person" + strconv.Itoa(i) + "@example.org"
			d.Add(h.Sum("email", id))
			if i%3 == 0 { // repeats do not count
				d.Add(h.Sum("email", id))
			}
		}
		got, _ := d.Count()
		worst = max(worst, math.Abs(float64(got)-n)/n)
		enc := d.Encode()
		size = len(enc) * 3 / 4 // the binary registers
		if worst > 0.02 || size > 20<<10 {
			b.Fatalf("estimate %d of %d (error %.2f%%), sketch %d bytes", got, n, 100*worst, size)
		}
	}
	b.ReportMetric(100*worst, "error-%")
	b.ReportMetric(float64(size), "sketch-bytes")
}
