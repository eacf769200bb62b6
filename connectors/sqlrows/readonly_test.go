package sqlrows_test

import (
	"testing"

	"github.com/piisniff/piisniff/connectors/sqlrows"
)

func TestReadOnlyStatement(t *testing.T) {
	tests := []struct {
		sql  string
		want bool
	}{
		{`SELECT 1`, true},
		{`  select "a", b FROM "s"."t" TABLESAMPLE SYSTEM ($1) REPEATABLE ($2) LIMIT 10;`, true},
		{`WITH x AS (SELECT 1) SELECT * FROM x`, true},
		{`SHOW server_version`, true},
		{`SET statement_timeout = 30000`, true},
		{`SET default_transaction_read_only = on`, true},
		{`SET default_transaction_read_only = off`, false},
		{`SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE`, false},
		{`BEGIN READ ONLY`, true},
		{`begin transaction isolation level repeatable read, read only`, true},
		{`START TRANSACTION READ ONLY`, true},
		{`BEGIN`, false},
		{`START TRANSACTION`, false},
		{`START TRANSACTION READ WRITE`, false},
		{`COMMIT`, true},
		{`ROLLBACK`, true},
		{`rollback work`, true},
		{`ROLLBACK TO SAVEPOINT x`, false},
		{`SELECT 'DROP TABLE x'`, true},
		{`SELECT "delete" FROM t`, true},
		{`SELECT $tag$ ; DELETE FROM t $tag$`, true},
		{`SELECT 1 /* DROP TABLE t; /* nested */ */`, true},
		{`SELECT 1 -- ; DROP TABLE t`, true},
		{`SELECT E'a\'; DROP TABLE t; --'`, true},
		{`SELECT 'a\'; DROP TABLE t; --'`, false}, // PostgreSQL: the literal ends at a\'
		{`SELECT 1 # ; DROP TABLE t`, false},
		{`SELECT 1--1; DROP TABLE t`, false},
		{`SELECT * INTO t2 FROM t`, false},
		{`SELECT * FROM t FOR UPDATE`, false},
		{`SELECT * FROM t FOR SHARE`, false},
		{`SELECT * FROM t LOCK IN SHARE MODE`, false},
		{`SELECT * FROM t INTO OUTFILE '/tmp/x'`, false},
		{`WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d`, false},
		{`SELECT nextval('s')`, false},
		{`SELECT 1; DROP TABLE t`, false},
		{`SELECT 1; SELECT 2`, true},
		{`INSERT INTO t VALUES (1)`, false},
		{`UPDATE t SET a = 1`, false},
		{`DELETE FROM t`, false},
		{`CREATE TABLE t (a int)`, false},
		{`TRUNCATE t`, false},
		{`COPY t TO STDOUT`, false},
		{`EXPLAIN ANALYZE DELETE FROM t`, false},
		{`VACUUM`, false},
		{`DO $$ BEGIN END $$`, false},
		{`SELECT 'unterminated`, false},
		{`SELECT /* unterminated`, false},
		{``, false},
		{`;`, false},
	}
	for _, tc := range tests {
		if got := sqlrows.ReadOnlyStatement(tc.sql); got != tc.want {
			t.Errorf("ReadOnlyStatement(%q) = %v, want %v", tc.sql, got, tc.want)
		}
	}
}

// FuzzReadOnlyStatement checks that the checker never panics and that
// appending a write to an allowed statement is refused.
func FuzzReadOnlyStatement(f *testing.F) {
	for _, s := range []string{`SELECT 1`, `BEGIN READ ONLY`, `SELECT 'a''b' FROM "t"`, `SELECT $$x$$`, `SET a = 1`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		if !sqlrows.ReadOnlyStatement(sql) {
			return
		}
		// a statement the checker reads as closed must not hide a write
		// appended after a new line and a separator
		if sqlrows.ReadOnlyStatement(sql + "\n;DELETE FROM t") {
			t.Fatalf("%q followed by a DELETE is allowed", sql)
		}
	})
}
