package mysqltest

import (
	"context"
	"crypto/tls"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/piisniff/piisniff/internal/pgtest"
	"github.com/piisniff/piisniff/internal/testproc"
)

// TLSServer is a MariaDB server of a test's own on a free port of
// 127.0.0.1 that accepts only TLS connections (require_secure_transport),
// with a certificate of a test CA; user root, empty password.
type TLSServer struct {
	Port  int
	Certs pgtest.Certs
	// URI is mysql://root@127.0.0.1:PORT/ without TLS parameters.
	URI string
}

// StartTLSServer runs mariadb-install-db and mariadbd in a temporary
// directory and stops the server by its pid when the test ends. Without
// the server's programs the test fails with CI=true and is skipped
// otherwise.
func StartTLSServer(tb testing.TB) *TLSServer {
	tb.Helper()
	install, err := exec.LookPath("mariadb-install-db")
	server := "/usr/sbin/mariadbd"
	if _, serr := os.Stat(server); err != nil || serr != nil {
		msg := "MariaDB server programs (mariadb-install-db, /usr/sbin/mariadbd) not found"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg + " (CI=true: they must be there)")
		}
		tb.Skip(msg)
	}
	dir, err := os.MkdirTemp("", "piisniff-mariadbtls-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = os.RemoveAll(dir) })
	certs, err := pgtest.WriteCerts(dir)
	if err != nil {
		tb.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	user := []string{}
	if os.Geteuid() == 0 {
		user = []string{"--user=root"}
	}
	args := append([]string{"--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal",
		"--skip-test-db", "--skip-name-resolve"}, user...)
	if out, err := exec.Command(install, args...).CombinedOutput(); err != nil {
		tb.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	port := pgtest.FreePort(tb)
	logFile := filepath.Join(dir, "server.log")
	srvArgs := append([]string{"--no-defaults", "--datadir=" + data, "--port=" + strconv.Itoa(port),
		"--bind-address=127.0.0.1", "--socket=" + filepath.Join(dir, "mysqld.sock"), "--pid-file=" + filepath.Join(dir, "mysqld.pid"),
		"--log-error=" + logFile, "--skip-name-resolve", "--skip-log-bin", "--innodb-buffer-pool-size=16M",
		"--ssl-ca=" + certs.CAFile, "--ssl-cert=" + certs.CertFile, "--ssl-key=" + certs.KeyFile,
		"--require-secure-transport=ON"}, user...)
	srv := exec.Command(server, srvArgs...)
	proc := testproc.Start(tb, "mariadbd", srv, logFile, syscall.SIGTERM, 15*time.Second)
	s := &TLSServer{Port: port, Certs: certs, URI: fmt.Sprintf("mysql://root@127.0.0.1:%d/", port)}
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr = "root", "tcp", fmt.Sprintf("127.0.0.1:%d", port)
	cfg.TLS = &tls.Config{InsecureSkipVerify: true} // only to see it up
	cfg.Timeout = 2 * time.Second
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	proc.WaitReady(tb, fmt.Sprintf("accept a TLS connection on port %d", port), 60*time.Second, 200*time.Millisecond, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		return db.PingContext(ctx)
	})
	return s
}
