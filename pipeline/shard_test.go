package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/files"
	_ "github.com/piisniff/piisniff/connectors/mongodb"
	"github.com/piisniff/piisniff/internal/estest"
	"github.com/piisniff/piisniff/internal/mongotest"
	"github.com/piisniff/piisniff/report"
)

func TestParseShard(t *testing.T) {
	tests := []struct {
		in       string
		idx, cnt int
		err      bool
	}{
		{"0/4", 0, 4, false}, {"3/4", 3, 4, false}, {" 0/1 ", 0, 1, false},
		{"4/4", 0, 0, true}, {"-1/4", 0, 0, true}, {"1/0", 0, 0, true}, {"1", 0, 0, true}, {"a/b", 0, 0, true}, {"", 0, 0, true},
	}
	for _, tt := range tests {
		s, err := ParseShard(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseShard(%q) error %v", tt.in, err)
			continue
		}
		if err == nil && (s.Index != tt.idx || s.Count != tt.cnt) {
			t.Errorf("ParseShard(%q) = %+v", tt.in, s)
		}
	}
}

func TestIdentity(t *testing.T) {
	tests := []struct {
		spec TargetSpec
		want string
	}{
		{TargetSpec{Target: "mongodb://admin:s3cret@db:27017/x", Name: "shop"}, "name:shop"},
		{TargetSpec{Target: "mongodb://admin:s3cret@db:27017/x"}, "uri:mongodb://db:27017/x"},
		{TargetSpec{Target: "https://elastic:pw@search:9200"}, "uri:https://search:9200"},
		{TargetSpec{Target: "./exports"}, "path:./exports"},
		{TargetSpec{Target: "mongodb://u:p%zz@db/x"}, "uri:mongodb://db/x"},
	}
	for _, tt := range tests {
		got := Identity(tt.spec)
		if got != tt.want {
			t.Errorf("Identity(%q) = %q, want %q", tt.spec.Target, got, tt.want)
		}
		if strings.Contains(got, "s3cret") || strings.Contains(got, "pw") || strings.Contains(got, "admin") {
			t.Errorf("Identity holds credentials: %q", got)
		}
	}
}

// shardReads reads every unit of every one of n shards of a full scan of
// target, as RunTargets would, and counts the reads of each document by
// key(document). perShard is the number of documents each shard read.
func shardReads(t testing.TB, spec TargetSpec, opts connectors.Options, n int, key func(map[string]any) string) (counts map[string]int, perShard []int, notes []string) {
	t.Helper()
	ctx := context.Background()
	counts = map[string]int{}
	perShard = make([]int, n)
	for i := range n {
		s := &scanner{cfg: Config{Shard: &report.ShardInfo{Index: i, Count: n}}}
		conn, err := connectors.Open(ctx, spec.Target, opts)
		if err != nil {
			t.Fatal(err)
		}
		containers, err := conn.Containers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range s.units(spec, conn, containers, 0) {
			var undecoded []string
			res, err := conn.Sample(ctx, u.c, connectors.SampleOptions{Size: 0, Seed: 1, Slice: u.slice}, func(d connectors.Document) error {
				fields, reason, ok := d.Decode()
				if !ok {
					undecoded = append(undecoded, reason)
					return nil
				}
				counts[u.c.Name+"/"+key(fields)]++
				perShard[i]++
				return nil
			})
			if err != nil {
				t.Fatalf("shard %d, %s: %v", i, u.c.Name, err)
			}
			for _, reason := range undecoded {
				res.Skip(reason)
			}
			res.FoldDecodeNotes()
			if res.Skipped > 0 {
				t.Errorf("shard %d, %s: %d skipped (%v) %v", i, u.c.Name, res.Skipped, res.SkipReasons, res.Notes)
			}
			notes = append(notes, res.Notes...)
		}
		conn.Close()
	}
	return counts, perShard, notes
}

// checkOnce fails unless counts holds exactly want documents, each read once.
func checkOnce(t *testing.T, counts map[string]int, perShard []int, want int) {
	t.Helper()
	sum := 0
	for _, n := range perShard {
		sum += n
	}
	if sum != want || len(counts) != want {
		t.Errorf("the shards read %d documents, %d distinct; want %d", sum, len(counts), want)
	}
	for k, n := range counts {
		if n != 1 {
			t.Errorf("%s read %d times", k, n)
		}
	}
	t.Logf("documents per shard: %v", perShard)
}

