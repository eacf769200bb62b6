package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/sqlrows"
)

func TestDiscovery(t *testing.T) {
	f := newFixture(t)
	foreign := f.addForeignTable(t)
	db := f.db.Name
	tests := []struct {
		name    string
		opts    connectors.Options
		own     *Options
		uri     string
		want    []string
		skipped []string
	}{
		{
			name: "every table kind",
			want: []string{db + ".other.contacts", db + ".public.events", db + ".public.measurements",
				db + ".public.never_analyzed", db + ".public.people", db + ".public.people_emails"},
			skipped: []string{db + ".public.people_names"},
		},
		{
			name: "views included",
			own:  &Options{IncludeViews: true},
			want: []string{db + ".other.contacts", db + ".public.events", db + ".public.measurements",
				db + ".public.never_analyzed", db + ".public.people", db + ".public.people_emails", db + ".public.people_names"},
		},
		{
			name: "schemas filter",
			own:  &Options{Schemas: connectors.Filter{Include: []string{"oth*"}}},
			want: []string{db + ".other.contacts"},
		},
		{
			name: "containers filter",
			opts: connectors.Options{Containers: connectors.Filter{Include: []string{"*.public.*"}, Exclude: []string{"*.people*"}}},
			want: []string{db + ".public.events", db + ".public.measurements", db + ".public.never_analyzed"},
		},
		{
			// no database in the URI: every database the user may
			// connect to, narrowed to ours by --databases
			name: "databases of the server",
			uri:  "postgres://postgres@127.0.0.1:5432/?sslmode=disable",
			opts: connectors.Options{Databases: connectors.Filter{Include: []string{db}}, Containers: connectors.Filter{Include: []string{"*.other.*"}}},
			want: []string{db + ".other.contacts"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if tc.own != nil {
				opts = opts.WithStore(Name, tc.own)
			}
			uri := tc.uri
			if uri == "" {
				uri = f.db.URI
			}
			c := openURI(t, uri, opts, nil)
			cs, err := c.Containers(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ct := range cs {
				got = append(got, ct.Name)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("containers\n got %v\nwant %v", got, tc.want)
			}
			skipped := map[string]string{}
			for _, s := range c.SkippedContainers() {
				skipped[s.Name] = s.Reason
			}
			for _, s := range tc.skipped {
				if skipped[s] == "" {
					t.Errorf("%s not listed as skipped (%v)", s, skipped)
				}
			}
			if tc.name == "every table kind" && foreign {
				if r := skipped[db+".other.remote"]; !strings.Contains(r, "foreign table") || !strings.Contains(r, "loopback") {
					t.Errorf("foreign table skipped with %q", r)
				}
			}
		})
	}

	c := f.open(t, connectors.Options{}, nil)
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	people := containerNamed(t, cs, db+".public.people")
	if !slices.Equal(people.PrimaryKey, []string{"id"}) {
		t.Errorf("people primary key %v", people.PrimaryKey)
	}
	for path, want := range map[string]string{"last_ip": "ip", "ips[]": "ip", "mac": "mac", "uid": "uuid", "tags[]": "text"} {
		if got := people.FieldTypes[path]; got != want {
			t.Errorf("people field type %s = %q, want %q", path, got, want)
		}
	}
	if _, has := people.FieldTypes["address"]; has {
		t.Error("a jsonb column has a field type: its paths are the keys inside")
	}
	if e := containerNamed(t, cs, db+".public.events").EstimatedDocuments; e != 1200 {
		t.Errorf("events estimate %d, want 1200 (analyzed)", e)
	}
	if e := containerNamed(t, cs, db+".public.never_analyzed").EstimatedDocuments; e != -1 {
		t.Errorf("never_analyzed estimate %d, want -1 (unknown)", e)
	}
	m := containerNamed(t, cs, db+".public.measurements")
	if len(m.Notes) == 0 || !strings.Contains(m.Notes[0], "partitioned") {
		t.Errorf("measurements notes %v", m.Notes)
	}
}

func TestDocuments(t *testing.T) {
	f := newFixture(t)
	c := f.open(t, connectors.Options{}, nil)
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	docs, res := sampleAll(t, c, containerNamed(t, cs, f.db.Name+".public.people"), connectors.SampleOptions{Size: 100, Seed: 1})
	if len(docs) != 2 || res.Method != MethodAll || res.TotalDocuments != 2 {
		t.Fatalf("%d docs, method %s, total %d", len(docs), res.Method, res.TotalDocuments)
	}
	var amelia map[string]any
	for _, d := range docs {
		if fmt.Sprint(d.Fields["id"]) == "1" {
			amelia = d.Fields
		}
	}
	if amelia == nil {
		t.Fatalf("no row with id 1: %v", docs)
	}
	addr, _ := amelia["address"].(map[string]any)
	if addr["street"] != "11 Linden Lane" {
		t.Errorf("address %#v", amelia["address"])
	}
	if notes, _ := amelia["notes"].([]any); len(notes) != 1 {
		t.Errorf("notes (text holding a JSON array) %#v", amelia["notes"])
	}
	if !reflect.DeepEqual(amelia["tags"], []any{"vip", "new customer"}) {
		t.Errorf("tags %#v", amelia["tags"])
	}
	if amelia["last_ip"] != "198.51.100.7" {
		t.Errorf("last_ip %#v (inet printed without its mask)", amelia["last_ip"])
	}
	if !reflect.DeepEqual(amelia["ips"], []any{"192.0.2.1", "2001:db8::1"}) {
		t.Errorf("ips %#v", amelia["ips"])
	}
	if b, ok := amelia["born"].(time.Time); !ok || b.Format("2006-01-02") != "1999-09-22" {
		t.Errorf("born %#v", amelia["born"])
	}
	if amelia["active"] != true || amelia["balance"] != json.Number("12.50") {
		t.Errorf("active %#v balance %#v", amelia["active"], amelia["balance"])
	}
	if _, has := amelia["photo"]; has {
		t.Error("binary bytea kept")
	}
	for _, d := range docs {
		if fmt.Sprint(d.Fields["id"]) == "2" && d.Fields["photo"] != "hello" {
			t.Errorf("UTF-8 bytea %#v, want the text", d.Fields["photo"])
		}
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], `"photo": 1 value skipped (binary`) {
		t.Errorf("notes %q", res.Notes)
	}
}

