// Package estate reads a targets inventory: one YAML file naming every
// store of an estate, with its owner's tags, the credentials it needs (by
// the name of an environment variable or a file, never inline) and the
// scan options that differ for it.
//
//	version: 1
//	defaults:
//	  tags: {environment: prod}
//	  options: {sample-size: 5000}
//	targets:
//	  - name: shop-users
//	    uri: mongodb://db1.shop.internal:27017
//	    tags: {owner: payments, application: shop, region: eu-west-1}
//	    credentials:
//	      username: scanner
//	      password: {env: SHOP_DB_PASSWORD}
//	    options:
//	      containers: ["users*", "!*_tmp"]
//	      tls-ca: /etc/piisniff/shop-ca.pem
//
// A relative path as a target's uri is relative to the directory of the
// inventory file (ParseFile). Parsing is strict: an unknown key, a duplicated key or a value of the
// wrong shape is an error naming the file and line. ${VAR} in any scalar
// is replaced by the environment variable's value ($$ is a literal $); a
// variable that is not set is an error. Options are the scan command's
// flags by name, without the dashes; Apply sets them on a flag set, so any
// flag a connector registers can be set per target.
package estate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redact"
	"github.com/piisniff/piisniff/internal/strictyaml"
)

// Version is the inventory format version this package reads.
const Version = 1

// The keys each mapping of the format accepts. The JSON Schema
// (docs/estate.schema.json) must accept exactly these; a test holds them
// together.
var (
	FileKeys        = []string{"version", "defaults", "targets"}
	DefaultsKeys    = []string{"tags", "options"}
	TargetKeys      = []string{"name", "uri", "tags", "credentials", "options"}
	TagKeys         = []string{"owner", "application", "environment", "region"}
	CredentialsKeys = []string{"username", "password", "secrets"}
	SecretKeys      = []string{"env", "file"}
)

// GlobalOptions are scan flags that apply to the whole scan and cannot be
// set for one target: they shape the report, the classification or the
// work split, which must be the same everywhere.
var GlobalOptions = []string{
	"targets", "shard", "group-by", "rules", "seed", "only", "except", "min-confidence",
	"format", "output", "show-data", "workers", "parallel-targets", "quiet",
	"max-depth", "examples", "no-color", "fail-on", "help",
}

// File is a parsed inventory.
type File struct {
	Path     string
	Version  int
	Defaults Defaults
	Targets  []Target
}

// Defaults apply to every target; a target's own tags and options come
// after them.
type Defaults struct {
	Tags    Tags
	Options []Option
}

// Tags describe who owns a target and where it runs. Empty values are
// unset.
type Tags struct {
	Owner       string `json:"owner,omitempty"`
	Application string `json:"application,omitempty"`
	Environment string `json:"environment,omitempty"`
	Region      string `json:"region,omitempty"`
}

// Get returns the tag named key ("owner", ...), "" when unset or unknown.
func (t Tags) Get(key string) string {
	switch key {
	case "owner":
		return t.Owner
	case "application":
		return t.Application
	case "environment":
		return t.Environment
	case "region":
		return t.Region
	}
	return ""
}

func (t *Tags) set(key, v string) {
	switch key {
	case "owner":
		t.Owner = v
	case "application":
		t.Application = v
	case "environment":
		t.Environment = v
	case "region":
		t.Region = v
	}
}

// Map returns the tags that are set, by key.
func (t Tags) Map() map[string]string {
	m := map[string]string{}
	for _, k := range TagKeys {
		if v := t.Get(k); v != "" {
			m[k] = v
		}
	}
	return m
}

// over returns t with the tags set in o replacing its own.
func (t Tags) over(o Tags) Tags {
	for _, k := range TagKeys {
		if v := o.Get(k); v != "" {
			t.set(k, v)
		}
	}
	return t
}

// Target is one store of the estate.
type Target struct {
	Name string
	// URI is the target as the scan command takes it, ${VAR} expanded.
	URI string
	// Tags are the defaults' tags with the target's own over them.
	Tags        Tags
	Credentials Credentials
	// Options are the defaults' options followed by the target's own, in
	// file order: applied in this order, the target's win.
	Options []Option
	// Pos is where the target is written ("estate.yaml:12").
	Pos string
}

// Credentials say where a target's secrets are: never the secrets
// themselves.
type Credentials struct {
	Username string
	Password *Secret
	// Secrets are the values of the environment variables connectors read
	// credentials from (ELASTIC_API_KEY, ...), for this target only.
	Secrets map[string]Secret
}

// Secret is the name of an environment variable or the path of a file
// that holds a credential.
type Secret struct {
	Env  string
	File string
	Pos  string
}

// Option is one scan flag set for a target: a scalar gives one value, a
// list gives one value per element (the flag set once for each).
type Option struct {
	Name   string
	Values []string
	Pos    string
}

