package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
	"github.com/piisniff/piisniff/connectors/sqlrows"
	"github.com/piisniff/piisniff/internal/pgtest"
)

// TestReadOnly proves a scan writes nothing three ways: the statements the
// connector sent are all on the allow-list, the server's tuple counters of
// the database did not move, and every table's checksum is unchanged.
func TestReadOnly(t *testing.T) {
	f := newFixture(t)
	f.addForeignTable(t)
	before := f.db.Checksum(t)
	counters := f.db.TupleCounters(t)

	log := &stmtLog{}
	c := f.open(t, connectors.Options{AnonymousCheck: true, Password: "not-needed"}.WithStore(Name, &Options{IncludeViews: true}), log)
	ctx := context.Background()
	_ = c.Exposure(ctx)
	cs, err := c.Containers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range cs {
		for _, size := range []int{0, 5, 100} {
			if _, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: size, Seed: 1}, func(connectors.Document) error { return nil }); err != nil {
				t.Errorf("Sample %s: %v", ct.Name, err)
			}
		}
	}
	_ = c.Close()

	stmts := log.all()
	if len(stmts) < 10 {
		t.Fatalf("only %d statements logged: %q", len(stmts), stmts)
	}
	for _, s := range stmts {
		if !sqlrows.ReadOnlyStatement(s) {
			t.Errorf("not on the read-only allow-list: %s", s)
		}
	}
	if stmts[0] != "SET default_transaction_read_only = on" {
		t.Errorf("first statement %q, want the session made read-only", stmts[0])
	}
	begins := 0
	for _, s := range stmts {
		if strings.HasPrefix(strings.ToLower(s), "begin") {
			begins++
			if !strings.Contains(strings.ToLower(s), "read only") {
				t.Errorf("transaction not read-only: %s", s)
			}
		}
	}
	if begins == 0 {
		t.Error("no BEGIN READ ONLY logged")
	}
	if after := f.db.TupleCounters(t); after != counters {
		t.Errorf("pg_stat_database tuple counters moved: %v -> %v (inserted, updated, deleted)", counters, after)
	}
	if after := f.db.Checksum(t); after != before {
		t.Errorf("data changed:\nbefore %s\nafter  %s", before, after)
	}

	// the instruments can fail: a write moves both
	f.db.Exec(t, "INSERT INTO other.contacts (phone) VALUES ('+1 202-555-0100')")
	if f.db.TupleCounters(t) == counters {
		t.Error("an INSERT did not move the tuple counters: the proof proves nothing")
	}
	if f.db.Checksum(t) == before {
		t.Error("an INSERT did not change the checksum")
	}
}

func TestConformance(t *testing.T) {
	f := newFixture(t)
	log := &stmtLog{}
	connectortest.Run(t, connectortest.Instance{
		Target:  f.db.URI,
		Options: connectors.Options{Env: envOf(nil)},
		Open: func(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
			c, err := open(ctx, target, opts, log.add)
			if err != nil {
				return nil, err
			}
			return c, nil
		},
		Log:      log.all,
		ReadOnly: sqlrows.ReadOnlyStatement,
		Big:      f.db.Name + ".public.events",
		Snapshot: func() string { return f.db.Checksum(t) },
	})
}

// TestConformanceWithPassword runs the kit on a target that carries a
// password: it never shows (the server trusts the user, so any password
// is accepted).
func TestConformanceWithPassword(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	f := newFixture(t)
	log := &stmtLog{}
	const secret = "S3cr3t-pw-4-conformance"
	target := strings.Replace(f.db.URI, "postgres@", "postgres:"+secret+"@", 1)
	if target == f.db.URI {
		t.Fatalf("cannot put a password into %s", pgtest.AdminURI())
	}
	connectortest.Run(t, connectortest.Instance{
		Target:  target,
		Options: connectors.Options{Env: envOf(nil), AnonymousCheck: true},
		Open: func(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
			c, err := open(ctx, target, opts, log.add)
			if err != nil {
				return nil, err
			}
			return c, nil
		},
		Log:      log.all,
		ReadOnly: sqlrows.ReadOnlyStatement,
		Big:      f.db.Name + ".public.events",
		Secret:   secret,
	})
}
