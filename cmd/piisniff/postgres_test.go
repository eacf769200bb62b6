package main

import (
	"context"
	"testing"

	"github.com/piisniff/piisniff/internal/examplegen"
	"github.com/piisniff/piisniff/internal/pgtest"
)

// TestScanPostgresExample loads the example app into a database of its own
// as typed tables with JSON columns, scans it through the CLI and checks
// that every planted category is found at its column path (JSON paths
// included), with anonymous access seen (the server trusts its users).
func TestScanPostgresExample(t *testing.T) {
	db := pgtest.NewDB(t)
	if _, err := pgtest.LoadLeakyApp(context.Background(), db.Conn(t)); err != nil {
		t.Fatal(err)
	}
	r, _ := scanStore(t, db.URI)
	tg := r.Targets[0]
	if tg.Kind != "postgres" || !tg.Exposure.AnonymousAccess || !r.Complete {
		t.Fatalf("kind %s anonymous %v complete %v; notes %q", tg.Kind, tg.Exposure.AnonymousAccess, r.Complete, tg.Exposure.Notes)
	}
	expected, err := examplegen.ReadExpected("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	missing, checked := expected.MissingPlanted(tg.Containers, func(file string) string {
		if table := pgtest.LeakyAppTable(file); table != "" {
			return db.Name + "." + table
		}
		return ""
	})
	if checked < 50 {
		t.Errorf("only %d planted fields checked", checked)
	}
	for _, m := range missing {
		t.Error(m)
	}
	for _, c := range tg.Containers {
		if c.Name == db.Name+".public.users" && (len(c.PrimaryKey) != 1 || c.PrimaryKey[0] != "_id") {
			t.Errorf("users primary key %v, want [_id]", c.PrimaryKey)
		}
	}
}
