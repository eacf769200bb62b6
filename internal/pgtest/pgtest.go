// Package pgtest gives tests a database of their own on the PostgreSQL
// server of the machine (127.0.0.1:5432, user postgres, trust; another
// with PIISNIFF_TEST_POSTGRES=postgres://...): NewDB creates
// piisniff_t_<random> and drops it (WITH (FORCE)) when the test ends. With
// CI=true a server that cannot be reached fails the test; otherwise the
// test is skipped with a message.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultAdminURI is the machine's server, as the postgres superuser.
const DefaultAdminURI = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// AdminURI is the URI of the maintenance database of the test server.
func AdminURI() string {
	if u := os.Getenv("PIISNIFF_TEST_POSTGRES"); u != "" {
		return u
	}
	return DefaultAdminURI
}

// Connect connects to the admin database, or fails (CI=true) or skips the
// test when the server cannot be reached.
func Connect(tb testing.TB) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, AdminURI())
	if err != nil {
		msg := fmt.Sprintf("PostgreSQL test server %s not reachable: %v", redactedAdmin(), err)
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg + " (CI=true: the server must run)")
		}
		tb.Skip(msg + " (start it, or set CI=true to make this a failure)")
	}
	tb.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func redactedAdmin() string {
	u, err := url.Parse(AdminURI())
	if err != nil {
		return "(unparsable PIISNIFF_TEST_POSTGRES)"
	}
	return u.Redacted()
}

// DB is a database created for one test.
type DB struct {
	Name string
	// URI connects to the database as the admin user.
	URI string
}

// NewDB creates a uniquely named database, dropped when the test ends.
func NewDB(tb testing.TB) *DB {
	tb.Helper()
	admin := Connect(tb)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "piisniff_t_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), AdminURI())
		if err != nil {
			tb.Errorf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	u, _ := url.Parse(AdminURI())
	u.Path = "/" + name
	return &DB{Name: name, URI: u.String()}
}

// Conn connects to the database; the connection is closed when the test
// ends.
func (d *DB) Conn(tb testing.TB) *pgx.Conn {
	tb.Helper()
	conn, err := pgx.Connect(context.Background(), d.URI)
	if err != nil {
		tb.Fatalf("connect to %s: %v", d.Name, err)
	}
	tb.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// Exec runs statements in the database on a connection of its own, closed
// afterwards (so that its statistics are flushed).
func (d *DB) Exec(tb testing.TB, stmts ...string) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, d.URI)
	if err != nil {
		tb.Fatalf("connect to %s: %v", d.Name, err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			short := s
			if len(short) > 200 {
				short = short[:200] + "..."
			}
			tb.Fatalf("%s: %v", short, err)
		}
	}
}

// Checksum is a digest of every row of every table and materialized view
// of the database outside the system schemas.
func (d *DB) Checksum(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, d.URI)
	if err != nil {
		tb.Fatalf("connect to %s: %v", d.Name, err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
		AND (c.relkind <> 'm' OR c.relispopulated) ORDER BY 1, 2`)
	if err != nil {
		tb.Fatal(err)
	}
	type rel struct{ schema, name string }
	var rels []rel
	for rows.Next() {
		var r rel
		if err := rows.Scan(&r.schema, &r.name); err != nil {
			tb.Fatal(err)
		}
		rels = append(rels, r)
	}
	if rows.Err() != nil {
		tb.Fatal(rows.Err())
	}
	var b strings.Builder
	for _, r := range rels {
		q := pgx.Identifier{r.schema, r.name}.Sanitize()
		var sum string
		err := conn.QueryRow(ctx, "SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM "+q+" t").Scan(&sum)
		if err != nil {
			sum = "error: " + err.Error()
		}
		fmt.Fprintf(&b, "%s.%s %s\n", r.schema, r.name, sum)
	}
	return b.String()
}

// TupleCounters returns pg_stat_database's tup_inserted, tup_updated and
// tup_deleted of the database once they are settled: the statistics of a
// backend reach the shared counters when it ends a transaction (at most
// once a second) or exits, so the counters are read until two reads 1.5
// seconds apart agree (at most 15 s).
func (d *DB) TupleCounters(tb testing.TB) [3]int64 {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, AdminURI())
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	read := func() [3]int64 {
		var c [3]int64
		if _, err := conn.Exec(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
			tb.Fatal(err)
		}
		err := conn.QueryRow(ctx, "SELECT tup_inserted, tup_updated, tup_deleted FROM pg_stat_database WHERE datname = $1", d.Name).
			Scan(&c[0], &c[1], &c[2])
		if err != nil {
			tb.Fatal(err)
		}
		return c
	}
	last := read()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(1500 * time.Millisecond)
		now := read()
		if now == last {
			return now
		}
		last = now
	}
	tb.Fatalf("pg_stat_database counters of %s did not settle: %v", d.Name, last)
	return last
}

// RequireExtension creates extension name in the database, or fails the
// test (CI=true: scripts/services.sh installs what the tests need) or
// skips it when the server does not have the extension (PostGIS:
// apt-get install postgresql-15-postgis-3).
func (d *DB) RequireExtension(tb testing.TB, name string) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, d.URI)
	if err != nil {
		tb.Fatalf("connect to %s: %v", d.Name, err)
	}
	defer conn.Close(ctx)
	var available bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = $1)", name).Scan(&available); err != nil {
		tb.Fatal(err)
	}
	if !available {
		msg := fmt.Sprintf("the PostgreSQL test server has no extension %q (scripts/services.sh installs it)", name)
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg + " (CI=true: it must be there)")
		}
		tb.Skip(msg)
	}
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS "+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("CREATE EXTENSION %s: %v", name, err)
	}
}
