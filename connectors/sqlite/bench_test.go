package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
	"github.com/piisniff/piisniff/internal/benchstat"
)

// The benchmarks read a table of benchRows rows in a database file built
// once per run in a temporary directory (removed when the run ends).
const benchRows = 1_000_000

var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

// benchFile builds the file: five columns, one of them JSON, as the MariaDB
// and PostgreSQL benchmarks' tables.
func benchFile(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "piisniff-sqlite-bench")
		if err != nil {
			benchErr = err
			return
		}
		benchPath = filepath.Join(dir, "big.db")
		db, err := sql.Open("sqlite", benchPath)
		if err != nil {
			benchErr = err
			return
		}
		defer db.Close()
		for _, s := range []string{
			"CREATE TABLE big (id INTEGER PRIMARY KEY, email TEXT, name TEXT, city TEXT, profile JSON)",
			`INSERT INTO big WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 1000000)
				SELECT n, 'user' || n || '@example.org', 'Name ' || n, CASE n % 3 WHEN 0 THEN 'Lyon' WHEN 1 THEN 'Porto' ELSE 'Graz' END,
				json_object('street', n || ' Linden Lane', 'age', n % 90) FROM seq`,
			"ANALYZE",
		} {
			if _, err := db.Exec(s); err != nil {
				benchErr = err
				return
			}
		}
		benchErr = db.Close()
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchPath != "" {
		_ = os.RemoveAll(filepath.Dir(benchPath))
	}
	os.Exit(code)
}

// BenchmarkVersusRaw interleaves a raw read through the driver and the
// connector (raw, then ours, every iteration) on a 1,000,000-row file and
// reports ours/raw as the median, lowest and highest ratio of the
// iterations, and the median ratio of the process's CPU time:
// sample-10k against SELECT ... LIMIT 10000 (target at most 1.5),
// full-read against a raw full read in rows per second (target at least
// 0.5), with the process's peak resident set (target under 200 MiB). The
// connector converts every row into a document (the raw read converts
// nothing).
//
//	go test ./connectors/sqlite -run '^$' -bench VersusRaw -benchtime 5x -count 3
func BenchmarkVersusRaw(b *testing.B) {
	b.Run("sample-10k", func(b *testing.B) { versusRaw(b, 10000, " LIMIT 10000", false) })
	b.Run("full-read", func(b *testing.B) { versusRaw(b, 0, "", true) })
}

func versusRaw(b *testing.B, size int, limit string, speed bool) {
	path := benchFile(b)
	ctx := context.Background()
	c, err := open(ctx, path, "big.db", connectors.Options{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	cs, err := c.Containers(ctx)
	if err != nil || len(cs) != 1 {
		b.Fatalf("%v %v", cs, err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	var ratios, cpuRatios []float64
	var method string
	for i := 0; i < b.N; i++ {
		cpu := benchstat.ProcessCPU()
		start := time.Now()
		rawRows := connectortest.RawRead(b, raw, "SELECT id, email, name, city, profile FROM big"+limit)
		rawTime := time.Since(start)
		rawCPU := benchstat.ProcessCPU() - cpu
		cpu = benchstat.ProcessCPU()
		start = time.Now()
		ours := 0
		res, err := c.Sample(ctx, cs[0], connectors.SampleOptions{Size: size, Seed: int64(i)}, func(connectors.Document) error {
			ours++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		oursTime := time.Since(start)
		method = res.Method
		if want := min(rawRows, benchRows); size > 0 && ours != size || size == 0 && ours != want {
			b.Fatalf("%d rows sampled (method %s), raw read %d", ours, res.Method, rawRows)
		}
		cpuRatios = append(cpuRatios, float64(benchstat.ProcessCPU()-cpu)/float64(rawCPU))
		r := float64(oursTime) / float64(rawTime)
		if speed { // rows per second, ours over raw
			r = float64(ours) / oursTime.Seconds() / (float64(rawRows) / rawTime.Seconds())
		}
		ratios = append(ratios, r)
	}
	b.Logf("method %s", method)
	benchstat.ReportSpread(b, "ratio", ratios)
	benchstat.ReportMedian(b, "cpu-ratio", cpuRatios)
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB")
	}
}