func TestSampling(t *testing.T) {
	f := newFixture(t)
	c := f.open(t, connectors.Options{}, nil)
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	events := containerNamed(t, cs, f.db.Name+".public.events")

	a, res := sampleAll(t, c, events, connectors.SampleOptions{Size: 100, Seed: 7})
	if len(a) != 100 || res.Method != MethodBernoulli { // a small table: rows, not pages
		t.Fatalf("%d rows by %s, want 100 by %s", len(a), res.Method, MethodBernoulli)
	}
	b, _ := sampleAll(t, c, events, connectors.SampleOptions{Size: 100, Seed: 7})
	if ids(a) != ids(b) {
		t.Error("the same seed gave another sample")
	}
	other, _ := sampleAll(t, c, events, connectors.SampleOptions{Size: 100, Seed: 8})
	if ids(a) == ids(other) {
		t.Error("another seed gave the same sample")
	}
	// spread: the sample reaches both halves of the table
	low, high := 0, 0
	for _, d := range a {
		n := toInt(d.Fields["id"])
		if n <= 600 {
			low++
		} else {
			high++
		}
	}
	if low == 0 || high == 0 {
		t.Errorf("sample not spread: %d rows in the first half, %d in the second", low, high)
	}
	if ev := a[0].Fields["payload"].(map[string]any)["user"].(map[string]any)["email"]; !strings.HasSuffix(ev.(string), "@example.com") {
		t.Errorf("payload.user.email %v", ev)
	}

	all, res := sampleAll(t, c, events, connectors.SampleOptions{Size: 0, Seed: 1})
	if len(all) != 1200 || res.Method != MethodAll || res.TotalDocuments != 1200 {
		t.Errorf("size 0: %d rows by %s, total %d", len(all), res.Method, res.TotalDocuments)
	}
	whole, res := sampleAll(t, c, events, connectors.SampleOptions{Size: 5000, Seed: 1})
	if len(whole) != 1200 || res.Method != MethodAll {
		t.Errorf("sample larger than the table: %d rows by %s", len(whole), res.Method)
	}

	never := containerNamed(t, cs, f.db.Name+".public.never_analyzed")
	s, res := sampleAll(t, c, never, connectors.SampleOptions{Size: 50, Seed: 3})
	if len(s) != 50 || !strings.HasPrefix(res.Method, "tablesample") {
		t.Errorf("never analyzed: %d rows by %s", len(s), res.Method)
	}
	parts := containerNamed(t, cs, f.db.Name+".public.measurements")
	p, res := sampleAll(t, c, parts, connectors.SampleOptions{Size: 100, Seed: 3})
	if len(p) != 100 {
		t.Errorf("partitioned: %d rows by %s", len(p), res.Method)
	}
	seen := map[any]bool{}
	for _, d := range p {
		if seen[d.Fields["id"]] {
			t.Errorf("row %v drawn twice", d.Fields["id"])
		}
		seen[d.Fields["id"]] = true
	}
}

