// Package config applies a configuration file (piisniff.yaml) and the
// environment (PIISNIFF_<FLAG>) to a command's flags, generically by flag
// name: every flag of the command, the connectors' own flags included, can
// be set in either. Precedence: flags on the command line, then the
// environment, then the file, then the flag's default.
//
// The file is a YAML mapping of flag names to values; a list sets a
// repeatable or list flag:
//
//	sample-size: 500
//	fail-on: [exposure:anonymous, "risk>=70"]
//	es-api-key: ...   # better in PIISNIFF_ES_API_KEY
//
// Unknown keys are errors with file:line.
package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/piisniff/piisniff/internal/redact"
	"github.com/piisniff/piisniff/internal/strictyaml"
)

// DefaultFile is the file read from the working directory when no --config
// is given.
const DefaultFile = "piisniff.yaml"

// EnvPrefix starts the environment variable of every flag.
const EnvPrefix = "PIISNIFF_"

// File is a parsed configuration file.
type File struct {
	Name   string
	Values map[string]Value
}

// Value is one setting of a file.
type Value struct {
	// Items holds the scalar, or each item of a list.
	Items []string
	List  bool
	Line  int
}

// Error is an error in a configuration file or the environment, with where.
type Error struct {
	File string // file name, or the environment variable
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Parse parses a configuration file: a mapping of names to scalars or lists
// of scalars. Names are checked against the flags by Apply.
func Parse(name string, data []byte) (*File, error) {
	f := &File{Name: name, Values: map[string]Value{}}
	root, err := strictyaml.Root(data)
	if err != nil {
		se := strictyaml.Syntax(err)
		return nil, &Error{File: name, Line: se.Line, Msg: se.Msg}
	}
	if root == nil {
		return f, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: name, Line: root.Line, Msg: "a configuration file is a mapping of flag names to values (sample-size: 500)"}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			return nil, &Error{File: name, Line: k.Line, Msg: "a key must be a flag name"}
		}
		if _, dup := f.Values[k.Value]; dup {
			return nil, &Error{File: name, Line: k.Line, Msg: fmt.Sprintf("%q is set twice", k.Value)}
		}
		val := Value{Line: k.Line}
		switch v.Kind {
		case yaml.ScalarNode:
			if v.Tag == "!!null" {
				return nil, &Error{File: name, Line: v.Line, Msg: fmt.Sprintf("%q has no value", k.Value)}
			}
			val.Items = []string{v.Value}
		case yaml.SequenceNode:
			val.List = true
			for _, it := range v.Content {
				if it.Kind != yaml.ScalarNode {
					return nil, &Error{File: name, Line: it.Line, Msg: fmt.Sprintf("%q: a list holds single values", k.Value)}
				}
				val.Items = append(val.Items, it.Value)
			}
		default:
			return nil, &Error{File: name, Line: v.Line, Msg: fmt.Sprintf("%q must be a value or a list of values", k.Value)}
		}
		f.Values[k.Value] = val
	}
	return f, nil
}

// Load reads and parses a file. With optional set, a missing file gives nil
// and no error.
func Load(name string, optional bool) (*File, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		if optional && errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	return Parse(name, data)
}

// EnvName is the environment variable of a flag: PIISNIFF_ and the name in
// upper case with - as _ (sample-size → PIISNIFF_SAMPLE_SIZE).
func EnvName(flag string) string {
	return EnvPrefix + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(flag))
}

// Setting is the effective value of one flag and where it came from.
type Setting struct {
	Name  string
	Value string
	// Source is "flag", "env PIISNIFF_X", "FILE:LINE" or "default".
	Source string
	Secret bool
}

// Options shape Apply.
type Options struct {
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Skip names flags neither the file nor the environment may set
	// (help, config).
	Skip []string
	// Secret says a flag holds a credential: its value is masked in
	// Settings. Nil means IsSecretName.
	Secret func(name string) bool
}

