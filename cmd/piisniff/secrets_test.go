package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/internal/estest"
	"github.com/piisniff/piisniff/internal/mongotest"
	"github.com/piisniff/piisniff/report"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// secretForms are the ways a secret could show: as given, and escaped as
// it would be in a URI.
func secretForms(secrets ...string) []string {
	var out []string
	for _, s := range secrets {
		out = append(out, s, url.QueryEscape(s), url.PathEscape(s), url.UserPassword("u", s).String()[2:])
	}
	return out
}

func assertNoSecret(t *testing.T, where, text string, forms []string) {
	t.Helper()
	for _, f := range forms {
		if f != "" && strings.Contains(text, f) {
			i := strings.Index(text, f)
			t.Errorf("%s holds the secret %q: …%s…", where, f, text[max(0, i-80):min(len(text), i+len(f)+40)])
		}
	}
}

func withUserinfo(u, user, pass string) string {
	p, err := url.Parse(u)
	if err != nil {
		panic(err)
	}
	p.User = url.UserPassword(user, pass)
	return p.String()
}

// TestSecretsNeverShow scans MongoDB and Elasticsearch targets, reachable
// and not, with credentials that work and that are refused, given in the
// URI, in flags and in the environment, and looks for the secret in every
// output: the report in each format, a report file and standard error.
func TestSecretsNeverShow(t *testing.T) {
	// characters that a URI must escape, so escaped forms are checked too
	const password = "pa:ss@w/rd-Zq81x"
	const apiKeyPart = "k3y-Secret-Vb62"
	apiKey := base64.StdEncoding.EncodeToString([]byte("key-id:" + apiKeyPart))
	const token = "tok-Secret-Hm47"

	docs := []map[string]any{{"email": "ann@example.com", "password": "hunter2-Example"}}
	esBasic := estest.New(estest.Config{Flavor: estest.ES8, Auth: estest.AuthBasic, Username: "auditor", Password: password})
	t.Cleanup(esBasic.Close)
	esKey := estest.New(estest.Config{Flavor: estest.ES8, Auth: estest.AuthAPIKey, APIKey: apiKey})
	t.Cleanup(esKey.Close)
	esWrong := estest.New(estest.Config{Flavor: estest.OpenSearch2, Auth: estest.AuthBasic, Username: "auditor", Password: "another-password"})
	t.Cleanup(esWrong.Close)
	for _, s := range []*estest.Server{esBasic, esKey, esWrong} {
		if err := s.AddIndex("users", nil, docs); err != nil {
			t.Fatal(err)
		}
	}
	mongo := mongotest.Start(t)
	if err := mongotest.InsertGenerated(context.Background(), mongo.Client(t).Database("shop").Collection("users"), 5, func(i int) any {
		return map[string]any{"email": fmt.Sprintf("u%d@example.com", i)}
	}); err != nil {
		t.Fatal(err)
	}
	esDown := "http://" + closedPort(t)
	mongoDown := "mongodb://" + closedPort(t) + "/"

	withPassword := func(u string) string { return withUserinfo(u, "auditor", password) }
	plain := []string{mongo.URI, mongoDown, esBasic.URL(), esKey.URL(), esWrong.URL(), esDown}
	common := []string{"--connect-timeout", "2s", "--request-timeout", "5s", "--sample-size", "10"}
	tests := []struct {
		name    string
		targets []string
		env     []string
		args    []string
		secrets []string
	}{
		{name: "password in the URI",
			targets: []string{withPassword(mongo.URI), withPassword(mongoDown), withPassword(esBasic.URL()), withPassword(esWrong.URL()), withPassword(esDown)},
			secrets: []string{password}},
		{name: "PIISNIFF_PASSWORD", targets: plain, env: []string{"PIISNIFF_PASSWORD=" + password},
			args: []string{"--username", "auditor"}, secrets: []string{password}},
		{name: "--es-api-key", targets: plain, args: []string{"--es-api-key", apiKey}, secrets: []string{apiKey, apiKeyPart}},
		{name: "ELASTIC_API_KEY", targets: plain, env: []string{"ELASTIC_API_KEY=" + apiKey}, secrets: []string{apiKey, apiKeyPart}},
		{name: "--bearer-token", targets: plain, args: []string{"--bearer-token", token}, secrets: []string{token}},
		{name: "PIISNIFF_BEARER_TOKEN", targets: plain, env: []string{"PIISNIFF_BEARER_TOKEN=" + token}, secrets: []string{token}},
		{name: "ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD", targets: plain,
			env: []string{"ELASTICSEARCH_USERNAME=auditor", "ELASTICSEARCH_PASSWORD=" + password}, secrets: []string{password}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forms := secretForms(tt.secrets...)
			formats := []string{"json"}
			if tt.name == "password in the URI" {
				formats = report.Formats
			}
			for _, format := range formats {
				out := filepath.Join(t.TempDir(), "report."+format)
				args := append(append([]string{"scan"}, tt.targets...), common...)
				args = append(append(args, tt.args...), "-f", format, "--no-color")
				res := runInProcess(t, 2*time.Minute, tt.env, args...)
				if res.code != 1 {
					t.Errorf("%s: exit %d, want 1 (some targets fail); stderr:\n%s", format, res.code, res.stderr)
				}
				assertNoSecret(t, format+" report", res.stdout, forms)
				assertNoSecret(t, "standard error", res.stderr, forms)
				if format == "json" {
					checkSecretsReport(t, res.stdout, len(tt.targets))
					// the same through a report file
					res = runInProcess(t, 2*time.Minute, tt.env, append(args, "-o", out)...)
					data, err := os.ReadFile(out)
					if err != nil {
						t.Fatal(err)
					}
					assertNoSecret(t, "report file", string(data), forms)
					assertNoSecret(t, "standard error with -o", res.stderr, forms)
				}
			}
		})
	}
}

