package redis

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redistest"
)

const testPassword = "s3cret-Pw-0427"

// fakeLoading is a server that answers every command with -LOADING, as
// Redis does while it reads its dataset at start.
func fakeLoading(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if strings.HasPrefix(line, "*") || !strings.HasPrefix(line, "$") {
						// one reply per command (the first line of a RESP array, or an inline command)
						if strings.HasPrefix(line, "*") || strings.TrimSpace(line) != "" {
							c.Write([]byte("-LOADING Redis is loading the dataset in memory\r\n"))
						}
					} else {
						r.ReadString('\n') // the bulk string's data
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}

func TestOpenErrors(t *testing.T) {
	redistest.Require(t)
	auth := redistest.StartServer(t, "--requirepass", testPassword)
	refused := fmt.Sprintf("127.0.0.1:%d", redistest.FreePort(t))
	loading := fakeLoading(t)
	tests := []struct {
		name, target string
		opts         connectors.Options
		want         string
	}{
		{"refused", "redis://" + refused, connectors.Options{}, "connection refused"},
		{"NOAUTH", "redis://" + auth.Addr, connectors.Options{}, "authentication required"},
		{"WRONGPASS in the URI", "redis://:wrong-" + testPassword + "@" + auth.Addr, connectors.Options{}, "authentication failed"},
		{"WRONGPASS from PIISNIFF_PASSWORD", "redis://" + auth.Addr, connectors.Options{Password: "wrong-" + testPassword}, "authentication failed"},
		{"WRONGPASS from REDISCLI_AUTH", "redis://" + auth.Addr, connectors.Options{Env: envOf(EnvAuth, "wrong-"+testPassword)}, "authentication failed"},
		{"LOADING", "redis://" + loading, connectors.Options{}, "loading its dataset"},
		{"unix socket missing", "unix:///nonexistent/redis.sock", connectors.Options{}, "no Unix socket"},
		{"bad URI", "redis://" + auth.Addr + "/notanumber", connectors.Options{}, "invalid Redis URI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.ConnectTimeout = 5 * time.Second
			_, err := connectors.Open(context.Background(), tt.target, opts)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("error shows the password: %q", err)
			}
		})
	}
}

func envOf(kv ...string) func(string) string {
	return func(name string) string {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == name {
				return kv[i+1]
			}
		}
		return ""
	}
}

// TestPasswords: the password from the URI, PIISNIFF_PASSWORD and
// REDISCLI_AUTH, and an ACL user; the anonymous check meets NOAUTH.
func TestPasswords(t *testing.T) {
	redistest.Require(t)
	srv := redistest.StartServer(t, "--requirepass", testPassword)
	ctx := context.Background()
	admin := srv.Client(t, testPassword, 0)
	if err := admin.Do(ctx, "ACL", "SETUSER", "reader", "on", ">reader-pw-77", "~*", "+@read", "+@connection", "+info", "+config|get", "+acl|getuser", "+command|info").Err(); err != nil {
		t.Fatal(err)
	}
	admin.HSet(ctx, "user:1", "email", "a@example.com")
	tests := []struct {
		name, target string
		opts         connectors.Options
	}{
		{"URI", "redis://:" + testPassword + "@" + srv.Addr, connectors.Options{}},
		{"PIISNIFF_PASSWORD", "redis://" + srv.Addr, connectors.Options{Env: envOf(connectors.EnvPassword, testPassword)}},
		{"REDISCLI_AUTH", "redis://" + srv.Addr, connectors.Options{Env: envOf(EnvAuth, testPassword)}},
		{"ACL user", "redis://reader:reader-pw-77@" + srv.Addr, connectors.Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.AnonymousCheck = true
			c, err := connectors.Open(ctx, tt.target, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ex := c.Exposure(ctx)
			notes := strings.Join(ex.Notes, "\n")
			if ex.AnonymousAccess || !strings.Contains(notes, "NOAUTH") {
				t.Errorf("anonymous %v, notes %s", ex.AnonymousAccess, notes)
			}
			if strings.Contains(notes, testPassword) || strings.Contains(c.URI(), testPassword) {
				t.Error("the password shows")
			}
			cs, err := c.Containers(ctx)
			if err != nil || len(cs) != 1 || cs[0].Name != "db0/user:*" {
				t.Fatalf("containers %v, %v", cs, err)
			}
		})
	}
}

