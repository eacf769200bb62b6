package redis

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redistest"
)

// TestRedisJSON reads RedisJSON values (type ReJSON-RL) from a server with
// the project's test JSON module loaded: JSON.GET is sent for them, their
// documents are parsed like JSON strings, only allowed commands are sent and
// nothing changes; a user who may not run JSON.GET gets the values counted
// as skipped, with a note, and the rest of the keys read.
func TestRedisJSON(t *testing.T) {
	srv := redistest.StartJSONServer(t)
	ctx := context.Background()
	cl := srv.Client(t, "", 0)
	p := cl.Pipeline()
	for i := 0; i < 12; i++ {
		doc := fmt.Sprintf(`{"name":"Customer %d","email":"customer%d@example.com","address":{"street":"%d Harbour Road","city":"Leeds"},"phones":["+44 20 7946 %04d"]}`, i, i, i+1, 100+i)
		p.Do(ctx, "JSON.SET", fmt.Sprintf("profile:%d", 7000+i), "$", doc)
	}
	for i := 0; i < 5; i++ {
		p.Set(ctx, fmt.Sprintf("order:%d", i), fmt.Sprintf(`{"email":"buyer%d@example.com"}`, i), 0)
	}
	p.Do(ctx, "ACL", "SETUSER", "nojson", "on", ">"+testPassword, "~*", "&*", "+@all", "-json.get")
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if typ, err := cl.Type(ctx, "profile:7000").Result(); err != nil || typ != TypeJSON {
		t.Fatalf("TYPE of a test JSON value: %q, %v", typ, err)
	}
	before, err := redistest.Dump(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		target   string
		profiles int // profile documents read
		skipped  int64
		note     string
	}{
		{name: "JSON.GET allowed", target: "redis://" + srv.Addr + "/0", profiles: 12},
		{name: "JSON.GET not permitted to the user", target: "redis://nojson:" + testPassword + "@" + srv.Addr + "/0",
			skipped: 12, note: "JSON.GET is unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, log := openT(t, tt.target, connectors.Options{}, nil)
			cs := containers(t, c)
			pc, ok := cs["db0/profile:*"]
			if !ok {
				t.Fatalf("no container db0/profile:* in %q", names(cs))
			}
			docs, res, err := sample(t, c, pc, 0, 1)
			if err != nil {
				t.Fatalf("Sample: %v", err)
			}
			if len(docs) != tt.profiles || res.Skipped != tt.skipped {
				t.Fatalf("%d documents, %d skipped (%v); want %d and %d", len(docs), res.Skipped, res.SkipReasons, tt.profiles, tt.skipped)
			}
			if tt.skipped > 0 && res.SkipReasons[ReasonJSONUnavailable] != tt.skipped {
				t.Errorf("skip reasons %v, want %q", res.SkipReasons, ReasonJSONUnavailable)
			}
			if notes := strings.Join(res.Notes, "\n"); tt.note != "" && !strings.Contains(notes, tt.note) {
				t.Errorf("notes %q do not say %q", res.Notes, tt.note)
			}
			for _, d := range docs {
				addr, _ := d["address"].(map[string]any)
				if !strings.HasPrefix(fmt.Sprint(d["email"]), "customer") || addr["city"] != "Leeds" {
					t.Errorf("a RedisJSON document not read as JSON: %#v", d)
				}
				if _, ok := d["(key)"].(string); !ok {
					t.Errorf("no (key) field in %#v", d)
				}
			}
			orders, _, err := sample(t, c, cs["db0/order:*"], 0, 1)
			if err != nil || len(orders) != 5 {
				t.Errorf("order:* next to the JSON values: %d documents, %v", len(orders), err)
			}
			sent := log.all()
			if !contains(sent, "json.get") {
				t.Errorf("JSON.GET never sent (%q)", sent)
			}
			for _, cmd := range sent {
				if !Allowed(cmd) {
					t.Errorf("%q sent", cmd)
				}
			}
		})
	}
	after, err := redistest.Dump(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Error("the database changed during the scans")
	}
}
