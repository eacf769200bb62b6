package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/pgtest"
)

// stmtLog records every statement a connector sent.
type stmtLog struct {
	mu   sync.Mutex
	stmt []string
}

func (l *stmtLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stmt = append(l.stmt, s)
}

func (l *stmtLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.stmt...)
}

// fixture is a test database with one table of each kind the connector
// meets.
type fixture struct {
	db *pgtest.DB
}

// fixtureSQL builds the fixture: people (typed columns, jsonb, arrays,
// bytea, a primary key), events (1,200 rows, analyzed), never_analyzed,
// a partitioned table of two partitions, a materialized view, a view, a
// table in schema other, and a foreign table when postgres_fdw is there.
var fixtureSQL = []string{
	`CREATE TABLE people (
		id integer PRIMARY KEY,
		name text,
		email varchar(200),
		address jsonb,
		notes text,
		tags text[],
		last_ip inet,
		ips inet[],
		mac macaddr,
		uid uuid,
		born date,
		photo bytea,
		active boolean,
		balance numeric(10,2)
	)`,
	`INSERT INTO people VALUES
		(1, 'Amelia Haddad', 'amelia.haddad@example.org', '{"street": "11 Linden Lane", "city": "Manchester", "geo": {"lat": 53.48}}',
		 '[{"phone": "+1 202-555-0197"}]', '{vip,"new customer"}', '198.51.100.7', '{192.0.2.1,2001:db8::1}', '08:00:2b:01:02:03',
		 '0b5e7d4a-2f0e-4c1e-9a5e-6d5b1b0f6a11', '1999-09-22', '\xfffe00', true, 12.50),
		(2, 'Aisha Weber', 'aisha.weber@example.com', '{"street": "Kingsley Court 69"}', 'plain note', NULL, '203.0.113.9', NULL, NULL,
		 NULL, '1954-01-12', 'hello', false, NULL)`,
	`CREATE TABLE events (id bigint PRIMARY KEY, kind text, payload jsonb)`,
	`INSERT INTO events SELECT g, 'kind' || (g % 7), jsonb_build_object('n', g, 'user', jsonb_build_object('email', 'u' || g || '@example.com'))
		FROM generate_series(1, 1200) g`,
	`ANALYZE events`,
	`CREATE TABLE never_analyzed (id int, v text)`,
	`INSERT INTO never_analyzed SELECT g, md5(g::text) FROM generate_series(1, 300) g`,
	`CREATE TABLE measurements (id int, at date, reading numeric) PARTITION BY RANGE (at)`,
	`CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')`,
	`CREATE TABLE measurements_2026 PARTITION OF measurements FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`,
	`INSERT INTO measurements SELECT g, DATE '2025-01-01' + g, g * 1.5 FROM generate_series(0, 499) g`,
	`CREATE MATERIALIZED VIEW people_emails AS SELECT id, email FROM people`,
	`CREATE VIEW people_names AS SELECT id, name FROM people`,
	`CREATE SCHEMA other`,
	`CREATE TABLE other.contacts (id serial PRIMARY KEY, phone text)`,
	`INSERT INTO other.contacts (phone) VALUES ('+44 7700 900885')`,
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := pgtest.NewDB(t)
	db.Exec(t, fixtureSQL...)
	return &fixture{db: db}
}

// addForeignTable adds other.remote, a postgres_fdw foreign table; it
// reports false when the extension is not installed.
func (f *fixture) addForeignTable(t *testing.T) bool {
	t.Helper()
	conn := f.db.Conn(t)
	ctx := context.Background()
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgres_fdw"); err != nil {
		t.Logf("postgres_fdw not available: %v", err)
		return false
	}
	for _, s := range []string{
		"CREATE SERVER loopback FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', dbname '" + f.db.Name + "')",
		"CREATE FOREIGN TABLE other.remote (id int) SERVER loopback OPTIONS (table_name 'events')",
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	return true
}

// open opens the connector on the fixture with a statement log.
func (f *fixture) open(t *testing.T, opts connectors.Options, log *stmtLog) *Connector {
	t.Helper()
	return openURI(t, f.db.URI, opts, log)
}

func openURI(t *testing.T, uri string, opts connectors.Options, log *stmtLog) *Connector {
	t.Helper()
	if log == nil {
		log = &stmtLog{}
	}
	opts.Env = envOf(opts.Env)
	c, err := open(context.Background(), uri, opts, log.add)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// envOf isolates tests from the process environment (PGPASSWORD, ...).
func envOf(f func(string) string) func(string) string {
	if f != nil {
		return f
	}
	return func(string) string { return "" }
}

func containerNamed(t *testing.T, cs []connectors.Container, name string) connectors.Container {
	t.Helper()
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	t.Fatalf("no container %s in %v", name, names)
	return connectors.Container{}
}

// sampleAll samples c and returns the documents.
func sampleAll(t *testing.T, conn *Connector, c connectors.Container, so connectors.SampleOptions) ([]connectors.Document, connectors.SampleResult) {
	t.Helper()
	var docs []connectors.Document
	res, err := conn.Sample(context.Background(), c, so, func(d connectors.Document) error {
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		t.Fatalf("Sample %s: %v", c.Name, err)
	}
	return docs, res
}

func ids(docs []connectors.Document) string {
	var b strings.Builder
	for _, d := range docs {
		fmt.Fprint(&b, d.Fields["id"], ",")
	}
	return b.String()
}
