package config

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// flags is a command's flag set as the CLI builds it: plain flags, a list
// flag, a repeatable flag and a connector's own flags.
func flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("scan", pflag.ContinueOnError)
	fs.Int("sample-size", 1000, "")
	fs.String("format", "table", "")
	fs.Bool("show-data", false, "")
	fs.Float64("min-confidence", 0.5, "")
	fs.StringSlice("only", nil, "")
	fs.StringArray("fail-on", nil, "")
	fs.String("password", "", "")
	fs.String("es-api-key", "", "") // a connector's own flag
	fs.String("config", "", "")
	fs.Bool("help", false, "")
	return fs
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func get(t *testing.T, settings []Setting, name string) Setting {
	t.Helper()
	for _, s := range settings {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no setting %q", name)
	return Setting{}
}

func TestPrecedence(t *testing.T) {
	file, err := Parse("piisniff.yaml", []byte(`
sample-size: 200
format: json
only: [contact, payment]
fail-on:
  - exposure:anonymous
  - risk>=70
es-api-key: from-the-file
min-confidence: 0.8
`))
	if err != nil {
		t.Fatal(err)
	}
	fs := flags()
	if err := fs.Parse([]string{"--format", "html"}); err != nil {
		t.Fatal(err)
	}
	settings, err := Apply(fs, file, Options{Getenv: env(map[string]string{
		"PIISNIFF_SAMPLE_SIZE": "300", "PIISNIFF_PASSWORD": "hunter2", "PIISNIFF_FORMAT": "csv",
	}), Skip: []string{"help", "config"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, value, source string }{
		{"format", "html", "flag"},                         // flag > env > file
		{"sample-size", "300", "env PIISNIFF_SAMPLE_SIZE"}, // env > file
		{"min-confidence", "0.8", "piisniff.yaml:9"},       // file > default
		{"only", "[contact, payment]", "piisniff.yaml:4"},  // a list
		{"fail-on", "[exposure:anonymous, risk>=70]", "piisniff.yaml:5"},
		{"show-data", "false", "default"},
		{"password", "hunter2", "env PIISNIFF_PASSWORD"},
		{"es-api-key", "from-the-file", "piisniff.yaml:8"}, // a connector's flag
	}
	for _, tc := range tests {
		s := get(t, settings, tc.name)
		if s.Value != tc.value || s.Source != tc.source {
			t.Errorf("%s = %q from %q, want %q from %q", tc.name, s.Value, s.Source, tc.value, tc.source)
		}
	}
	if n, _ := fs.GetInt("sample-size"); n != 300 {
		t.Errorf("the flag set was not changed: sample-size %d", n)
	}
	for _, s := range settings {
		if s.Name == "help" || s.Name == "config" {
			t.Errorf("%s is not a setting", s.Name)
		}
	}
	// config show masks credentials
	var out bytes.Buffer
	if err := Write(&out, settings); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2", "from-the-file"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("config show prints the credential %q:\n%s", secret, out.String())
		}
	}
	if !strings.Contains(out.String(), "env PIISNIFF_SAMPLE_SIZE") {
		t.Errorf("no source:\n%s", out.String())
	}
}

func TestMaskURIs(t *testing.T) {
	s := Setting{Name: "target", Value: "mongodb://admin:s3cret@db:27017"}
	if got := s.Mask(); strings.Contains(got, "s3cret") {
		t.Errorf("Mask = %q", got)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, file string
		env        map[string]string
		want       string
	}{
		{"unknown key", "sample-size: 5\nsampel-size: 5\n", nil, `piisniff.yaml:2: unknown setting "sampel-size"`},
		{"suggestion", "formt: json\n", nil, `did you mean "format"?`},
		{"skipped key", "config: other.yaml\n", nil, `piisniff.yaml:1: unknown setting "config"`},
		{"bad value", "\nsample-size: many\n", nil, `piisniff.yaml:2: sample-size: invalid argument "many"`},
		{"list for a single flag", "format: [json, html]\n", nil, "piisniff.yaml:1: format: takes a single value, not a list"},
		{"not a mapping", "- sample-size\n", nil, "piisniff.yaml:1: a configuration file is a mapping"},
		{"nested", "only:\n  a: b\n", nil, `piisniff.yaml:2: "only" must be a value or a list`},
		{"twice", "format: json\nformat: csv\n", nil, `piisniff.yaml:2: "format" is set twice`},
		{"empty value", "format:\n", nil, `piisniff.yaml:1: "format" has no value`},
		{"bad yaml", "format: [json\n", nil, "piisniff.yaml:"},
		{"bad environment", "", map[string]string{"PIISNIFF_SHOW_DATA": "perhaps"}, `environment variable PIISNIFF_SHOW_DATA: invalid argument "perhaps"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("piisniff.yaml", []byte(tc.file))
			if err == nil {
				_, err = Apply(flags(), f, Options{Getenv: env(tc.env), Skip: []string{"help", "config"}})
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestEnvName(t *testing.T) {
	for flag, want := range map[string]string{"sample-size": "PIISNIFF_SAMPLE_SIZE", "es-api-key": "PIISNIFF_ES_API_KEY", "password": "PIISNIFF_PASSWORD"} {
		if got := EnvName(flag); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", flag, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"sample-size: 5\n", "only: [a, b]\n", "format: json\nshow-data: true\n", "a: {b: c}", "- x", "", "x: !!binary aGk=",
		"sample-size: &a 5\nformat: *a\n", "fail-on: [\"risk>=70\", 'exposure:anonymous']\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse("fuzz.yaml", []byte(src))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		fs := flags()
		settings, err := Apply(fs, file, Options{Getenv: env(nil), Skip: []string{"help", "config"}})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml:") {
				t.Fatalf("error without file:line: %v", err)
			}
			return
		}
		// oracle: what the file states is what the flags now hold
		for name, v := range file.Values {
			s := get(t, settings, name)
			if !strings.HasPrefix(s.Source, "fuzz.yaml:") {
				t.Fatalf("%s from %q, want the file", name, s.Source)
			}
			fl := fs.Lookup(name)
			if _, isString := fl.Value.(interface{ Type() string }); isString && fl.Value.Type() == "string" && fl.Value.String() != v.Items[0] {
				t.Fatalf("%s = %q, file says %q", name, fl.Value.String(), v.Items[0])
			}
			if fl.Value.Type() == "stringArray" && v.List && s.Value != "["+strings.Join(v.Items, ", ")+"]" {
				t.Fatalf("%s = %s, file says %q", name, s.Value, v.Items)
			}
		}
	})
}
