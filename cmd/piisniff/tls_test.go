package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/internal/estest"
	"github.com/piisniff/piisniff/internal/mongotest"
)

var (
	tlsFlagRE = regexp.MustCompile(`--tls-[a-z-]+`)
	tlsFlags  = map[string]bool{"--tls-ca": true, "--tls-cert": true, "--tls-key": true, "--tls-insecure": true}
)

const insecureWarning = "WARNING: --tls-insecure: server certificates are not verified"

type tlsCase struct {
	name string
	args []string
	// code is the exit code; for 1 the target's error holds every one of
	// errs, for 0 the target was reached over TLS
	code int
	errs []string
	warn bool // the --tls-insecure warning is on stderr
	// empty: the store holds no data, so a scan that reached it over TLS
	// still exits 1 and says nothing was scanned (never an all-clear)
	empty bool
}

func runTLSCases(t *testing.T, target string, tests []tlsCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"scan", target, "-f", "json", "-q", "--connect-timeout", "3s"}, tt.args...)
			res := runInProcess(t, time.Minute, nil, args...)
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", res.code, tt.code, res.stderr)
			}
			r := parseReport(t, res.stdout)
			tg := r.Targets[0]
			switch {
			case tt.empty && (tg.Error != nil || !tg.Exposure.TLS || !tg.Exposure.Reachable || r.Complete || r.Summary.TargetsEmpty != 1):
				t.Errorf("empty store: complete=%v summary=%+v target %+v", r.Complete, r.Summary, tg)
			case tt.empty:
			case tt.code == 0 && (tg.Error != nil || !tg.Exposure.TLS || !tg.Exposure.Reachable):
				t.Errorf("target %+v", tg)
			case tt.code != 0 && tg.Error == nil:
				t.Errorf("no target error: %+v", tg)
			case tt.code != 0:
				for _, w := range tt.errs {
					if !strings.Contains(*tg.Error, w) {
						t.Errorf("error %q does not say %q", *tg.Error, w)
					}
				}
				// a hint names flags that exist
				for _, flag := range tlsFlagRE.FindAllString(*tg.Error, -1) {
					if !tlsFlags[flag] {
						t.Errorf("error %q names %s, which is not a flag", *tg.Error, flag)
					}
				}
			}
			if got := strings.Contains(res.stderr, insecureWarning); got != tt.warn {
				t.Errorf("warning on stderr: %v, want %v (even with -q); stderr:\n%s", got, tt.warn, res.stderr)
			}
		})
	}
}

// TestTLSElasticsearch: a server certificate that does not chain to a known
// authority is refused with an error that says what to do; --tls-ca with
// the server's certificate makes it verify; --tls-insecure skips the check
// and prints a warning.
func TestTLSElasticsearch(t *testing.T) {
	srv := estest.New(estest.Config{Flavor: estest.ES8, TLS: true})
	t.Cleanup(srv.Close)
	if err := srv.AddIndex("users", nil, []map[string]any{{"email": "ann@example.com"}}); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.CertificatePEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	runTLSCases(t, srv.URL(), []tlsCase{
		{name: "verified by default", code: 1, errs: []string{"certificate", "--tls-ca"}},
		{name: "--tls-ca", args: []string{"--tls-ca", ca}},
		{name: "--tls-insecure", args: []string{"--tls-insecure"}, warn: true},
	})
}

// TestTLSMongoDB: the same against a MongoDB server that requires TLS and a
// client certificate signed by its authority.
func TestTLSMongoDB(t *testing.T) {
	certs, err := mongotest.WriteCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := mongotest.StartConfig(t, mongotest.Config{TLS: &mongotest.TLSFiles{
		CertFile: certs.ServerCertFile, KeyFile: certs.ServerKeyFile, CAFile: certs.CAFile}})
	client := []string{"--tls-cert", certs.ClientCertFile, "--tls-key", certs.ClientKeyFile}
	runTLSCases(t, srv.URI, []tlsCase{
		{name: "verified by default", args: client, code: 1, errs: []string{"certificate", "--tls-ca"}},
		{name: "client certificate required", args: []string{"--tls-ca", certs.CAFile}, code: 1, errs: []string{"TLS"}},
		{name: "--tls-ca and a client certificate", args: append([]string{"--tls-ca", certs.CAFile}, client...), code: 1, empty: true},
		{name: "--tls-insecure", args: append([]string{"--tls-insecure"}, client...), code: 1, empty: true, warn: true},
	})
}