// TestRenamedCommands: a server whose CONFIG and INFO are disabled is still
// scanned (databases found with DBSIZE) and the exposure says what could
// not be checked.
func TestRenamedCommands(t *testing.T) {
	redistest.Require(t)
	srv := redistest.StartServer(t, "--rename-command", "CONFIG", "", "--rename-command", "INFO", "")
	ctx := context.Background()
	srv.Client(t, "", 0).Set(ctx, "a:1", "x", 0)
	srv.Client(t, "", 3).Set(ctx, "b:1", "y", 0)
	c, err := connectors.Open(ctx, "redis://"+srv.Addr, connectors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ex := c.Exposure(ctx)
	notes := strings.Join(ex.Notes, "\n")
	for _, want := range []string{"INFO failed", "CONFIG is renamed or disabled"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if !ex.Reachable || !ex.AnonymousAccess {
		t.Errorf("exposure %+v", ex)
	}
	if strings.Contains(notes, "CONFIG not renamed") {
		t.Errorf("CONFIG reported as not renamed:\n%s", notes)
	}
	cs, err := c.Containers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ct := range cs {
		got = append(got, ct.Name)
	}
	if strings.Join(got, ",") != "db0/a:*,db3/b:*" {
		t.Errorf("containers %v", got)
	}
}

// TestMixedTypesWithoutMemoryUsage: collections are read without a size
// check first (their reads are bounded by count and by the connection), so
// a user who may not run MEMORY USAGE reads as much; keys of one pattern
// but several types (the type of the first key is predicted for the
// others) are all read.
func TestMixedTypesWithoutMemoryUsage(t *testing.T) {
	redistest.Require(t)
	srv := redistest.StartServer(t)
	ctx := context.Background()
	admin := srv.Client(t, "", 0)
	if err := admin.Do(ctx, "ACL", "SETUSER", "nomem", "on", ">nomem-pw-1", "~*", "+@read", "+@connection", "-memory").Err(); err != nil {
		t.Fatal(err)
	}
	admin.HSet(ctx, "mix:1", "email", "h@example.com")
	admin.Set(ctx, "mix:2", `{"email":"s@example.com"}`, 0)
	admin.RPush(ctx, "mix:3", "l@example.com")
	admin.SAdd(ctx, "mix:4", "s1@example.com")
	for _, tc := range []struct {
		name, target string
	}{
		{"MEMORY USAGE allowed", "redis://" + srv.Addr},
		{"MEMORY USAGE refused", "redis://nomem:nomem-pw-1@" + srv.Addr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, log := openT(t, tc.target, connectors.Options{}, nil)
			ct := containers(t, c)["db0/mix:*"]
			docs, res, err := sample(t, c, ct, 0, 1)
			if err != nil || len(docs) != 4 || res.Skipped != 0 {
				t.Fatalf("%d docs, skips %v, %v", len(docs), res.SkipReasons, err)
			}
			sent := log.all()
			for _, want := range []string{"hscan", "lrange", "sscan", "getrange"} {
				if !contains(sent, want) {
					t.Errorf("%q not sent: %v", want, sent)
				}
			}
			if contains(sent, "memory usage") {
				t.Errorf("MEMORY USAGE sent: %v", sent)
			}
		})
	}
}

// TestUnreadableExposure: a server that answers but cannot be read (no
// password given) still reports what it showed of its exposure.
func TestUnreadableExposure(t *testing.T) {
	redistest.Require(t)
	srv := redistest.StartServer(t, "--requirepass", testPassword)
	_, err := connectors.Open(context.Background(), "redis://"+srv.Addr, connectors.Options{})
	var ue *connectors.UnreadableError
	if !errors.As(err, &ue) {
		t.Fatalf("error %v is not an UnreadableError", err)
	}
	if !ue.Exposure.Reachable || ue.Exposure.AnonymousAccess || !strings.Contains(strings.Join(ue.Exposure.Notes, "\n"), "requires authentication") {
		t.Errorf("exposure %+v", ue.Exposure)
	}
}

// replyErr is an error reply of the server, as go-redis returns it.
type replyErr string

func (e replyErr) Error() string { return string(e) }
func (replyErr) RedisError()     {}

func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{replyErr("NOAUTH Authentication required."), "authentication required"},
		{replyErr("WRONGPASS invalid username-password pair or user is disabled."), "authentication failed"},
		{replyErr("NOPERM this user has no permissions to run the 'hscan' command"), "lacks the permission"},
		{replyErr("ERR unknown command 'INFO', with args beginning with: "), "does not know a command"},
		{replyErr("WRONGTYPE Operation against a key holding the wrong kind of value"), "the server answered with an error"},
		{fmt.Errorf("read: %w", replyErr("ERR max number of clients reached")), "the server answered with an error"},
		{errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), "connection refused"},
		{errors.New("something else"), "cannot connect"},
	}
	for _, tt := range tests {
		if got := classify(tt.err); !strings.Contains(got, tt.want) {
			t.Errorf("classify(%q) = %q, want %q in it", tt.err, got, tt.want)
		}
	}
}
