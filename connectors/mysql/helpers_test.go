package mysql

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
	"github.com/piisniff/piisniff/connectors/sqlrows"
	"github.com/piisniff/piisniff/internal/mysqltest"
)

// stmtLog records the statements a connector sends.
type stmtLog struct {
	mu    sync.Mutex
	stmts []string
}

func (l *stmtLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stmts = append(l.stmts, s)
}

func (l *stmtLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.stmts...)
}

// checkReadOnly fails the test for every statement not on the allow-list.
func (l *stmtLog) checkReadOnly(t *testing.T) {
	t.Helper()
	stmts := l.all()
	if len(stmts) == 0 {
		t.Fatal("no statement logged")
	}
	for _, s := range stmts {
		if !sqlrows.ReadOnlyStatement(s) {
			t.Errorf("statement not on the read-only allow-list: %.200s", s)
		}
	}
}

// openTest opens the connector on uri with a statement log.
func openTest(t *testing.T, uri string, opts connectors.Options) (*Connector, *stmtLog) {
	t.Helper()
	log := &stmtLog{}
	c, err := open(context.Background(), uri, opts, log.add)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, log
}

// containers lists the containers by name.
func containers(t *testing.T, c *Connector) map[string]connectors.Container {
	t.Helper()
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]connectors.Container{}
	for _, ct := range cs {
		out[ct.Name] = ct
	}
	return out
}

// sample samples one container and returns its documents.
func sample(t *testing.T, c *Connector, ct connectors.Container, size int, seed int64) ([]map[string]any, connectors.SampleResult) {
	t.Helper()
	docs, res, err := connectortest.SampleDecoded(context.Background(), c, ct, connectors.SampleOptions{Size: size, Seed: seed})
	if err != nil {
		t.Fatalf("%s: %v", ct.Name, err)
	}
	return docs, res
}

// fillSeq fills table name (id BIGINT PRIMARY KEY, v TEXT) with ids from
// ids(i) for i in [0, n), in batches.
func fillSeq(t *testing.T, db *mysqltest.DB, table string, n int, ids func(i int) int64) {
	t.Helper()
	for start := 0; start < n; start += 1000 {
		var b strings.Builder
		b.WriteString("INSERT INTO `" + table + "` (id, v) VALUES ")
		for i := start; i < min(n, start+1000); i++ {
			if i > start {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "(%d, 'row %d')", ids(i), i)
		}
		db.Exec(t, b.String())
	}
}

func sqlReadOnly(s string) bool { return sqlrows.ReadOnlyStatement(s) }
