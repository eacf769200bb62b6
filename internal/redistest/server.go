package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Server is a redis-server started by a test, stopped by pid when the test
// ends.
type Server struct {
	Addr string
	Port int
	Dir  string
	cmd  *exec.Cmd
}

// FreePort returns a loopback TCP port nobody listens on now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// redisServer is the redis-server binary, or skips (fails with CI=true).
func redisServer(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server not found on PATH")
		}
		t.Skip("redis-server not found on PATH")
	}
	return p
}

// StartServer starts a redis-server of its own on a free loopback port,
// nothing kept on disk, with extra arguments (--requirepass x,
// --rename-command CONFIG "", ...). It waits until the server answers.
func StartServer(t testing.TB, args ...string) *Server {
	t.Helper()
	bin := redisServer(t)
	dir := t.TempDir()
	for attempt := 0; ; attempt++ {
		port := FreePort(t)
		s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), Port: port, Dir: dir}
		all := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", dir, "--daemonize", "no", "--logfile", filepath.Join(dir, fmt.Sprintf("redis-%d.log", port))}, args...)
		s.cmd = exec.Command(bin, all...)
		if err := s.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Stop)
		if err := s.wait(); err != nil {
			s.Stop()
			if attempt < 2 {
				continue // the port was taken meanwhile
			}
			log, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("redis-%d.log", port)))
			t.Fatalf("redis-server on port %d did not start: %v\n%s", port, err, log)
		}
		return s
	}
}

// wait waits for the server to accept connections (any reply counts:
// NOAUTH is a server that is up).
func (s *Server) wait() error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", s.Addr, 200*time.Millisecond)
		if err == nil {
			c.SetDeadline(time.Now().Add(time.Second))
			c.Write([]byte("PING\r\n"))
			buf := make([]byte, 64)
			n, _ := c.Read(buf)
			c.Close()
			if n > 0 && !strings.HasPrefix(string(buf[:n]), "-LOADING") {
				return nil
			}
		}
		if s.cmd.ProcessState != nil {
			return fmt.Errorf("exited: %v", s.cmd.ProcessState)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no answer within 10s")
}

// Stop kills the server (by its pid) and waits for it; safe to call twice.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil || s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// Client is a client of the server's database db.
func (s *Server) Client(t testing.TB, password string, db int) *goredis.Client {
	cl := goredis.NewClient(&goredis.Options{Addr: s.Addr, Password: password, DB: db, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { cl.Close() })
	return cl
}

// Cluster is a 3-master Redis Cluster started by a test.
type Cluster struct {
	Nodes  []*Server
	Client *goredis.ClusterClient
}

// URI is the redis:// URI of the first node.
func (c *Cluster) URI() string { return "redis://" + c.Nodes[0].Addr }

// StartCluster starts three redis-server processes with cluster mode on
// and joins them with redis-cli --cluster create (no replicas).
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	redisServer(t)
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-cli not found on PATH")
		}
		t.Skip("redis-cli not found on PATH")
	}
	c := &Cluster{}
	var addrs []string
	for i := 0; i < 3; i++ {
		dir := t.TempDir()
		n := StartServer(t, "--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes.conf"),
			"--cluster-node-timeout", "2000", "--cluster-require-full-coverage", "no")
		c.Nodes = append(c.Nodes, n)
		addrs = append(addrs, n.Addr)
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	out, err := exec.Command(cli, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	c.Client = goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: addrs, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { c.Client.Close() })
	// wait until every node agrees the cluster is up
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok := true
		for _, n := range c.Nodes {
			cl := goredis.NewClient(&goredis.Options{Addr: n.Addr, Protocol: 2, DisableIdentity: true})
			info, err := cl.ClusterInfo(context.Background()).Result()
			cl.Close()
			if err != nil || !strings.Contains(info, "cluster_state:ok") {
				ok = false
			}
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cluster did not reach cluster_state:ok within 20s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return c
}
