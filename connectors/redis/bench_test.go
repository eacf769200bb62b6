package redis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
	"github.com/piisniff/piisniff/internal/benchstat"
	"github.com/piisniff/piisniff/internal/redistest"
)

// The benchmarks run on a redis-server of their own (never the shared one)
// holding 1,000,000 keys of five types, 200,000 each.
const (
	benchKeys     = 1_000_000
	benchPatterns = 5
	benchSample   = 10_000
)

// benchKey is the i-th key and its type.
func benchKey(i int) (string, string) {
	n := i / benchPatterns
	switch i % benchPatterns {
	case 0:
		return fmt.Sprintf("user:%d", n), "hash"
	case 1:
		return fmt.Sprintf("session:%016x", uint64(n)*0x9e3779b97f4a7c15), "string"
	case 2:
		return fmt.Sprintf("cart:%d:items", n), "list"
	case 3:
		return fmt.Sprintf("tags:%d", n), "set"
	default:
		return fmt.Sprintf("score:%d", n), "zset"
	}
}

// startBench starts the server and fills it once per benchmark.
func startBench(b testing.TB) (*redistest.Server, *goredis.Client) {
	b.Helper()
	srv := redistest.StartServer(b)
	cl := srv.Client(b, "", 0)
	ctx := context.Background()
	const batch = 10_000
	for start := 0; start < benchKeys; start += batch {
		p := cl.Pipeline()
		for i := start; i < start+batch; i++ {
			k, typ := benchKey(i)
			switch typ {
			case "hash":
				p.HSet(ctx, k, "email", fmt.Sprintf("u%d@example.com", i), "name", "Ann Example", "city", "Springfield")
			case "string":
				p.Set(ctx, k, fmt.Sprintf(`{"user":%d,"ip":"198.51.100.%d","ua":"LeakyApp/4.2"}`, i, i%250), 0)
			case "list":
				p.RPush(ctx, k, "SKU-1", "SKU-2", "SKU-3", "SKU-4", "SKU-5")
			case "set":
				p.SAdd(ctx, k, "a", "b", "c")
			case "zset":
				p.ZAdd(ctx, k, goredis.Z{Score: 1, Member: "x"}, goredis.Z{Score: 2, Member: "y"}, goredis.Z{Score: 3, Member: "z"})
			}
		}
		if _, err := p.Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
	return srv, cl
}

// BenchmarkSample10kOf1M: the connector opens the server, lists the
// database (RANDOMKEY draws) and samples 2,000 keys from each of the five
// patterns: 10,000 keys read and decoded into documents.
func BenchmarkSample10kOf1M(b *testing.B) {
	srv, _ := startBench(b)
	ctx := context.Background()
	own := &Options{KeysPerPattern: benchSample / benchPatterns}
	b.ResetTimer()
	for b.Loop() {
		c, err := Open(ctx, "redis://"+srv.Addr, connectors.Options{}.WithStore(Name, own))
		if err != nil {
			b.Fatal(err)
		}
		cs, err := c.Containers(ctx)
		if err != nil {
			b.Fatal(err)
		}
		docs := 0
		for _, ct := range cs {
			if _, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: benchSample / benchPatterns, Seed: 1}, func(connectors.Document) error {
				docs++
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
		c.Close()
		if docs < benchSample*9/10 {
			b.Fatalf("%d documents sampled, want about %d", docs, benchSample)
		}
	}
	b.StopTimer()
	reportRSS(b)
}

// BenchmarkSample10kOf1MConcurrent is BenchmarkSample10kOf1M with the
// patterns sampled four at a time, as the scan pipeline does (--concurrency 4).
func BenchmarkSample10kOf1MConcurrent(b *testing.B) {
	srv, _ := startBench(b)
	ctx := context.Background()
	own := &Options{KeysPerPattern: benchSample / benchPatterns}
	b.ResetTimer()
	for b.Loop() {
		c, err := Open(ctx, "redis://"+srv.Addr, connectors.Options{Concurrency: 4}.WithStore(Name, own))
		if err != nil {
			b.Fatal(err)
		}
		cs, err := c.Containers(ctx)
		if err != nil {
			b.Fatal(err)
		}
		var docs atomic.Int64
		sampleAtOnce(ctx, b, c, cs, 4, benchSample/benchPatterns, func(connectors.Document) error {
			docs.Add(1)
			return nil
		})
		c.Close()
		if docs.Load() < benchSample*9/10 {
			b.Fatalf("%d documents sampled, want about %d", docs.Load(), benchSample)
		}
	}
	b.StopTimer()
	reportRSS(b)
}

// rawBatch is the baseline's pipeline size (fixed here, whatever the
// connector's own batches are).
const rawBatch = 1000

// BenchmarkRawPipelinedRead is the baseline: 10,000 keys known in advance
// (types included), read through go-redis in pipelines of rawBatch, each
// with the one command that returns its value.
func BenchmarkRawPipelinedRead(b *testing.B) {
	_, cl := startBench(b)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	type kt struct{ k, t string }
	keys := make([]kt, benchSample)
	for i := range keys {
		k, t := benchKey(r.IntN(benchKeys))
		keys[i] = kt{k, t}
	}
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for start := 0; start < len(keys); start += rawBatch {
			cmds, err := cl.Pipelined(ctx, func(p goredis.Pipeliner) error {
				for _, x := range keys[start:min(start+rawBatch, len(keys))] {
					switch x.t {
					case "hash":
						p.HGetAll(ctx, x.k)
					case "string":
						p.Get(ctx, x.k)
					case "list":
						p.LRange(ctx, x.k, 0, 99)
					case "set":
						p.SMembers(ctx, x.k)
					case "zset":
						p.ZRange(ctx, x.k, 0, 99)
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			n += len(cmds)
		}
		if n != benchSample {
			b.Fatalf("%d read", n)
		}
	}
	b.StopTimer()
	reportRSS(b)
}

// reportRSS reports the process's peak resident set size.
func reportRSS(b *testing.B) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB")
	}
}

// BenchmarkVersusRaw interleaves BenchmarkRawPipelinedRead's read and
// BenchmarkSample10kOf1M's scan (raw, then ours, every iteration, on one
// server) so that both meet the same load, and reports ours/raw as the
// median, lowest and highest ratio of the iterations (target at most 1.5).
//
//	go test ./connectors/redis/ -run '^$' -bench VersusRaw -benchtime 10x -count 3
//
// It also reports the median ratio of the time the server spent on each
// phase's commands (server-ratio-median) and that of the CPU time the
// client process spent on each phase (cpu-ratio-median, user and system,
// the garbage collector's included): figures that depend less than the
// wall clock on what else the machine runs.
//
// The connector hands most values over undecoded (the pipeline decodes
// them on its workers): the sample+decode variant also decodes every
// document on two goroutines, as the pipeline's two workers do, and stops
// the clock when the last one is decoded.
func BenchmarkVersusRaw(b *testing.B) {
	srv, cl := startBench(b)
	b.Run("sample", func(b *testing.B) { versusRaw(b, srv, cl, false, 1) })
	b.Run("sample+decode", func(b *testing.B) { versusRaw(b, srv, cl, true, 1) })
	b.Run("sample-4-at-once", func(b *testing.B) { versusRaw(b, srv, cl, false, 4) })
}

// versusRaw: patterns sampled at once: 1, one after the other; 4, as a
// scan samples the containers of a target by default (--concurrency 4).
func versusRaw(b *testing.B, srv *redistest.Server, cl *goredis.Client, decode bool, atOnce int) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	type kt struct{ k, t string }
	keys := make([]kt, benchSample)
	for i := range keys {
		k, t := benchKey(r.IntN(benchKeys))
		keys[i] = kt{k, t}
	}
	own := &Options{KeysPerPattern: benchSample / benchPatterns}
	var ratios, serverRatios, cpuRatios []float64
	for i := 0; i < b.N; i++ {
		runtime.GC() // each phase pays for its own garbage
		cpu0 := benchstat.ProcessCPU()
		start := time.Now()
		resetStats(b, cl)
		for from := 0; from < len(keys); from += rawBatch {
			if _, err := cl.Pipelined(ctx, func(p goredis.Pipeliner) error {
				for _, x := range keys[from:min(from+rawBatch, len(keys))] {
					switch x.t {
					case "hash":
						p.HGetAll(ctx, x.k)
					case "string":
						p.Get(ctx, x.k)
					case "list":
						p.LRange(ctx, x.k, 0, 99)
					case "set":
						p.SMembers(ctx, x.k)
					case "zset":
						p.ZRange(ctx, x.k, 0, 99)
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
		raw := time.Since(start)
		rawCPU := benchstat.ProcessCPU() - cpu0
		rawServer, rawLog := serverStats(b, cl)
		resetStats(b, cl)
		runtime.GC()
		cpu0 = benchstat.ProcessCPU()
		start = time.Now()
		c, err := Open(ctx, "redis://"+srv.Addr, connectors.Options{Concurrency: atOnce}.WithStore(Name, own))
		if err != nil {
			b.Fatal(err)
		}
		cs, err := c.Containers(ctx)
		if err != nil {
			b.Fatal(err)
		}
		docs := 0
		emit, wait := connectortest.DecodingEmit(b, decode, &docs)
		if atOnce > 1 {
			emit = lockedEmit(emit)
		}
		sampleAtOnce(ctx, b, c, cs, atOnce, benchSample/benchPatterns, emit)
		c.Close()
		wait()
		if b.Failed() {
			b.FailNow()
		}
		ours := time.Since(start)
		oursCPU := benchstat.ProcessCPU() - cpu0
		cpuRatios = append(cpuRatios, float64(oursCPU)/float64(max(rawCPU, 1)))
		oursServer, oursLog := serverStats(b, cl)
		serverRatios = append(serverRatios, oursServer/rawServer)
		if i == b.N-1 {
			b.Logf("raw: %v wall, %v CPU, server %s", raw, rawCPU, rawLog)
			b.Logf("ours: %v wall, %v CPU, server %s", ours, oursCPU, oursLog)
			b.Logf("ours: listing: %s", strings.Join(cs[0].Notes, "; "))
		}
		if docs < benchSample*9/10 {
			b.Fatalf("%d documents sampled, want about %d", docs, benchSample)
		}
		ratios = append(ratios, float64(ours)/float64(raw))
	}
	benchstat.ReportSpread(b, "ratio", ratios)
	benchstat.ReportMedian(b, "server-ratio", serverRatios)
	benchstat.ReportMedian(b, "cpu-ratio", cpuRatios)
}

// sampleAtOnce samples each container of cs (size documents, seed 1),
// atOnce of them at a time, as a scan does; emit is called from as many
// goroutines.
func sampleAtOnce(ctx context.Context, tb testing.TB, c connectors.Connector, cs []connectors.Container, atOnce, size int, emit func(connectors.Document) error) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, atOnce)
	for _, ct := range cs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: size, Seed: 1}, emit); err != nil {
				tb.Error(err)
			}
		}()
	}
	wg.Wait()
}

// lockedEmit serialises calls of emit (the patterns sampled at once call it
// from their own goroutines).
func lockedEmit(emit func(connectors.Document) error) func(connectors.Document) error {
	var mu sync.Mutex
	return func(d connectors.Document) error {
		mu.Lock()
		defer mu.Unlock()
		return emit(d)
	}
}

// resetStats and serverMicros measure the time the server spent on the
// commands of a phase (INFO commandstats, the benchmark's own server): a
// figure that depends less than the wall clock on what else the machine
// runs. The INFO and CONFIG RESETSTAT of the measure are left out.
func resetStats(b *testing.B, cl *goredis.Client) {
	if err := cl.ConfigResetStat(context.Background()).Err(); err != nil {
		b.Fatal(err)
	}
}

func serverMicros(b *testing.B, cl *goredis.Client) float64 {
	total, _ := serverStats(b, cl)
	return total
}

// serverStats is serverMicros with the commands' calls and time, one line
// each, for the log of the last iteration (go test -v).
func serverStats(b *testing.B, cl *goredis.Client) (float64, string) {
	info, err := cl.Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatal(err)
	}
	var total float64
	var lines []string
	for k, v := range parseInfo(info) {
		if !strings.HasPrefix(k, "cmdstat_") || k == "cmdstat_info" || strings.HasPrefix(k, "cmdstat_config") {
			continue
		}
		var calls, usec string
		for _, f := range strings.Split(v, ",") {
			if x, ok := strings.CutPrefix(f, "usec="); ok {
				n, _ := strconv.ParseFloat(x, 64)
				total += n
				usec = x
			}
			if x, ok := strings.CutPrefix(f, "calls="); ok {
				calls = x
			}
		}
		lines = append(lines, fmt.Sprintf("%s: %s calls, %s µs", strings.TrimPrefix(k, "cmdstat_"), calls, usec))
	}
	slices.Sort(lines)
	return total, strings.Join(lines, "; ")
}
