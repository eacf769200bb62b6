package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/piisniff/piisniff/connectors/elasticsearch"
	_ "github.com/piisniff/piisniff/connectors/mongodb"
	_ "github.com/piisniff/piisniff/connectors/mysql"
	_ "github.com/piisniff/piisniff/connectors/postgres"
	_ "github.com/piisniff/piisniff/connectors/sqlite"
	"github.com/piisniff/piisniff/internal/estest"
	"github.com/piisniff/piisniff/internal/mongotest"
	"github.com/piisniff/piisniff/internal/mysqltest"
	"github.com/piisniff/piisniff/internal/pgtest"
)

// TestMergeElasticsearch: indices of the protocol test server scanned at
// once and by 1, 2 and 3 shards (--shard), merged: the same report, finding
// by finding. Sampled scans split the indices between the shards; full
// scans give every shard its slice of every index (sliced point in time).
func TestMergeElasticsearch(t *testing.T) {
	srv := estest.New(estest.Config{Flavor: estest.ES8})
	t.Cleanup(srv.Close)
	sizes := []int{40, 250, 0, 90, 600}
	for i, n := range sizes {
		mapping := map[string]any{"properties": map[string]any{"home": map[string]any{"type": "geo_point"}}}
		if err := srv.AddIndex(fmt.Sprintf("app-%d", i), mapping, people(n, max(n/2, 1))); err != nil {
			t.Fatal(err)
		}
	}
	for _, sample := range []int{0, 100} {
		cfg := mergeConfig(t, sample)
		full := Run(context.Background(), []string{srv.URL()}, cfg)
		names, _ := containerNames(full)
		if !full.Complete || len(names) != len(sizes) {
			t.Fatalf("full run: complete %v, containers %v", full.Complete, names)
		}
		for _, n := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("sample %d, %d shards", sample, n), func(t *testing.T) {
				s := shardScan{targets: []string{srv.URL()}, cfg: cfg}
				assertSame(t, full, mergePaths(t, cfg.Engine, s.run(t, n)))
			})
		}
	}
}

