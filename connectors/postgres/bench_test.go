package postgres

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/benchstat"
	"github.com/piisniff/piisniff/internal/pgtest"
)

// BenchmarkMillionRows compares the connector with raw pgx reads on a
// table of 1,000,000 rows made in a database of its own (dropped after):
//
//	go test ./connectors/postgres/ -run '^$' -bench MillionRows -benchtime 5x
//
// sample-10k-same-seed vs raw-select-10k: sampling 10,000 rows against a
// plain SELECT ... LIMIT 10000, both reading the same pages each time;
// sample-10k-new-seed vs raw-select-10k-elsewhere: each time other pages,
// as a scan meets a table (target at most 1.5x the time); all-rows vs
// raw-full-read: --sample-size 0 against SELECT * (target at least half
// the rows per second); peak-RSS-MiB is the process's peak resident set
// after the full reads (target under 200 MiB).
func BenchmarkMillionRows(b *testing.B) {
	db := pgtest.NewDB(b)
	db.Exec(b,
		`CREATE TABLE big AS SELECT g AS id, md5(g::text) AS name, 'user' || g || '@example.com' AS email,
			jsonb_build_object('street', g || ' Main Street', 'zip', lpad((g % 99999)::text, 5, '0')) AS address,
			TIMESTAMPTZ '2026-01-01' - g * interval '1 minute' AS created
		FROM generate_series(1, 1000000) g`,
		`ALTER TABLE big ADD PRIMARY KEY (id)`,
		`ANALYZE big`)
	ctx := context.Background()
	c, err := open(ctx, db.URI, connectors.Options{Env: envOf(nil)}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	cs, err := c.Containers(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var big connectors.Container
	for _, ct := range cs {
		if ct.Name == db.Name+".public.big" {
			big = ct
		}
	}
	conn, err := pgx.Connect(ctx, db.URI)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)

	sample := func(b *testing.B, size int, newSeed bool) {
		rows := 0
		for i := 0; i < b.N; i++ {
			seed := int64(1)
			if newSeed {
				seed = int64(i + 2)
			}
			res, err := c.Sample(ctx, big, connectors.SampleOptions{Size: size, Seed: seed}, func(connectors.Document) error {
				rows++
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			if i == 0 {
				b.Logf("method %s", res.Method)
			}
		}
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	}
	rawOnce := func(b *testing.B, q string, a []any) int {
		r, err := conn.Query(ctx, q, a...)
		if err != nil {
			b.Fatal(err)
		}
		rows := 0
		for r.Next() {
			if _, err := r.Values(); err != nil {
				b.Fatal(err)
			}
			rows++
		}
		if r.Err() != nil {
			b.Fatal(r.Err())
		}
		return rows
	}
	raw := func(b *testing.B, q string, args func(i int) []any) {
		rows := 0
		for i := 0; i < b.N; i++ {
			var a []any
			if args != nil {
				a = args(i)
			}
			rows += rawOnce(b, q, a)
		}
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	}
	// like for like: the same pages every time (warm in shared buffers)
	b.Run("sample-10k-same-seed", func(b *testing.B) { sample(b, 10000, false) })
	b.Run("raw-select-10k", func(b *testing.B) { raw(b, "SELECT * FROM big LIMIT 10000", nil) })
	// as a scan meets a table: other pages every time
	b.Run("sample-10k-new-seed", func(b *testing.B) { sample(b, 10000, true) })
	b.Run("raw-select-10k-elsewhere", func(b *testing.B) {
		raw(b, "SELECT * FROM big WHERE id > $1 ORDER BY id LIMIT 10000", func(i int) []any { return []any{int64(i*97_000+13_000) % 990_000} })
	})
	b.Run("all-rows", func(b *testing.B) { sample(b, 0, false) })
	b.Run("raw-full-read", func(b *testing.B) { raw(b, "SELECT * FROM big", nil) })
	// interleaved: raw then ours every iteration, so that both meet the
	// same load; ours/raw as the median, lowest and highest ratio, and the
	// median ratio of the process's CPU time (client side: driver,
	// conversion, collector)
	versus := func(b *testing.B, newSeed bool) {
		var ratios, cpuRatios []float64
		for i := 0; i < b.N; i++ {
			cpu := benchstat.ProcessCPU()
			start := time.Now()
			if newSeed {
				rawOnce(b, "SELECT * FROM big WHERE id > $1 ORDER BY id LIMIT 10000", []any{int64(i*97_000+13_000) % 990_000})
			} else {
				rawOnce(b, "SELECT * FROM big LIMIT 10000", nil)
			}
			rawTime := time.Since(start)
			rawCPU := benchstat.ProcessCPU() - cpu
			cpu = benchstat.ProcessCPU()
			start = time.Now()
			seed := int64(1)
			if newSeed {
				seed = int64(i + 2)
			}
			if _, err := c.Sample(ctx, big, connectors.SampleOptions{Size: 10000, Seed: seed}, func(connectors.Document) error { return nil }); err != nil {
				b.Fatal(err)
			}
			ratios = append(ratios, float64(time.Since(start))/float64(rawTime))
			cpuRatios = append(cpuRatios, float64(benchstat.ProcessCPU()-cpu)/float64(rawCPU))
		}
		benchstat.ReportSpread(b, "ratio", ratios)
		benchstat.ReportMedian(b, "cpu-ratio", cpuRatios)
	}
	b.Run("versus-raw-same-seed", func(b *testing.B) { versus(b, false) })
	b.Run("versus-raw-new-seed", func(b *testing.B) { versus(b, true) })
	b.Run("peak-RSS", func(b *testing.B) {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB")
	})
}
