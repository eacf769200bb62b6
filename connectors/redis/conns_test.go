package redis

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redistest"
)

// TestConnectionsBounded: a scan of a Redis server opens at most
// --concurrency + 2 connections to each database it reads (a client per
// database: a connection stays in the database it selected) and, when it
// has credentials, one without them for the anonymous-access check (none
// here: the server has no password); here a database listed by SCAN walks (more walks than connections) and one read
// whole, patterns sampled as many at once as --concurrency allows, each in
// pipelines. go-redis's own pool for pipelines (up to 10 connections more
// per database) is not used.
func TestConnectionsBounded(t *testing.T) {
	srv := redistest.StartServer(t)
	cl := srv.Client(t, "", 0)
	ctx := context.Background()
	// db 0: 60,000 keys of 5 patterns (listed by walks: more than
	// SmallFactor × KeysPerPattern); db 1: 500 keys (read whole)
	for db, n := range map[int]int{0: 60_000, 1: 500} {
		c := srv.Client(t, "", db)
		p := c.Pipeline()
		for i := range n {
			k, typ := benchKey(i)
			switch typ {
			case "hash":
				p.HSet(ctx, k, "email", fmt.Sprintf("u%d@example.com", i))
			case "list":
				p.RPush(ctx, k, "a", "b")
			default:
				p.Set(ctx, k, fmt.Sprintf(`{"user":%d}`, i), 0)
			}
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	received := func() int {
		for _, l := range strings.Split(cl.Info(ctx, "stats").Val(), "\r\n") {
			if v, ok := strings.CutPrefix(l, "total_connections_received:"); ok {
				n, err := strconv.Atoi(v)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
		}
		t.Fatal("no total_connections_received in INFO stats")
		return 0
	}
	for _, tt := range []struct {
		conc int
		path string // of the target: /0 for database 0 alone, none for every database
		ndb  int
	}{{1, "/0", 1}, {2, "/0", 1}, {4, "/0", 1}, {8, "/0", 1}, {1, "", 2}, {4, "", 2}} {
		conc, ndb := tt.conc, tt.ndb
		t.Run(fmt.Sprintf("concurrency %d, target path %q", conc, tt.path), func(t *testing.T) {
			before := received()
			c, err := Open(ctx, "redis://"+srv.Addr+tt.path, connectors.Options{Concurrency: conc}.WithStore(Name, &Options{KeysPerPattern: 1000}))
			if err != nil {
				t.Fatal(err)
			}
			ex := c.Exposure(ctx)
			if !ex.AnonymousAccess {
				t.Fatalf("anonymous access not seen: %+v", ex)
			}
			cs, err := c.Containers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var docs atomic.Int64
			sampleAtOnce(ctx, t, c, cs, conc, 1000, func(connectors.Document) error {
				docs.Add(1)
				return nil
			})
			c.Close()
			want := 5 * 1000
			if ndb == 2 {
				want += 500
			}
			if docs.Load() < int64(want) {
				t.Fatalf("%d documents from %d containers, want at least %d", docs.Load(), len(cs), want)
			}
			// the client counting them has its connection already
			if got, limit := received()-before, (conc+2)*ndb; got > limit {
				t.Fatalf("%d connections opened, want at most %d", got, limit)
			}
		})
	}
}
