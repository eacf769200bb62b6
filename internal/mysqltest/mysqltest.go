// Package mysqltest gives tests a database of their own on the MariaDB (or
// MySQL) server of the machine, 127.0.0.1:3306 with user root and an empty
// password unless PIISNIFF_MYSQL_ADDR says otherwise, and loads the bundled
// example as typed tables (also into SQLite, see Tables).
//
// Each database is uniquely named and dropped when the test ends. With
// CI=true a server that cannot be reached fails the test; otherwise the test
// is skipped with a message.
package mysqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Addr is the server's address.
func Addr() string {
	if a := os.Getenv("PIISNIFF_MYSQL_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:3306"
}

// DB is one test's database.
type DB struct {
	Name string  // database name
	SQL  *sql.DB // root connection with the database selected
	URI  string  // mysql://root@ADDR/NAME
}

// Root opens a root connection without a database, or fails (CI) or skips
// the test when the server cannot be reached.
func Root(t testing.TB) *sql.DB {
	t.Helper()
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr = "root", "tcp", Addr()
	cfg.MultiStatements = true
	cfg.Timeout = 5 * time.Second
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("MariaDB at %s is not reachable (CI=true): %v", Addr(), err)
		}
		t.Skipf("MariaDB at %s is not reachable, test skipped (set CI=true to fail instead): %v", Addr(), err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

// New creates a uniquely named database, dropped when the test ends.
func New(t testing.TB) *DB {
	t.Helper()
	root := Root(t)
	var r [4]byte
	_, _ = rand.Read(r[:])
	base := nonWord.ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(base) > 40 {
		base = base[:40]
	}
	name := "piisniff_" + base + "_" + hex.EncodeToString(r[:])
	ctx := context.Background()
	if _, err := root.ExecContext(ctx, "CREATE DATABASE `"+name+"`"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := root.ExecContext(context.Background(), "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
	})
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr, cfg.DBName = "root", "tcp", Addr(), name
	cfg.MultiStatements = true
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(4)
	t.Cleanup(func() { _ = db.Close() })
	return &DB{Name: name, SQL: db, URI: "mysql://root@" + Addr() + "/" + name}
}

// Exec runs statements in the test's database, failing the test on error.
func (d *DB) Exec(t testing.TB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := d.SQL.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%.200s: %v", s, err)
		}
	}
}

// Checksums is CHECKSUM TABLE of every table of the database, with the
// list of tables: equal before and after a scan proves it wrote nothing.
func (d *DB) Checksums(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	rows, err := d.SQL.QueryContext(ctx, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'", d.Name)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	_ = rows.Close()
	sort.Strings(tables)
	var b strings.Builder
	for _, tb := range tables {
		var name string
		var sum sql.NullInt64
		if err := d.SQL.QueryRowContext(ctx, "CHECKSUM TABLE `"+d.Name+"`.`"+tb+"` EXTENDED").Scan(&name, &sum); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s=%d;", tb, sum.Int64)
	}
	return b.String()
}

// writeCommands are the server's per-session statement counters of
// statements that change data or schema.
var writeCommands = []string{
	"Com_insert", "Com_insert_select", "Com_update", "Com_update_multi", "Com_delete", "Com_delete_multi",
	"Com_replace", "Com_replace_select", "Com_load", "Com_truncate", "Com_create_table", "Com_drop_table",
	"Com_alter_table", "Com_create_db", "Com_drop_db", "Com_rename_table", "Com_create_index", "Com_drop_index",
	"Com_grant", "Com_revoke", "Com_create_user", "Com_drop_user", "Com_call_procedure", "Com_lock_tables",
}

// SessionCounters reads the server's own statement counters of the
// session conn is on: how many statements that write it ran, and how many
// SELECTs (so that a test sees the counters move at all).
func SessionCounters(ctx context.Context, conn *sql.Conn) (writes, selects int64, err error) {
	rows, err := conn.QueryContext(ctx, "SHOW SESSION STATUS LIKE 'Com\\_%'")
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	isWrite := map[string]bool{}
	for _, w := range writeCommands {
		isWrite[strings.ToLower(w)] = true
	}
	for rows.Next() {
		var name string
		var v int64
		if err := rows.Scan(&name, &v); err != nil {
			return 0, 0, err
		}
		switch n := strings.ToLower(name); {
		case isWrite[n]:
			writes += v
		case n == "com_select":
			selects += v
		}
	}
	return writes, selects, rows.Err()
}

// User creates an account 'piisniff_XXXX'@'127.0.0.1' with password,
// granted each privilege on a table of the database ("SELECT" -> table),
// and dropped when the test ends. It returns a mysql:// URI for it.
func (d *DB) User(t testing.TB, password string, grants map[string]string) string {
	t.Helper()
	var r [4]byte
	_, _ = rand.Read(r[:])
	user := "piisniff_" + hex.EncodeToString(r[:])
	account := "'" + user + "'@'127.0.0.1'"
	root := Root(t)
	if _, err := root.Exec("CREATE USER " + account + " IDENTIFIED BY '" + strings.ReplaceAll(password, "'", "''") + "'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = root.Exec("DROP USER " + account) })
	tables := make([]string, 0, len(grants))
	for tb := range grants {
		tables = append(tables, tb)
	}
	sort.Strings(tables)
	for _, tb := range tables {
		if _, err := root.Exec("GRANT " + grants[tb] + " ON `" + d.Name + "`.`" + tb + "` TO " + account); err != nil {
			t.Fatal(err)
		}
	}
	_, port, _ := strings.Cut(Addr(), ":")
	return "mysql://" + user + ":" + password + "@127.0.0.1:" + port + "/" + d.Name
}
