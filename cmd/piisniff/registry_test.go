package main

import (
	"os"
	"slices"
	"testing"

	"github.com/piisniff/piisniff/connectors"
)

// schemaKinds are the target kinds of the shared report schema.
var schemaKinds = []string{"mongodb", "elasticsearch", "opensearch", "file", "postgres", "mysql", "redis"}

// TestRegistryAsTheCLISeesIt: every connector the CLI imports has kinds
// of the report schema, and its flags sit beside the others' on scan and
// explain without a clash (pflag panics on a name registered twice).
func TestRegistryAsTheCLISeesIt(t *testing.T) {
	ds := connectors.Descriptors()
	if len(ds) < 3 {
		t.Fatalf("only %d connectors registered", len(ds))
	}
	for _, d := range ds {
		for _, k := range d.Kinds {
			if !slices.Contains(schemaKinds, k) {
				t.Errorf("connector %s has kind %q, not in the report schema", d.Name, k)
			}
		}
		if len(d.Targets) == 0 {
			t.Errorf("connector %s gives no target form for --help", d.Name)
		}
	}
	cmd := newScanCmd(os.Getenv)
	for _, name := range []string{"containers", "databases", "collections", "es-api-key", "cloud-id"} {
		if cmd.Flags().Lookup(name) == nil {
			t.Errorf("scan has no --%s", name)
		}
	}
}
