package connectortest

import (
	"context"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
)

// TLSAccepted is a way of connecting over TLS that must work.
type TLSAccepted struct {
	Name     string
	URI      string
	TLS      connectors.TLSOptions
	Note     string // a note the exposure must hold ("" for none)
	Verified bool   // the server's certificate is verified: no note may say otherwise
}

// TLSRefused is a way of connecting that must fail, with an error that
// holds Want.
type TLSRefused struct {
	Name string
	URI  string
	TLS  connectors.TLSOptions
	Want string
}

// TLSCheck runs the cases of a store's TLS test against a server of the
// test's own that accepts only TLS connections.
type TLSCheck struct {
	// Open opens the store at uri with the TLS options.
	Open func(ctx context.Context, uri string, tls connectors.TLSOptions) (connectors.Connector, error)
	// Secret is the password in the URIs: no error may hold it.
	Secret   string
	Accepted []TLSAccepted
	Refused  []TLSRefused
	// Read, when set, checks more of an accepted connection (containers
	// are always listed).
	Read func(t *testing.T, c connectors.Connector, cs []connectors.Container)
	// Error, when set, checks more of a refusal's error.
	Error func(t *testing.T, err error)
}

// RunTLS runs every case as a subtest: an accepted connection is
// reachable, says TLS is in use and never that it is unencrypted, carries
// the expected note and no "without verification" when verified, and
// lists its containers; a refused one fails with the expected words and
// without the password.
func RunTLS(t *testing.T, chk TLSCheck) {
	t.Helper()
	for _, tc := range chk.Accepted {
		t.Run(tc.Name, func(t *testing.T) {
			c, err := chk.Open(context.Background(), tc.URI, tc.TLS)
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
			if tc.Note != "" && !strings.Contains(notes, tc.Note) {
				t.Errorf("notes %q do not say %q", ex.Notes, tc.Note)
			}
			if tc.Verified && strings.Contains(notes, "without verification") {
				t.Errorf("a verified connection noted as unverified: %q", ex.Notes)
			}
			cs, err := c.Containers(context.Background())
			if err != nil {
				t.Fatalf("Containers over TLS: %v", err)
			}
			if chk.Read != nil {
				chk.Read(t, c, cs)
			}
		})
	}
	for _, tc := range chk.Refused {
		t.Run(tc.Name, func(t *testing.T) {
			c, err := chk.Open(context.Background(), tc.URI, tc.TLS)
			if err == nil {
				c.Close()
				t.Fatal("open succeeded")
			}
			if !strings.Contains(err.Error(), tc.Want) {
				t.Errorf("error %q does not say %q", err, tc.Want)
			}
			if chk.Secret != "" && strings.Contains(err.Error(), chk.Secret) {
				t.Errorf("the password is in the error: %q", err)
			}
			if chk.Error != nil {
				chk.Error(t, err)
			}
		})
	}
}