// TestSampleTopUp makes the page sample fall short (an estimate far above
// the rows) so that BERNOULLI tops it up, without drawing a row twice.
func TestSampleTopUp(t *testing.T) {
	f := newFixture(t)
	c := f.open(t, connectors.Options{}, nil)
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	events := containerNamed(t, cs, f.db.Name+".public.events")
	events.EstimatedDocuments = 1_000_000 // stale statistics
	docs, res := sampleAll(t, c, events, connectors.SampleOptions{Size: 200, Seed: 5})
	if want := MethodBernoulli + "+bernoulli+full-scan"; res.Method != want {
		t.Errorf("method %s, want %s", res.Method, want)
	}
	seen := map[any]bool{}
	for _, d := range docs {
		if seen[d.Fields["id"]] {
			t.Fatalf("row %v drawn twice", d.Fields["id"])
		}
		seen[d.Fields["id"]] = true
	}
	if len(docs) != 200 {
		t.Errorf("%d rows", len(docs))
	}
}

func TestSelectList(t *testing.T) {
	cols := []sqlrows.Column{sqlrows.NewColumn("a", "jsonb"), sqlrows.NewColumn("b\"x", "bytea"),
		sqlrows.NewColumn("c", "inet[]"), sqlrows.NewColumn("d", "integer"), sqlrows.NewColumn("e", "inet"),
		sqlrows.NewColumn("f", "text")}
	got := selectList(cols)
	for _, want := range []string{
		`CASE WHEN pg_column_size("a") > 65536 AND octet_length("a"::text) > 1048576 THEN NULL ELSE "a"::text END`,
		`CASE WHEN octet_length("b""x") > 1048576 THEN NULL ELSE "b""x" END`,
		`ARRAY(SELECT format('%s', e) FROM unnest("c") e)`, `, "d", `, `format('%s', "e")`,
		`CASE WHEN octet_length("f"::text) > 1048576 THEN NULL ELSE "f"::text END`,
		`concat_ws(',', CASE WHEN pg_column_size("a") > 65536 AND octet_length("a"::text) > 1048576 THEN '0' END, ` +
			`CASE WHEN octet_length("b""x") > 1048576 THEN '1' END, CASE WHEN octet_length("f"::text) > 1048576 THEN '5' END)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("select list %s lacks %s", got, want)
		}
	}
	if !sqlrows.ReadOnlyStatement("SELECT " + got + " FROM t") {
		t.Error("the select list is not on the read-only allow-list")
	}
	vals := []any{"a", "b", "c"}
	markTooLarge(vals, "0,2")
	if vals[0] != sqlrows.TooLarge || vals[1] != "b" || vals[2] != sqlrows.TooLarge {
		t.Errorf("markTooLarge: %v", vals)
	}
}

// TestSampleSystem samples a table of one row per page: random pages
// (TABLESAMPLE SYSTEM), spread over the table, the same for the same seed.
func TestSampleSystem(t *testing.T) {
	db := newFixture(t).db
	db.Exec(t, `CREATE TABLE wide (id int, pad text) WITH (fillfactor = 10)`,
		`INSERT INTO wide SELECT g, repeat('x', 900) FROM generate_series(1, 1000) g`,
		`ANALYZE wide`)
	c := openURI(t, db.URI, connectors.Options{Containers: connectors.Filter{Include: []string{"*.wide"}}}, nil)
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wide := containerNamed(t, cs, db.Name+".public.wide")
	a, res := sampleAll(t, c, wide, connectors.SampleOptions{Size: 100, Seed: 11})
	if !strings.HasPrefix(res.Method, MethodSystem) || len(a) != 100 {
		t.Fatalf("%d rows by %s, want 100 by %s", len(a), res.Method, MethodSystem)
	}
	b, _ := sampleAll(t, c, wide, connectors.SampleOptions{Size: 100, Seed: 11})
	if ids(a) != ids(b) {
		t.Error("the same seed gave another sample")
	}
	var quarters [4]int
	for _, d := range a {
		n := toInt(d.Fields["id"])
		quarters[min(3, (n-1)/250)]++
	}
	for i, q := range quarters {
		if q == 0 {
			t.Errorf("no row from quarter %d of the table: %v", i+1, quarters)
		}
	}
}

func toInt(v any) int64 {
	n, _ := strconv.ParseInt(fmt.Sprint(v), 10, 64)
	return n
}

func TestSelection(t *testing.T) {
	for _, tc := range []struct{ need, left, stream int64 }{{10, 100, 100}, {100, 100, 100}, {5, 3, 3}, {10, 100, 50}, {0, 10, 10}} {
		p := &selection{need: tc.need, left: tc.left, rng: rand.New(rand.NewPCG(1, 2))}
		var got int64
		firstHalf := int64(0)
		for i := int64(0); i < tc.stream; i++ {
			if p.take() {
				got++
				if i < tc.stream/2 {
					firstHalf++
				}
			}
		}
		want := min(tc.need, tc.left)
		if tc.stream < tc.left {
			want = -1 // fewer rows than counted: at most need
		}
		if want >= 0 && got != want || got > tc.need {
			t.Errorf("%+v: kept %d, want %d", tc, got, want)
		}
		if tc.need == 10 && tc.left == 100 && tc.stream == 100 && (firstHalf == 0 || firstHalf == 10) {
			t.Errorf("selection not spread: %d of 10 in the first half", firstHalf)
		}
	}
}

// TestSampleEmitError: an error of emit stops the sample and is returned
// as it is (not as a failure of the table), for a sample and a full read,
// and the connection goes on serving the next sample.
func TestSampleEmitError(t *testing.T) {
	db := newFixture(t).db
	db.Exec(t, `CREATE TABLE many (id int, v text)`,
		`INSERT INTO many SELECT g, 'row ' || g FROM generate_series(1, 5000) g`,
		`ANALYZE many`)
	c := openURI(t, db.URI, connectors.Options{Containers: connectors.Filter{Include: []string{"*.many"}}, Concurrency: 1}, nil)
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	many := containerNamed(t, cs, db.Name+".public.many")
	stop := errors.New("stop")
	for _, size := range []int{1000, 0} {
		calls := 0
		_, err := c.Sample(context.Background(), many, connectors.SampleOptions{Size: size, Seed: 3}, func(connectors.Document) error {
			calls++
			if calls == 10 {
				return stop
			}
			return nil
		})
		if err != stop {
			t.Errorf("size %d: Sample returned %v, want emit's error itself", size, err)
		}
		if calls != 10 {
			t.Errorf("size %d: emit called %d times, want 10 (none after its error)", size, calls)
		}
		if docs, _ := sampleAll(t, c, many, connectors.SampleOptions{Size: 100, Seed: 3}); len(docs) != 100 {
			t.Errorf("size %d: the next sample gave %d rows, want 100", size, len(docs))
		}
	}
}
