package elasticsearch

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/estest"
)

const (
	testUser   = "reader"
	testPass   = "s3cr3t-Passw0rd"
	testAPIKey = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="
)

func withUser(rawURL, user, pass string) string {
	u, _ := url.Parse(rawURL)
	u.User = url.UserPassword(user, pass)
	return u.String()
}

func TestAuth(t *testing.T) {
	type check struct {
		ok        bool
		errHas    []string
		anonymous bool
	}
	tests := []struct {
		name   string
		cfg    estest.Config
		target func(*estest.Server) string
		opts   connectors.Options
		want   check
	}{
		{"basic in URI", estest.Config{Auth: estest.AuthBasic, Username: testUser, Password: testPass},
			func(s *estest.Server) string { return withUser(s.URL(), testUser, testPass) }, connectors.Options{}, check{ok: true}},
		{"basic in options", estest.Config{Auth: estest.AuthBasic, Username: testUser, Password: testPass},
			func(s *estest.Server) string { return s.URL() }, connectors.Options{Username: testUser, Password: testPass}, check{ok: true}},
		{"api key", estest.Config{Auth: estest.AuthAPIKey, APIKey: testAPIKey},
			func(s *estest.Server) string { return s.URL() }, connectors.Options{}.WithStore(Name, &Options{APIKey: testAPIKey}), check{ok: true}},
		{"no credentials", estest.Config{Auth: estest.AuthBasic, Username: testUser, Password: testPass},
			func(s *estest.Server) string { return s.URL() }, connectors.Options{},
			check{errHas: []string{"401", "no credentials were given", EnvAPIKey}}},
		{"wrong password", estest.Config{Auth: estest.AuthBasic, Username: testUser, Password: testPass},
			func(s *estest.Server) string { return withUser(s.URL(), testUser, "wrong-password") }, connectors.Options{},
			check{errHas: []string{"401", `user "reader"`, "rejected"}}},
		{"wrong api key", estest.Config{Auth: estest.AuthAPIKey, APIKey: testAPIKey},
			func(s *estest.Server) string { return s.URL() }, connectors.Options{}.WithStore(Name, &Options{APIKey: "bm90OnRoZWtleQ=="}),
			check{errHas: []string{"401", "api key credentials were rejected"}}},
		{"anonymous read with credentials checked", estest.Config{Auth: estest.AuthBasic, Username: testUser, Password: testPass, Anonymous: true},
			func(s *estest.Server) string { return withUser(s.URL(), testUser, testPass) }, connectors.Options{AnonymousCheck: true},
			check{ok: true, anonymous: true}},
		{"anonymous read without credentials", estest.Config{Auth: estest.AuthBasic, Username: testUser, Password: testPass, Anonymous: true},
			func(s *estest.Server) string { return s.URL() }, connectors.Options{},
			check{ok: true, anonymous: true}},
	}
	for _, fl := range estest.Flavors {
		for _, tt := range tests {
			if fl == estest.OpenSearch2 && tt.cfg.Auth == estest.AuthAPIKey {
				continue // OpenSearch has no API keys of this kind
			}
			t.Run(fl.String()+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				cfg := tt.cfg
				cfg.Flavor = fl
				srv := newCluster(t, cfg)
				c := openConn(t, tt.target(srv), tt.opts)
				if strings.Contains(c.URI(), testPass) || strings.Contains(c.URI(), "wrong-password") {
					t.Errorf("URI not redacted: %s", c.URI())
				}
				if c.Kind() != wantKind(fl) {
					t.Errorf("kind = %s", c.Kind())
				}
				list, err := c.Containers(context.Background())
				exp := c.Exposure(context.Background())
				if tt.want.ok {
					if err != nil {
						t.Fatal(err)
					}
					if _, _, err := sampleAll(t, c, list[0], 2, 1); err != nil {
						t.Fatal(err)
					}
				} else {
					if err == nil {
						t.Fatal("no error")
					}
					for _, s := range tt.want.errHas {
						if !strings.Contains(err.Error(), s) {
							t.Errorf("error %q does not say %q", err, s)
						}
					}
					for _, secret := range []string{testPass, "wrong-password", testAPIKey} {
						if strings.Contains(err.Error(), secret) {
							t.Errorf("error leaks a secret: %s", err)
						}
					}
				}
				if exp.AnonymousAccess != tt.want.anonymous {
					t.Errorf("anonymous access = %v, notes %v", exp.AnonymousAccess, exp.Notes)
				}
				if tt.want.anonymous && fl != estest.OpenSearch2 && !hasNote(exp.Notes, "anonymous requests are granted") {
					t.Errorf("notes = %v", exp.Notes)
				}
				if !tt.want.ok && !tt.want.anonymous && connectors.Own[*Options](tt.opts, Name).APIKey == "" && !strings.Contains(tt.target(srv), "@") && !hasNote(exp.Notes, "authentication is required") {
					t.Errorf("notes = %v", exp.Notes)
				}
				assertReadOnly(t, srv.Requests())
			})
		}
	}
}