// TestMergeMongoDB: collections of an embedded FerretDB scanned at once
// and by 2 and 3 shards (--shard), merged: the same report, finding by
// finding. Sampled scans split the collections between the shards; full
// scans give every shard its _id range slice of every collection.
func TestMergeMongoDB(t *testing.T) {
	srv := mongotest.Start(t)
	client := srv.Client(t)
	ctx := context.Background()
	sizes := []int{30, 120, 0, 300}
	for i, n := range sizes {
		docs := people(n, max(n/3, 1))
		coll := client.Database("shop").Collection(fmt.Sprintf("c%d", i))
		err := mongotest.InsertGenerated(ctx, coll, n, func(j int) any {
			if docs[j] == nil {
				return map[string]any{"note": "empty"}
			}
			return docs[j]
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, sample := range []int{0, 50} {
		cfg := mergeConfig(t, sample)
		full := Run(ctx, []string{srv.URI}, cfg)
		names, _ := containerNames(full)
		if !full.Complete || len(names) != len(sizes) {
			t.Fatalf("full run: complete %v, containers %v", full.Complete, names)
		}
		for _, n := range []int{2, 3} {
			t.Run(fmt.Sprintf("sample %d, %d shards", sample, n), func(t *testing.T) {
				s := shardScan{targets: []string{srv.URI}, cfg: cfg}
				paths := s.run(t, n)
				if sample == 0 {
					// the slices were cut by _id and say so, with the
					// method of a whole read: the merge must take the
					// notes out for the reports to be equal
					notes, methods := sliceNotes(t, paths)
					if len(notes) == 0 || !methods["all"] || len(methods) != 1 {
						t.Errorf("shard reports: slice notes %q, methods %v; want notes and method all", notes, methods)
					}
				}
				assertSame(t, full, mergePaths(t, cfg.Engine, paths))
			})
		}
	}
}

// TestMergePostgres: the example's tables in a PostgreSQL database of
// their own, scanned at once and by 3 shards (--shard), merged: the same
// report. Sampled scans split the tables between the shards; full scans
// give every shard its primary-key range slice of every table with a
// one-column key.
func TestMergePostgres(t *testing.T) {
	db := pgtest.NewDB(t)
	if _, err := pgtest.LoadLeakyApp(context.Background(), db.Conn(t)); err != nil {
		t.Fatal(err)
	}
	for _, sample := range []int{0, 20} {
		cfg := mergeConfig(t, sample)
		full := Run(context.Background(), []string{db.URI}, cfg)
		names, _ := containerNames(full)
		if !full.Complete || len(names) < 3 {
			t.Fatalf("full run: complete %v, containers %v", full.Complete, names)
		}
		t.Run(fmt.Sprintf("sample %d, 3 shards", sample), func(t *testing.T) {
			s := shardScan{targets: []string{db.URI}, cfg: cfg}
			assertSame(t, full, mergePaths(t, cfg.Engine, s.run(t, 3)))
		})
	}
}

// TestMergeMySQL: the example's tables and a generated one with integer
// keys in a MariaDB database of their own, scanned at once and by 3
// shards, merged: the same report. In the full scan every table with an
// integer key is cut into key ranges, one per shard.
func TestMergeMySQL(t *testing.T) {
	db := mysqltest.New(t)
	if err := mysqltest.LoadLeakyApp(context.Background(), db.SQL, mysqltest.MySQL, peopleTable(t, 400)); err != nil {
		t.Fatal(err)
	}
	mergeSQL(t, db.URI, db.Name+".people")
}

// TestMergeSQLite: the same with a SQLite file (rowid ranges).
func TestMergeSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	if err := mysqltest.LeakyAppSQLite(context.Background(), path, peopleTable(t, 400)); err != nil {
		t.Fatal(err)
	}
	mergeSQL(t, "sqlite://"+path, "app.db.people")
}

// peopleTable is people(n) as a table with an integer primary key.
func peopleTable(t *testing.T, n int) mysqltest.Table {
	t.Helper()
	docs := people(n, n/3)
	for i, d := range docs {
		if d == nil {
			d = map[string]any{"notes": "empty"}
		}
		d["id"] = json.Number(strconv.Itoa(i + 1))
		docs[i] = d
	}
	tb, err := mysqltest.TableOf("people", docs)
	if err != nil || tb.Key != "id" {
		t.Fatalf("people table: key %q, %v", tb.Key, err)
	}
	return tb
}

// mergeSQL scans target at once and by 3 shards, sampled and in full, and
// compares the merged report with the single one; in the full scan, every
// shard reads its slice of the container sliced, and says so in a slice
// note, with the method of a whole read.
func mergeSQL(t *testing.T, target, sliced string) {
	for _, sample := range []int{0, 20} {
		cfg := mergeConfig(t, sample)
		full := Run(context.Background(), []string{target}, cfg)
		names, _ := containerNames(full)
		if !full.Complete || len(names) < 3 {
			t.Fatalf("full run: complete %v, containers %v", full.Complete, names)
		}
		t.Run(fmt.Sprintf("sample %d, 3 shards", sample), func(t *testing.T) {
			s := shardScan{targets: []string{target}, cfg: cfg}
			paths := s.run(t, 3)
			if sample == 0 {
				for i, p := range paths {
					m, notes := containerMethod(t, p, sliced)
					if want := fmt.Sprintf("slice %d of 3: ", i); m != "all" || !strings.Contains(strings.Join(notes, "\n"), want) {
						t.Errorf("%s: %s read with %q, notes %q; want all and a note %q", p, sliced, m, notes, want)
					}
				}
			}
			assertSame(t, full, mergePaths(t, cfg.Engine, paths))
		})
	}
}

// containerMethod is the sampling method and the notes of a container in
// a report file.
func containerMethod(t *testing.T, path, container string) (string, []string) {
	t.Helper()
	for _, tg := range readReportFile(t, path).Targets {
		for _, c := range tg.Containers {
			if c.Name == container {
				return c.SamplingMethod, c.Notes
			}
		}
	}
	t.Fatalf("%s: no container %s", path, container)
	return "", nil
}