// IsSecretName says a flag name suggests a credential.
func IsSecretName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"password", "passwd", "secret", "token", "api-key", "apikey", "credential", "private-key"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Apply sets every flag of fs the command line left unset from the
// environment, else from the file (f may be nil), and returns the effective
// settings, sorted by name. Unknown file keys and values a flag refuses are
// errors naming the file and line, or the environment variable.
func Apply(fs *pflag.FlagSet, f *File, o Options) ([]Setting, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	secret := o.Secret
	if secret == nil {
		secret = IsSecretName
	}
	skip := map[string]bool{}
	for _, s := range o.Skip {
		skip[s] = true
	}
	if f != nil {
		var names []string
		for k := range f.Values {
			names = append(names, k)
		}
		sort.Slice(names, func(i, j int) bool { return f.Values[names[i]].Line < f.Values[names[j]].Line })
		for _, k := range names {
			if fs.Lookup(k) == nil || skip[k] {
				return nil, &Error{File: f.Name, Line: f.Values[k].Line, Msg: unknownMsg(fs, k, skip)}
			}
		}
	}
	var out []Setting
	var err error
	fs.VisitAll(func(fl *pflag.Flag) {
		if err != nil || skip[fl.Name] {
			return
		}
		s := Setting{Name: fl.Name, Source: "default", Secret: secret(fl.Name)}
		switch {
		case fl.Changed:
			s.Source = "flag"
		case getenv(EnvName(fl.Name)) != "":
			env := EnvName(fl.Name)
			if e := set(fs, fl, []string{getenv(env)}, false); e != nil {
				err = &Error{File: "environment variable " + env, Msg: e.Error()}
				return
			}
			s.Source = "env " + env
		case f != nil && hasValue(f, fl.Name):
			v := f.Values[fl.Name]
			if e := set(fs, fl, v.Items, v.List); e != nil {
				err = &Error{File: f.Name, Line: v.Line, Msg: fmt.Sprintf("%s: %v", fl.Name, e)}
				return
			}
			s.Source = fmt.Sprintf("%s:%d", f.Name, v.Line)
		}
		s.Value = display(fl)
		out = append(out, s)
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func hasValue(f *File, name string) bool {
	_, ok := f.Values[name]
	return ok
}

// set gives a flag the items: a list flag is replaced by them, any other
// flag takes a single value.
func set(fs *pflag.FlagSet, fl *pflag.Flag, items []string, list bool) error {
	if sv, ok := fl.Value.(pflag.SliceValue); ok {
		if list {
			if err := sv.Replace(items); err != nil {
				return err
			}
			fl.Changed = true
			return nil
		}
		return fs.Set(fl.Name, items[0])
	}
	if list {
		if len(items) != 1 {
			return fmt.Errorf("takes a single value, not a list")
		}
	}
	if len(items) == 0 {
		return fmt.Errorf("has no value")
	}
	return fs.Set(fl.Name, items[0])
}

func display(fl *pflag.Flag) string {
	if sv, ok := fl.Value.(pflag.SliceValue); ok {
		return "[" + strings.Join(sv.GetSlice(), ", ") + "]"
	}
	return fl.Value.String()
}

func unknownMsg(fs *pflag.FlagSet, k string, skip map[string]bool) string {
	var names []string
	fs.VisitAll(func(fl *pflag.Flag) {
		if !skip[fl.Name] {
			names = append(names, fl.Name)
		}
	})
	msg := fmt.Sprintf("unknown setting %q: keys are the flag names of the command (piisniff scan --help lists them)", k)
	if dym := strictyaml.DidYouMean(k, names, 3); dym != "" {
		msg += "; " + dym
	}
	return msg
}

// Mask hides what a setting's value may reveal: a secret is *** (or empty),
// a URI keeps no password.
func (s Setting) Mask() string {
	if s.Secret {
		if s.Value == "" || s.Value == "[]" {
			return s.Value
		}
		return "***"
	}
	return redact.URI(s.Value)
}

// Write prints the settings as a table: name, value (masked), source.
func Write(w io.Writer, settings []Setting) error {
	width := 4
	for _, s := range settings {
		width = max(width, len(s.Name))
	}
	if _, err := fmt.Fprintf(w, "%-*s  %-40s  %s\n", width, "NAME", "VALUE", "SOURCE"); err != nil {
		return err
	}
	for _, s := range settings {
		if _, err := fmt.Fprintf(w, "%-*s  %-40s  %s\n", width, s.Name, s.Mask(), s.Source); err != nil {
			return err
		}
	}
	return nil
}
