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

// fixtures creates the tables the sampling tests read.
func fixtures(t *testing.T) *mysqltest.DB {
	t.Helper()
	db := mysqltest.New(t)
	db.Exec(t,
		"CREATE TABLE seq (id BIGINT PRIMARY KEY, v TEXT)",
		"CREATE TABLE clustered (id BIGINT PRIMARY KEY, v TEXT)",
		"CREATE TABLE nokey (id BIGINT, v TEXT)",
		"CREATE TABLE strkey (id VARCHAR(20) PRIMARY KEY, v TEXT)",
		"CREATE TABLE ubig (id BIGINT UNSIGNED NOT NULL, v TEXT, UNIQUE KEY (id))",
		"CREATE TABLE people (id INT PRIMARY KEY, email VARCHAR(100), profile JSON, loc POINT, avatar BLOB, bio BLOB, tags TEXT, price DECIMAL(10,2))",
		"CREATE VIEW people_view AS SELECT id, email FROM people",
	)
	fillSeq(t, db, "seq", 1200, func(i int) int64 { return int64(i) * 7 })
	fillSeq(t, db, "clustered", 1200, func(i int) int64 {
		if i < 600 {
			return int64(i)
		}
		return 1_000_000_000_000 + int64(i)
	})
	fillSeq(t, db, "nokey", 1500, func(i int) int64 { return int64(i) })
	// keys near 2^64, beyond int64
	db.Exec(t, "INSERT INTO ubig SELECT 18446744073709551615 - (id DIV 7) * 1000, v FROM seq")
	var b strings.Builder
	b.WriteString("INSERT INTO strkey VALUES ")
	for i := 0; i < 1200; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "('k%05d', 'row %d')", i, i)
	}
	db.Exec(t, b.String(),
		`INSERT INTO people VALUES
		 (1, 'amelia.haddad@example.org', '{"address":{"street":"11 Linden Lane","postal_code":"M6 8JS"},"contacts":[{"phone":"+1 202-555-0197"}]}',
		  ST_GeomFromText('POINT(2.3522 48.8566)'), X'89504E470D0A1A0A00FF', 'plain text bio', '["a","b"]', 12.50),
		 (2, 'aisha.weber18@mail.example.com', NULL, NULL, NULL, NULL, 'not json', 3.00)`,
		"ANALYZE TABLE seq, clustered, nokey, strkey, ubig, people",
	)
	return db
}

func TestContainers(t *testing.T) {
	db := fixtures(t)
	c, log := openTest(t, db.URI, connectors.Options{})
	got := containers(t, c)
	var names []string
	for n := range got {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{"clustered", "nokey", "people", "seq", "strkey", "ubig"}
	for i := range want {
		want[i] = db.Name + "." + want[i]
	}
	if !slices.Equal(names, want) {
		t.Fatalf("containers %v, want %v", names, want)
	}
	if sk := c.SkippedContainers(); len(sk) != 1 || sk[0].Name != db.Name+".people_view" || !strings.Contains(sk[0].Reason, "--include-views") {
		t.Errorf("skipped %+v", sk)
	}
	people := got[db.Name+".people"]
	tb := people.Handle.(*table)
	if !slices.Equal(tb.PK, []string{"id"}) || tb.Key != "id" {
		t.Errorf("people: pk %v key %q", tb.PK, tb.Key)
	}
	if people.FieldTypes["loc"] != "geo_point" {
		t.Errorf("loc store type %q", people.FieldTypes["loc"])
	}
	if st := got[db.Name+".strkey"].Handle.(*table); st.Key != "" || !slices.Equal(st.PK, []string{"id"}) {
		t.Errorf("strkey: key %q pk %v: a text key is not a range key", st.Key, st.PK)
	}
	if ub := got[db.Name+".ubig"].Handle.(*table); ub.Key != "id" || !ub.KeyUnsigned || len(ub.PK) != 0 {
		t.Errorf("ubig: key %q unsigned %v pk %v: the unique NOT NULL index is the range key", ub.Key, ub.KeyUnsigned, ub.PK)
	}
	if e := got[db.Name+".seq"].EstimatedDocuments; e < 600 || e > 2400 {
		t.Errorf("seq estimate %d, want about 1200", e)
	}
	log.checkReadOnly(t)

	// Views with IncludeViews; filters.
	c2, _ := openTest(t, db.URI, connectors.Options{IncludeViews: true, Containers: connectors.Filter{Include: []string{"*.people*"}}})
	got = containers(t, c2)
	if len(got) != 2 || got[db.Name+".people_view"].Name == "" {
		t.Errorf("with views and a filter: %v", got)
	}
	// Without a database in the URI: every database but the system ones.
	root := strings.TrimSuffix(db.URI, "/"+db.Name)
	c3, _ := openTest(t, root, connectors.Options{Databases: connectors.Filter{Include: []string{db.Name, "mysql", "sys", "information_schema"}}})
	got = containers(t, c3)
	if len(got) != 6 {
		t.Errorf("root URI filtered to the test database and system ones: %d containers", len(got))
	}
	for n := range got {
		if !strings.HasPrefix(n, db.Name+".") {
			t.Errorf("system or foreign container %s listed", n)
		}
	}
}

// ids returns the id field of each document.
func ids(t *testing.T, docs []map[string]any) []string {
	t.Helper()
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = fmt.Sprint(d["id"])
	}
	return out
}

