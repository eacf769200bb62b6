package mongodb

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/mongotest"
)

func hasNote(notes []string, sub string) bool {
	return slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, sub) })
}

func TestExposureOpenServer(t *testing.T) {
	c := openTest(t, connectors.Options{}, nil)
	ex := c.Exposure(context.Background())
	if !ex.Reachable || !ex.AnonymousAccess || ex.TLS {
		t.Errorf("exposure %+v", ex)
	}
	if !strings.HasPrefix(ex.Server, "FerretDB") || !strings.Contains(ex.Server, "MongoDB 7.0") {
		t.Errorf("server %q", ex.Server)
	}
	for _, want := range []string{"listDatabases succeeded without credentials", "was read without credentials",
		"authentication is not required", "no TLS"} {
		if !hasNote(ex.Notes, want) {
			t.Errorf("no note %q in %v", want, ex.Notes)
		}
	}
}

// credentialedURI is the shared server's URI with credentials. FerretDB
// without its own user store accepts PLAIN and ignores them: the URI
// carries credentials, the server needs none.
func credentialedURI() string {
	return strings.Replace(srv.URI, "mongodb://", "mongodb://scanner:pa55word@", 1) + "?authMechanism=PLAIN"
}

func TestExposureCredentialsAndAnonymousCheck(t *testing.T) {
	uri := credentialedURI()
	tests := []struct {
		name      string
		check     bool
		wantAnon  bool
		wantNote  string
		forbidden string
	}{
		{"checked", true, true, "authentication is not required", ""},
		{"not checked", false, false, "access without credentials was not checked", "listDatabases succeeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := open(context.Background(), uri, connectors.Options{AnonymousCheck: tt.check}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if strings.Contains(c.URI(), "pa55word") || !strings.Contains(c.URI(), "scanner:***@") {
				t.Errorf("URI not redacted: %s", c.URI())
			}
			ex := c.Exposure(context.Background())
			if ex.AnonymousAccess != tt.wantAnon || !hasNote(ex.Notes, tt.wantNote) {
				t.Errorf("exposure %+v", ex)
			}
			if tt.forbidden != "" && hasNote(ex.Notes, tt.forbidden) {
				t.Errorf("note %q present: %v", tt.forbidden, ex.Notes)
			}
		})
	}
}

func TestEndOfLifeNote(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		version  string
		ferret   bool
		wantNote string
	}{
		{"3.2.22", false, "MongoDB 3.2 is past end of life (support ended before 2021-04-30"},
		{"4.4.29", false, "MongoDB 4.4 is past end of life (support ended 2024-02-29"},
		{"5.0.31", false, "past end of life"},
		{"6.0.20", false, "past end of life"},
		{"7.0.14", false, ""},
		{"8.0.4", false, ""},
		{"9.1.0", false, ""},
		{"4.4.0", true, ""},
		{"garbage", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			got := eolNote(buildInfo{Version: tt.version, IsFerretDB: tt.ferret}, now)
			if tt.wantNote == "" && got != "" || tt.wantNote != "" && !strings.Contains(got, tt.wantNote) {
				t.Errorf("note %q, want %q", got, tt.wantNote)
			}
		})
	}
}

