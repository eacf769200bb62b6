package connectors

import (
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// TLSOptions configure TLS for network connectors.
type TLSOptions struct {
	CAFile   string // extra CA bundle (PEM)
	CertFile string // client certificate (PEM)
	KeyFile  string // client key (PEM)
	Insecure bool   // skip certificate verification; the CLI warns
}

// EnvPassword is the environment variable that holds the password of the
// target's user for every store (a store may read its own variables too,
// declared in its Descriptor.EnvSecrets).
const EnvPassword = "PIISNIFF_PASSWORD"

// Options are the settings every connector understands. What only one kind
// of store understands lives in that connector's own StoreOptions, found
// with Own.
type Options struct {
	ConnectTimeout time.Duration // default 10s
	RequestTimeout time.Duration // per request/query, default 30s
	TLS            TLSOptions

	// Containers filters container names (every kind).
	Containers Filter
	// Databases filters database names (stores that have databases).
	Databases Filter

	// AnonymousCheck makes the exposure check try an unauthenticated
	// connection even when the target carries credentials.
	AnonymousCheck bool
	// IncludeHidden includes hidden and system containers
	// (Elasticsearch dot-indices, ...).
	IncludeHidden bool
	// IncludeViews includes SQL views (PostgreSQL, MySQL/MariaDB, SQLite)
	// among the containers; they are passed over by default.
	IncludeViews bool

	// Username is the user when the URI names none; Password is its
	// password (by default from PIISNIFF_PASSWORD, see WithDefaults).
	Username string
	Password string

	// Concurrency is the number of containers a connector may sample at once
	// (connection pool bound). Default 4.
	Concurrency int

	// MaxDocumentBytes bounds the size of one document; larger ones are
	// skipped with a reason. Default 16 MiB.
	MaxDocumentBytes int64

	// Stores holds each connector's own options by descriptor name; a
	// connector whose options are missing gets its defaults.
	Stores map[string]StoreOptions

	// Env is the one way a connector reads the environment (credentials
	// such as PIISNIFF_PASSWORD or ELASTIC_API_KEY). Nil means os.Getenv;
	// tests set it to a map lookup.
	Env func(name string) string

	// Logf receives diagnostic messages (never values, never secrets).
	Logf func(format string, args ...any)
}

// Getenv reads one environment variable through o.Env.
func (o Options) Getenv(name string) string {
	if o.Env == nil {
		return os.Getenv(name)
	}
	return o.Env(name)
}

// WithDefaults returns o with zero fields set to their defaults.
func (o Options) WithDefaults() Options {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.MaxDocumentBytes <= 0 {
		o.MaxDocumentBytes = 16 << 20
	}
	if o.Password == "" {
		o.Password = o.Getenv(EnvPassword)
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return o
}

// StoreOptions are one connector's own typed options, with the command-line
// flags that fill them (the way TruffleHog keeps a typed config per source).
type StoreOptions interface {
	// AddFlags registers the options' flags. Flag names are global to
	// the scan command: prefix them with the store when they could clash
	// (--es-api-key); the registry's tests reject a name used twice.
	AddFlags(fs *pflag.FlagSet)
	// Secrets lists the credential values the options hold, so that every
	// output can redact them.
	Secrets() []string
}

// Validator is implemented by StoreOptions that can check themselves
// before a scan starts (bad globs, values that go together).
type Validator interface {
	Validate() error
}

// Own returns the options of the connector named name, typed: the value
// in o.Stores, or a new value with its defaults when the options carry
// none. It panics when name's options are not of type T (a programming
// error caught by the connector's first test).
func Own[T StoreOptions](o Options, name string) T {
	if v, ok := o.Stores[name]; ok && v != nil {
		return v.(T)
	}
	d, ok := Lookup(name)
	if !ok || d.NewOptions == nil {
		var zero T
		return zero
	}
	return d.NewOptions().(T)
}

// WithStore returns a copy of o whose Stores carry so for the connector
// named name (tests use it to set one store's options).
func (o Options) WithStore(name string, so StoreOptions) Options {
	m := make(map[string]StoreOptions, len(o.Stores)+1)
	for k, v := range o.Stores {
		m[k] = v
	}
	m[name] = so
	o.Stores = m
	return o
}

// FilterFlag is a pflag.Value that fills a Filter from comma-separated
// globs, "!" marking an exclusion: --containers 'users*,!*_tmp'.
type FilterFlag struct{ F *Filter }

// String implements pflag.Value.
func (v FilterFlag) String() string {
	if v.F == nil {
		return ""
	}
	parts := append([]string{}, v.F.Include...)
	for _, e := range v.F.Exclude {
		parts = append(parts, "!"+e)
	}
	return strings.Join(parts, ",")
}

// Set implements pflag.Value; it may be called once per flag occurrence.
func (v FilterFlag) Set(s string) error {
	var add Filter
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
		case strings.HasPrefix(p, "!"):
			add.Exclude = append(add.Exclude, p[1:])
		default:
			add.Include = append(add.Include, p)
		}
	}
	if err := add.Validate(); err != nil {
		return err
	}
	v.F.Include = append(v.F.Include, add.Include...)
	v.F.Exclude = append(v.F.Exclude, add.Exclude...)
	return nil
}

// Type implements pflag.Value.
func (v FilterFlag) Type() string { return "globs" }
