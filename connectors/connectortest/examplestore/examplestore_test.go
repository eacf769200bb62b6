package examplestore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
	"github.com/piisniff/piisniff/connectors/connectortest/examplestore"
	"github.com/piisniff/piisniff/pipeline"
	"github.com/piisniff/piisniff/report"
)

func fixture(n int) map[string][]map[string]any {
	users := make([]map[string]any, n)
	for i := range users {
		users[i] = map[string]any{"id": fmt.Sprint(i), "email": fmt.Sprintf("user%d@example.org", i)}
	}
	return map[string][]map[string]any{
		"users":  users,
		"colors": {{"name": "red"}, {"name": "blue"}},
	}
}

func TestConformance(t *testing.T) {
	s := examplestore.Serve("conformance", fixture(1500))
	connectortest.Run(t, connectortest.Instance{
		Target:   "example://reader:s3cret-Tok@conformance",
		Log:      s.Log,
		ReadOnly: examplestore.ReadOnly,
		Big:      "users",
		Secret:   "s3cret-Tok",
	})
}

// TestOneRegistrationIsEnough: the store is known to the registry, gives
// its flags, kind and secrets to the rest of piisniff, and a whole scan of
// it through the pipeline finds its personal data, with nothing else in
// the tree naming it.
func TestOneRegistrationIsEnough(t *testing.T) {
	d, err := connectors.For("example://x")
	if err != nil || d.Name != examplestore.Name {
		t.Fatalf("the registry does not serve example://: %v", err)
	}
	stores := connectors.NewStoreOptions()
	fs := pflag.NewFlagSet("scan", pflag.ContinueOnError)
	connectors.AddFlags(fs, stores)
	const token = "Tk-7f3e9a1c55"
	if err := fs.Parse([]string{"--example-token", token}); err != nil {
		t.Fatalf("the store's flag is not registered: %v", err)
	}
	if !report.IsKind("file") || !strings.Contains(connectors.TargetHelp(), "example://NAME") {
		t.Errorf("kind or help text missing")
	}

	examplestore.Serve("scan", fixture(20))
	engine, err := classifiers.Load(classifiers.Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	r := pipeline.Run(context.Background(), []string{"example://scan"}, pipeline.Config{
		Engine: engine, MinConfidence: 0.5,
		Connector: connectors.Options{Stores: stores},
	})
	if !r.Complete || len(r.Targets) != 1 || r.Targets[0].Error != nil {
		t.Fatalf("scan failed: %+v", r.Targets)
	}
	found := false
	for _, c := range r.Targets[0].Containers {
		for _, f := range c.Fields {
			for _, fi := range f.Findings {
				if c.Name == "users" && f.Path == "email" && fi.Category == "email" {
					found = true
				}
			}
		}
	}
	if !found {
		t.Errorf("users.email not reported as email: %+v", r.Targets[0].Containers)
	}
	if secrets := connectors.Secrets("example://scan", connectors.Options{Stores: stores}); !contains(secrets, token) {
		t.Errorf("the store's token is not among the secrets to redact")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
