package mysql

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
	"github.com/piisniff/piisniff/connectors/sqlrows"
	"github.com/piisniff/piisniff/internal/benchstat"
	"github.com/piisniff/piisniff/internal/mysqltest"
)

// The benchmarks read a table of benchRows rows in a benchmark-only
// database, built once per run and dropped when the run ends.
const (
	benchRows = 1_000_000
	benchDB   = "piisniff_bench_mysql"
)

var (
	benchOnce  sync.Once
	benchReady bool
	benchRoot  *sql.DB
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchRoot != nil {
		_, _ = benchRoot.Exec("DROP DATABASE IF EXISTS " + benchDB)
		_ = benchRoot.Close()
	}
	os.Exit(code)
}

// benchTable builds the 1,000,000-row table (MariaDB's sequence engine).
func benchTable(b *testing.B) connectors.Container {
	b.Helper()
	benchOnce.Do(func() {
		root := mysqltest.Root(b)
		// Root closes it at the end of this benchmark; keep our own.
		db, err := sql.Open("mysql", "root@tcp("+mysqltest.Addr()+")/")
		if err != nil {
			b.Fatal(err)
		}
		_ = root
		benchRoot = db
		for _, s := range []string{
			"DROP DATABASE IF EXISTS " + benchDB,
			"CREATE DATABASE " + benchDB,
			"CREATE TABLE " + benchDB + ".big (id BIGINT PRIMARY KEY, email VARCHAR(64), name VARCHAR(64), city VARCHAR(32), profile JSON)",
			"INSERT INTO " + benchDB + ".big SELECT seq, CONCAT('user', seq, '@example.org'), CONCAT('Name ', seq), " +
				"ELT(1 + seq % 3, 'Lyon', 'Porto', 'Graz'), JSON_OBJECT('street', CONCAT(seq, ' Linden Lane'), 'age', seq % 90) " +
				"FROM " + benchDB + ".seq_1_to_" + strconv.Itoa(benchRows),
			"ANALYZE TABLE " + benchDB + ".big",
		} {
			if _, err := db.Exec(s); err != nil {
				b.Fatalf("%.80s: %v", s, err)
			}
		}
		benchReady = true
	})
	if !benchReady {
		b.Skip("benchmark table not built")
	}
	c, err := open(context.Background(), "mysql://root@"+mysqltest.Addr()+"/"+benchDB, connectors.Options{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	cs, err := c.Containers(context.Background())
	if err != nil || len(cs) != 1 {
		b.Fatalf("%v %v", cs, err)
	}
	benchConn = c
	return cs[0]
}

var benchConn *Connector

func benchSample(b *testing.B, size int) {
	ct := benchTable(b)
	b.ResetTimer()
	rows := 0
	for i := 0; i < b.N; i++ {
		_, err := benchConn.Sample(context.Background(), ct, connectors.SampleOptions{Size: size, Seed: int64(i)}, func(connectors.Document) error {
			rows++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(peakRSS(), "peak-RSS-MiB")
}

func benchRaw(b *testing.B, limit string) {
	benchTable(b)
	b.ResetTimer()
	rows := 0
	for i := 0; i < b.N; i++ {
		rows += rawRead(b, limit)
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkSample10k: a sample of 10,000 rows of the 1,000,000-row table
// (random key windows); compare with BenchmarkRawLimit10k.
func BenchmarkSample10k(b *testing.B) { benchSample(b, 10000) }

// BenchmarkRawLimit10k: SELECT ... LIMIT 10000 through the same driver.
func BenchmarkRawLimit10k(b *testing.B) { benchRaw(b, " LIMIT 10000") }

// BenchmarkFullRead: --sample-size 0 on the table (keyset pages),
// converted into documents; compare with BenchmarkRawFullRead.
func BenchmarkFullRead(b *testing.B) { benchSample(b, 0) }

// BenchmarkRawFullRead: SELECT of every row through the same driver.
func BenchmarkRawFullRead(b *testing.B) { benchRaw(b, "") }

// peakRSS is the process's peak resident set size in MiB (Linux).
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkConvert10k converts 10,000 rows shaped like the benchmark
// table's into documents without a server: the share of a sample's time
// spent on conversion (JSON parsing of the profile column included).
func BenchmarkConvert10k(b *testing.B) {
	t := &table{DB: "d", Name: "big", Cols: []column{
		{Name: "id", DataType: "bigint"}, {Name: "email", DataType: "varchar"}, {Name: "name", DataType: "varchar"},
		{Name: "city", DataType: "varchar"}, {Name: "profile", DataType: "longtext", JSON: true},
	}}
	r := newRowReader(t)
	conv := sqlrows.NewConverter(columns(t), 16<<20)
	// the rows are built before the timer starts: only the conversion is measured
	rows := make([][]sql.RawBytes, 10000)
	for j := range rows {
		rows[j] = []sql.RawBytes{
			sql.RawBytes(strconv.Itoa(j)), sql.RawBytes("user" + strconv.Itoa(j) + "@example.org"),
			sql.RawBytes("Name " + strconv.Itoa(j)), sql.RawBytes("Lyon"),
			sql.RawBytes(`{"age": 42, "street": "` + strconv.Itoa(j) + ` Linden Lane"}`),
		}
	}
	var res connectors.SampleResult
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, row := range rows {
			for k, v := range row {
				r.vals[k] = v
			}
			if _, ok := r.document(conv, &res); !ok {
				b.Fatal("row skipped")
			}
		}
	}
}

// BenchmarkVersusRaw interleaves the connector and the raw reads
// (raw, then ours, every iteration) so that both meet the same load, and
// reports ours/raw as the median, lowest and highest ratio of the
// iterations, and the median ratio of the process's CPU time (client side:
// driver, conversion, collector; cpu-ratio-median, time over time for
// both): sample-10k against SELECT ... LIMIT 10000 (target at most 1.5),
// full-read against a raw full read (rows per second, target at least
// 0.5). The connector hands rows over undecoded (the pipeline decodes them
// on its workers): the +decode variants also decode every document on two
// goroutines, as a scan with two workers does, and stop the clock when the
// last one is decoded.
//
//	go test ./connectors/mysql -run '^$' -bench VersusRaw -benchtime 5x -count 3
func BenchmarkVersusRaw(b *testing.B) {
	b.Run("sample-10k", func(b *testing.B) { versusRaw(b, 10000, " LIMIT 10000", false, false) })
	b.Run("sample-10k+decode", func(b *testing.B) { versusRaw(b, 10000, " LIMIT 10000", false, true) })
	b.Run("full-read", func(b *testing.B) { versusRaw(b, 0, "", true, false) })
	b.Run("full-read+decode", func(b *testing.B) { versusRaw(b, 0, "", true, true) })
}

func versusRaw(b *testing.B, size int, limit string, speed, decode bool) {
	ct := benchTable(b)
	var ratios, cpuRatios []float64
	for i := 0; i < b.N; i++ {
		cpu := benchstat.ProcessCPU()
		start := time.Now()
		rawRows := rawRead(b, limit)
		rawTime := time.Since(start)
		rawCPU := benchstat.ProcessCPU() - cpu
		cpu = benchstat.ProcessCPU()
		start = time.Now()
		ours := 0
		emit, wait := connectortest.DecodingEmit(b, decode, &ours)
		if _, err := benchConn.Sample(context.Background(), ct, connectors.SampleOptions{Size: size, Seed: int64(i)}, emit); err != nil {
			b.Fatal(err)
		}
		wait()
		oursTime := time.Since(start)
		cpuRatios = append(cpuRatios, float64(benchstat.ProcessCPU()-cpu)/float64(rawCPU))
		r := float64(oursTime) / float64(rawTime)
		if speed { // rows per second, ours over raw
			r = float64(ours) / oursTime.Seconds() / (float64(rawRows) / rawTime.Seconds())
		}
		ratios = append(ratios, r)
	}
	benchstat.ReportSpread(b, "ratio", ratios)
	benchstat.ReportMedian(b, "cpu-ratio", cpuRatios)
}

// rawRead reads the table's rows through the driver, as benchRaw does.
func rawRead(b *testing.B, limit string) int {
	return connectortest.RawRead(b, benchRoot, "SELECT id, email, name, city, profile FROM "+benchDB+".big"+limit)
}

// BenchmarkSampleDigest logs a digest of the documents of a sample of
// 10,000 rows with seed 42 (keys sorted by encoding/json): a change that
// only makes the reads faster leaves it as it was.
//
//	go test ./connectors/mysql -run '^$' -bench SampleDigest -benchtime 1x -v
func BenchmarkSampleDigest(b *testing.B) {
	ct := benchTable(b)
	for i := 0; i < b.N; i++ {
		h := sha256.New()
		n := 0
		res, err := benchConn.Sample(context.Background(), ct, connectors.SampleOptions{Size: 10000, Seed: 42}, func(d connectors.Document) error {
			n++
			fields, _, _ := d.Decode()
			j, err := json.Marshal(fields)
			if err != nil {
				return err
			}
			h.Write(j)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%d documents, %d skipped, digest %x", n, res.Skipped, h.Sum(nil))
	}
}
