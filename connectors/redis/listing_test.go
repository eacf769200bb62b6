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

// TestGuessCount: the next round of the walks is sent before this round's
// keys are recorded, with its COUNT guessed from the keys of the pages;
// when no key was met before (the case of SCAN walks of a table that is
// not rehashing), the guess is the COUNT worked out once they are recorded
// (0 when the listing stops then).
func TestGuessCount(t *testing.T) {
	type prior struct {
		pattern             string
		keys, walked, count int // keys kept, met by the walks, by the draws
	}
	tests := []struct {
		name       string
		size       int64
		keep       int
		draws      int64
		prior      []prior
		pages      [][]string // keys of each walk's page: "<prefix>:<n>"
		live, fill int
		next       bool // a next round is wanted
	}{
		{name: "first round, all short", size: 1_000_000, keep: 2000, draws: 100,
			prior: []prior{{"user:*", 0, 0, 40}, {"session:*", 0, 0, 60}},
			pages: [][]string{numberedKeys("user", 0, 300), numberedKeys("session", 0, 500), numberedKeys("user", 300, 200)}, live: 3, fill: 200_000, next: true},
		{name: "one full, one short", size: 100_000, keep: 500, draws: 10,
			prior: []prior{{"user:*", 400, 1000, 5}, {"cart:*:items", 10, 30, 5}},
			pages: [][]string{numberedKeys("user", 1000, 300), numberedKeys("cart", 100, 5)}, live: 2, fill: 200_000, next: true},
		{name: "all full after the pages", size: 3000, keep: 500, draws: 0,
			prior: []prior{{"user:*", 400, 400, 0}},
			pages: [][]string{numberedKeys("user", 1000, 100), numberedKeys("user", 2000, 100)}, live: 2, fill: 200_000},
		{name: "a new pattern in the pages", size: 1_000_000, keep: 1000, draws: 100,
			prior: []prior{{"user:*", 900, 900, 100}},
			pages: [][]string{numberedKeys("user", 5000, 100), numberedKeys("order", 0, 3)}, live: 2, fill: 200_000, next: true},
		{name: "fill keys reached", size: 1_000_000, keep: 1000, draws: 0,
			prior: []prior{{"user:*", 10, 10, 0}},
			pages: [][]string{numberedKeys("user", 100, 100), numberedKeys("rare", 0, 1)}, live: 2, fill: 110},
		{name: "one walk left", size: 1_000_000, keep: 1000, draws: 100,
			prior: []prior{{"tag:*", 20, 20, 1}},
			pages: [][]string{numberedKeys("tag", 100, 50)}, live: 1, fill: 200_000, next: true},
		{name: "no walk left", size: 1_000_000, keep: 1000, draws: 100,
			prior: []prior{{"tag:*", 20, 20, 1}},
			pages: [][]string{numberedKeys("tag", 100, 50)}, live: 0, fill: 200_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &dbList{size: tt.size, keep: tt.keep, draws: tt.draws, patterns: map[string]*pattern{}}
			for _, p := range tt.prior {
				st := &pattern{Pattern: p.pattern, Walked: int64(p.walked), Count: int64(p.count)}
				for i := range p.keys {
					st.Keys = append(st.Keys, keyRef{key: fmt.Sprintf("prior%d", i)})
				}
				l.patterns[p.pattern] = st
				l.walked += int64(p.walked)
			}
			segs := make([]segment, len(tt.pages))
			pages := make([]walkPage, len(tt.pages))
			for i, ks := range tt.pages {
				pages[i].keys = ks
				pages[i].patterns(&segs[i])
			}
			guess := l.guessCount(pages, len(pages), tt.live, int64(tt.fill), 1<<20)
			seen := map[string]struct{}{}
			for i := range pages {
				for k, key := range pages[i].keys {
					l.walk1(key, pages[i].pats[k], pages[i].ids[k], seen, 1000)
				}
			}
			want := 0
			if !l.full() && l.walked < int64(tt.fill) && tt.live > 0 {
				want = l.nextCount(len(pages), tt.live, int64(tt.fill), 1<<20)
			}
			if guess != want {
				t.Fatalf("guessed COUNT %d, worked out once the keys are recorded: %d", guess, want)
			}
			if (want > 0) != tt.next {
				t.Fatalf("COUNT %d: a next round wanted: %v, want %v", want, want > 0, tt.next)
			}
		})
	}
}

// numberedKeys are n keys prefix:from, prefix:from+1, … (cart keys as cart:<n>:items).
func numberedKeys(prefix string, from, n int) []string {
	out := make([]string, n)
	for i := range out {
		if prefix == "cart" {
			out[i] = fmt.Sprintf("cart:%d:items", from+i)
		} else {
			out[i] = fmt.Sprintf("%s:%d", prefix, from+i)
		}
	}
	return out
}
