package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors/redis"
	"github.com/piisniff/piisniff/internal/redistest"
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
