package estate

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/piisniff/piisniff/connectors"
)

// testEnv is the environment the tests expand ${VAR} from.
func testEnv(name string) string {
	return map[string]string{"REGION": "eu-west-3", "DATA_ROOT": "/srv/data", "SAMPLE": "250", "SHOP_DB_PASSWORD": "s3cret-shop"}[name]
}

// testFlags is a flag set shaped like the scan command's per-target flags.
type testSettings struct {
	sampleSize     int
	containers     connectors.Filter
	collections    connectors.Filter
	includeHidden  bool
	connectTimeout time.Duration
	requestTimeout time.Duration
	tlsCA          string
	apiKey         string
	seed           int64
}

func testFlags() (*pflag.FlagSet, *testSettings) {
	s := &testSettings{}
	fs := pflag.NewFlagSet("scan", pflag.ContinueOnError)
	fs.IntVar(&s.sampleSize, "sample-size", 10000, "documents sampled per container")
	fs.Var(connectors.FilterFlag{F: &s.containers}, "containers", "container globs")
	fs.Var(connectors.FilterFlag{F: &s.collections}, "collections", "collection globs")
	fs.BoolVar(&s.includeHidden, "include-hidden", false, "hidden containers")
	fs.DurationVar(&s.connectTimeout, "connect-timeout", 10*time.Second, "connect timeout")
	fs.DurationVar(&s.requestTimeout, "request-timeout", 30*time.Second, "request timeout")
	fs.StringVar(&s.tlsCA, "tls-ca", "", "CA file")
	fs.StringVar(&s.apiKey, "es-api-key", "", "API key")
	fs.Int64Var(&s.seed, "seed", 1, "seed (global)")
	return fs, s
}

func newTestFlags() *pflag.FlagSet { fs, _ := testFlags(); return fs }

