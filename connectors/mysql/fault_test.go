package mysql

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/mysqltest"
)

const secretPassword = "s3cret-Pa55word"

func TestConnectErrors(t *testing.T) {
	mysqltest.Root(t) // skip or fail as the other tests when no server
	tests := []struct {
		name, uri, want string
	}{
		{"refused", "mysql://root:" + secretPassword + "@127.0.0.1:1/", "connection refused"},
		{"dns", "mysql://root:" + secretPassword + "@no-such-host.invalid:3306/", "DNS lookup failed"},
		{"wrong password", "mysql://root:" + secretPassword + "@" + mysqltest.Addr() + "/", "authentication failed"},
		{"unknown database", "mysql://root@" + mysqltest.Addr() + "/piisniff_no_such_database", `unknown database "piisniff_no_such_database"`},
		{"bad port", "mysql://root:" + secretPassword + "@127.0.0.1:99999/", "not a TCP port"},
		{"TLS asked of a server without it", "mariadb://root:" + secretPassword + "@" + mysqltest.Addr() + "/?tls=verify-full", "TLS was asked for but the server does not support it"},
		{"bad tls mode", "mysql://root:" + secretPassword + "@127.0.0.1/?tls=maybe", "unknown TLS mode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), tc.uri, connectors.Options{ConnectTimeout: 5 * time.Second})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not say %q", msg, tc.want)
			}
			if strings.Contains(msg, secretPassword) {
				t.Errorf("error holds the password: %q", msg)
			}
		})
	}
	// The password from the environment is redacted too.
	_, err := Open(context.Background(), "mysql://root@"+mysqltest.Addr()+"/", connectors.Options{
		Env: func(name string) string {
			if name == EnvMySQLPassword {
				return secretPassword
			}
			return ""
		}})
	if err == nil || !strings.Contains(err.Error(), "authentication failed") || strings.Contains(err.Error(), secretPassword) {
		t.Errorf("MYSQL_PWD: %v", err)
	}
}

