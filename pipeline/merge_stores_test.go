package pipeline

import (
	"context"
	"fmt"
	"testing"

	_ "github.com/piisniff/piisniff/connectors/elasticsearch"
	_ "github.com/piisniff/piisniff/connectors/mongodb"
	_ "github.com/piisniff/piisniff/connectors/mysql"
	_ "github.com/piisniff/piisniff/connectors/postgres"
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
				assertSame(t, full, mergePaths(t, cfg.Engine, s.run(t, n)))
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

// TestMergeMySQL: the example's tables in a MariaDB database of their own,
// scanned at once and by 3 shards, merged: the same report.
func TestMergeMySQL(t *testing.T) {
	db := mysqltest.New(t)
	tables, err := mysqltest.LeakyAppTables()
	if err != nil {
		t.Fatal(err)
	}
	if err := mysqltest.Load(context.Background(), db.SQL, mysqltest.MySQL, tables); err != nil {
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
