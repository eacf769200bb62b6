package redis

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
	"github.com/piisniff/piisniff/internal/redistest"
)

// cmdLog records the commands a connector sent.
type cmdLog struct {
	mu   sync.Mutex
	cmds []string
}

func (l *cmdLog) add(c string) {
	l.mu.Lock()
	l.cmds = append(l.cmds, c)
	l.mu.Unlock()
}

func (l *cmdLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.cmds)
}

func openT(t *testing.T, target string, opts connectors.Options, own *Options) (*Connector, *cmdLog) {
	t.Helper()
	if own != nil {
		opts = opts.WithStore(Name, own)
	}
	log := &cmdLog{}
	c, err := open(context.Background(), target, opts, log.add)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c, log
}

// containers lists the containers, without the test database's claim key.
func containers(t *testing.T, c *Connector) map[string]connectors.Container {
	t.Helper()
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatalf("Containers: %v", err)
	}
	out := map[string]connectors.Container{}
	for _, ct := range cs {
		if strings.HasSuffix(ct.Name, "/"+redistest.ClaimKey) {
			continue
		}
		out[ct.Name] = ct
	}
	return out
}

// sample samples ct and decodes its documents as the pipeline does: a
// raw document that does not decode is counted as skipped, and the notes
// of decoding are added to the result's.
func sample(t *testing.T, c *Connector, ct connectors.Container, size int, seed int64) ([]map[string]any, connectors.SampleResult, error) {
	t.Helper()
	return sampleWith(c, ct, connectors.SampleOptions{Size: size, Seed: seed})
}

func sampleWith(c *Connector, ct connectors.Container, opts connectors.SampleOptions) ([]map[string]any, connectors.SampleResult, error) {
	return connectortest.SampleDecoded(context.Background(), c, ct, opts)
}

