package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/mysqltest"
)

// scanAll runs what a scan runs: exposure, listing, and every container
// sampled and read whole. Sampling errors are returned per container.
func scanAll(t *testing.T, c *Connector) map[string]error {
	t.Helper()
	ctx := context.Background()
	c.Exposure(ctx)
	cs, err := c.Containers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	errs := map[string]error{}
	for _, ct := range cs {
		for _, size := range []int{0, 100, 10000} {
			if _, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: size, Seed: 3}, func(connectors.Document) error { return nil }); err != nil {
				errs[ct.Name] = err
			}
		}
	}
	return errs
}

// poolCounters reads the server's statement counters of every session in
// the connector's pool: statements that write, and SELECTs.
func poolCounters(t *testing.T, c *Connector) (writes, selects int64, conns []*sql.Conn) {
	t.Helper()
	ctx := context.Background()
	n := c.db.Stats().OpenConnections
	if n == 0 {
		t.Fatal("no open connection in the pool")
	}
	for i := 0; i < n; i++ {
		conn, err := c.db.Conn(ctx) // the idle sessions of the scan
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
		w, s, err := mysqltest.SessionCounters(ctx, conn)
		if err != nil {
			t.Fatal(err)
		}
		writes += w
		selects += s
	}
	return writes, selects, conns
}

// TestReadOnly proves a scan read-only three ways: its statement log holds
// only allow-listed statements, the server's own statement counters of its
// sessions show no write, and every table's checksum is unchanged.
func TestReadOnly(t *testing.T) {
	db := fixtures(t)
	before := db.Checksums(t)
	c, log := openTest(t, db.URI, connectors.Options{IncludeViews: true, Concurrency: 2})
	if errs := scanAll(t, c); len(errs) > 0 {
		t.Fatalf("scan errors: %v", errs)
	}
	log.checkReadOnly(t)
	writes, selects, conns := poolCounters(t, c)
	if writes != 0 {
		t.Errorf("the server counted %d writing statements in the scan's sessions", writes)
	}
	if selects == 0 {
		t.Fatal("the server counted no SELECT in the scan's sessions: the counters were not read from them")
	}
	// The scan left its sessions read-only: the server refuses a write.
	if _, err := conns[0].ExecContext(context.Background(), "CREATE TEMPORARY TABLE piisniff_probe (x INT)"); err == nil {
		t.Error("a scan session accepted a write")
	}
	// The counters do see a write in those sessions (a temporary table
	// touches no data of the database).
	for _, s := range []string{"SET SESSION TRANSACTION READ WRITE", "CREATE TEMPORARY TABLE piisniff_probe (x INT)"} {
		if _, err := conns[0].ExecContext(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	w, _, err := mysqltest.SessionCounters(context.Background(), conns[0])
	if err != nil || w == 0 {
		t.Errorf("a CREATE TEMPORARY TABLE was not counted (%d, %v): the counters prove nothing", w, err)
	}
	_, _ = conns[0].ExecContext(context.Background(), "DROP TEMPORARY TABLE piisniff_probe")
	_ = conns[0].Raw(func(any) error { return driver.ErrBadConn }) // not back to the pool
	for _, conn := range conns {
		_ = conn.Close()
	}
	if after := db.Checksums(t); after != before {
		t.Errorf("table checksums changed:\n%s\n%s", before, after)
	}
}

func TestReadOnlyStatementsRefused(t *testing.T) {
	// The allow-list the statement log is checked with refuses writes.
	for _, s := range []string{"INSERT INTO t VALUES (1)", "UPDATE t SET a = 1", "DELETE FROM t", "DROP TABLE t",
		"START TRANSACTION", "SELECT * FROM t FOR UPDATE", "SELECT 1 INTO OUTFILE '/tmp/x'"} {
		if sqlReadOnly(s) {
			t.Errorf("%q allowed", s)
		}
	}
	db := fixtures(t)
	c, _ := openTest(t, db.URI, connectors.Options{})
	for _, s := range []string{"SET SESSION TRANSACTION READ ONLY", c.timeoutStatement(), "START TRANSACTION READ ONLY", "COMMIT", "ROLLBACK",
		"SHOW SESSION STATUS LIKE 'Ssl_cipher'", "SHOW GRANTS"} {
		if !sqlReadOnly(s) {
			t.Errorf("%q refused", s)
		}
	}
}
