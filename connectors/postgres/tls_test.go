package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
	"github.com/piisniff/piisniff/internal/pgtest"
)

// TestTLS runs against a server of the test's own that accepts TCP
// connections only over TLS, with a certificate of a test CA: verified
// TLS works and the report says TLS is in use; a CA that did not sign the
// server's certificate and sslmode=disable fail with errors that say why
// (and hold no password); TLS without verification works only when asked
// for explicitly.
func TestTLS(t *testing.T) {
	srv := pgtest.StartTLSServer(t)
	const secret = "tls-S3cret-pw" // trust: any password is accepted
	base := strings.Replace(srv.URI, "postgres@", "postgres:"+secret+"@", 1)
	connectortest.RunTLS(t, connectortest.TLSCheck{
		Open: func(ctx context.Context, uri string, tls connectors.TLSOptions) (connectors.Connector, error) {
			return open(ctx, uri, connectors.Options{Env: envOf(nil), TLS: tls}, nil)
		},
		Secret: secret,
		Accepted: []connectortest.TLSAccepted{
			{Name: "sslmode=verify-full, sslrootcert", URI: base + "?sslmode=verify-full&sslrootcert=" + srv.Certs.CAFile, Verified: true},
			{Name: "--tls-ca without sslmode means verify-full", URI: base, TLS: connectors.TLSOptions{CAFile: srv.Certs.CAFile}, Verified: true},
			{Name: "sslmode=verify-ca", URI: base + "?sslmode=verify-ca&sslrootcert=" + srv.Certs.CAFile, Verified: true},
			{Name: "--tls-insecure turns verification off", URI: base, TLS: connectors.TLSOptions{CAFile: srv.Certs.OtherCAFile, Insecure: true},
				Note: "without verification of the server's certificate"},
			{Name: "sslmode=require: TLS, unverified", URI: base + "?sslmode=require", Note: "without verification of the server's certificate"},
		},
		Refused: []connectortest.TLSRefused{
			{Name: "a CA that did not sign the certificate", URI: base + "?sslmode=verify-full&sslrootcert=" + srv.Certs.OtherCAFile,
				Want: "TLS certificate verification failed"},
			{Name: "--tls-ca of another CA", URI: base, TLS: connectors.TLSOptions{CAFile: srv.Certs.OtherCAFile},
				Want: "certificate signed by unknown authority"},
			{Name: "the system's CAs only", URI: base + "?sslmode=verify-full", Want: "TLS certificate verification failed"},
			{Name: "sslmode=disable against a server that requires TLS", URI: base + "?sslmode=disable",
				Want: "accepts connections from this host only over TLS"},
		},
		Error: func(t *testing.T, err error) {
			var ce *ConnectError
			if !errors.As(err, &ce) {
				t.Errorf("error %T, want a ConnectError", err)
			}
		},
	})
}