func TestParseFiles(t *testing.T) {
	tests := []struct {
		file string
		want []Target
	}{
		{"testdata/minimal.yaml", []Target{{Name: "one", URI: "testdata/data", Pos: "testdata/minimal.yaml:3"}}},
		{"testdata/anchors.yaml", []Target{
			{Name: "first", URI: "file:///srv/data/first", Tags: Tags{Owner: "data", Region: "eu-west-3"}, Pos: "testdata/anchors.yaml:5",
				Options: []Option{{Name: "containers", Values: []string{"a*", "b*"}, Pos: "testdata/anchors.yaml:8"}, {Name: "sample-size", Values: []string{"0"}, Pos: "testdata/anchors.yaml:8"}}},
			{Name: "second", URI: "/srv/data/cost$/second", Tags: Tags{Owner: "finance", Region: "eu-west-3"}, Pos: "testdata/anchors.yaml:9",
				Credentials: Credentials{Password: &Secret{File: "/run/secrets/second", Pos: "testdata/anchors.yaml:13"}}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := ParseFile(tt.file, testEnv)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.Targets, tt.want) {
				t.Errorf("targets:\n got %+v\nwant %+v", f.Targets, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown top key", "version: 1\ntarget:\n  - {name: a, uri: x}\n", "f.yaml:2: the targets file: unknown key \"target\""},
		{"unknown target key", "version: 1\ntargets:\n  - name: a\n    uri: x\n    onwer: me\n", "f.yaml:5: a target: unknown key \"onwer\""},
		{"misspelt target key", "version: 1\ntargets:\n  - name: a\n    uri: x\n    tag: {owner: me}\n", `f.yaml:5: a target: unknown key "tag" (known: name, uri, tags, credentials, options); did you mean "tags"?`},
		{"unknown tag", "version: 1\ntargets:\n  - name: a\n    uri: x\n    tags: {team: a}\n", "f.yaml:5: tags: unknown key \"team\""},
		{"unknown defaults key", "version: 1\ndefaults:\n  flags: {}\ntargets: [{name: a, uri: x}]\n", "f.yaml:3: defaults: unknown key \"flags\""},
		{"unknown credentials key", "version: 1\ntargets:\n  - name: a\n    uri: x\n    credentials: {user: me}\n", "f.yaml:5: credentials: unknown key \"user\""},
		{"unknown secret key", "version: 1\ntargets:\n  - name: a\n    uri: x\n    credentials:\n      password: {var: X}\n", "f.yaml:6: credentials.password: unknown key \"var\""},
		{"inline password", "version: 1\ntargets:\n  - name: a\n    uri: x\n    credentials:\n      password: hunter2\n", "f.yaml:6: credentials.password: a credential is never written in the file"},
		{"password in uri", "version: 1\ntargets:\n  - name: a\n    uri: mongodb://u:hunter2@h\n", "f.yaml:4: uri holds a password"},
		{"env and file", "version: 1\ntargets:\n  - name: a\n    uri: x\n    credentials:\n      password: {env: A, file: /b}\n", "f.yaml:6: credentials.password: give exactly one of env or file"},
		{"duplicate key", "version: 1\ntargets:\n  - name: a\n    name: b\n    uri: x\n", "f.yaml:4: a target: key \"name\" given twice"},
		{"duplicate name", "version: 1\ntargets:\n  - {name: a, uri: x}\n  - {name: a, uri: y}\n", "f.yaml:4: target name \"a\" is already used at f.yaml:3"},
		{"no name", "version: 1\ntargets:\n  - uri: x\n", "f.yaml:3: a target needs a name"},
		{"no uri", "version: 1\ntargets:\n  - name: a\n", "f.yaml:3: target \"a\" needs a uri"},
		{"no version", "targets:\n  - {name: a, uri: x}\n", "f.yaml:1: the targets file needs \"version: 1\""},
		{"bad version", "version: 2\ntargets:\n  - {name: a, uri: x}\n", "f.yaml:1: version \"2\" is not supported"},
		{"no targets", "version: 1\ntargets: []\n", "f.yaml:1: the targets file lists no targets"},
		{"unset variable", "version: 1\ntargets:\n  - name: a\n    uri: ${NOPE}/x\n", "f.yaml:4: uri: ${NOPE}: the environment variable is not set"},
		{"unclosed variable", "version: 1\ntargets:\n  - name: a\n    uri: ${NOPE\n", "f.yaml:4: uri: unclosed ${"},
		{"global option", "version: 1\ntargets:\n  - name: a\n    uri: x\n    options: {format: json}\n", "f.yaml:5: option \"format\" applies to the whole scan"},
		{"nested option", "version: 1\ntargets:\n  - name: a\n    uri: x\n    options:\n      containers: {a: b}\n", "f.yaml:6: option \"containers\" must be a value or a list"},
		{"syntax error", "version: 1\ntargets:\n  - name: a\n   uri: x\n", "f.yaml:2: "},
		{"two documents", "version: 1\ntargets: [{name: a, uri: x}]\n---\nversion: 1\n", "f.yaml:3: one YAML document expected"},
		{"not a mapping", "- a\n", "f.yaml:1: the targets file must be a mapping"},
		{"empty", "", "f.yaml:1: empty targets file"},
		{"secret name", "version: 1\ntargets:\n  - name: a\n    uri: x\n    credentials:\n      secrets: {\"BAD-NAME\": {env: A}}\n", "f.yaml:6: credentials.secrets: \"BAD-NAME\" is not an environment variable name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tt.yaml), testEnv)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n got %q\nwant prefix %q", err, tt.want)
			}
			var ee *Error
			if !errors.As(err, &ee) {
				t.Errorf("error is %T, not *Error", err)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	lookup := func(k string) (string, bool) { v := testEnv(k); return v, v != "" }
	tests := []struct{ in, want, err string }{
		{"plain", "plain", ""},
		{"${REGION}", "eu-west-3", ""},
		{"a-${REGION}-${SAMPLE}", "a-eu-west-3-250", ""},
		{"$$HOME", "$HOME", ""},
		{"$HOME", "$HOME", ""},
		{"cost $", "cost $", ""},
		{"${}", "", "not an environment variable name"},
		{"${A-B}", "", "not an environment variable name"},
		{"${UNSET}", "", "not set"},
	}
	for _, tt := range tests {
		got, err := Expand(tt.in, lookup)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Expand(%q) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestApply(t *testing.T) {
	tests := []struct {
		name, yaml string
		check      func(*testSettings) bool
		err        string
	}{
		{"values", "version: 1\ndefaults:\n  options: {sample-size: 100}\ntargets:\n  - name: a\n    uri: x\n    options:\n      sample-size: ${SAMPLE}\n      containers: [\"users*\", \"!*_tmp\"]\n      include-hidden: true\n      connect-timeout: 3s\n",
			func(s *testSettings) bool {
				return s.sampleSize == 250 && reflect.DeepEqual(s.containers.Include, []string{"users*"}) &&
					reflect.DeepEqual(s.containers.Exclude, []string{"*_tmp"}) && s.includeHidden && s.connectTimeout == 3*time.Second
			}, ""},
		{"defaults only", "version: 1\ndefaults:\n  options: {sample-size: 7}\ntargets: [{name: a, uri: x}]\n",
			func(s *testSettings) bool { return s.sampleSize == 7 }, ""},
		{"unknown option", "version: 1\ntargets:\n  - name: a\n    uri: x\n    options:\n      colections: a\n", nil, "f.yaml:6: unknown option \"colections\""},
		{"bad value", "version: 1\ntargets:\n  - name: a\n    uri: x\n    options:\n      sample-size: many\n", nil, "f.yaml:6: option sample-size: "},
		{"bad duration", "version: 1\ntargets:\n  - name: a\n    uri: x\n    options:\n      connect-timeout: 5\n", nil, "f.yaml:6: option connect-timeout: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("f.yaml", []byte(tt.yaml), testEnv)
			if err != nil {
				t.Fatal(err)
			}
			fs, s := testFlags()
			err = Apply(fs, f.Targets[0])
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("error %v, want prefix %q", err, tt.err)
				}
				if cerr := f.Check(newTestFlags); cerr == nil {
					t.Error("Check accepted what Apply refused")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(s) {
				t.Errorf("settings not applied: %+v", s)
			}
		})
	}
}

func TestConnectorCredentials(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte("api-key-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	yml := "version: 1\ntargets:\n  - name: a\n    uri: mongodb://h\n    credentials:\n      username: scanner\n      password: {env: SHOP_DB_PASSWORD}\n      secrets:\n        ELASTIC_API_KEY: {file: " + keyFile + "}\n" +
		"  - name: b\n    uri: mongodb://h2\n    credentials:\n      password: {env: MISSING_PASSWORD}\n" +
		"  - name: c\n    uri: mongodb://h3\n    credentials:\n      password: {file: " + filepath.Join(dir, "nope") + "}\n"
	f, err := Parse("f.yaml", []byte(yml), testEnv)
	if err != nil {
		t.Fatal(err)
	}
	base := connectors.Options{Env: testEnv, Password: "global"}
	o, err := f.Targets[0].Connector(base)
	if err != nil {
		t.Fatal(err)
	}
	if o.Username != "scanner" || o.Password != "s3cret-shop" || o.Getenv("ELASTIC_API_KEY") != "api-key-from-file" ||
		o.Getenv(connectors.EnvPassword) != "s3cret-shop" || o.Getenv("REGION") != "eu-west-3" {
		t.Errorf("credentials not resolved: user %q, env key %q", o.Username, o.Getenv("ELASTIC_API_KEY"))
	}
	// the secrets are listed for redaction
	sec := connectors.Secrets("mongodb://h", o)
	if !containsAll(sec, "s3cret-shop") {
		t.Errorf("Secrets misses the target's password (%d secrets)", len(sec))
	}
	for i, want := range []string{"f.yaml:13: target b: password: the environment variable MISSING_PASSWORD is not set", "f.yaml:17: target c: password: cannot read"} {
		_, err := f.Targets[i+1].Connector(base)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("target %d: error %v, want %q", i+1, err, want)
		}
	}
	// the first target's credentials do not leak into the base options
	if base.Getenv("ELASTIC_API_KEY") != "" {
		t.Error("base options changed")
	}
}

func containsAll(list []string, s ...string) bool {
	for _, x := range s {
		if !contains(list, x) {
			return false
		}
	}
	return true
}

// compileSchema compiles the schema for fs's flags.
func compileSchema(t testing.TB, fs *pflag.FlagSet) *jsonschema.Schema {
	t.Helper()
	b, err := Schema(fs)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// yamlInstance turns YAML into the JSON value a schema validates.
func yamlInstance(t testing.TB, data []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// TestSchemaAgrees: every example validates against the schema and
// parses; a document with an unknown key anywhere is refused by both.
func TestSchemaAgrees(t *testing.T) {
	sch := compileSchema(t, newTestFlags())
	files, _ := filepath.Glob("testdata/*.yaml")
	files = append(files, "../examples/estate/estate.yaml")
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			inst, err := yamlInstance(t, data)
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Errorf("schema refuses %s: %v", file, err)
			}
			f, err := Parse(file, data, testEnv)
			if err != nil {
				t.Fatalf("parser refuses %s: %v", file, err)
			}
			if err := f.Check(newTestFlags); err != nil {
				t.Errorf("options: %v", err)
			}
		})
	}
	// an unknown key at every level: both refuse
	full := "version: 1\ndefaults:\n  tags: {owner: a}\n  options: {sample-size: 1}\ntargets:\n  - name: a\n    uri: x\n    tags: {owner: b}\n    credentials:\n      username: u\n      password: {env: P}\n      secrets: {K: {file: /k}}\n    options: {containers: a}\n"
	mutations := []struct{ name, old, new string }{
		{"file", "version: 1\n", "version: 1\nextra: 1\n"},
		{"defaults", "  tags: {owner: a}", "  tags: {owner: a}\n  extra: {}"},
		{"defaults tags", "{owner: a}", "{owner: a, extra: b}"},
		{"defaults options", "{sample-size: 1}", "{sample-size: 1, sample-sise: 2}"},
		{"target", "    uri: x\n", "    uri: x\n    extra: y\n"},
		{"tags", "{owner: b}", "{owner: b, team: c}"},
		{"credentials", "      username: u\n", "      username: u\n      token: {env: T}\n"},
		{"password", "{env: P}", "{env: P, value: p}"},
		{"secret", "{file: /k}", "{file: /k, env: K2}"},
		{"options", "{containers: a}", "{containers: a, containerz: b}"},
		{"global option", "{containers: a}", "{containers: a, seed: 2}"},
		{"dashed option", "{containers: a}", "{containers: a, --include-hidden: true}"},
	}
	for _, m := range mutations {
		t.Run("unknown key in "+m.name, func(t *testing.T) {
			if !strings.Contains(full, m.old) {
				t.Fatalf("mutation %q does not apply", m.old)
			}
			doc := strings.Replace(full, m.old, m.new, 1)
			inst, err := yamlInstance(t, []byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			schemaErr := sch.Validate(inst)
			f, parseErr := Parse("f.yaml", []byte(doc), testEnv)
			if parseErr == nil {
				parseErr = f.Check(newTestFlags)
			}
			if schemaErr == nil || parseErr == nil {
				t.Errorf("schema error %v, parser error %v: both must refuse", schemaErr, parseErr)
			}
		})
	}
	// and the unmutated document is accepted by both
	inst, _ := yamlInstance(t, []byte(full))
	if err := sch.Validate(inst); err != nil {
		t.Errorf("schema refuses the full document: %v", err)
	}
	if f, err := Parse("f.yaml", []byte(full), testEnv); err != nil {
		t.Errorf("parser refuses the full document: %v", err)
	} else if err := f.Check(newTestFlags); err != nil {
		t.Errorf("options of the full document: %v", err)
	}
}

// flatOptions are a target's options as the flags see them: name -> every
// value in order.
func flatOptions(t Target) map[string][]string {
	m := map[string][]string{}
	for _, o := range t.Options {
		m[o.Name] = append(m[o.Name], o.Values...)
	}
	return m
}

func sameTargets(a, b []Target) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Name != y.Name || x.URI != y.URI || x.Tags != y.Tags || x.Credentials.Username != y.Credentials.Username ||
			(x.Credentials.Password == nil) != (y.Credentials.Password == nil) || len(x.Credentials.Secrets) != len(y.Credentials.Secrets) {
			return false
		}
		if p := x.Credentials.Password; p != nil && (p.Env != y.Credentials.Password.Env || p.File != y.Credentials.Password.File) {
			return false
		}
		for k, s := range x.Credentials.Secrets {
			if o, ok := y.Credentials.Secrets[k]; !ok || o.Env != s.Env || o.File != s.File {
				return false
			}
		}
		fx, fy := flatOptions(x), flatOptions(y)
		if len(fx) != len(fy) {
			return false
		}
		for k, v := range fx {
			if !reflect.DeepEqual(v, fy[k]) {
				return false
			}
		}
	}
	return true
}

func TestEncodeRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	files = append(files, "../examples/estate/estate.yaml")
	for _, file := range files {
		f, err := ParseFile(file, testEnv)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		g, err := Parse("again.yaml", b, testEnv)
		if err != nil {
			t.Fatalf("%s: the encoding does not parse: %v\n%s", file, err, b)
		}
		if !sameTargets(f.Targets, g.Targets) {
			t.Errorf("%s: round trip changed the targets:\n%s", file, b)
		}
	}
}

// FuzzParse: whatever parses re-encodes to a file that parses to the same
// targets; a key the format does not know, added anywhere in a parsed
// file, is always refused.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	files = append(files, "../examples/estate/estate.yaml")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(b, "extra")
	}
	f.Add([]byte("version: 1\ntargets: [{name: \"$$\", uri: \"${REGION}\"}]\n"), "onwer")
	f.Fuzz(func(t *testing.T, data []byte, key string) {
		p, err := Parse("fuzz.yaml", data, testEnv)
		if err != nil {
			var ee *Error
			if !errors.As(err, &ee) || !strings.HasPrefix(ee.Pos, "fuzz.yaml:") {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		b, err := Encode(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := Parse("again.yaml", b, testEnv)
		if err != nil {
			t.Fatalf("re-encoded file does not parse: %v\n%s", err, b)
		}
		if !sameTargets(p.Targets, q.Targets) {
			t.Fatalf("re-encoding changed the targets:\n%s", b)
		}
		b2, _ := Encode(q)
		if !bytes.Equal(b, b2) {
			t.Fatalf("encoding not stable:\n%s\n---\n%s", b, b2)
		}
		// an unknown key in the first target is refused
		if key == "" || contains(TargetKeys, key) || strings.ContainsAny(key, "\n\r\x00") {
			return
		}
		var doc yaml.Node
		if yaml.Unmarshal(b, &doc) != nil {
			t.Fatal("encoding is not YAML")
		}
		top := doc.Content[0]
		tn := top.Content[3].Content[0]
		tn.Content = append(tn.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "x"})
		mut, err := yaml.Marshal(&doc)
		if err != nil {
			return
		}
		if _, err := Parse("mut.yaml", mut, testEnv); err == nil {
			t.Fatalf("unknown key %q accepted:\n%s", key, mut)
		}
	})
}
