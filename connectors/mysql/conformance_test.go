package mysql

import (
	"context"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
	"github.com/piisniff/piisniff/connectors/sqlrows"
	"github.com/piisniff/piisniff/internal/mysqltest"
)

func TestConformance(t *testing.T) {
	db := mysqltest.New(t)
	db.Exec(t, "CREATE TABLE events (id BIGINT PRIMARY KEY, v TEXT)", "CREATE TABLE colors (name VARCHAR(10))",
		"INSERT INTO colors VALUES ('red'), ('blue')")
	fillSeq(t, db, "events", 1200, func(i int) int64 { return int64(i) })
	// A user with a password, so that the kit checks it never shows.
	uri := limitedUser(t, db, "", "events", "colors")
	log := &stmtLog{}
	connectortest.Run(t, connectortest.Instance{
		Target: uri,
		Open: func(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
			return open(ctx, target, opts, log.add)
		},
		Log:      log.all,
		ReadOnly: sqlrows.ReadOnlyStatement,
		Big:      db.Name + ".events",
		Snapshot: func() string { return db.Checksums(t) },
		Secret:   secretPassword,
	})
	if !strings.Contains(strings.Join(log.all(), "\n"), "START TRANSACTION READ ONLY") {
		t.Error("no read-only transaction in the log")
	}
}
