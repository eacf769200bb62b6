package mongodb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/mongotest"
)

// TestOldServers scans through a proxy that makes the server report the
// wire version of an older MongoDB in its handshake: 3.6 to 4.2 are read
// (the driver alone refuses anything before 4.4), older ones get an error
// that says what the server is.
func TestOldServers(t *testing.T) {
	tests := []struct {
		wire    int32
		release string // "" when it can be read
	}{
		{6, ""}, // 3.6
		{7, ""}, // 4.0
		{8, ""}, // 4.2
		{5, "MongoDB 3.4 (wire version 5), too old"},
		{4, "MongoDB 3.2 (wire version 4), too old"},
		{1, "MongoDB 2.6 (wire version 1), too old"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("wire version %d", tt.wire), func(t *testing.T) {
			p := mongotest.StartProxy(t, srv.URI)
			p.SetMaxWireVersion(tt.wire)
			uri := strings.Replace(p.URI, "mongodb://", "mongodb://scanner:s3cr3t-pw@", 1) + "?authMechanism=PLAIN"
			ctx := context.Background()
			start := time.Now()
			c, err := open(ctx, uri, connectors.Options{ConnectTimeout: 5 * time.Second, AnonymousCheck: true}, nil)
			if tt.release != "" {
				if err == nil {
					c.Close()
					t.Fatal("connected to a server too old to read")
				}
				var ce *ConnectError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.release) || !strings.Contains(err.Error(), "reachable") {
					t.Errorf("error %v", err)
				}
				t.Log(err)
				if strings.Contains(err.Error(), "s3cr3t-pw") {
					t.Errorf("password in %v", err)
				}
				if d := time.Since(start); d > 4*time.Second {
					t.Logf("took %v: the driver waited for the connect timeout", d) // not a timing assertion: logged
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if ex := c.Exposure(ctx); !ex.Reachable || !ex.AnonymousAccess {
				t.Errorf("exposure %+v", ex)
			}
			ct := containerByName(t, c, "fixtures.nested")
			docs, res := sampleAll(t, c, ct, 2, 1)
			if len(docs) != 2 || res.Skipped != 0 {
				t.Errorf("%d documents, %+v", len(docs), res)
			}
			cs, err := c.Containers(ctx)
			if err != nil || len(cs) == 0 {
				t.Errorf("%d containers, %v", len(cs), err)
			}
		})
	}
}

func TestTooOld(t *testing.T) {
	tests := []struct {
		msg  string
		want string
	}{
		{"server selection error: server at 10.0.0.1:27017 reports wire version 5, but this version of the Go driver requires at least 6 (MongoDB 3.6)",
			"MongoDB 3.4 (wire version 5)"},
		{"server at h:1 reports wire version 0, but this version of the Go driver requires at least 6 (MongoDB 3.6)", "MongoDB 2.4 or older"},
		{"server at h:1 reports wire version 3, but this version of the Go driver requires at least 6 (MongoDB 3.6)", "MongoDB 3.0 (wire version 3)"},
		{"connection refused", ""},
	}
	for _, tt := range tests {
		got := tooOld(errors.New(tt.msg))
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("%q: %q, want %q", tt.msg, got, tt.want)
		}
	}
}
