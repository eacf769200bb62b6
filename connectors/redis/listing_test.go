package redis

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redistest"
)

// TestSeededWalks: a large database is listed by SCAN walks from seeded
// cursors: the same seed keeps the same keys, another seed others; the
// keys are spread over the keyspace and the walks meet about as many keys
// as the patterns need, in a few pipelines.
func TestSeededWalks(t *testing.T) {
	db := redistest.Claim(t)
	ctx := context.Background()
	const n, keep = 20_000, 200
	p := db.Client.Pipeline()
	for i := 0; i < n; i++ {
		p.Set(ctx, fmt.Sprintf("k:%d", i), "v", 0)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// list also says whether the listing met the claim key of the test's
	// database, a pattern of its own of one key
	list := func(seed int64) ([]string, connectors.Container, *cmdLog, bool) {
		c, log := openT(t, db.URI(), connectors.Options{}, &Options{KeysPerPattern: keep, ScanCount: 100, Seed: seed})
		cs, err := c.Containers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ct connectors.Container
		found, claimMet := false, false
		for _, x := range cs {
			switch x.Name {
			case fmt.Sprintf("db%d/k:*", db.N):
				ct, found = x, true
			case fmt.Sprintf("db%d/%s", db.N, redistest.ClaimKey):
				claimMet = true
			}
		}
		if !found {
			t.Fatal("no container k:*")
		}
		keys := keyNames(ct.Handle.(*pattern).Keys)
		slices.Sort(keys)
		return keys, ct, log, claimMet
	}
	a, ct, log, claimMet := list(1)
	b, _, _, _ := list(1)
	other, _, _, _ := list(2)
	if len(a) != keep {
		t.Fatalf("%d keys kept, want %d", len(a), keep)
	}
	if !slices.Equal(a, b) {
		t.Error("the same seed kept other keys")
	}
	common := 0
	for _, k := range other {
		if _, found := slices.BinarySearch(a, k); found {
			common++
		}
	}
	if common > keep/2 {
		t.Errorf("seeds 1 and 2 kept %d keys in common of %d", common, keep)
	}
	deciles := map[int]bool{}
	for _, k := range a {
		i, _ := strconv.Atoi(strings.TrimPrefix(k, "k:"))
		deciles[i*10/n] = true
	}
	if len(deciles) < 10 {
		t.Errorf("the keys kept fall in %d tenths of the keyspace of 10", len(deciles))
	}
	var walked int
	for _, note := range ct.Notes {
		if m := regexp.MustCompile(`SCAN walks of (\d+) keys`).FindStringSubmatch(note); m != nil {
			walked, _ = strconv.Atoi(m[1])
		}
	}
	scans := 0
	for _, cmd := range log.all() {
		if cmd == "scan" {
			scans++
		}
	}
	if claimMet {
		// The walks met the claim key early (whether they do depends on
		// where the server's table puts it): a pattern of one key met in
		// the first pages is estimated at many keys, and the walks go on
		// for its keys until its estimate falls to the one found, after
		// about half the table; they never walk more than all of it.
		t.Logf("the walks met the claim key: %d keys met in %d SCANs", walked, scans)
		if walked < keep || walked > n+1+scanSegments*100 {
			t.Errorf("the walks met %d keys of %d", walked, n+1)
		}
		return
	}
	// the first pipeline's walks meet ScanCount keys each, the next ones
	// what the patterns still need
	if walked < keep || walked > scanSegments*100+keep {
		t.Errorf("the walks met %d keys for a pattern of %d keys wanted (of %d); notes %q", walked, keep, n, ct.Notes)
	}
	if scans > 3*scanSegments {
		t.Errorf("%d SCANs sent, want at most %d (three pipelines)", scans, 3*scanSegments)
	}
}
