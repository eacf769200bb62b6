package connectors_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/piisniff/piisniff/connectors"
	_ "github.com/piisniff/piisniff/connectors/connectortest/examplestore"
)

func init() {
	connectors.Register(connectors.Descriptor{
		Name: "regtest", Schemes: []string{"regtest", "regtests"}, Kinds: []string{"mongodb"}, DefaultPorts: []int{4242},
		Check: func(target string, _ connectors.Options) error {
			if strings.Contains(target, "bad") {
				return errors.New("bad target " + target)
			}
			return nil
		},
		Open: func(context.Context, string, connectors.Options) (connectors.Connector, error) {
			return nil, errors.New("not a real store")
		},
	})
}

func TestCheckTarget(t *testing.T) {
	tests := []struct {
		target  string
		wantErr string // "" = accepted
		hint    string
	}{
		{"regtest://host:1", "", ""},
		{"REGTEST://host:1", "", ""},
		{"regtets://user:pw@host:1", `unknown target scheme "regtets://"`, "did you mean regtest://user:***@host:1?"},
		{"ftp://host/x", `unknown target scheme "ftp://"`, ""},
		{"regtest://user:pw@bad", "bad target", ""},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			err := connectors.CheckTarget(tc.target, connectors.Options{})
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want %q", err, tc.wantErr)
			}
			if tc.hint != "" && !strings.Contains(err.Error(), tc.hint) {
				t.Errorf("got %v, want the hint %q", err, tc.hint)
			}
			if strings.Contains(err.Error(), "pw@") {
				t.Errorf("the password shows: %v", err)
			}
		})
	}
}

func TestRegisterRejectsDuplicatesAndGaps(t *testing.T) {
	open := func(context.Context, string, connectors.Options) (connectors.Connector, error) { return nil, nil }
	for name, d := range map[string]connectors.Descriptor{
		"duplicate name":   {Name: "regtest", Schemes: []string{"other"}, Kinds: []string{"file"}, Open: open},
		"duplicate scheme": {Name: "regtest2", Schemes: []string{"regtests"}, Kinds: []string{"file"}, Open: open},
		"no kind":          {Name: "regtest3", Schemes: []string{"x3"}, Open: open},
		"no open":          {Name: "regtest4", Schemes: []string{"x4"}, Kinds: []string{"file"}},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Register accepted it")
				}
			}()
			connectors.Register(d)
		})
	}
}

func TestKindOfAndSecrets(t *testing.T) {
	if k := connectors.KindOf("regtest://h"); k != "mongodb" {
		t.Errorf("KindOf = %q", k)
	}
	env := map[string]string{"PIISNIFF_PASSWORD": "env-pw", "EXAMPLESTORE_TOKEN": "env-token"}
	opts := connectors.Options{Env: func(k string) string { return env[k] }, Stores: connectors.NewStoreOptions()}
	secrets := connectors.Secrets("regtest://u:uri-pw@h", opts)
	for _, want := range []string{"uri-pw", "env-pw", "env-token"} {
		found := false
		for _, s := range secrets {
			found = found || s == want
		}
		if !found {
			t.Errorf("%q is not among the secrets %q", want, secrets)
		}
	}
	if o := opts.WithDefaults(); o.Password != "env-pw" {
		t.Errorf("the password is not read from PIISNIFF_PASSWORD through Env: %q", o.Password)
	}
}

func TestFilterFlag(t *testing.T) {
	var f connectors.Filter
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.Var(connectors.FilterFlag{F: &f}, "containers", "")
	if err := fs.Parse([]string{"--containers", "users*, !*_tmp", "--containers", "orders"}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(f.Include, "|") != "users*|orders" || strings.Join(f.Exclude, "|") != "*_tmp" {
		t.Errorf("filter %+v", f)
	}
	if err := fs.Parse([]string{"--containers", "[a"}); err == nil {
		t.Errorf("a malformed glob was accepted")
	}
}

// TestConnectorsFollowTheSeam reads every connector package's source: each
// holds the compile-time Connector assertion, and none reads the
// environment except through Options.Getenv (so every credential from the
// environment is known to the redaction and settable in tests).
func TestConnectorsFollowTheSeam(t *testing.T) {
	dirs, err := filepath.Glob("*")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		if len(files) == 0 || dir == "connectortest" {
			continue
		}
		var src strings.Builder
		registers := false
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(b), "\n") {
				if (strings.Contains(line, "os.Getenv(") || strings.Contains(line, "os.LookupEnv(")) && !strings.Contains(line, "//seam:allow") {
					t.Errorf("%s:%d reads the environment directly: use opts.Getenv (or mark a driver's own reading //seam:allow with the reason)", f, i+1)
				}
			}
			registers = registers || strings.Contains(string(b), "connectors.Register(")
			src.Write(b)
		}
		if !registers {
			continue
		}
		checked++
		if !strings.Contains(src.String(), "var _ connectors.Connector = ") {
			t.Errorf("%s: no compile-time check `var _ connectors.Connector = (*T)(nil)`", dir)
		}
	}
	if checked < 3 {
		t.Errorf("only %d connector packages found", checked)
	}
}