func TestSampling(t *testing.T) {
	db := fixtures(t)
	c, log := openTest(t, db.URI, connectors.Options{})
	cs := containers(t, c)
	tests := []struct {
		table      string
		size       int
		method     string
		wantDocs   int
		wantTotal  int64
		checkSpray bool
	}{
		{"seq", 100, MethodKeyRanges, 100, -1, true},
		{"seq", 1100, MethodKeyRanges, 1100, -1, false},
		{"clustered", 1000, MethodKeyRanges, 1000, -1, false},
		{"ubig", 100, MethodKeyRanges, 100, -1, false},
		{"nokey", 100, MethodReservoir, 100, 1500, false},
		{"strkey", 100, MethodReservoir, 100, 1200, false},
		{"seq", 5000, MethodAll, 1200, 1200, false},
		{"seq", 0, MethodAll, 1200, 1200, false},
		{"nokey", 0, MethodAll, 1500, 1500, false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.table, tc.size), func(t *testing.T) {
			ct := cs[db.Name+"."+tc.table]
			docs, res := sample(t, c, ct, tc.size, 42)
			if res.Method != tc.method || len(docs) != tc.wantDocs || res.TotalDocuments != tc.wantTotal {
				t.Fatalf("method %s docs %d total %d, want %s %d %d (notes %v)", res.Method, len(docs), res.TotalDocuments,
					tc.method, tc.wantDocs, tc.wantTotal, res.Notes)
			}
			got := ids(t, docs)
			uniq := slices.Clone(got)
			slices.Sort(uniq)
			if len(slices.Compact(uniq)) != len(got) {
				t.Errorf("a row was emitted twice")
			}
			again, _ := sample(t, c, ct, tc.size, 42)
			if !slices.Equal(ids(t, again), got) {
				t.Errorf("same seed, different sample")
			}
			if tc.size > 0 && tc.wantDocs < int(ct.EstimatedDocuments) && tc.table != "clustered" { // clustered: the windows land on the same rows whatever the seed
				other, _ := sample(t, c, ct, tc.size, 43)
				if slices.Equal(ids(t, other), got) {
					t.Errorf("another seed, the same sample")
				}
			}
			if tc.checkSpray {
				// ids 0..8393: a sample spread over the table has rows in
				// every quarter of it, not the first rows only.
				var quarters [4]int
				for _, d := range docs {
					id := d["id"].(json.Number)
					n, _ := id.Int64()
					quarters[min(3, n*4/8400)]++
				}
				for q, n := range quarters {
					if n == 0 {
						t.Errorf("no row from quarter %d of the keys: %v", q, quarters)
					}
				}
			}
		})
	}
	t.Run("keyset pages", func(t *testing.T) {
		old := keysetPageRows
		keysetPageRows = 100
		defer func() { keysetPageRows = old }()
		docs, res := sample(t, c, cs[db.Name+".seq"], 0, 1)
		if len(docs) != 1200 || res.TotalDocuments != 1200 {
			t.Fatalf("%d docs, total %d", len(docs), res.TotalDocuments)
		}
		got := ids(t, docs)
		uniq := slices.Compact(slices.Clone(got))
		if len(uniq) != 1200 {
			t.Errorf("%d distinct rows of 1200", len(uniq))
		}
	})
	log.checkReadOnly(t)
	for _, s := range log.all() {
		if strings.Contains(strings.ToUpper(s), "RAND()") {
			t.Errorf("ORDER BY RAND() used: %s", s)
		}
	}
}

func TestRowsToDocuments(t *testing.T) {
	db := fixtures(t)
	c, _ := openTest(t, db.URI, connectors.Options{})
	ct := containers(t, c)[db.Name+".people"]
	docs, res := sample(t, c, ct, 0, 1)
	if len(docs) != 2 {
		t.Fatalf("%d docs", len(docs))
	}
	d := docs[0]
	profile, ok := d["profile"].(map[string]any)
	if !ok {
		t.Fatalf("profile not parsed: %#v", d["profile"])
	}
	if profile["address"].(map[string]any)["street"] != "11 Linden Lane" {
		t.Errorf("profile.address.street: %#v", profile["address"])
	}
	if d["loc"] != "POINT(2.3522 48.8566)" {
		t.Errorf("loc %#v, want WKT", d["loc"])
	}
	if _, ok := d["avatar"]; ok {
		t.Errorf("binary avatar kept: %#v", d["avatar"])
	}
	if d["bio"] != "plain text bio" {
		t.Errorf("text BLOB: %#v", d["bio"])
	}
	if tags, ok := d["tags"].([]any); !ok || len(tags) != 2 {
		t.Errorf("JSON array in a text column: %#v", d["tags"])
	}
	if docs[1]["tags"] != "not json" || docs[1]["profile"] != nil {
		t.Errorf("second row: %#v", docs[1])
	}
	if d["price"] != json.Number("12.50") || d["id"] != json.Number("1") {
		t.Errorf("numbers: %#v %#v", d["price"], d["id"])
	}
	if !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, `"avatar"`) && strings.Contains(n, "binary") }) {
		t.Errorf("no note of the binary value left out: %v", res.Notes)
	}
}

func TestEmitErrorStops(t *testing.T) {
	db := fixtures(t)
	c, _ := openTest(t, db.URI, connectors.Options{})
	stop := fmt.Errorf("stop")
	for _, tb := range []string{"seq", "nokey"} {
		for _, size := range []int{0, 100} {
			n := 0
			_, err := c.Sample(context.Background(), containers(t, c)[db.Name+"."+tb], connectors.SampleOptions{Size: size},
				func(connectors.Document) error { n++; return stop })
			if err != stop || n != 1 {
				t.Errorf("%s/%d: err %v after %d documents, want the emit error after 1", tb, size, err, n)
			}
		}
	}
}
