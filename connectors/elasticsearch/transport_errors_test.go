package elasticsearch

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/estest"
)

// TestLastingErrorsAreNamed: a failure that retrying cannot fix (nothing
// listens, the certificate does not verify) is reported at once, as what
// it is, not as a request timeout after every attempt.
func TestLastingErrorsAreNamed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	tlsSrv := newCluster(t, estest.Config{Flavor: estest.ES8, TLS: true})
	tests := []struct {
		name, target string
		want         []string
	}{
		{"nothing listens", closed, []string{"connection refused"}},
		{"unknown certificate authority", tlsSrv.URL(), []string{"certificate", "--tls-ca"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(context.Background(), tt.target, connectors.Options{RequestTimeout: 5 * time.Second})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			if strings.Contains(msg, "request timeout") || strings.Contains(msg, "attempts") {
				t.Errorf("error %q: a lasting failure reported as a timeout, or retried", msg)
			}
		})
	}
}