// limitedUser creates a user that may SELECT from the given tables and
// only INSERT into insertOnly when not "" (so that it is listed but not
// readable); it is dropped when the test ends. It returns the user's URI.
func limitedUser(t *testing.T, db *mysqltest.DB, insertOnly string, tables ...string) string {
	t.Helper()
	var r [4]byte
	_, _ = rand.Read(r[:])
	user := "piisniff_" + hex.EncodeToString(r[:])
	account := "'" + user + "'@'127.0.0.1'"
	root := mysqltest.Root(t)
	if _, err := root.Exec("CREATE USER " + account + " IDENTIFIED BY '" + secretPassword + "'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = root.Exec("DROP USER " + account) })
	for _, tb := range tables {
		if _, err := root.Exec("GRANT SELECT ON `" + db.Name + "`.`" + tb + "` TO " + account); err != nil {
			t.Fatal(err)
		}
	}
	if insertOnly != "" {
		if _, err := root.Exec("GRANT INSERT ON `" + db.Name + "`.`" + insertOnly + "` TO " + account); err != nil {
			t.Fatal(err)
		}
	}
	return "mysql://" + user + ":" + secretPassword + "@127.0.0.1:" + strings.Split(mysqltest.Addr(), ":")[1] + "/" + db.Name
}

func TestContainerFaults(t *testing.T) {
	db := fixtures(t)
	db.Exec(t, "CREATE VIEW slow AS SELECT SLEEP(5) AS s")
	before := db.Checksums(t)
	ctx := context.Background()

	t.Run("permission denied on one table", func(t *testing.T) {
		uri := limitedUser(t, db, "people", "seq", "nokey")
		c, log := openTest(t, uri, connectors.Options{})
		errs := scanAll(t, c)
		if len(errs) != 1 {
			t.Fatalf("errors %v, want one for people", errs)
		}
		err := errs[db.Name+".people"]
		if err == nil || !strings.Contains(err.Error(), "permission denied") || strings.Contains(err.Error(), secretPassword) {
			t.Errorf("people: %v", err)
		}
		ex := c.Exposure(ctx)
		if ex.AnonymousAccess {
			t.Errorf("a user with a password reported as anonymous access: %v", ex.Notes)
		}
		for _, n := range ex.Notes {
			if strings.Contains(n, "superuser") {
				t.Errorf("least-privilege user flagged as superuser: %s", n)
			}
		}
		log.checkReadOnly(t)
	})

	t.Run("statement timeout", func(t *testing.T) {
		c, _ := openTest(t, db.URI, connectors.Options{IncludeViews: true, RequestTimeout: time.Second})
		ct := containers(t, c)[db.Name+".slow"]
		_, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: 10}, func(connectors.Document) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "statement timeout") {
			t.Errorf("err %v, want a statement timeout", err)
		}
	})

	t.Run("table dropped after listing", func(t *testing.T) {
		db.Exec(t, "CREATE TABLE gone (id INT PRIMARY KEY)", "INSERT INTO gone VALUES (1), (2)")
		c, _ := openTest(t, db.URI, connectors.Options{})
		ct := containers(t, c)[db.Name+".gone"]
		db.Exec(t, "DROP TABLE gone")
		_, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: 10}, func(connectors.Document) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "no longer exists") {
			t.Errorf("err %v", err)
		}
		// the other tables are still read
		if _, err := c.Sample(ctx, containers(t, c)[db.Name+".seq"], connectors.SampleOptions{Size: 10}, func(connectors.Document) error { return nil }); err != nil {
			t.Error(err)
		}
	})

	t.Run("connection dropped mid-scan", func(t *testing.T) {
		old := keysetPageRows
		keysetPageRows = 100
		defer func() { keysetPageRows = old }()
		c, _ := openTest(t, db.URI, connectors.Options{})
		ct := containers(t, c)[db.Name+".seq"]
		root := mysqltest.Root(t)
		n := 0
		_, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: 0}, func(connectors.Document) error {
			n++
			if n == 50 {
				// Kill every session of the connector on the test database.
				rows, err := root.Query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()", db.Name)
				if err != nil {
					return err
				}
				var ids []string
				for rows.Next() {
					var id string
					_ = rows.Scan(&id)
					ids = append(ids, id)
				}
				_ = rows.Close()
				for _, id := range ids {
					_, _ = root.Exec("KILL CONNECTION " + id)
				}
			}
			return nil
		})
		if err == nil || !strings.Contains(err.Error(), "closed the connection") {
			t.Errorf("after %d rows: err %v, want the connection closed", n, err)
		}
		var ce *ContainerError
		if !errors.As(err, &ce) || ce.Container != ct.Name {
			t.Errorf("not a ContainerError of %s: %T", ct.Name, err)
		}
		// The pool recovers for the next container.
		if _, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: 10}, func(connectors.Document) error { return nil }); err != nil {
			t.Errorf("after the drop: %v", err)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		c, _ := openTest(t, db.URI, connectors.Options{})
		cctx, cancel := context.WithCancel(ctx)
		n := 0
		_, err := c.Sample(cctx, containers(t, c)[db.Name+".nokey"], connectors.SampleOptions{Size: 0}, func(connectors.Document) error {
			if n++; n == 10 {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err %v, want context.Canceled", err)
		}
	})

	t.Run("large JSON value", func(t *testing.T) {
		// A 2 MB JSON value (over sqlrows' 1 MiB bound per value) is left
		// out and counted; the row's other columns are kept.
		db.Exec(t, "CREATE TABLE blobs (id INT PRIMARY KEY, email VARCHAR(100), doc JSON)",
			"INSERT INTO blobs VALUES (1, 'amelia.haddad@example.org', JSON_OBJECT('pad', REPEAT('x', 2000000)))")
		c, _ := openTest(t, db.URI, connectors.Options{})
		docs, res := sample(t, c, containers(t, c)[db.Name+".blobs"], 10, 1)
		if len(docs) != 1 || docs[0]["email"] != "amelia.haddad@example.org" {
			t.Fatalf("docs %v", docs)
		}
		if _, ok := docs[0]["doc"]; ok {
			t.Error("the 2 MB value was kept")
		}
		if !strings.Contains(strings.Join(res.Notes, "\n"), "too large") {
			t.Errorf("no note of the value left out: %v", res.Notes)
		}
		db.Exec(t, "DROP TABLE blobs")
	})

	t.Run("1600 columns", func(t *testing.T) {
		// InnoDB stops at 1,017 columns; Aria takes 1,600.
		cols := make([]string, 1600)
		vals := make([]string, 1600)
		for i := range cols {
			cols[i] = fmt.Sprintf("c%04d TINYINT", i)
			vals[i] = strconv.Itoa(i % 100)
		}
		db.Exec(t, "CREATE TABLE wide (id INT PRIMARY KEY, "+strings.Join(cols, ", ")+") ENGINE=Aria",
			"INSERT INTO wide VALUES (1, "+strings.Join(vals, ", ")+"), (2, "+strings.Join(vals, ", ")+")")
		c, _ := openTest(t, db.URI, connectors.Options{})
		docs, _ := sample(t, c, containers(t, c)[db.Name+".wide"], 10, 1)
		if len(docs) != 2 || len(docs[0]) != 1601 {
			t.Fatalf("%d docs of %d fields", len(docs), len(docs[0]))
		}
		db.Exec(t, "DROP TABLE wide")
	})

	if after := db.Checksums(t); after != before {
		t.Errorf("table checksums changed on the error paths:\n%s\n%s", before, after)
	}
}
