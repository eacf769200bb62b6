package mysql

import (
	"context"
	"crypto/tls"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
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
	refusedPlain := "or the server accepts only TLS connections (require_secure_transport=ON), and this connection was not encrypted"
	connectortest.RunTLS(t, connectortest.TLSCheck{
		Open: func(ctx context.Context, uri string, tls connectors.TLSOptions) (connectors.Connector, error) {
			return open(ctx, uri, connectors.Options{TLS: tls, Env: func(string) string { return "" }}, nil)
		},
		Secret: secret,
		Accepted: []connectortest.TLSAccepted{
			{Name: "tls=verify-full, ssl-ca", URI: base + "?tls=verify-full&ssl-ca=" + srv.Certs.CAFile, Verified: true},
			{Name: "--tls-ca without tls= means verify-full", URI: base, TLS: connectors.TLSOptions{CAFile: srv.Certs.CAFile}, Verified: true},
			{Name: "sslmode=verify-ca", URI: base + "?sslmode=verify-ca&ssl-ca=" + srv.Certs.CAFile, Verified: true},
			{Name: "--tls-insecure turns verification off", URI: base, TLS: connectors.TLSOptions{CAFile: srv.Certs.OtherCAFile, Insecure: true}},
			{Name: "tls=skip-verify", URI: base + "?tls=skip-verify"},
		},
		Refused: []connectortest.TLSRefused{
			{Name: "a CA that did not sign the certificate", URI: base + "?tls=verify-full&ssl-ca=" + srv.Certs.OtherCAFile,
				Want: "TLS certificate verification failed"},
			{Name: "--tls-ca of another CA", URI: base, TLS: connectors.TLSOptions{CAFile: srv.Certs.OtherCAFile},
				Want: "certificate signed by unknown authority"},
			{Name: "the system's CAs only", URI: base + "?tls=verify-full", Want: "TLS certificate verification failed"},
			{Name: "sslmode=disable against a server that requires TLS", URI: base + "?sslmode=disable", Want: refusedPlain},
			{Name: "tls=false against a server that requires TLS", URI: base + "?tls=false", Want: refusedPlain},
		},
		Read: func(t *testing.T, c connectors.Connector, cs []connectors.Container) {
			if len(cs) != 1 {
				t.Fatalf("Containers over TLS: %v", cs)
			}
			n := 0
			if _, err := c.Sample(context.Background(), cs[0], connectors.SampleOptions{Size: 10, Seed: 1}, func(connectors.Document) error { n++; return nil }); err != nil || n != 1 {
				t.Errorf("Sample over TLS: %d rows, %v", n, err)
			}
		},
	})
}
