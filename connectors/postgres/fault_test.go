package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/sqlrows"
	"github.com/piisniff/piisniff/internal/mongotest"
	"github.com/piisniff/piisniff/internal/pgtest"
)

// fakeAuthServer accepts connections and refuses every password as a
// server with scram/md5 authentication does (SQLSTATE 28P01).
func fakeAuthServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func(conn net.Conn) {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
				be := pgproto3.NewBackend(conn, conn)
				msg, err := be.ReceiveStartupMessage()
				if err != nil {
					return
				}
				if _, ok := msg.(*pgproto3.SSLRequest); ok {
					_, _ = conn.Write([]byte("N"))
					if _, err := be.ReceiveStartupMessage(); err != nil {
						return
					}
				}
				be.Send(&pgproto3.AuthenticationCleartextPassword{})
				if err := be.Flush(); err != nil {
					return
				}
				_ = be.SetAuthType(pgproto3.AuthTypeCleartextPassword)
				if _, err := be.Receive(); err != nil {
					return
				}
				be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", Code: "28P01", Message: `password authentication failed for user "app"`})
				_ = be.Flush()
			}(conn)
		}
	}()
	return ln.Addr().String()
}

func TestConnectFaults(t *testing.T) {
	auth := fakeAuthServer(t)
	const secret = "Pw-not-in-any-output-91"
	tests := []struct {
		name   string
		target string
		env    map[string]string
		opts   connectors.Options
		want   string
	}{
		{"refused", "postgres://app:" + secret + "@127.0.0.1:1/db?sslmode=disable", nil, connectors.Options{}, "connection refused"},
		{"DNS failure", "postgres://app:" + secret + "@no-such-host.invalid:5432/db?sslmode=disable", nil, connectors.Options{}, "DNS lookup failed"},
		{"wrong password in the URI", "postgres://app:" + secret + "@" + auth + "/db?sslmode=disable", nil, connectors.Options{}, "authentication failed"},
		{"wrong password in PGPASSWORD", "postgres://app@" + auth + "/db?sslmode=disable", map[string]string{"PGPASSWORD": secret}, connectors.Options{}, "authentication failed"},
		{"wrong password in PIISNIFF_PASSWORD", "postgres://app@" + auth + "/db?sslmode=disable", map[string]string{"PIISNIFF_PASSWORD": secret}, connectors.Options{}, "authentication failed"},
		{"unknown database", "postgres://postgres:" + secret + "@127.0.0.1:5432/piisniff_no_such_database_x?sslmode=disable", nil, connectors.Options{}, "database does not exist"},
		{"bad URI", "postgres://app:" + secret + "@127.0.0.1:5432/db?sslmode=sometimes", nil, connectors.Options{}, "not a valid PostgreSQL connection URI"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "unknown database" {
				pgtest.Connect(t) // skips or fails without the server
			}
			opts := tc.opts
			opts.ConnectTimeout = 5 * time.Second
			opts.Env = func(k string) string { return tc.env[k] }
			_, err := connectors.Open(context.Background(), tc.target, opts)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want it to say %q", msg, tc.want)
			}
			if strings.Contains(msg, secret) {
				t.Errorf("error shows the password: %s", msg)
			}
		})
	}
}