func TestCredentialsFromEnvironment(t *testing.T) {
	env := map[string]string{}
	envOpts := connectors.Options{Env: func(k string) string { return env[k] }}

	srvKey := newCluster(t, estest.Config{Auth: estest.AuthAPIKey, APIKey: testAPIKey})
	env[EnvAPIKey] = testAPIKey
	c := openConn(t, srvKey.URL(), envOpts)
	if _, err := c.Containers(context.Background()); err != nil {
		t.Errorf("%s: %v", EnvAPIKey, err)
	}
	delete(env, EnvAPIKey)
	env[EnvAPIKeyAlt] = testAPIKey
	c = openConn(t, srvKey.URL(), envOpts)
	if _, err := c.Containers(context.Background()); err != nil {
		t.Errorf("%s: %v", EnvAPIKeyAlt, err)
	}
	delete(env, EnvAPIKeyAlt)

	srvBasic := newCluster(t, estest.Config{Auth: estest.AuthBasic, Username: testUser, Password: testPass})
	env[EnvUsername], env[EnvPassword] = testUser, testPass
	c = openConn(t, srvBasic.URL(), envOpts)
	if _, err := c.Containers(context.Background()); err != nil {
		t.Errorf("%s/%s: %v", EnvUsername, EnvPassword, err)
	}
	// options win over the environment
	c = openConn(t, srvBasic.URL(), connectors.Options{Username: testUser, Password: "nope-nope", Env: envOpts.Env})
	if _, err := c.Containers(context.Background()); err == nil || strings.Contains(err.Error(), "nope-nope") {
		t.Errorf("options did not win over the environment or leaked: %v", err)
	}
}

func TestBearerTokenHeader(t *testing.T) {
	srv := newCluster(t, estest.Config{Flavor: estest.ES8})
	c := openConn(t, srv.URL(), connectors.Options{}.WithStore(Name, &Options{BearerToken: "tok-123456"}))
	if _, err := c.Containers(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, r := range srv.Requests() {
		if r.Auth != "Bearer" {
			t.Fatalf("%s %s sent auth %q", r.Method, r.Path, r.Auth)
		}
	}
}

func TestTLS(t *testing.T) {
	srv := newCluster(t, estest.Config{Flavor: estest.ES8, TLS: true})
	// unverified certificate: refused
	if _, err := Open(context.Background(), srv.URL(), connectors.Options{}); err == nil {
		t.Error("an unknown certificate was accepted")
	}
	ca := t.TempDir() + "/ca.pem"
	must(t, writeFile(ca, srv.CertificatePEM()))
	c := openConn(t, srv.URL(), connectors.Options{TLS: connectors.TLSOptions{CAFile: ca}})
	exp := c.Exposure(context.Background())
	if !exp.TLS || hasNote(exp.Notes, "plain HTTP") {
		t.Errorf("exposure = %+v", exp)
	}
	c = openConn(t, srv.URL(), connectors.Options{TLS: connectors.TLSOptions{Insecure: true}})
	if exp := c.Exposure(context.Background()); !hasNote(exp.Notes, "not verified") {
		t.Errorf("insecure notes = %v", exp.Notes)
	}
}

func TestCloudAddress(t *testing.T) {
	tests := []struct {
		id, want string
		ok       bool
	}{
		// name:base64("us-east-1.aws.found.io$cd9b3d4f$a1b2c3")
		{"my-deploy:dXMtZWFzdC0xLmF3cy5mb3VuZC5pbyRjZDliM2Q0ZiRhMWIyYzM=", "https://cd9b3d4f.us-east-1.aws.found.io:443", true},
		// host with a port: "eu-west-1.aws.found.io:9243$abc$def"
		{"x:ZXUtd2VzdC0xLmF3cy5mb3VuZC5pbzo5MjQzJGFiYyRkZWY=", "https://abc.eu-west-1.aws.found.io:9243", true},
		{"no-colon", "", false},
		{"x:!!!", "", false},
		{"x:JA==", "", false}, // "$"
	}
	for _, tt := range tests {
		got, err := CloudAddress(tt.id)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("CloudAddress(%q) = %q, %v; want %q", tt.id, got, err, tt.want)
		}
	}
}
