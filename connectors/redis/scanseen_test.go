package redis

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redistest"
)

func TestScanSeen(t *testing.T) {
	big := strings.Repeat("x", scanWindowBytes/4)
	tests := []struct {
		name  string
		keys  []string
		fresh []bool
	}{
		{"new keys", []string{"a", "b", "c"}, []bool{true, true, true}},
		{"a key again", []string{"a", "b", "a", "b"}, []bool{true, true, false, false}},
		{"a key twice in a row", []string{"a", "a"}, []bool{true, false}},
		{"forgotten past the bytes of the window", []string{"a", big, big + "1", big + "2", big + "3", "a"},
			[]bool{true, true, true, true, true, true}},
		{"remembered within the bytes of the window", []string{"a", big, big + "1", "a"}, []bool{true, true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newScanSeen()
			for i, k := range tt.keys {
				if got := w.fresh(k); got != tt.fresh[i] {
					t.Errorf("key %d (%.10q): fresh = %v, want %v", i, k, got, tt.fresh[i])
				}
			}
		})
	}
}

// TestScanSeenWindowKeys: the window holds the last scanWindowKeys keys:
// a key met again within them is a duplicate, one met again after them is
// not remembered; the memory held stays bounded.
func TestScanSeenWindowKeys(t *testing.T) {
	w := newScanSeen()
	for i := 0; i < 3*scanWindowKeys; i++ {
		if !w.fresh(fmt.Sprint(i)) {
			t.Fatalf("key %d: not fresh", i)
		}
		if len(w.set) > scanWindowKeys || len(w.order) > 2*scanWindowKeys {
			t.Fatalf("after %d keys: %d remembered, %d slots", i+1, len(w.set), len(w.order))
		}
	}
	last := 3*scanWindowKeys - 1
	if w.fresh(fmt.Sprint(last - scanWindowKeys + 2)) {
		t.Error("a key within the window was taken as new")
	}
	if !w.fresh(fmt.Sprint(0)) {
		t.Error("a key long past the window was taken as a duplicate")
	}
}

// dupScan is a go-redis hook that makes every SCAN page (alone or in a
// pipeline) return the keys of the page before it again, as a server whose
// hash table shrank between the calls does.
type dupScan struct {
	mu   sync.Mutex
	last []string
	dups int
}

func (d *dupScan) DialHook(next goredis.DialHook) goredis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (d *dupScan) doctor(cmd goredis.Cmder) {
	sc, ok := cmd.(*goredis.ScanCmd)
	if !ok || sc.Err() != nil || !strings.EqualFold(sc.Name(), "scan") {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	keys, cursor := sc.Val()
	page := append(append([]string(nil), keys...), d.last...)
	d.dups += len(d.last)
	d.last = append([]string(nil), keys...)
	sc.SetVal(page, cursor)
}

func (d *dupScan) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		err := next(ctx, cmd)
		d.doctor(cmd)
		return err
	}
}

func (d *dupScan) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		err := next(ctx, cmds)
		for _, c := range cmds {
			d.doctor(c)
		}
		return err
	}
}

// TestScanDuplicates: SCAN returning keys again (see dupScan) neither
// counts nor reads a key twice: a small database listed by SCAN counts
// every key once, and a full scan of a pattern (sample size 0, SCAN MATCH
// while sampling) reads every key once.
func TestScanDuplicates(t *testing.T) {
	db := redistest.Claim(t)
	ctx := context.Background()
	const n = 300
	p := db.Client.Pipeline()
	for i := 0; i < n; i++ {
		p.Set(ctx, fmt.Sprintf("dup:%d", i), fmt.Sprintf(`{"n":%d}`, i), 0)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		own    *Options
		method string
	}{
		{"small database, listed by SCAN", &Options{KeysPerPattern: 1000, ScanCount: 20}, MethodScan},
		{"full scan of a pattern by SCAN MATCH", &Options{KeysPerPattern: 10, SmallFactor: 1, ScanCount: 20}, MethodScanMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := openT(t, db.URI(), connectors.Options{}, tt.own)
			d := &dupScan{}
			c.client(db.N).AddHook(d)
			ct, ok := containers(t, c)[fmt.Sprintf("db%d/dup:*", db.N)]
			if !ok {
				t.Fatal("no container dup:*")
			}
			if tt.method == MethodScan && ct.EstimatedDocuments != n {
				t.Errorf("%d keys counted, want %d", ct.EstimatedDocuments, n)
			}
			docs, res, err := sample(t, c, ct, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			if res.Method != tt.method {
				t.Errorf("method %q, want %q", res.Method, tt.method)
			}
			if d.dups == 0 {
				t.Fatal("no SCAN page returned a key again: the test tests nothing")
			}
			seen := map[any]int{}
			for _, doc := range docs {
				seen[doc["n"]]++
			}
			for v, times := range seen {
				if times > 1 {
					t.Errorf("value %v read %d times", v, times)
				}
			}
			if len(docs) != n || len(seen) != n {
				t.Errorf("%d documents of %d keys, want %d", len(docs), len(seen), n)
			}
		})
	}
}