func TestServerName(t *testing.T) {
	tests := []struct {
		bi   buildInfo
		want string
	}{
		{buildInfo{Version: "7.0.4"}, "MongoDB 7.0.4"},
		{buildInfo{Version: "7.0.42", FerretDBVersion: "v1.24.2", IsFerretDB: true}, "FerretDB v1.24.2 (MongoDB 7.0.42 compatible)"},
		{buildInfo{Version: "7.0.42", FerretDBVersion: "unknown", IsFerretDB: true}, "FerretDB (MongoDB 7.0.42 compatible)"},
	}
	for _, tt := range tests {
		if got := tt.bi.server(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestConnectErrors(t *testing.T) {
	const secret = "Sup3rSecretPw"
	certs, err := mongotest.WriteCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tlsSrv := mongotest.StartConfig(t, mongotest.Config{TLS: &mongotest.TLSFiles{CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile}})
	tlsHost := strings.TrimSuffix(strings.TrimPrefix(tlsSrv.URI, "mongodb://"), "/?tls=true")
	plainHost := strings.TrimSuffix(strings.TrimPrefix(srv.URI, "mongodb://"), "/")

	tests := []struct {
		name   string
		target string
		opts   connectors.Options
		want   string
	}{
		{"refused", "mongodb://admin:" + secret + "@" + freePort(t) + "/?connectTimeoutMS=2000", connectors.Options{}, "connection refused"},
		{"dns", "mongodb://admin:" + secret + "@no-such-host.invalid:27017/", connectors.Options{}, "DNS lookup failed"},
		{"srv dns", "mongodb+srv://admin:" + secret + "@no-such-cluster.invalid/", connectors.Options{}, "DNS"},
		{"auth", "mongodb://admin:" + secret + "@" + plainHost + "/", connectors.Options{}, "authentication failed"},
		{"tls unknown authority", "mongodb://admin:" + secret + "@" + tlsHost + "/?tls=true&authMechanism=PLAIN", connectors.Options{}, "TLS certificate verification failed"},
		{"tls to plain server", "mongodb://admin:" + secret + "@" + plainHost + "/?tls=true&authMechanism=PLAIN", connectors.Options{}, "TLS handshake failed"},
		{"plain to tls server", "mongodb://admin:" + secret + "@" + tlsHost + "/?authMechanism=PLAIN", connectors.Options{}, "it may require TLS"},
		{"bad uri", "mongodb://admin:" + secret + "@host:notaport/", connectors.Options{}, "not a valid MongoDB connection string"},
		{"password in options", "mongodb://" + plainHost + "/", connectors.Options{Username: "admin", Password: secret}, "authentication failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.ConnectTimeout = 5 * time.Second // generous: the suite runs on 2 busy cores
			_, err := connectors.Open(context.Background(), tt.target, tt.opts)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if strings.Contains(msg, secret) {
				t.Errorf("password in error: %s", msg)
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not say %q", msg, tt.want)
			}
			t.Log(msg)
		})
	}
}

func TestTLS(t *testing.T) {
	certs, err := mongotest.WriteCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tlsSrv := mongotest.StartConfig(t, mongotest.Config{TLS: &mongotest.TLSFiles{CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile}})
	mtlsSrv := mongotest.StartConfig(t, mongotest.Config{TLS: &mongotest.TLSFiles{CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile}})
	noTLSParam := func(u string) string { return strings.TrimSuffix(u, "?tls=true") }
	tests := []struct {
		name    string
		target  string
		tls     connectors.TLSOptions
		wantErr string
	}{
		{"ca file", tlsSrv.URI, connectors.TLSOptions{CAFile: certs.CAFile}, ""},
		{"ca file turns TLS on", noTLSParam(tlsSrv.URI), connectors.TLSOptions{CAFile: certs.CAFile}, ""},
		{"ca in the URI", tlsSrv.URI + "&tlsCAFile=" + certs.CAFile, connectors.TLSOptions{}, ""},
		{"insecure", tlsSrv.URI, connectors.TLSOptions{Insecure: true}, ""},
		{"client certificate", mtlsSrv.URI, connectors.TLSOptions{CAFile: certs.CAFile, CertFile: certs.ClientCertFile, KeyFile: certs.ClientKeyFile}, ""},
		{"client certificate missing", mtlsSrv.URI, connectors.TLSOptions{CAFile: certs.CAFile}, "TLS"},
		{"bad CA file", tlsSrv.URI, connectors.TLSOptions{CAFile: certs.ClientKeyFile}, "no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := connectors.Open(context.Background(), tt.target, connectors.Options{TLS: tt.tls, ConnectTimeout: 5 * time.Second})
			if tt.wantErr != "" {
				if err == nil {
					c.Close()
					t.Fatal("no error")
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not say %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ex := c.Exposure(context.Background())
			if !ex.TLS || !ex.Reachable || !ex.AnonymousAccess {
				t.Errorf("exposure %+v", ex)
			}
			if hasNote(ex.Notes, "no TLS") {
				t.Errorf("notes %v", ex.Notes)
			}
		})
	}
}

// TestListDatabasesOnce: without credentials the anonymous check's
// listDatabases is the one Containers needs; with credentials the two
// answers may differ, so both are asked.
func TestListDatabasesOnce(t *testing.T) {
	withCreds := credentialedURI()
	tests := []struct {
		name string
		uri  string
		want int
	}{
		{"no credentials", srv.URI, 1},
		{"credentials", withCreds, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			c, err := open(context.Background(), tt.uri, connectors.Options{AnonymousCheck: true}, rec.monitor())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if ex := c.Exposure(context.Background()); !ex.AnonymousAccess {
				t.Fatalf("exposure %+v", ex)
			}
			cs, err := c.Containers(context.Background())
			if err != nil || len(cs) == 0 {
				t.Fatalf("%d containers, %v", len(cs), err)
			}
			n := 0
			for _, cmd := range rec.all() {
				if cmd.Name == "listDatabases" {
					n++
				}
			}
			if n != tt.want {
				t.Errorf("listDatabases sent %d times, want %d", n, tt.want)
			}
		})
	}
}
