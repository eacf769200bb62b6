package pgtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/piisniff/piisniff/internal/testproc"
)

// Certs are PEM files of a throw-away certificate authority and a server
// certificate for 127.0.0.1 and localhost signed by it; OtherCAFile is a
// second authority that signed nothing here (a client trusting it must
// refuse the server).
type Certs struct {
	CAFile, OtherCAFile, CertFile, KeyFile string
}

// WriteCerts creates Certs in dir (crypto/x509; valid for a day).
func WriteCerts(dir string) (Certs, error) {
	c := Certs{
		CAFile: filepath.Join(dir, "ca.pem"), OtherCAFile: filepath.Join(dir, "other-ca.pem"),
		CertFile: filepath.Join(dir, "server.pem"), KeyFile: filepath.Join(dir, "server-key.pem"),
	}
	now := time.Now()
	newCA := func(name string) (*x509.Certificate, *ecdsa.PrivateKey, []byte, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: name},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			return nil, nil, nil, err
		}
		cert, err := x509.ParseCertificate(der)
		return cert, key, der, err
	}
	ca, caKey, caDER, err := newCA("piisniff test CA")
	if err != nil {
		return c, err
	}
	_, _, otherDER, err := newCA("piisniff other test CA")
	if err != nil {
		return c, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return c, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano() + 1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return c, err
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return c, err
	}
	for _, f := range []struct {
		file, typ string
		der       []byte
	}{{c.CAFile, "CERTIFICATE", caDER}, {c.OtherCAFile, "CERTIFICATE", otherDER}, {c.CertFile, "CERTIFICATE", der}, {c.KeyFile, "PRIVATE KEY", kb}} {
		if err := os.WriteFile(f.file, pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der}), 0o600); err != nil {
			return c, err
		}
	}
	return c, nil
}

// FreePort returns a TCP port of 127.0.0.1 that nothing listens on.
func FreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TLSServer is a PostgreSQL server of a test's own, on a free port of
// 127.0.0.1, that accepts TCP connections only over TLS (pg_hba.conf:
// hostssl only; user postgres, trust).
type TLSServer struct {
	Port  int
	Certs Certs
	// URI connects to database postgres without any sslmode.
	URI string
}

// binDir is where Debian keeps the server's programs.
const binDir = "/usr/lib/postgresql/15/bin"

// StartTLSServer runs initdb and postgres (as the postgres OS user when
// the test runs as root: the server refuses to run as root) in a
// temporary directory, and stops the server by its pid when the test
// ends. Without the server's programs the test fails with CI=true and is
// skipped otherwise.
func StartTLSServer(tb testing.TB) *TLSServer {
	tb.Helper()
	bin := os.Getenv("PIISNIFF_TEST_PGBIN")
	if bin == "" {
		bin = binDir
	}
	if _, err := os.Stat(filepath.Join(bin, "initdb")); err != nil {
		msg := fmt.Sprintf("PostgreSQL server programs not found in %s (set PIISNIFF_TEST_PGBIN)", bin)
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg + " (CI=true: they must be there)")
		}
		tb.Skip(msg)
	}
	// a directory the server's user owns (t.TempDir's parents are
	// closed to other users)
	dir, err := os.MkdirTemp("", "piisniff-pgtls-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = os.RemoveAll(dir) })
	certs, err := WriteCerts(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Fatalf("running as root, and no postgres user to run the server as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		for _, p := range []string{dir, certs.CertFile, certs.KeyFile, certs.CAFile, certs.OtherCAFile} {
			if err := os.Chown(p, uid, gid); err != nil {
				tb.Fatal(err)
			}
		}
	}
	command := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
		return cmd
	}
	data := filepath.Join(dir, "data")
	if out, err := command("initdb", "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--no-instructions").CombinedOutput(); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}
	hba := "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n"
	if err := os.WriteFile(filepath.Join(data, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		tb.Fatal(err)
	}
	if cred != nil {
		_ = os.Chown(filepath.Join(data, "pg_hba.conf"), int(cred.Uid), int(cred.Gid))
	}
	port := FreePort(tb)
	srv := command("postgres", "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "ssl=on",
		"-c", "ssl_cert_file="+certs.CertFile, "-c", "ssl_key_file="+certs.KeyFile,
		"-c", "fsync=off", "-c", "shared_buffers=16MB", "-c", "max_connections=20",
		"-c", "logging_collector=off", "-c", "log_min_messages=warning")
	logFile := filepath.Join(dir, "server.log")
	proc := testproc.Start(tb, "postgres", srv, logFile, syscall.SIGINT, 10*time.Second) // SIGINT: fast shutdown
	s := &TLSServer{Port: port, Certs: certs, URI: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres", port)}
	proc.WaitReady(tb, fmt.Sprintf("accept a TLS connection on port %d", port), 30*time.Second, 100*time.Millisecond, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, s.URI+"?sslmode=require")
		if err == nil {
			_ = conn.Close(context.Background())
		}
		return err
	})
	return s
}