func names(m map[string]connectors.Container) []string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// loadTypes writes keys of every type into the claimed database.
func loadTypes(t *testing.T, cl *goredis.Client) {
	t.Helper()
	ctx := context.Background()
	p := cl.Pipeline()
	for i := 0; i < 30; i++ {
		p.HSet(ctx, fmt.Sprintf("user:%d", 1000+i), "email", fmt.Sprintf("user%d@example.com", i),
			"address", `{"street":"1 Main St","city":"Springfield"}`, "age", "42")
	}
	for i := 0; i < 20; i++ {
		p.Set(ctx, fmt.Sprintf("order:%d", 500+i), fmt.Sprintf(`{"payment":{"card":"4111 1111 1111 1111"},"n":%d}`, i), 0)
	}
	for i := 0; i < 150; i++ {
		p.RPush(ctx, "queue:emails", fmt.Sprintf("q%d@example.com", i))
	}
	p.SAdd(ctx, "tags", "a", "b", "c")
	p.ZAdd(ctx, "leaderboard", goredis.Z{Score: 10, Member: "alice@example.com"}, goredis.Z{Score: 7, Member: "bob@example.com"})
	for i := 0; i < 3; i++ {
		p.XAdd(ctx, &goredis.XAddArgs{Stream: "events", Values: map[string]any{"ip": "198.51.100.7", "meta": `{"ua":"x"}`}})
	}
	p.Set(ctx, "greeting", "hello world", 0)
	p.Set(ctx, "blob:1", []byte{0, 1, 2, 0xff, 0xfe, 0x80, 0x81}, 0)
	p.Set(ctx, "gz:1", gz([]byte(`{"email":"gz@example.com"}`)), 0)
	p.Set(ctx, "b64:1", base64.StdEncoding.EncodeToString([]byte(`{"email":"b64@example.com"}`)), 0)
	mp, _ := msgpack.Marshal(map[string]any{"email": "mp@example.com", "n": 1})
	p.Set(ctx, "mp:1", mp, 0)
	p.Set(ctx, "big:1", strings.Repeat("x", 5000), 0)
	for i := 0; i < 4; i++ {
		p.Set(ctx, fmt.Sprintf("session:%016x", 0xabcdef1234+i), `{"ip":"203.0.113.9"}`, time.Duration(30+i)*time.Minute)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestContainersAndSampling(t *testing.T) {
	db := redistest.Claim(t)
	loadTypes(t, db.Client)
	c, _ := openT(t, db.URI(), connectors.Options{MaxDocumentBytes: 1000}, nil)
	cs := containers(t, c)
	want := []string{"b64:*", "big:*", "blob:*", "events", "greeting", "gz:*", "leaderboard", "mp:*", "order:*", "queue:emails", "session:*", "tags", "user:*"}
	for i := range want {
		want[i] = fmt.Sprintf("db%d/%s", db.N, want[i])
	}
	if got := names(cs); !slices.Equal(got, want) {
		t.Fatalf("containers\n got %q\nwant %q", got, want)
	}
	ct := func(p string) connectors.Container { return cs[fmt.Sprintf("db%d/%s", db.N, p)] }
	if n := ct("user:*").EstimatedDocuments; n != 30 {
		t.Errorf("user:* estimated %d keys, want 30", n)
	}

	tests := []struct {
		pattern string
		docs    int
		check   func(t *testing.T, docs []map[string]any, res connectors.SampleResult)
	}{
		{"user:*", 30, func(t *testing.T, docs []map[string]any, _ connectors.SampleResult) {
			d := docs[0]
			if _, ok := d["(key)"].(string); !ok || !strings.HasPrefix(fmt.Sprint(d["email"]), "user") {
				t.Errorf("user doc %v", d)
			}
			if addr, ok := d["address"].(map[string]any); !ok || addr["city"] != "Springfield" {
				t.Errorf("address not parsed from JSON: %#v", d["address"])
			}
		}},
		{"order:*", 20, func(t *testing.T, docs []map[string]any, _ connectors.SampleResult) {
			p, _ := docs[0]["payment"].(map[string]any)
			if p["card"] != "4111 1111 1111 1111" {
				t.Errorf("order doc %v", docs[0])
			}
		}},
		{"queue:emails", 1, func(t *testing.T, docs []map[string]any, res connectors.SampleResult) {
			if items, _ := docs[0]["(items)"].([]any); len(items) != itemsRead {
				t.Errorf("list read %d items, want the first %d", len(items), itemsRead)
			}
			if !strings.Contains(strings.Join(res.Notes, ";"), "read in part") {
				t.Errorf("notes %q say nothing of the partial read", res.Notes)
			}
		}},
		{"leaderboard", 1, func(t *testing.T, docs []map[string]any, _ connectors.SampleResult) {
			if items, _ := docs[0]["(items)"].([]any); len(items) != 2 || items[0] != "bob@example.com" {
				t.Errorf("zset items %v", docs[0]["(items)"])
			}
		}},
		{"tags", 1, nil},
		{"events", 3, func(t *testing.T, docs []map[string]any, _ connectors.SampleResult) {
			if docs[0]["ip"] != "198.51.100.7" || docs[0]["meta"].(map[string]any)["ua"] != "x" {
				t.Errorf("stream entry %v", docs[0])
			}
		}},
		{"greeting", 1, func(t *testing.T, docs []map[string]any, _ connectors.SampleResult) {
			if docs[0]["(value)"] != "hello world" {
				t.Errorf("plain string %v", docs[0])
			}
		}},
		{"gz:*", 1, func(t *testing.T, docs []map[string]any, _ connectors.SampleResult) {
			if docs[0]["email"] != "gz@example.com" {
				t.Errorf("gzip JSON %v", docs[0])
			}
		}},
		{"b64:*", 1, func(t *testing.T, docs []map[string]any, _ connectors.SampleResult) {
			if docs[0]["email"] != "b64@example.com" {
				t.Errorf("base64 JSON %v", docs[0])
			}
		}},
		{"mp:*", 1, func(t *testing.T, docs []map[string]any, _ connectors.SampleResult) {
			if docs[0]["email"] != "mp@example.com" {
				t.Errorf("MessagePack %v", docs[0])
			}
		}},
		{"blob:*", 0, func(t *testing.T, _ []map[string]any, res connectors.SampleResult) {
			if res.SkipReasons[ReasonBinary] != 1 {
				t.Errorf("binary value: skips %v", res.SkipReasons)
			}
		}},
		{"big:*", 0, func(t *testing.T, _ []map[string]any, res connectors.SampleResult) {
			if res.SkipReasons[ReasonTooLarge] != 1 {
				t.Errorf("string over MaxDocumentBytes: skips %v", res.SkipReasons)
			}
		}},
		{"session:*", 4, func(t *testing.T, docs []map[string]any, res connectors.SampleResult) {
			if n := strings.Join(res.Notes, ";"); !strings.Contains(n, "keys expire: TTL 30m–33m (4 of 4") {
				t.Errorf("TTL note: %q", n)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			docs, res, err := sample(t, c, ct(tt.pattern), 100, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != tt.docs {
				t.Fatalf("%d documents, want %d (skips %v)", len(docs), tt.docs, res.SkipReasons)
			}
			if res.Method != MethodScan {
				t.Errorf("method %q", res.Method)
			}
			if tt.check != nil {
				tt.check(t, docs, res)
			}
		})
	}

	t.Run("same seed same keys", func(t *testing.T) {
		keysOf := func(seed int64) []string {
			docs, _, err := sample(t, c, ct("user:*"), 5, seed)
			if err != nil || len(docs) != 5 {
				t.Fatalf("%d docs, %v", len(docs), err)
			}
			var ks []string
			for _, d := range docs {
				ks = append(ks, d["(key)"].(string))
			}
			return ks
		}
		a, b, other := keysOf(7), keysOf(7), keysOf(8)
		if !slices.Equal(a, b) {
			t.Errorf("seed 7 gave %v then %v", a, b)
		}
		if slices.Equal(a, other) {
			t.Errorf("seeds 7 and 8 gave the same keys %v", a)
		}
	})

	t.Run("containers filter", func(t *testing.T) {
		for _, f := range []connectors.Filter{{Include: []string{"user:*"}}, {Include: []string{fmt.Sprintf("db%d/user:*", db.N)}}} {
			c2, _ := openT(t, db.URI(), connectors.Options{Containers: f}, nil)
			if got := names(containers(t, c2)); !slices.Equal(got, []string{fmt.Sprintf("db%d/user:*", db.N)}) {
				t.Errorf("filter %v: %v", f.Include, got)
			}
		}
		c3, _ := openT(t, db.URI(), connectors.Options{Containers: connectors.Filter{Exclude: []string{"user:*"}}}, nil)
		if _, ok := containers(t, c3)[fmt.Sprintf("db%d/user:*", db.N)]; ok {
			t.Error("excluded pattern listed")
		}
	})

	t.Run("other keys", func(t *testing.T) {
		c2, _ := openT(t, db.URI(), connectors.Options{}, &Options{MaxPatterns: 3})
		cs, err := c2.Containers(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var total int64
		for _, ct := range cs {
			total += ct.EstimatedDocuments
		}
		if len(cs) != 4 || !strings.HasSuffix(cs[3].Name, "/"+OtherKeys) || cs[0].Name != fmt.Sprintf("db%d/user:*", db.N) {
			t.Fatalf("containers %v", cs)
		}
		n, _ := db.Client.DBSize(context.Background()).Result()
		if total != n {
			t.Errorf("estimates add up to %d, the database holds %d", total, n)
		}
	})
}

func TestKeyGoneBeforeRead(t *testing.T) {
	db := redistest.Claim(t)
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		db.Client.Set(ctx, fmt.Sprintf("otp:%d", 100+i), "123456", 0)
	}
	c, _ := openT(t, db.URI(), connectors.Options{}, nil)
	ct := containers(t, c)[fmt.Sprintf("db%d/otp:*", db.N)]
	db.Client.Del(ctx, "otp:100", "otp:101")
	db.Client.Set(ctx, "otp:102", "x", time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	docs, res, err := sample(t, c, ct, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 7 || res.SkipReasons[ReasonVanished] != 3 {
		t.Errorf("%d docs, skips %v; want 7 and 3 %q", len(docs), res.SkipReasons, ReasonVanished)
	}
}

// TestRandomKeyListing: a database larger than SmallFactor × KeysPerPattern
// is listed by RANDOMKEY draws, and the estimates extrapolate the draws.
func TestRandomKeyListing(t *testing.T) {
	db := redistest.Claim(t)
	ctx := context.Background()
	p := db.Client.Pipeline()
	for i := 0; i < 3000; i++ {
		switch {
		case i < 2400:
			p.Set(ctx, fmt.Sprintf("a:%d", i), "v", 0)
		case i < 2990:
			p.HSet(ctx, fmt.Sprintf("b:%d", i), "f", "v")
		default:
			p.Set(ctx, fmt.Sprintf("rare:%d", i), "v", 0)
		}
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	c, log := openT(t, db.URI(), connectors.Options{}, &Options{KeysPerPattern: 50})
	cs := containers(t, c)
	a, b := cs[fmt.Sprintf("db%d/a:*", db.N)], cs[fmt.Sprintf("db%d/b:*", db.N)]
	if a.EstimatedDocuments < 2000 || a.EstimatedDocuments > 2800 || b.EstimatedDocuments < 400 || b.EstimatedDocuments > 800 {
		t.Errorf("estimates a:* %d (2400 keys), b:* %d (590 keys)", a.EstimatedDocuments, b.EstimatedDocuments)
	}
	if !slices.Contains(log.all(), "randomkey") {
		t.Error("no RANDOMKEY sent")
	}
	for _, cmd := range log.all() {
		if cmd == "keys" {
			t.Fatal("KEYS sent")
		}
	}
	docs, res, err := sample(t, c, a, 50, 1)
	if err != nil || len(docs) != 50 || !strings.HasPrefix(res.Method, MethodRandomKey) {
		t.Errorf("%d docs, method %q, %v", len(docs), res.Method, err)
	}
	// a sample larger than the keys kept is filled with SCAN MATCH
	docs, res, err = sample(t, c, b, 200, 1)
	if err != nil || len(docs) != 200 || res.Method != MethodScanMatch {
		t.Errorf("%d docs, method %q, %v", len(docs), res.Method, err)
	}
}
