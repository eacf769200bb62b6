package pipeline

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	_ "github.com/piisniff/piisniff/connectors/redis"
	"github.com/piisniff/piisniff/internal/redistest"
)

// TestMergeRedis: the example app loaded into a claimed database of the
// shared Redis server, and a pattern of 2,000 hashes, scanned at once and
// by 2 and 3 shards (--shard), merged: the same report, finding by finding.
// Sampled scans split the key patterns between the shards; full scans give
// every shard the keys of every pattern whose hash falls in its slice.
func TestMergeRedis(t *testing.T) {
	db := redistest.Claim(t)
	ctx := context.Background()
	if _, err := redistest.LoadLeakyApp(ctx, db.Client); err != nil {
		t.Fatal(err)
	}
	p := db.Client.Pipeline()
	for i := 0; i < 2000; i++ {
		p.HSet(ctx, fmt.Sprintf("profile:%d", i), "email", fmt.Sprintf("p%d@example.com", i%700), "phone", fmt.Sprintf("+1 415 555 %04d", i))
	}
	// The TTL notes round to the minute under an hour: the sessions' TTLs
	// (30 minutes and more) are set to hours so that the runs, some seconds
	// apart, write the same note; the test's claim on the database (a key
	// of its own, with a TTL) is left out of the scan.
	iter := db.Client.Scan(ctx, 0, "session:*", 1000).Iterator()
	for i := 0; iter.Next(ctx); i++ {
		p.Expire(ctx, iter.Val(), time.Duration(6+i%7)*time.Hour)
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for _, sample := range []int{0, 50} {
		cfg := mergeConfig(t, sample)
		cfg.Connector.Containers = connectors.Filter{Exclude: []string{redistest.ClaimKey}}
		full := Run(ctx, []string{db.URI()}, cfg)
		names, _ := containerNames(full)
		if !full.Complete || len(names) < 5 {
			t.Fatalf("full run: complete %v, containers %v", full.Complete, names)
		}
		for _, n := range []int{2, 3} {
			t.Run(fmt.Sprintf("sample %d, %d shards", sample, n), func(t *testing.T) {
				s := shardScan{targets: []string{db.URI()}, cfg: cfg}
				assertSame(t, full, mergePaths(t, cfg.Engine, s.run(t, n)))
			})
		}
	}
}
