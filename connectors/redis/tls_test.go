package redis

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redistest"
)

// TestTLS: rediss:// verifies the server's certificate (with --tls-ca, or
// not at all with --tls-insecure); plain redis:// to a TLS port fails with
// a message that says so.
func TestTLS(t *testing.T) {
	redistest.Require(t)
	srv := redistest.StartTLSServer(t)
	tests := []struct {
		name, target string
		tls          connectors.TLSOptions
		want         string // error, "" for success
	}{
		{"CA given", "rediss://" + srv.Addr, connectors.TLSOptions{CAFile: srv.CAFile}, ""},
		{"insecure", "rediss://" + srv.Addr, connectors.TLSOptions{Insecure: true}, ""},
		{"unknown CA", "rediss://" + srv.Addr, connectors.TLSOptions{}, "certificate verification failed"},
		{"plain to a TLS port", "redis://" + srv.Addr, connectors.TLSOptions{}, "rediss://"},
		{"TLS options on redis://", "redis://" + srv.Addr, connectors.TLSOptions{CAFile: srv.CAFile}, "use rediss://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			c, err := connectors.Open(ctx, tt.target, connectors.Options{TLS: tt.tls, ConnectTimeout: 3 * time.Second, RequestTimeout: 3 * time.Second})
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ex := c.Exposure(ctx)
			if !ex.TLS || strings.Contains(strings.Join(ex.Notes, "\n"), "not encrypted") {
				t.Errorf("exposure %+v", ex)
			}
			if _, err := c.Containers(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