// TestEnvThroughOptions checks that the libpq variables come from
// Options.Env, not the process environment.
func TestEnvThroughOptions(t *testing.T) {
	t.Setenv("PGUSER", "from_process")
	t.Setenv("PGPASSWORD", "process-password")
	env := map[string]string{"PGUSER": "from_options", "PGAPPNAME": "app-from-options"}
	cfg, err := parseConfig("postgres://127.0.0.1/db", connectors.Options{Env: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "from_options" || cfg.Password != "" || cfg.RuntimeParams["application_name"] != "app-from-options" {
		t.Errorf("user %q password %q app %q: the process environment leaked in", cfg.User, cfg.Password, cfg.RuntimeParams["application_name"])
	}
	cfg, err = parseConfig("postgres://u:uri-pw@127.0.0.1/db", connectors.Options{Env: func(k string) string { return map[string]string{"PGPASSWORD": "env-pw"}[k] }, Password: "opt-pw"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Password != "uri-pw" {
		t.Errorf("password %q, want the URI's", cfg.Password)
	}
	cfg, _ = parseConfig("postgres://u@127.0.0.1/db", connectors.Options{Env: func(k string) string { return map[string]string{"PGPASSWORD": "env-pw"}[k] }, Password: "opt-pw"})
	if cfg.Password != "opt-pw" {
		t.Errorf("password %q, want --password / PIISNIFF_PASSWORD over PGPASSWORD", cfg.Password)
	}
	cfg, _ = parseConfig("postgres://u@127.0.0.1/db", connectors.Options{Env: func(k string) string { return map[string]string{"PGPASSWORD": "env-pw"}[k] }})
	if cfg.Password != "env-pw" {
		t.Errorf("password %q, want PGPASSWORD", cfg.Password)
	}
	passfile := filepath.Join(t.TempDir(), "pgpass")
	if err := os.WriteFile(passfile, []byte("127.0.0.1:5432:db:u:file-pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, _ = parseConfig("postgres://u@127.0.0.1:5432/db", connectors.Options{Env: func(k string) string { return map[string]string{"PGPASSFILE": passfile}[k] }})
	if cfg.Password != "file-pw" {
		t.Errorf("password %q, want the one of PGPASSFILE", cfg.Password)
	}
}

// randomRole creates a login role (trusted, no password) dropped at the
// end of the test, after what it owns in db.
func randomRole(t *testing.T, db *pgtest.DB) string {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	role := "piisniff_t_role_" + hex.EncodeToString(b[:])
	admin := pgtest.Connect(t)
	if _, err := admin.Exec(context.Background(), "CREATE ROLE "+role+" LOGIN"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		if conn, err := pgx.Connect(ctx, db.URI); err == nil {
			_, _ = conn.Exec(ctx, "DROP OWNED BY "+role)
			_ = conn.Close(ctx)
		}
		if conn, err := pgx.Connect(ctx, pgtest.AdminURI()); err == nil {
			if _, err := conn.Exec(ctx, "DROP ROLE IF EXISTS "+role); err != nil {
				t.Errorf("drop role %s: %v", role, err)
			}
			_ = conn.Close(ctx)
		}
	})
	return role
}

func TestSampleFaults(t *testing.T) {
	f := newFixture(t)
	db := f.db
	role := randomRole(t, db)
	db.Exec(t,
		"GRANT USAGE ON SCHEMA public, other TO "+role,
		"GRANT SELECT ON ALL TABLES IN SCHEMA public TO "+role,
		"REVOKE SELECT ON people FROM "+role,
		"CREATE VIEW slow AS SELECT pg_sleep(3)::text AS z, 1 AS x",
		"GRANT SELECT ON slow TO "+role,
		"CREATE TABLE doomed (id int)",
		"INSERT INTO doomed VALUES (1)",
		"GRANT SELECT ON doomed TO "+role,
	)
	target := strings.Replace(db.URI, "postgres@", role+"@", 1)
	opts := connectors.Options{RequestTimeout: 500 * time.Millisecond}.WithStore(Name, &Options{IncludeViews: true})
	log := &stmtLog{}
	c := openURI(t, target, opts, log)
	ctx := context.Background()
	cs, err := c.Containers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db.Exec(t, "DROP TABLE doomed") // between listing and sampling
	before := db.Checksum(t)

	failed := map[string]string{}
	ok := 0
	for _, ct := range cs {
		_, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: 10, Seed: 1}, func(connectors.Document) error { return nil })
		if err != nil {
			failed[ct.Name] = err.Error()
		} else {
			ok++
		}
	}
	for name, want := range map[string]string{
		db.Name + ".public.people": "permission denied",
		db.Name + ".public.slow":   "statement timeout",
		db.Name + ".public.doomed": "no longer exists",
	} {
		if !strings.Contains(failed[name], want) {
			t.Errorf("%s: error %q, want %q", name, failed[name], want)
		}
	}
	if ok < 3 {
		t.Errorf("only %d containers sampled besides the failing ones (%v)", ok, failed)
	}
	if after := db.Checksum(t); after != before {
		t.Errorf("data changed on the error paths:\n%s\n%s", before, after)
	}
	for _, s := range log.all() {
		if !sqlrows.ReadOnlyStatement(s) {
			t.Errorf("not on the allow-list: %s", s)
		}
	}
}

// TestConnectionLost drops every connection in the middle of a sample.
func TestConnectionLost(t *testing.T) {
	f := newFixture(t)
	f.db.Exec(t, "INSERT INTO events SELECT g, 'k', jsonb_build_object('pad', repeat('y', 500)) FROM generate_series(1201, 20000) g")
	proxy := mongotest.StartProxy(t, f.db.URI)
	c := openURI(t, proxy.URI, connectors.Options{Containers: connectors.Filter{Include: []string{"*.events"}}}, nil)
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	_, err = c.Sample(context.Background(), cs[0], connectors.SampleOptions{Size: 0}, func(connectors.Document) error {
		n++
		if n == 10 {
			proxy.Stop()
		}
		return nil
	})
	if err == nil {
		t.Fatalf("no error after the connection dropped (%d rows)", n)
	}
	if !strings.Contains(err.Error(), "connection to the server was lost") {
		t.Errorf("error %q, want it to say the connection was lost", err)
	}
	if n >= 20000 {
		t.Errorf("read %d rows: the whole table after the drop", n)
	}
}

func TestWideAndHugeValues(t *testing.T) {
	db := pgtest.NewDB(t)
	var cols []string
	for i := 0; i < 1600; i++ {
		cols = append(cols, fmt.Sprintf("c%d int", i))
	}
	db.Exec(t,
		"CREATE TABLE wide1600 ("+strings.Join(cols, ", ")+")",
		"INSERT INTO wide1600 (c0, c1599) VALUES (1, 2), (3, 4)",
		"CREATE TABLE huge (id int PRIMARY KEY, doc jsonb, note text)",
		"INSERT INTO huge VALUES (1, jsonb_build_object('blob', repeat('x', 50 * 1024 * 1024)), 'a@example.com'), (2, '{\"email\": \"b@example.com\"}', NULL)",
	)
	c := openURI(t, db.URI, connectors.Options{}, nil)
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	docs, _ := sampleAll(t, c, containerNamed(t, cs, db.Name+".public.wide1600"), connectors.SampleOptions{Size: 10})
	if len(docs) != 2 || len(docs[0].Fields) != 1600 {
		t.Fatalf("wide: %d docs", len(docs))
	}
	docs, res := sampleAll(t, c, containerNamed(t, cs, db.Name+".public.huge"), connectors.SampleOptions{Size: 10})
	if len(docs) != 2 {
		t.Fatalf("huge: %d docs (the row with the big value must still come, without it)", len(docs))
	}
	for _, d := range docs {
		if d.Fields["id"] == "1" || fmt.Sprint(d.Fields["id"]) == "1" {
			if _, has := d.Fields["doc"]; has {
				t.Error("the 50 MB JSON value was kept")
			}
			if d.Fields["note"] != "a@example.com" {
				t.Errorf("the rest of the row lost: %v", d.Fields["note"])
			}
		}
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], `column "doc": 1 value skipped (value too large`) {
		t.Errorf("notes %q", res.Notes)
	}
}

func TestCancelledBeforeSample(t *testing.T) {
	f := newFixture(t)
	c := f.open(t, connectors.Options{}, nil)
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Sample(ctx, cs[0], connectors.SampleOptions{Size: 10}, func(connectors.Document) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}
