package mysql

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

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