// Error is an error at a place in the inventory.
type Error struct {
	Pos string // file:line
	Msg string
}

func (e *Error) Error() string { return e.Pos + ": " + e.Msg }

// ParseFile reads and parses an inventory file. getenv expands ${VAR}; nil
// means os.Getenv.
func ParseFile(path string, getenv func(string) string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("targets file: %w", err)
	}
	f, err := Parse(path, data, getenv)
	if err != nil {
		return nil, err
	}
	// a relative path is relative to the file that names it, wherever
	// piisniff runs from
	dir := filepath.Dir(path)
	for i := range f.Targets {
		u := f.Targets[i].URI
		if connectors.Scheme(u) == "file" && !strings.Contains(u, "://") && !filepath.IsAbs(u) {
			f.Targets[i].URI = filepath.Join(dir, u)
		}
	}
	return f, nil
}

// Parse parses an inventory. name is used in error positions.
func Parse(name string, data []byte, getenv func(string) string) (*File, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	p := &parser{name: name, getenv: getenv, lookup: func(k string) (string, bool) {
		v := getenv(k)
		return v, v != ""
	}}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{Pos: name + ":1", Msg: "empty targets file"}
		}
		return nil, p.yamlErr(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, p.errf(&extra, "one YAML document expected; remove the second one")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &Error{Pos: name + ":1", Msg: "empty targets file"}
	}
	f, err := p.file(doc.Content[0])
	if err != nil {
		return nil, err
	}
	f.Path = name
	return f, nil
}

type parser struct {
	name   string
	getenv func(string) string
	lookup func(string) (string, bool)
}

func (p *parser) pos(n *yaml.Node) string { return p.name + ":" + strconv.Itoa(n.Line) }

func (p *parser) errf(n *yaml.Node, format string, args ...any) error {
	return &Error{Pos: p.pos(n), Msg: fmt.Sprintf(format, args...)}
}

// yamlErr turns a YAML syntax error ("yaml: line 3: ...") into file:line
// (line 1 when the parser names none).
func (p *parser) yamlErr(err error) error {
	se := strictyaml.Syntax(err)
	return &Error{Pos: p.name + ":" + strconv.Itoa(max(se.Line, 1)), Msg: se.Msg}
}

// mapping walks a mapping node strictly: every key must be one of keys and
// appear once; fn gets each key and value.
func (p *parser) mapping(n *yaml.Node, what string, keys []string, fn func(k string, key, v *yaml.Node) error) error {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		return p.errf(n, "%s must be a mapping", what)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return p.errf(k, "%s: keys must be plain names", what)
		}
		if seen[k.Value] {
			return p.errf(k, "%s: key %q given twice", what, k.Value)
		}
		seen[k.Value] = true
		if keys != nil && !contains(keys, k.Value) {
			msg := fmt.Sprintf("%s: unknown key %q (known: %s)", what, k.Value, strings.Join(keys, ", "))
			if dym := strictyaml.DidYouMean(k.Value, keys, 2); dym != "" {
				msg += "; " + dym
			}
			return p.errf(k, "%s", msg)
		}
		if err := fn(k.Value, k, v); err != nil {
			return err
		}
	}
	return nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// scalar returns a scalar's value, ${VAR} expanded.
func (p *parser) scalar(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", p.errf(n, "%s must be a single value", what)
	}
	if n.Tag == "!!null" {
		return "", p.errf(n, "%s has no value", what)
	}
	v, err := Expand(n.Value, p.lookup)
	if err != nil {
		return "", p.errf(n, "%s: %v", what, err)
	}
	return v, nil
}