// checkSecretsReport checks that the scan did reach what it should: the
// test proves nothing if every target failed the same way.
func checkSecretsReport(t *testing.T, out string, targets int) {
	t.Helper()
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(r.Targets) != targets {
		t.Fatalf("%d targets, want %d", len(r.Targets), targets)
	}
	var ok, failed int
	for _, tg := range r.Targets {
		if tg.Error != nil || len(tg.Containers) == 0 {
			failed++
			continue
		}
		for _, c := range tg.Containers {
			if c.Error != nil {
				failed++
			} else {
				ok++
			}
		}
	}
	if ok == 0 || failed == 0 {
		t.Errorf("%d containers scanned, %d failures: want both", ok, failed)
	}
}

// credentialExamples returns the examples of every credentials finding of
// a JSON report, by container, field and category, and how many examples
// of other findings it holds.
func credentialExamples(t *testing.T, out string) (map[string][]string, int) {
	t.Helper()
	r := parseReport(t, out)
	creds := map[string][]string{}
	others := 0
	for _, tg := range r.Targets {
		for _, c := range tg.Containers {
			for _, f := range c.Fields {
				for _, x := range f.Findings {
					if x.Group == "credentials" {
						creds[c.Name+" › "+f.Path+" "+x.Category] = x.Examples
					} else {
						others += len(x.Examples)
					}
				}
			}
		}
	}
	return creds, others
}

// TestShowDataNeverShowsCredentials scans the example with and without
// --show-data: the examples of credentials findings are the same masks
// either way, while other examples are shown as they are.
func TestShowDataNeverShowsCredentials(t *testing.T) {
	masked := runInProcess(t, time.Minute, nil, "scan", example, "-f", "json", "--examples", "10", "-q")
	shown := runInProcess(t, time.Minute, nil, "scan", example, "-f", "json", "--examples", "10", "-q", "--show-data")
	if masked.code != 0 || shown.code != 0 {
		t.Fatalf("exit %d and %d: %s%s", masked.code, shown.code, masked.stderr, shown.stderr)
	}
	credsMasked, _ := credentialExamples(t, masked.stdout)
	credsShown, others := credentialExamples(t, shown.stdout)
	if len(credsShown) < 3 || others == 0 {
		t.Fatalf("%d credentials findings, %d other examples: the example should hold both", len(credsShown), others)
	}
	for k, ex := range credsShown {
		if len(ex) == 0 {
			t.Errorf("%s: no examples", k)
		}
		for _, e := range ex {
			if strings.Trim(e, "*") != "" {
				t.Errorf("%s: example %q shown with --show-data", k, e)
			}
		}
		if strings.Join(ex, "\n") != strings.Join(credsMasked[k], "\n") {
			t.Errorf("%s: %q with --show-data, %q without", k, ex, credsMasked[k])
		}
	}
	if masked.stdout == shown.stdout {
		t.Error("--show-data changed nothing: the test proves nothing")
	}
}

// TestNothingWrittenToTemporaryFiles scans files (gzip included), a
// MongoDB server and an Elasticsearch cluster with TMPDIR pointing to an
// empty directory, which must stay empty: no sampled value goes to disk.
func TestNothingWrittenToTemporaryFiles(t *testing.T) {
	tmp := t.TempDir()
	es := estest.New(estest.Config{Flavor: estest.ES8})
	t.Cleanup(es.Close)
	if err := es.AddIndex("users", nil, []map[string]any{{"email": "ann@example.com", "card": "4242 4242 4242 4242"}}); err != nil {
		t.Fatal(err)
	}
	mongo := mongotest.Start(t)
	if err := mongotest.InsertGenerated(context.Background(), mongo.Client(t).Database("shop").Collection("users"), 50, func(i int) any {
		return map[string]any{"email": fmt.Sprintf("u%d@example.com", i)}
	}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "report.html")
	res := runBounded(t, time.Minute, []string{"TMPDIR=" + tmp, "TMP=" + tmp, "TEMP=" + tmp},
		"scan", example, mongo.URI, es.URL(), "--show-data", "-o", out, "-q")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s written to the temporary directory", e.Name())
	}
}
