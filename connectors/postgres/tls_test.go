package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
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
	ok := []struct {
		name     string
		uri      string
		tls      connectors.TLSOptions
		note     string // a note of the exposure
		verified bool
	}{
		{name: "sslmode=verify-full, sslrootcert", uri: base + "?sslmode=verify-full&sslrootcert=" + srv.Certs.CAFile, verified: true},
		{name: "--tls-ca without sslmode means verify-full", uri: base, tls: connectors.TLSOptions{CAFile: srv.Certs.CAFile}, verified: true},
		{name: "sslmode=verify-ca", uri: base + "?sslmode=verify-ca&sslrootcert=" + srv.Certs.CAFile, verified: true},
		{name: "--tls-insecure turns verification off", uri: base, tls: connectors.TLSOptions{CAFile: srv.Certs.OtherCAFile, Insecure: true},
			note: "without verification of the server's certificate"},
		{name: "sslmode=require: TLS, unverified", uri: base + "?sslmode=require", note: "without verification of the server's certificate"},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			c, err := open(context.Background(), tc.uri, connectors.Options{Env: envOf(nil), TLS: tc.tls}, nil)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer c.Close()
			ex := c.Exposure(context.Background())
			if !ex.Reachable || !ex.TLS {
				t.Fatalf("exposure: reachable %v, TLS %v, notes %q", ex.Reachable, ex.TLS, ex.Notes)
			}
			notes := strings.Join(ex.Notes, "\n")
			if strings.Contains(notes, "not encrypted") {
				t.Errorf("a TLS connection noted as unencrypted: %q", ex.Notes)
			}
			if tc.note != "" && !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q do not say %q", ex.Notes, tc.note)
			}
			if tc.verified && strings.Contains(notes, "without verification") {
				t.Errorf("a verified connection noted as unverified: %q", ex.Notes)
			}
			if _, err := c.Containers(context.Background()); err != nil {
				t.Errorf("Containers over TLS: %v", err)
			}
		})
	}
	bad := []struct {
		name string
		uri  string
		tls  connectors.TLSOptions
		want string // in the error
	}{
		{name: "a CA that did not sign the certificate", uri: base + "?sslmode=verify-full&sslrootcert=" + srv.Certs.OtherCAFile,
			want: "TLS certificate verification failed"},
		{name: "--tls-ca of another CA", uri: base, tls: connectors.TLSOptions{CAFile: srv.Certs.OtherCAFile},
			want: "certificate signed by unknown authority"},
		{name: "the system's CAs only", uri: base + "?sslmode=verify-full", want: "TLS certificate verification failed"},
		{name: "sslmode=disable against a server that requires TLS", uri: base + "?sslmode=disable",
			want: "accepts connections from this host only over TLS"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			c, err := open(context.Background(), tc.uri, connectors.Options{Env: envOf(nil), TLS: tc.tls}, nil)
			if err == nil {
				c.Close()
				t.Fatal("open succeeded")
			}
			var ce *ConnectError
			if !errors.As(err, &ce) {
				t.Errorf("error %T, want a ConnectError", err)
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
