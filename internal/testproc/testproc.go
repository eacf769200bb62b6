// Package testproc runs a server program for one test: started on its own
// process group, its output kept in a log file, waited for until it
// answers, and stopped by the pid the test started when the test ends.
// The TLS servers of internal/pgtest and internal/mysqltest use it.
package testproc

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is a server process of a test's own.
type Server struct {
	name    string
	logFile string
	exited  chan struct{}
}

// Start starts cmd (its standard output and error appended to logFile),
// and registers a cleanup that sends it stop, then kills it after grace.
// name is what errors call it ("postgres", "mariadbd").
func Start(tb testing.TB, name string, cmd *exec.Cmd, logFile string, stop syscall.Signal, grace time.Duration) *Server {
	tb.Helper()
	lf, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = lf, lf
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	if err := cmd.Start(); err != nil {
		lf.Close()
		tb.Fatalf("start %s: %v", name, err)
	}
	s := &Server{name: name, logFile: logFile, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); lf.Close(); close(s.exited) }()
	tb.Cleanup(func() {
		// by the pid this test started, never by name
		_ = cmd.Process.Signal(stop)
		select {
		case <-s.exited:
		case <-time.After(grace):
			_ = cmd.Process.Kill()
			<-s.exited
		}
	})
	return s
}

// WaitReady calls ping every interval until it succeeds. It fails the
// test, with the server's log, when the server exits first or when
// timeout passes; what names the wait in that message ("accept a TLS
// connection on port 5433").
func (s *Server) WaitReady(tb testing.TB, what string, timeout, interval time.Duration, ping func() error) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := ping()
		if err == nil {
			return
		}
		select {
		case <-s.exited:
			log, _ := os.ReadFile(s.logFile)
			tb.Fatalf("%s exited: %s", s.name, strings.TrimSpace(string(log)))
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(s.logFile)
			tb.Fatalf("%s did not %s: %v\n%s", s.name, what, err, log)
		}
		time.Sleep(interval)
	}
}