// writeShardFiles writes a directory of small files and large NDJSON, CSV
// and TSV files; it returns the number of documents.
func writeShardFiles(t testing.TB, dir string, small, big int) int {
	t.Helper()
	total := 0
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for f := range 7 {
		var b strings.Builder
		for i := range small {
			fmt.Fprintf(&b, `{"id":"s%d-%d","email":"s%d.%d@example.com"}`+"\n", f, i, f, i)
		}
		write(fmt.Sprintf("small-%d.ndjson", f), b.String())
		total += small
	}
	var nd, csv, tsv, sep, quoted strings.Builder
	nd.WriteString("\xEF\xBB\xBF") // a byte order mark, read by slice 0 only
	csv.WriteString("id,email,note\n")
	tsv.WriteString("id\temail\n")
	sep.WriteString("sep=;\nid;email\n")
	quoted.WriteString("id,comment\n\"q-first\",\"two\nlines\"\n")
	for i := range big {
		fmt.Fprintf(&nd, `{"id":"n%d","email":"n%d@example.com","pad":"%s"}`+"\n", i, i, strings.Repeat("x", i%37))
		fmt.Fprintf(&csv, "c%d,c%d@example.com,\"a, b\"\n", i, i)
		fmt.Fprintf(&tsv, "t%d\tt%d@example.com\n", i, i)
		fmt.Fprintf(&sep, "p%d;p%d@example.com\r\n", i, i)
		fmt.Fprintf(&quoted, "q%d,plain\n", i)
	}
	write("big.ndjson", nd.String())
	write("big.csv", csv.String())
	write("big.tsv", tsv.String())
	write("big-sep.csv", sep.String())
	write("quoted.csv", quoted.String())
	return total + 5*big + 1
}

func idKey(m map[string]any) string { return fmt.Sprint(m["id"]) }

func TestShardsReadFilesOnce(t *testing.T) {
	old := files.SliceThreshold
	files.SliceThreshold = 4 << 10
	t.Cleanup(func() { files.SliceThreshold = old })
	dir := t.TempDir()
	want := writeShardFiles(t, dir, 20, 2000)
	for _, n := range []int{1, 2, 3, 4, 7} {
		t.Run(fmt.Sprintf("%d shards", n), func(t *testing.T) {
			counts, perShard, notes := shardReads(t, TargetSpec{Target: dir}, connectors.Options{}, n, idKey)
			checkOnce(t, counts, perShard, want)
			if n > 1 {
				sliced := 0
				for _, note := range notes {
					if strings.HasPrefix(note, "slice ") && strings.Contains(note, "bytes") {
						sliced++
					}
				}
				if sliced != 4*n { // big.ndjson, big.csv, big.tsv, big-sep.csv; quoted.csv is read whole
					t.Errorf("%d byte-range slices read, want %d", sliced, 4*n)
				}
			}
		})
	}
}

func TestShardsReadElasticsearchOnce(t *testing.T) {
	srv := estest.New(estest.Config{Flavor: estest.ES8})
	t.Cleanup(srv.Close)
	want := 0
	for i, size := range []int{1500, 40, 3} {
		var docs []map[string]any
		for j := range size {
			docs = append(docs, map[string]any{"id": fmt.Sprintf("e%d-%d", i, j), "email": fmt.Sprintf("e%d@example.com", j)})
		}
		if err := srv.AddIndex(fmt.Sprintf("index-%d", i), nil, docs); err != nil {
			t.Fatal(err)
		}
		want += size
	}
	for _, n := range []int{1, 4} {
		counts, perShard, _ := shardReads(t, TargetSpec{Target: srv.URL()}, connectors.Options{}, n, idKey)
		checkOnce(t, counts, perShard, want)
		for i, c := range perShard {
			if n > 1 && float64(c) > 0.3*float64(want) {
				t.Errorf("shard %d read %d of %d documents", i, c, want)
			}
		}
	}
	if srv.OpenContexts() != 0 {
		t.Errorf("%d search contexts left open", srv.OpenContexts())
	}
}

