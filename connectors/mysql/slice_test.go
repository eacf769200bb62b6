package mysql

import (
	"fmt"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
	"github.com/piisniff/piisniff/internal/mysqltest"
)

// TestSlices: the slices of a sharded full scan read every row exactly
// once, in pages of a few rows, each slice of a table with dense integer
// keys within 5% of 1/N of the rows; a table whose keys cannot be cut is
// read by slice 0 alone, with a note; a table without a range key is not
// cut.
func TestSlices(t *testing.T) {
	db := mysqltest.New(t)
	db.Exec(t, "CREATE TABLE dense (id BIGINT PRIMARY KEY, v TEXT)", "CREATE TABLE steps (id INT UNSIGNED PRIMARY KEY, v TEXT)",
		"CREATE TABLE one (id BIGINT PRIMARY KEY, v TEXT)", "INSERT INTO one VALUES (7, 'only')",
		"CREATE TABLE nokey (v TEXT)", "INSERT INTO nokey VALUES ('a'), ('b')")
	fillSeq(t, db, "dense", 10000, func(i int) int64 { return int64(i) + 1 })
	fillSeq(t, db, "steps", 3001, func(i int) int64 { return int64(i)*13 + 5 })
	defer func(n int) { keysetPageRows = n }(keysetPageRows)
	keysetPageRows = 700
	c, log := openTest(t, db.URI, connectors.Options{})
	cs := containers(t, c)
	if c.CanSlice(cs[db.Name+".nokey"]) {
		t.Error("a table without a range key is cut")
	}
	for _, tc := range []struct {
		table string
		rows  int
		count int
	}{{"dense", 10000, 4}, {"dense", 10000, 7}, {"steps", 3001, 3}, {"one", 1, 3}} {
		t.Run(fmt.Sprintf("%s in %d", tc.table, tc.count), func(t *testing.T) {
			ct := cs[db.Name+"."+tc.table]
			if !c.CanSlice(ct) {
				t.Fatal("not cut")
			}
			connectortest.CheckSlices(t, c, ct, "id", tc.rows, tc.count, MethodAll)
		})
	}
	log.checkReadOnly(t)
}

// TestSampleSpans: on a table whose catalogue estimate is known, a sample
// is one statement of key spans (no read of window keys first, no UNION
// ALL of rows: the table is read once), spread over the whole key space,
// the same for the same seed.
func TestSampleSpans(t *testing.T) {
	db := mysqltest.New(t)
	db.Exec(t, "CREATE TABLE dense (id BIGINT PRIMARY KEY, v TEXT)")
	fillSeq(t, db, "dense", 20000, func(i int) int64 { return int64(i) + 1 })
	db.Exec(t, "ANALYZE TABLE dense")
	c, log := openTest(t, db.URI, connectors.Options{})
	ct := containers(t, c)[db.Name+".dense"]
	if ct.EstimatedDocuments <= 1000 {
		t.Fatalf("estimate %d", ct.EstimatedDocuments)
	}
	before := len(log.all())
	docs, res := sample(t, c, ct, 1000, 42)
	if res.Method != MethodKeyRanges || len(docs) != 1000 {
		t.Fatalf("method %s, %d docs (notes %v)", res.Method, len(docs), res.Notes)
	}
	var reads []string
	for _, s := range log.all()[before:] {
		if strings.HasPrefix(s, "SELECT") && !strings.Contains(s, "MIN(") {
			reads = append(reads, s)
		}
	}
	if len(reads) != 1 || !strings.Contains(reads[0], " BETWEEN ") || strings.Count(reads[0], " FROM ") != 1 {
		t.Errorf("the sample read with %d statements, want one of key spans: %.300q", len(reads), reads)
	}
	tenths := map[int64]bool{}
	for _, id := range ids(t, docs) {
		var n int64
		fmt.Sscan(id, &n)
		tenths[(n-1)*10/20000] = true
	}
	if len(tenths) != 10 {
		t.Errorf("rows from %d tenths of the keys, want all 10", len(tenths))
	}
	again, _ := sample(t, c, ct, 1000, 42)
	if !slicesEqual(ids(t, again), ids(t, docs)) {
		t.Error("same seed, different sample")
	}
	other, _ := sample(t, c, ct, 1000, 43)
	if slicesEqual(ids(t, other), ids(t, docs)) {
		t.Error("another seed, the same sample")
	}
}

func slicesEqual(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }
