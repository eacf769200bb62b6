package redis

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redistest"
)

// TestOverlappedChunks: a pattern read in several chunks (the next one's
// pipeline sent while this one is decoded) reads every key once, in every
// chunk: keys of another type than predicted are typed and read again,
// strings over the limit are skipped and counted, keys gone are counted.
func TestOverlappedChunks(t *testing.T) {
	db := redistest.Claim(t)
	ctx := context.Background()
	const n = 1500 // chunks of 125, 250, 500, 625
	p := db.Client.Pipeline()
	var hashes, big int
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("mix:%d", i)
		switch {
		case i%97 == 5:
			p.HSet(ctx, k, "n", i)
			hashes++
		case i%211 == 7:
			p.Set(ctx, k, `{"n":`+fmt.Sprint(i)+`,"pad":"`+strings.Repeat("x", 3000)+`"}`, 0)
			big++
		default:
			p.Set(ctx, k, fmt.Sprintf(`{"n":%d}`, i), 0)
		}
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	c, _ := openT(t, db.URI(), connectors.Options{MaxDocumentBytes: 2000}, &Options{KeysPerPattern: n})
	ct, ok := containers(t, c)[fmt.Sprintf("db%d/mix:*", db.N)]
	if !ok {
		t.Fatal("no container mix:*")
	}
	docs, res, err := sample(t, c, ct, n, 1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, d := range docs {
		seen[fmt.Sprint(d["n"])]++
	}
	for v, times := range seen {
		if times > 1 {
			t.Errorf("n=%s read %d times", v, times)
		}
	}
	if len(docs) != n-big || len(seen) != n-big {
		t.Errorf("%d documents of %d keys, want %d (%d hashes among them)", len(docs), len(seen), n-big, hashes)
	}
	if res.Skipped != int64(big) || res.SkipReasons[ReasonTooLarge] != int64(big) {
		t.Errorf("skipped %d %v, want %d as too large", res.Skipped, res.SkipReasons, big)
	}
}