func TestShardsReadMongoDBOnce(t *testing.T) {
	srv := mongotest.Start(t)
	client := srv.Client(t)
	ctx := context.Background()
	db := client.Database("shards")
	gens := map[string]func(i int) any{
		"oids": func(i int) any {
			return map[string]any{"id": fmt.Sprintf("o%d", i), "email": fmt.Sprintf("o%d@example.com", i)}
		},
		"ints": func(i int) any {
			return bson.D{{Key: "_id", Value: int64(i * 7)}, {Key: "id", Value: fmt.Sprintf("i%d", i)}}
		},
		"strs": func(i int) any {
			return bson.D{{Key: "_id", Value: fmt.Sprintf("k%05d", i)}, {Key: "id", Value: fmt.Sprintf("k%d", i)}}
		},
	}
	sizes := map[string]int{"oids": 900, "ints": 500, "strs": 60}
	want := 0
	for name, gen := range gens {
		if err := mongotest.InsertGenerated(ctx, db.Collection(name), sizes[name], gen); err != nil {
			t.Fatal(err)
		}
		want += sizes[name]
	}
	counts, perShard, notes := shardReads(t, TargetSpec{Target: srv.URI}, connectors.Options{Databases: connectors.Filter{Include: []string{"shards"}}}, 3, idKey)
	checkOnce(t, counts, perShard, want)
	// FerretDB cannot scan an _id range through an index: the report says so
	var ferret, uncut bool
	for _, n := range notes {
		ferret = ferret || strings.Contains(n, "FerretDB filters ranges in memory")
		uncut = uncut || strings.Contains(n, "cannot be cut into ranges")
	}
	if !ferret || !uncut {
		t.Errorf("notes do not say that FerretDB filters ranges in memory (%v) or that string _ids are not cut (%v): %q", ferret, uncut, notes)
	}
}

// TestShardedRunsAddUp: N sharded runs of the pipeline read as many
// documents as one run, each report carries its shard, and a sampled scan
// gives each container to one shard whole.
func TestShardedRunsAddUp(t *testing.T) {
	old := files.SliceThreshold
	files.SliceThreshold = 4 << 10
	t.Cleanup(func() { files.SliceThreshold = old })
	dir := t.TempDir()
	want := writeShardFiles(t, dir, 20, 1000)
	// a second target of one small file: in two of the three shards of a
	// sampled scan it has no container at all
	one := t.TempDir()
	if err := os.WriteFile(filepath.Join(one, "only.ndjson"), []byte(`{"id":"only","email":"o@example.com"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, sample := range []int{0, 100} {
		cfg := Config{Engine: testEngine(t), Workers: 2, SampleSize: sample, MinConfidence: 0.5}
		full := RunTargets(context.Background(), []TargetSpec{{Target: dir, Name: "exports", Tags: map[string]string{"owner": "data"}}, {Target: one, Name: "one"}}, cfg)
		if sample == 0 && full.Summary.DocumentsSampled != int64(want)+1 {
			t.Fatalf("full run read %d documents, want %d", full.Summary.DocumentsSampled, want)
		}
		if full.Targets[0].Name != "exports" || full.Targets[0].Tags["owner"] != "data" {
			t.Errorf("name and tags not in the report: %+v", full.Targets[0])
		}
		var sum int64
		containers := map[string]int{}
		for i := range 3 {
			c := cfg
			c.Shard = &report.ShardInfo{Index: i, Count: 3}
			r := RunTargets(context.Background(), []TargetSpec{{Target: dir, Name: "exports"}, {Target: one, Name: "one"}}, c)
			if r.Shard == nil || r.Shard.Index != i || r.Shard.Count != 3 {
				t.Errorf("shard %d: report shard %+v", i, r.Shard)
			}
			// a target none of whose containers fell to this shard is not
			// an empty target: the shard is complete
			if !r.Complete {
				t.Errorf("sample %d, shard %d: complete false (%d containers, notes %v)", sample, i, len(r.Targets[0].Containers), r.Notes)
			}
			sum += r.Summary.DocumentsSampled
			for _, ct := range r.Targets[0].Containers {
				containers[ct.Name]++
			}
		}
		if sum != full.Summary.DocumentsSampled {
			t.Errorf("sample %d: shards read %d documents, one run %d", sample, sum, full.Summary.DocumentsSampled)
		}
		for _, ct := range full.Targets[0].Containers {
			wantN := 1
			if sample == 0 && strings.HasPrefix(ct.Name, "big") {
				wantN = 3
			}
			if containers[ct.Name] != wantN {
				t.Errorf("sample %d: %s in %d shard reports, want %d", sample, ct.Name, containers[ct.Name], wantN)
			}
		}
	}
}
