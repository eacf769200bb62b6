package redis

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
	"github.com/piisniff/piisniff/internal/redistest"
)

// monitor runs MONITOR on a raw connection of its own (go-redis has no
// MONITOR helper to rely on) and keeps the commands sent to database db:
// the scan's connections, one per database, are told apart by the
// "[db addr]" part of each line.
type monitor struct {
	conn net.Conn
	mu   sync.Mutex
	cmds []string
	done chan struct{}
}

var monitorLine = regexp.MustCompile(`^\+[0-9.]+ \[(\d+) ([^\]]+)\] "([^"]*)"(?: "([^"]*)")?`)

func startMonitor(t *testing.T, addr string, db int) *monitor {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	m := &monitor{conn: conn, done: make(chan struct{})}
	if _, err := conn.Write([]byte("MONITOR\r\n")); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "+OK") {
		t.Fatalf("MONITOR: %q %v", line, err)
	}
	go func() {
		defer close(m.done)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			sm := monitorLine.FindStringSubmatch(line)
			if sm == nil || sm[1] != fmt.Sprint(db) {
				continue
			}
			name := strings.ToLower(sm[3])
			if subcommands[name] && sm[4] != "" {
				name += " " + strings.ToLower(sm[4])
			}
			m.mu.Lock()
			m.cmds = append(m.cmds, name)
			m.mu.Unlock()
		}
	}()
	return m
}

// stop ends MONITOR and returns what it saw (after a moment for the
// last lines to arrive).
func (m *monitor) stop() []string {
	time.Sleep(200 * time.Millisecond)
	m.conn.Close()
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cmds
}

// TestReadOnly proves the scan only reads, three ways: the go-redis hook
// recording every command, MONITOR on a second connection, and a DUMP of
// every key of the test database before and after.
func TestReadOnly(t *testing.T) {
	db := redistest.Claim(t)
	loadTypes(t, db.Client)
	ctx := context.Background()
	before, err := redistest.Dump(ctx, db.Client)
	if err != nil {
		t.Fatal(err)
	}

	mon := startMonitor(t, redistest.Addr(), db.N)
	c, log := openT(t, db.URI(), connectors.Options{AnonymousCheck: true}, nil)
	ex := c.Exposure(ctx)
	if !ex.AnonymousAccess || !ex.Reachable {
		t.Errorf("exposure %+v", ex)
	}
	cs, err := c.Containers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	docs := 0
	for _, ct := range cs {
		if _, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: 0, Seed: 1}, func(connectors.Document) error { docs++; return nil }); err != nil {
			t.Errorf("%s: %v", ct.Name, err)
		}
	}
	c.Close()
	seen := mon.stop()

	if docs == 0 {
		t.Fatal("nothing sampled")
	}
	sent := log.all()
	if len(sent) == 0 {
		t.Fatal("the hook recorded nothing")
	}
	for _, cmd := range sent {
		if !Allowed(cmd) {
			t.Errorf("hook: %q sent", cmd)
		}
	}
	for _, want := range []string{"scan", "type", "hscan", "sscan", "getrange", "lrange", "xrange", "config get"} {
		if !contains(sent, want) {
			t.Errorf("hook: %q never sent: the log is not complete (%d commands)", want, len(sent))
		}
	}
	if len(seen) == 0 {
		t.Fatal("MONITOR saw nothing of the scan")
	}
	for _, cmd := range seen {
		if !Allowed(cmd) {
			t.Errorf("MONITOR: %q sent to db %d", cmd, db.N)
		}
	}
	for _, want := range []string{"select", "scan", "type", "hscan"} {
		if !contains(seen, want) {
			t.Errorf("MONITOR: %q not seen (%d commands seen)", want, len(seen))
		}
	}
	after, err := redistest.Dump(ctx, db.Client)
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Error("the test database changed during the scan")
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// TestGuardRefuses: a command outside the allow-list never leaves the
// client.
func TestGuardRefuses(t *testing.T) {
	db := redistest.Claim(t)
	c, _ := openT(t, db.URI(), connectors.Options{}, nil)
	cl := c.client(db.N)
	ctx := context.Background()
	for _, args := range [][]any{{"set", "piisniff:guard", "x"}, {"flushall"}, {"keys", "*"}, {"config", "set", "maxmemory", "1"}, {"debug", "sleep", "0"}, {"eval", "return 1", "0"}, {"monitor"}} {
		err := cl.Do(ctx, args...).Err()
		if _, ok := err.(*ReadOnlyError); !ok {
			t.Errorf("%v: %v, want a ReadOnlyError", args, err)
		}
	}
	if n, _ := db.Client.Exists(ctx, "piisniff:guard").Result(); n != 0 {
		t.Error("SET reached the server")
	}
}

// TestConformance runs the connectors' conformance kit on a claimed
// database of the shared server.
func TestConformance(t *testing.T) {
	db := redistest.Claim(t)
	ctx := context.Background()
	p := db.Client.Pipeline()
	for i := 0; i < 1200; i++ {
		p.HSet(ctx, fmt.Sprintf("event:%d", i), "email", fmt.Sprintf("e%d@example.com", i), "n", i)
	}
	for i := 0; i < 5; i++ {
		p.Set(ctx, fmt.Sprintf("profile:%d", i), `{"name":"Ann Example"}`, 0)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	log := &cmdLog{}
	connectortest.Run(t, connectortest.Instance{
		Target:  db.URI(),
		Options: connectors.Options{},
		Open: func(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
			return open(ctx, target, opts, log.add)
		},
		Log:      log.all,
		ReadOnly: Allowed,
		Big:      fmt.Sprintf("db%d/event:*", db.N),
		Snapshot: func() string {
			d, err := redistest.Dump(ctx, db.Client)
			if err != nil {
				t.Fatal(err)
			}
			return d
		},
	})
}
