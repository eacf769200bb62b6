package mysql

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/mysqltest"
)

// TestSampleSpansJoin: on MariaDB a sample whose spans are kept whole is
// read with the join of the spans (spansJoinStatement), which the server
// runs as a read of the key's index per span ("Range checked for each
// record", never the whole table); the sample is the one the OR of the
// spans (spansStatement) gives for the same seed, document for document,
// with signed keys at the bottom of the range, unsigned keys beyond int64
// and a geometry column (its alias qualified).
func TestSampleSpansJoin(t *testing.T) {
	db := mysqltest.New(t)
	const rows = 20000
	for _, tc := range []struct{ table, keyType, first string }{
		{"dense", "BIGINT", "1"},
		{"neg", "BIGINT", "-9223372036854775808"},
		{"ubig", "BIGINT UNSIGNED", "18446744073709531616"}, // 2^64 - 20000
	} {
		db.Exec(t,
			fmt.Sprintf("CREATE TABLE %s (id %s PRIMARY KEY, v TEXT, loc POINT)", tc.table, tc.keyType),
			fmt.Sprintf("INSERT INTO %s SELECT %s + CAST(seq - 1 AS SIGNED), CONCAT('row ', seq), IF(seq %% 3 = 0, POINT(seq %% 90, seq %% 45), NULL) FROM seq_1_to_%d",
				tc.table, tc.first, rows),
		)
	}
	db.Exec(t, "ANALYZE TABLE dense, neg, ubig")
	c, log := openTest(t, db.URI, connectors.Options{})
	if !c.mariadb {
		t.Skip("the join of the spans is MariaDB's")
	}
	cs := containers(t, c)
	for _, name := range []string{"dense", "neg", "ubig"} {
		t.Run(name, func(t *testing.T) {
			ct := cs[db.Name+"."+name]
			read := func(join bool) ([]string, string) {
				t.Helper()
				defer func(f func(*Connector) bool) { joinSpans = f }(joinSpans)
				joinSpans = func(*Connector) bool { return join }
				before := len(log.all())
				docs, res := sample(t, c, ct, 1000, 42)
				if res.Method != MethodKeyRanges || len(docs) != 1000 {
					t.Fatalf("join %v: method %s, %d docs (notes %v)", join, res.Method, len(docs), res.Notes)
				}
				var reads []string
				for _, s := range log.all()[before:] {
					if strings.HasPrefix(s, "SELECT") && !strings.Contains(s, "MIN(") {
						reads = append(reads, s)
					}
				}
				if len(reads) != 1 || strings.Contains(reads[0], "STRAIGHT_JOIN") != join {
					t.Fatalf("join %v: %d reads: %.300q", join, len(reads), reads)
				}
				out := make([]string, len(docs))
				for i, d := range docs {
					j, err := json.Marshal(d)
					if err != nil {
						t.Fatal(err)
					}
					out[i] = string(j)
				}
				slices.Sort(out) // the join promises no order
				return out, reads[0]
			}
			got, stmt := read(true)
			want, _ := read(false)
			if !slices.Equal(got, want) {
				t.Errorf("the join of the spans read another sample than their OR:\n%.300q\n%.300q", got, want)
			}
			if !strings.Contains(strings.Join(got, ""), `"loc":"POINT(`) {
				t.Errorf("no geometry read as WKT: %.300q", got)
			}
			// the server's plan: the spans first, the table through its
			// key for each of them
			rs, err := db.SQL.QueryContext(context.Background(), "EXPLAIN "+stmt)
			if err != nil {
				t.Fatal(err)
			}
			defer rs.Close()
			cols, _ := rs.Columns()
			var plan []map[string]string
			for rs.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rs.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				row := map[string]string{}
				for i, col := range cols {
					if b, ok := vals[i].([]byte); ok {
						row[col] = string(b)
					} else if vals[i] != nil {
						row[col] = fmt.Sprint(vals[i])
					}
				}
				plan = append(plan, row)
			}
			var tableRow map[string]string
			for _, row := range plan {
				if row["table"] == "t" {
					tableRow = row
				}
			}
			if tableRow == nil || !strings.Contains(tableRow["Extra"], "Range checked for each record") || len(plan) == 0 || plan[0]["table"] == "t" {
				t.Errorf("plan of the join of the spans: %v", plan)
			}
		})
	}
	log.checkReadOnly(t)
}

// TestCommitNotWaited: a sampling returns without waiting for its
// COMMIT (held back here until the test lets it through), and Close waits
// for every COMMIT under way before it closes the pool.
func TestCommitNotWaited(t *testing.T) {
	db := fixtures(t)
	release := make(chan struct{})
	var releaseOnce sync.Once
	let := func() { releaseOnce.Do(func() { close(release) }) }
	log := &stmtLog{}
	c, err := open(context.Background(), db.URI, connectors.Options{}, func(s string) {
		log.add(s)
		if s == "COMMIT" {
			<-release
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	t.Cleanup(let) // first: Close and the database's drop wait for a held COMMIT
	discovered := make(chan map[string]connectors.Container, 1)
	go func() { discovered <- containers(t, c) }() // its COMMIT is held too
	var cs map[string]connectors.Container
	select {
	case cs = <-discovered:
	case <-time.After(time.Minute):
		let()
		t.Fatal("listing the tables waited for its COMMIT")
	}
	sampled := make(chan error, 1)
	go func() {
		_, err := c.Sample(context.Background(), cs[db.Name+".seq"], connectors.SampleOptions{Size: 100, Seed: 1}, func(connectors.Document) error { return nil })
		sampled <- err
	}()
	select {
	case err := <-sampled:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		let()
		t.Fatal("the sampling waited for its COMMIT")
	}
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	time.Sleep(100 * time.Millisecond) // room for Close to return, were it not to wait
	select {
	case <-closed:
		t.Fatal("Close returned while COMMITs were held back")
	default:
	}
	let()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, s := range log.all() {
		count[s]++
	}
	if count["START TRANSACTION READ ONLY"] != 2 || count["COMMIT"] != 2 || count["ROLLBACK"] != 0 {
		t.Errorf("statements: %d START TRANSACTION READ ONLY, %d COMMIT, %d ROLLBACK, want 2, 2, 0",
			count["START TRANSACTION READ ONLY"], count["COMMIT"], count["ROLLBACK"])
	}
	log.checkReadOnly(t)
}
