package mysql

import (
	"context"
	"crypto/tls"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/mysqltest"
)

// TestTLS runs against a MariaDB server of the test's own that accepts
// only TLS connections (require_secure_transport=ON), with a certificate
// of a test CA: verified TLS works and the report says TLS is in use
// (Ssl_cipher); a CA that did not sign the server's certificate and TLS
// turned off fail with errors that say why (and hold no password:
// MariaDB answers an unencrypted connection "Access denied", so the error
// names both causes); TLS
// without verification works only when asked for explicitly.
func TestTLS(t *testing.T) {
	srv := mysqltest.StartTLSServer(t)
	const secret = "tls-S3cret-pw"
	// a user with a password, so that an error could show one
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr = "root", "tcp", fmt.Sprintf("127.0.0.1:%d", srv.Port)
	cfg.TLS = &tls.Config{InsecureSkipVerify: true}
	cfg.Timeout = 5 * time.Second
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	root := sql.OpenDB(conn)
	defer root.Close()
	for _, s := range []string{
		"CREATE USER 'scanner'@'%' IDENTIFIED BY '" + secret + "'",
		"GRANT SELECT, SHOW VIEW ON *.* TO 'scanner'@'%'",
		"CREATE DATABASE shop",
		"CREATE TABLE shop.customers (id INT PRIMARY KEY, email VARCHAR(100))",
		"INSERT INTO shop.customers VALUES (1, 'amelia.haddad@example.org')",
	} {
		if _, err := root.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	base := fmt.Sprintf("mysql://scanner:%s@127.0.0.1:%d/shop", secret, srv.Port)
	ok := []struct {
		name     string
		uri      string
		tls      connectors.TLSOptions
		verified bool
	}{
		{name: "tls=verify-full, ssl-ca", uri: base + "?tls=verify-full&ssl-ca=" + srv.Certs.CAFile, verified: true},
		{name: "--tls-ca without tls= means verify-full", uri: base, tls: connectors.TLSOptions{CAFile: srv.Certs.CAFile}, verified: true},
		{name: "sslmode=verify-ca", uri: base + "?sslmode=verify-ca&ssl-ca=" + srv.Certs.CAFile, verified: true},
		{name: "--tls-insecure turns verification off", uri: base, tls: connectors.TLSOptions{CAFile: srv.Certs.OtherCAFile, Insecure: true}},
		{name: "tls=skip-verify", uri: base + "?tls=skip-verify"},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			c, err := open(context.Background(), tc.uri, connectors.Options{TLS: tc.tls, Env: func(string) string { return "" }}, nil)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer c.Close()
			ex := c.Exposure(context.Background())
			if !ex.Reachable || !ex.TLS {
				t.Fatalf("exposure: reachable %v, TLS %v, notes %q", ex.Reachable, ex.TLS, ex.Notes)
			}
			if notes := strings.Join(ex.Notes, "\n"); strings.Contains(notes, "not encrypted") {
				t.Errorf("a TLS connection noted as unencrypted: %q", ex.Notes)
			}
			cs, err := c.Containers(context.Background())
			if err != nil || len(cs) != 1 {
				t.Fatalf("Containers over TLS: %v, %v", cs, err)
			}
			n := 0
			if _, err := c.Sample(context.Background(), cs[0], connectors.SampleOptions{Size: 10, Seed: 1}, func(connectors.Document) error { n++; return nil }); err != nil || n != 1 {
				t.Errorf("Sample over TLS: %d rows, %v", n, err)
			}
		})
	}
	bad := []struct {
		name string
		uri  string
		tls  connectors.TLSOptions
		want string // in the error
	}{
		{name: "a CA that did not sign the certificate", uri: base + "?tls=verify-full&ssl-ca=" + srv.Certs.OtherCAFile,
			want: "TLS certificate verification failed"},
		{name: "--tls-ca of another CA", uri: base, tls: connectors.TLSOptions{CAFile: srv.Certs.OtherCAFile},
			want: "certificate signed by unknown authority"},
		{name: "the system's CAs only", uri: base + "?tls=verify-full", want: "TLS certificate verification failed"},
		{name: "sslmode=disable against a server that requires TLS", uri: base + "?sslmode=disable",
			want: "or the server accepts only TLS connections (require_secure_transport=ON), and this connection was not encrypted"},
		{name: "tls=false against a server that requires TLS", uri: base + "?tls=false",
			want: "or the server accepts only TLS connections (require_secure_transport=ON), and this connection was not encrypted"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			c, err := open(context.Background(), tc.uri, connectors.Options{TLS: tc.tls, Env: func(string) string { return "" }}, nil)
			if err == nil {
				c.Close()
				t.Fatal("open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the password is in the error: %q", err)
			}
		})
	}
}