func (p *parser) file(n *yaml.Node) (*File, error) {
	f := &File{}
	hasVersion, hasTargets := false, false
	err := p.mapping(n, "the targets file", FileKeys, func(k string, key, v *yaml.Node) error {
		switch k {
		case "version":
			s, err := p.scalar(v, "version")
			if err != nil {
				return err
			}
			if s != strconv.Itoa(Version) {
				return p.errf(v, "version %q is not supported (this piisniff reads version %d)", s, Version)
			}
			f.Version, hasVersion = Version, true
		case "defaults":
			return p.mapping(v, "defaults", DefaultsKeys, func(k string, _, v *yaml.Node) error {
				var err error
				switch k {
				case "tags":
					f.Defaults.Tags, err = p.tags(v)
				case "options":
					f.Defaults.Options, err = p.options(v)
				}
				return err
			})
		case "targets":
			hasTargets = true
			if v.Kind != yaml.SequenceNode {
				return p.errf(v, "targets must be a list")
			}
			f.Targets = make([]Target, 0, len(v.Content))
			names := map[string]string{}
			for _, tn := range v.Content {
				t, err := p.target(deref(tn))
				if err != nil {
					return err
				}
				if prev, dup := names[t.Name]; dup {
					return p.errf(tn, "target name %q is already used at %s", t.Name, prev)
				}
				names[t.Name] = t.Pos
				f.Targets = append(f.Targets, t)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !hasVersion {
		return nil, p.errf(n, "the targets file needs \"version: %d\"", Version)
	}
	if !hasTargets || len(f.Targets) == 0 {
		return nil, p.errf(n, "the targets file lists no targets")
	}
	for i := range f.Targets {
		t := &f.Targets[i]
		t.Tags = f.Defaults.Tags.over(t.Tags)
		if len(f.Defaults.Options) > 0 {
			t.Options = append(append([]Option{}, f.Defaults.Options...), t.Options...)
		}
	}
	return f, nil
}

func (p *parser) tags(n *yaml.Node) (Tags, error) {
	var t Tags
	err := p.mapping(n, "tags", TagKeys, func(k string, _, v *yaml.Node) error {
		s, err := p.scalar(v, "tag "+k)
		if err != nil {
			return err
		}
		t.set(k, s)
		return nil
	})
	return t, err
}

func (p *parser) target(n *yaml.Node) (Target, error) {
	t := Target{Pos: p.pos(n)}
	var uriNode *yaml.Node
	err := p.mapping(n, "a target", TargetKeys, func(k string, _, v *yaml.Node) error {
		var err error
		switch k {
		case "name":
			t.Name, err = p.scalar(v, "name")
			if err == nil && strings.TrimSpace(t.Name) == "" {
				err = p.errf(v, "name is empty")
			}
		case "uri":
			uriNode = v
			t.URI, err = p.scalar(v, "uri")
			if err == nil && t.URI == "" {
				err = p.errf(v, "uri is empty")
			}
			// a password written in the file itself, not taken from the
			// environment, is refused: the file is shared, secrets are not
			if err == nil && redact.URIPassword(v.Value) != "" && !strings.Contains(redact.URIPassword(v.Value), "${") {
				err = p.errf(v, "uri holds a password: give it in credentials.password as {env: VAR} or {file: PATH}")
			}
		case "tags":
			t.Tags, err = p.tags(v)
		case "credentials":
			t.Credentials, err = p.credentials(v)
		case "options":
			t.Options, err = p.options(v)
		}
		return err
	})
	if err != nil {
		return t, err
	}
	if t.Name == "" {
		return t, p.errf(n, "a target needs a name")
	}
	if uriNode == nil {
		return t, p.errf(n, "target %q needs a uri", t.Name)
	}
	return t, nil
}

func (p *parser) credentials(n *yaml.Node) (Credentials, error) {
	var c Credentials
	err := p.mapping(n, "credentials", CredentialsKeys, func(k string, _, v *yaml.Node) error {
		switch k {
		case "username":
			s, err := p.scalar(v, "username")
			c.Username = s
			return err
		case "password":
			s, err := p.secret(v, "credentials.password")
			c.Password = &s
			return err
		case "secrets":
			c.Secrets = map[string]Secret{}
			return p.mapping(v, "credentials.secrets", nil, func(k string, key, v *yaml.Node) error {
				if !validEnvName(k) {
					return p.errf(key, "credentials.secrets: %q is not an environment variable name", k)
				}
				s, err := p.secret(v, "credentials.secrets."+k)
				c.Secrets[k] = s
				return err
			})
		}
		return nil
	})
	return c, err
}

func (p *parser) secret(n *yaml.Node, what string) (Secret, error) {
	s := Secret{Pos: p.pos(n)}
	if n.Kind == yaml.ScalarNode {
		return s, p.errf(n, "%s: a credential is never written in the file: give {env: VAR} or {file: PATH}", what)
	}
	err := p.mapping(n, what, SecretKeys, func(k string, _, v *yaml.Node) error {
		val, err := p.scalar(v, what+"."+k)
		if err != nil {
			return err
		}
		switch k {
		case "env":
			if !validEnvName(val) {
				return p.errf(v, "%s.env: %q is not an environment variable name", what, val)
			}
			s.Env = val
		case "file":
			if val == "" {
				return p.errf(v, "%s.file is empty", what)
			}
			s.File = val
		}
		return nil
	})
	if err != nil {
		return s, err
	}
	if (s.Env == "") == (s.File == "") {
		return s, p.errf(n, "%s: give exactly one of env or file", what)
	}
	return s, nil
}

func (p *parser) options(n *yaml.Node) ([]Option, error) {
	var out []Option
	err := p.mapping(n, "options", nil, func(k string, key, v *yaml.Node) error {
		name := k
		if name == "" || strings.HasPrefix(name, "-") || strings.ContainsAny(name, " =") {
			return p.errf(key, "options: %q is not a flag name (write it without dashes)", k)
		}
		if contains(GlobalOptions, name) {
			return p.errf(key, "option %q applies to the whole scan, not to one target: give it on the command line", name)
		}
		o := Option{Name: name, Pos: p.pos(key)}
		switch v.Kind {
		case yaml.ScalarNode:
			s, err := p.scalar(v, "option "+name)
			if err != nil {
				return err
			}
			o.Values = []string{s}
		case yaml.SequenceNode:
			o.Values = []string{}
			for _, e := range v.Content {
				s, err := p.scalar(deref(e), "option "+name)
				if err != nil {
					return err
				}
				o.Values = append(o.Values, s)
			}
		default:
			return p.errf(v, "option %q must be a value or a list of values", name)
		}
		out = append(out, o)
		return nil
	})
	return out, err
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Expand replaces ${NAME} by lookup(NAME) and $$ by $. Any other $ is kept
// as written. A name that lookup does not know is an error.
func Expand(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", errors.New("unclosed ${ (write $$ for a literal $)")
			}
			name := s[i+2 : i+2+end]
			if !validEnvName(name) {
				return "", fmt.Errorf("${%s}: not an environment variable name", name)
			}
			v, ok := lookup(name)
			if !ok {
				return "", fmt.Errorf("${%s}: the environment variable is not set", name)
			}
			b.WriteString(v)
			i += 2 + end
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// Apply sets the target's options on fs, a flag set holding the scan
// flags that apply per target (a fresh one per target). An option that is
// not a flag of fs, or whose value the flag refuses, is an error at its
// line.
func Apply(fs *pflag.FlagSet, t Target) error {
	for _, o := range t.Options {
		fl := fs.Lookup(o.Name)
		if fl == nil {
			return &Error{Pos: o.Pos, Msg: fmt.Sprintf("unknown option %q: options are the scan command's flags without the dashes (%s)", o.Name, strings.Join(FlagNames(fs), ", "))}
		}
		if len(o.Values) == 0 {
			// an empty list clears a list flag
			if sv, ok := fl.Value.(pflag.SliceValue); ok {
				if err := sv.Replace(nil); err != nil {
					return &Error{Pos: o.Pos, Msg: fmt.Sprintf("option %s: %v", o.Name, err)}
				}
				continue
			}
			return &Error{Pos: o.Pos, Msg: fmt.Sprintf("option %s needs a value", o.Name)}
		}
		for _, v := range o.Values {
			if err := fs.Set(o.Name, v); err != nil {
				return &Error{Pos: o.Pos, Msg: fmt.Sprintf("option %s: %v", o.Name, err)}
			}
		}
	}
	return nil
}

// FlagNames lists the names of fs's flags that a target may set, sorted.
func FlagNames(fs *pflag.FlagSet) []string {
	var out []string
	fs.VisitAll(func(f *pflag.Flag) {
		if !contains(GlobalOptions, f.Name) {
			out = append(out, f.Name)
		}
	})
	sort.Strings(out)
	return out
}

// Check applies every target's options to a fresh flag set from newFlags
// and returns every error found, joined.
func (f *File) Check(newFlags func() *pflag.FlagSet) error {
	var errs []error
	for _, t := range f.Targets {
		if err := Apply(newFlags(), t); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Connector returns base with the target's credentials: the user name,
// the password and the connectors' secret variables read from where the
// inventory says, through an Env that answers for this target only.
// Reading a file or an unset variable is an error naming the target, never
// the value.
func (t Target) Connector(base connectors.Options) (connectors.Options, error) {
	parent := base.Getenv
	vals := map[string]string{}
	read := func(s Secret, what string) (string, error) {
		if s.Env != "" {
			v := parent(s.Env)
			if v == "" {
				return "", &Error{Pos: s.Pos, Msg: fmt.Sprintf("target %s: %s: the environment variable %s is not set", t.Name, what, s.Env)}
			}
			return v, nil
		}
		b, err := os.ReadFile(s.File)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return "", &Error{Pos: s.Pos, Msg: fmt.Sprintf("target %s: %s: cannot read %s: %v", t.Name, what, s.File, err)}
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	if t.Credentials.Username != "" {
		base.Username = t.Credentials.Username
	}
	if t.Credentials.Password != nil {
		v, err := read(*t.Credentials.Password, "password")
		if err != nil {
			return base, err
		}
		base.Password = v
		vals[connectors.EnvPassword] = v
	}
	for name, s := range t.Credentials.Secrets {
		v, err := read(s, name)
		if err != nil {
			return base, err
		}
		vals[name] = v
	}
	if len(vals) > 0 {
		base.Env = func(name string) string {
			if v, ok := vals[name]; ok {
				return v
			}
			return parent(name)
		}
	}
	return base, nil
}
