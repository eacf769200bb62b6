package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors/redis"
	"github.com/piisniff/piisniff/internal/redistest"
	"github.com/piisniff/piisniff/report"
)

// TestScanRedisExample loads the example into a database of the shared
// Redis server the way an app keeps it (hashes, JSON strings, a stream, a
// set, keys with TTLs) and scans it through the CLI.
func TestScanRedisExample(t *testing.T) {
	db := redistest.Claim(t)
	loaded, err := redistest.LoadLeakyApp(context.Background(), db.Client)
	if err != nil {
		t.Fatal(err)
	}
	r, found := scanStore(t, db.URI())
	tg := r.Targets[0]
	if tg.Kind != "redis" || !tg.Exposure.AnonymousAccess || !r.Complete {
		t.Fatalf("kind %s anonymous %v complete %v", tg.Kind, tg.Exposure.AnonymousAccess, r.Complete)
	}
	container := func(file string) string {
		key, ok := loaded[file]
		if !ok {
			return ""
		}
		p, _ := redis.Pattern(key)
		return fmt.Sprintf("db%d/%s", db.N, p)
	}
	checked := 0
	for _, p := range loadPlanted(t) {
		name := container(p.File)
		if name == "" {
			continue
		}
		checked++
		if !found[planted{name, p.Path, p.Category}] {
			t.Errorf("planted %s in %s › %s not found (container %s)", p.Category, p.File, p.Path, name)
		}
	}
	if checked < 40 {
		t.Errorf("only %d planted fields checked", checked)
	}
	// values that only Redis holds: e-mail addresses in a set and in key names
	for _, want := range []planted{
		{fmt.Sprintf("db%d/newsletter:subscribers", db.N), "(items)[]", "email"},
		{fmt.Sprintf("db%d/subscriber:*", db.N), "(key)", "email"},
	} {
		if !found[want] {
			t.Errorf("%s › %s not reported as %s", want.File, want.Path, want.Category)
		}
	}
	// sessions expire: the TTLs are a note of their container
	for _, c := range tg.Containers {
		if c.Name == fmt.Sprintf("db%d/session:*", db.N) {
			if !strings.Contains(strings.Join(c.Notes, "\n"), "keys expire: TTL") {
				t.Errorf("session:* notes %q say nothing of TTLs", c.Notes)
			}
		}
	}
}

// TestScanRedisClusterNodeDown: a cluster master that cannot be reached is
// a failed container of its own; the other masters are read; the scan is
// incomplete and exits 1.
func TestScanRedisClusterNodeDown(t *testing.T) {
	cl := redistest.StartCluster(t)
	ctx := context.Background()
	p := cl.Client.Pipeline()
	for i := 0; i < 300; i++ {
		p.HSet(ctx, fmt.Sprintf("user:%d", i), "email", fmt.Sprintf("u%d@example.com", i))
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	cl.Nodes[2].Stop()
	res := runCLI(t, nil, "scan", cl.URI(), "-f", "json", "-q", "--connect-timeout", "3s", "--request-timeout", "5s")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1: %s", res.code, res.stderr)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("%v: %s", err, res.stdout)
	}
	if r.Complete {
		t.Error("complete: true with a master down")
	}
	var failed, users bool
	for _, c := range r.Targets[0].Containers {
		switch {
		case strings.Contains(c.Name, "(keys on node "+cl.Nodes[2].Addr+")") && c.Error != nil:
			failed = true
		case c.Name == "db0/user:*" && c.SampledDocuments > 0 && c.Error == nil:
			users = true
		}
	}
	if !failed || !users {
		t.Errorf("failed node container %v, user:* read %v: %s", failed, users, res.stdout)
	}
}
