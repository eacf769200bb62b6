package redistest

import (
	_ "embed"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// jsonModuleSource is a Redis module of the project's own with the
// RedisJSON data type's name (ReJSON-RL), JSON.SET and JSON.GET on the
// document root: RedisJSON itself cannot be installed on the machines the
// tests run on.
//
//go:embed jsonmodule/rejson.c
var jsonModuleSource []byte

// StartJSONServer starts a redis-server of its own (as StartServer) with
// the test JSON module loaded; the module is compiled with the C compiler
// (cc) into the test's temporary directory. Without a C compiler the test
// is skipped, or fails with CI=true.
func StartJSONServer(t testing.TB, args ...string) *Server {
	t.Helper()
	redisServer(t)
	cc, err := exec.LookPath("cc")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no C compiler (cc) on PATH to build the test JSON module")
		}
		t.Skip("no C compiler (cc) on PATH to build the test JSON module")
	}
	dir := t.TempDir()
	src, so := filepath.Join(dir, "rejson.c"), filepath.Join(dir, "rejson.so")
	if err := os.WriteFile(src, jsonModuleSource, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-O1", "-shared", "-fPIC", "-o", so, src).CombinedOutput(); err != nil {
		t.Fatalf("building the test JSON module: %v\n%s", err, out)
	}
	return StartServer(t, append([]string{"--loadmodule", so}, args...)...)
}
