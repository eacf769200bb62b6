package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/piisniff/piisniff/estate"
)

// TestEstateSchemaUpToDate: docs/estate.schema.json is what "targets
// schema" prints for the flags of this build, so the schema editors use
// accepts exactly the options scan --targets accepts.
func TestEstateSchemaUpToDate(t *testing.T) {
	r := runCLI(t, nil, "targets", "schema")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want, err := os.ReadFile("../../docs/estate.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if r.stdout != string(want) {
		t.Errorf("docs/estate.schema.json is out of date: go run ./cmd/piisniff targets schema > docs/estate.schema.json")
	}
	// its options are the per-target flags, and no global one
	var s struct {
		Defs struct {
			Options struct {
				Properties map[string]any `json:"properties"`
			} `json:"options"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(want, &s); err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range s.Defs.Options.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	if got, want := strings.Join(names, " "), strings.Join(estate.FlagNames(newTargetFlags(nil).fs), " "); got != want {
		t.Errorf("schema options %s\nper-target flags %s", got, want)
	}
	for _, g := range []string{"format", "output", "shard", "targets", "seed", "rules"} {
		if _, ok := s.Defs.Options.Properties[g]; ok {
			t.Errorf("the schema lets a target set the global option %s", g)
		}
	}
}

// TestEstateExamplesValidate: every inventory in the repository validates
// against docs/estate.schema.json and passes targets check; the bad ones
// are refused by both the schema and the parser.
func TestEstateExamplesValidate(t *testing.T) {
	b, err := os.ReadFile("../../docs/estate.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(estate.SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(estate.SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	instance := func(file string) any {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		j, _ := json.Marshal(v)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		if err != nil {
			t.Fatal(err)
		}
		return inst
	}
	good := []string{"../../examples/estate/estate.yaml", "../../estate/testdata/minimal.yaml", "../../estate/testdata/anchors.yaml"}
	for _, f := range good {
		if err := sch.Validate(instance(f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	// the example passes targets check with its credentials in the environment
	env := []string{"SHOP_DB_PASSWORD=x", "SEARCH_API_KEY=y"}
	r := runCLIWith(t, nil, env, "targets", "check", "../../examples/estate/estate.yaml")
	if r.code != 0 || !strings.Contains(r.stdout, "3 targets") {
		t.Errorf("targets check of the example: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	bad := []struct{ file, err string }{
		{"testdata/estate/bad-option.yaml", `testdata/estate/bad-option.yaml:6: unknown option "colections"`},
		{"testdata/estate/unknown-key.yaml", `testdata/estate/unknown-key.yaml:5: a target: unknown key "owner"`},
		{"testdata/estate/secret-option.yaml", `testdata/estate/secret-option.yaml:6: option es-api-key holds a credential`},
	}
	for _, tt := range bad {
		schemaErr := sch.Validate(instance(tt.file))
		r := runCLI(t, nil, "targets", "check", tt.file)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.err) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tt.file, r.code, r.stderr, tt.err)
		}
		// a credential in the options is a value the schema cannot judge
		if schemaErr == nil && !strings.Contains(tt.file, "secret") {
			t.Errorf("%s: the schema accepts it", tt.file)
		}
	}
	// a missing credential
	r = runCLI(t, nil, "targets", "check", "../../examples/estate/estate.yaml")
	if r.code != exitUsage || !strings.Contains(r.stderr, "the environment variable SHOP_DB_PASSWORD is not set") {
		t.Errorf("missing credential: exit %d %q", r.code, r.stderr)
	}
}

// TestScanTargets: scan --targets keeps names and tags, applies per-target
// options, and a target whose credential is missing fails alone.
func TestScanTargets(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "estate.yaml")
	leaky, err := filepath.Abs("../../examples/leaky-app")
	if err != nil {
		t.Fatal(err)
	}
	content := fmt.Sprintf(`version: 1
defaults:
  tags: {environment: test}
targets:
  - name: exports
    uri: %s
    tags: {owner: growth}
    options: {sample-size: 5, containers: ["exports/*"]}
  - name: all
    uri: ${LEAKY}
    tags: {owner: data}
  - name: locked
    uri: mongodb://127.0.0.1:1
    credentials:
      password: {env: NOT_SET_ANYWHERE}
`, leaky)
	if err := os.WriteFile(inv, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, []string{"LEAKY=" + leaky}, "scan", "--targets", inv, "-q", "-f", "json")
	if r.code != exitScanError {
		t.Fatalf("exit %d, want 1 (one target failed)\n%s", r.code, r.stderr)
	}
	var rep struct {
		Targets []struct {
			Name       string            `json:"name"`
			Tags       map[string]string `json:"tags"`
			Error      *string           `json:"error"`
			Containers []struct {
				Name    string `json:"name"`
				Sampled int64  `json:"sampled_documents"`
			} `json:"containers"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Targets) != 3 {
		t.Fatalf("%d targets", len(rep.Targets))
	}
	ex, all, locked := rep.Targets[0], rep.Targets[1], rep.Targets[2]
	if ex.Name != "exports" || ex.Tags["owner"] != "growth" || ex.Tags["environment"] != "test" || all.Tags["owner"] != "data" {
		t.Errorf("names and tags: %+v %+v", ex, all)
	}
	if len(ex.Containers) == 0 || len(ex.Containers) >= len(all.Containers) {
		t.Errorf("the containers option was not applied: %d and %d containers", len(ex.Containers), len(all.Containers))
	}
	for _, c := range ex.Containers {
		if !strings.HasPrefix(c.Name, "exports/") || c.Sampled > 5 {
			t.Errorf("exports target: container %s sampled %d", c.Name, c.Sampled)
		}
	}
	if locked.Error == nil || !strings.Contains(*locked.Error, "NOT_SET_ANYWHERE is not set") || all.Error != nil {
		t.Errorf("the locked target: %v", locked.Error)
	}
	// --targets and arguments do not go together; --group-by takes a tag
	for _, args := range [][]string{
		{"scan", "--targets", inv, "../../examples/leaky-app"},
		{"scan", "--targets", inv, "--group-by", "team"},
		{"scan", "--targets", inv, "--shard", "4/4"},
		{"scan", "--targets", filepath.Join(dir, "missing.yaml")},
	} {
		if r := runCLI(t, nil, args...); r.code != exitUsage {
			t.Errorf("%q: exit %d, want 2", args, r.code)
		}
	}
}

// TestShardFingerprint: the shards of one scan write one fingerprint; a
// setting that changes what is read changes it, one that changes only how
// does not.
func TestShardFingerprint(t *testing.T) {
	leaky, err := filepath.Abs("../../examples/leaky-app")
	if err != nil {
		t.Fatal(err)
	}
	fp := func(args ...string) string {
		t.Helper()
		r := runCLI(t, nil, append([]string{"scan", leaky, "-q", "-f", "json"}, args...)...)
		if r.code != 0 {
			t.Fatalf("%q: exit %d: %s", args, r.code, r.stderr)
		}
		var rep struct {
			Fingerprint string `json:"fingerprint"`
			Shard       *struct{ Index, Count int }
		}
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Fingerprint == "" || rep.Shard == nil {
			t.Fatalf("%q: no fingerprint or shard", args)
		}
		return rep.Fingerprint
	}
	base := fp("--shard", "0/2")
	tests := []struct {
		args []string
		same bool
	}{
		{[]string{"--shard", "1/2"}, true},
		{[]string{"--shard", "0/2", "--concurrency", "2", "--request-timeout", "1m"}, true},
		{[]string{"--shard", "0/2", "--seed", "2"}, false},
		{[]string{"--shard", "0/2", "--sample-size", "5"}, false},
		{[]string{"--shard", "0/2", "--containers", "exports/*"}, false},
		{[]string{"--shard", "0/2", "--only", "email"}, false},
	}
	for _, tt := range tests {
		if got := fp(tt.args...); (got == base) != tt.same {
			t.Errorf("%q: fingerprint %s, base %s, want same %v", tt.args, got, base, tt.same)
		}
	}
}
