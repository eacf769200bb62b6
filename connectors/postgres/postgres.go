// Package postgres is the connector for PostgreSQL servers (and servers
// that speak its protocol), on the pgx driver.
//
// Targets are libpq connection URIs (postgres://, postgresql://) with every
// keyword option pgx understands (sslmode, sslrootcert, connect_timeout,
// options, target_session_attrs, service, ...). The password comes from the
// URI, then --password / PIISNIFF_PASSWORD, then PGPASSWORD, then the
// password file (PGPASSFILE or ~/.pgpass), as libpq does.
//
// Environment: the connector reads PGPASSWORD, PGPASSFILE and the other
// libpq variables (PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE, ...)
// through connectors.Options.Getenv. The driver reads the process
// environment itself while parsing the URI; Open then overrides every
// libpq variable whose value differs in Options.Env, so a scan sees
// exactly the environment it was given.
//
// It only ever sends: SET (session settings, default_transaction_read_only
// = on first), BEGIN READ ONLY, SELECT, COMMIT and ROLLBACK (see
// sqlrows.ReadOnlyStatement). Every session is read-only and every
// statement has statement_timeout = Options.RequestTimeout.
package postgres

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/pflag"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/sqlrows"
	"github.com/piisniff/piisniff/internal/redact"
)

// Name is the connector's name in the registry.
const Name = "postgres"

func init() {
	connectors.Register(connectors.Descriptor{
		Name:    Name,
		Schemes: []string{"postgres", "postgresql"},
		Kinds:   []string{"postgres"},
		Targets: []connectors.TargetForm{{
			Form:        "postgres://... or postgresql://...",
			Description: "a PostgreSQL server (libpq URI and keyword options, PGPASSWORD, PGPASSFILE, sslmode)",
		}},
		DefaultPorts: []int{5432},
		EnvSecrets:   []string{"PGPASSWORD"},
		NewOptions:   func() connectors.StoreOptions { return &Options{} },
		Check:        check,
		Open:         Open,
	})
}

var (
	_ connectors.Connector  = (*Connector)(nil)
	_ connectors.SkipLister = (*Connector)(nil)
)

// Options are the PostgreSQL connector's own options.
type Options struct {
	// Schemas filters schema names.
	Schemas connectors.Filter
	// IncludeViews scans views too (read in the view's order: a view
	// cannot be sampled spread over its rows).
	IncludeViews bool
}

// AddFlags implements connectors.StoreOptions.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.Var(connectors.FilterFlag{F: &o.Schemas}, "schemas", "PostgreSQL schema globs; prefix ! to exclude")
	// --include-views is a common flag (connectors.Options.IncludeViews),
	// shared with the MySQL and SQLite connectors.
}

// Secrets implements connectors.StoreOptions: these options hold none.
func (o *Options) Secrets() []string { return nil }

// Validate implements connectors.Validator.
func (o *Options) Validate() error { return o.Schemas.Validate() }

// libpqEnv maps the libpq environment variables to their settings.
var libpqEnv = map[string]string{
	"PGHOST": "host", "PGPORT": "port", "PGDATABASE": "dbname", "PGUSER": "user",
	"PGPASSWORD": "password", "PGPASSFILE": "passfile", "PGAPPNAME": "application_name",
	"PGCONNECT_TIMEOUT": "connect_timeout", "PGSSLMODE": "sslmode", "PGSSLKEY": "sslkey",
	"PGSSLCERT": "sslcert", "PGSSLSNI": "sslsni", "PGSSLROOTCERT": "sslrootcert",
	"PGSSLPASSWORD": "sslpassword", "PGTARGETSESSIONATTRS": "target_session_attrs",
	"PGSERVICE": "service", "PGSERVICEFILE": "servicefile", "PGTZ": "timezone", "PGOPTIONS": "options",
}

// check is the descriptor's Check: the target must parse.
func check(target string, opts connectors.Options) error {
	if _, err := parseConfig(target, opts); err != nil {
		return err
	}
	return nil
}

// targetSettings returns the settings the target itself spells out (not
// the defaults nor the environment), with libpq's names.
func targetSettings(target string) (map[string]string, error) {
	out := map[string]string{}
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("invalid PostgreSQL URI: %s", redact.Secrets(err.Error(), redact.URIPassword(target)))
	}
	if u.User != nil {
		if n := u.User.Username(); n != "" {
			out["user"] = n
		}
		if p, ok := u.User.Password(); ok {
			out["password"] = p
		}
	}
	if h := u.Hostname(); h != "" {
		out["host"] = h
	}
	if p := u.Port(); p != "" {
		out["port"] = p
	}
	if db := strings.TrimPrefix(u.Path, "/"); db != "" {
		out["dbname"] = db
	}
	for k, v := range u.Query() {
		if k == "database" {
			k = "dbname"
		}
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out, nil
}

// parseConfig builds the driver's configuration from the target and the
// options' environment.
func parseConfig(target string, opts connectors.Options) (*pgx.ConnConfig, error) {
	secrets := connectors.Secrets(target, opts)
	given, err := targetSettings(target)
	if err != nil {
		return nil, err
	}
	// The driver reads os.Getenv; correct what opts.Env says otherwise.
	u, _ := url.Parse(target)
	q := u.Query()
	changed := false
	for env, key := range libpqEnv {
		if _, set := given[key]; set {
			continue
		}
		if v := opts.Getenv(env); v != os.Getenv(env) { //seam:allow the driver reads the process environment itself
			q.Set(key, v)
			changed = true
		}
	}
	connStr := target
	if changed {
		u.RawQuery = q.Encode()
		connStr = u.String()
	}
	cfg, err := pgx.ParseConfig(connStr)
	if err != nil {
		msg := err.Error()
		var pe *pgconn.ParseConfigError
		if asParseErr(err, &pe) {
			msg = "invalid PostgreSQL URI: " + pe.Error()
		}
		return nil, fmt.Errorf("%s", redact.Secrets(strings.ReplaceAll(msg, connStr, redact.URI(target)), secrets...))
	}
	if _, set := given["password"]; !set && opts.Password != "" {
		cfg.Password = opts.Password
	}
	if _, set := given["user"]; !set && opts.Username != "" {
		cfg.User = opts.Username
	}
	if err := applyTLS(cfg, opts.TLS, given["sslmode"] != ""); err != nil {
		return nil, err
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > opts.ConnectTimeout && opts.ConnectTimeout > 0 {
		cfg.ConnectTimeout = opts.ConnectTimeout
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "piisniff"
	}
	return cfg, nil
}

func asParseErr(err error, target **pgconn.ParseConfigError) bool {
	pe, ok := err.(*pgconn.ParseConfigError)
	if ok {
		*target = pe
	}
	return ok
}

// applyTLS applies --tls-ca, --tls-cert, --tls-key and --tls-insecure to
// every TLS configuration the driver will try. A CA given without an
// sslmode in the URI means sslmode=verify-full.
func applyTLS(cfg *pgx.ConnConfig, t connectors.TLSOptions, sslmodeGiven bool) error {
	if t.CAFile == "" && t.CertFile == "" && t.KeyFile == "" && !t.Insecure {
		return nil
	}
	var pool *x509.CertPool
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return fmt.Errorf("TLS CA file: %w", err)
		}
		if pool, err = x509.SystemCertPool(); err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("TLS CA file %s: no PEM certificate found", t.CAFile)
		}
	}
	var certs []tls.Certificate
	if t.CertFile != "" || t.KeyFile != "" {
		key := t.KeyFile
		if key == "" {
			key = t.CertFile
		}
		cert, err := tls.LoadX509KeyPair(t.CertFile, key)
		if err != nil {
			return fmt.Errorf("TLS client certificate: %w", err)
		}
		certs = []tls.Certificate{cert}
	}
	// without an sslmode in the URI, a CA or client certificate means
	// TLS, verified (verify-full), without the plain-text fallback
	verify := !sslmodeGiven && !t.Insecure
	apply := func(c *tls.Config, host string) *tls.Config {
		if c == nil {
			return nil // sslmode=disable, or the plain fallback of allow/prefer
		}
		c = c.Clone()
		if pool != nil {
			c.RootCAs = pool
		}
		if certs != nil {
			c.Certificates = certs
		}
		if verify {
			c.InsecureSkipVerify = false
			c.VerifyPeerCertificate = nil
			c.VerifyConnection = nil
			c.ServerName = host
		}
		if t.Insecure {
			c.InsecureSkipVerify = true
			c.VerifyPeerCertificate = nil
			c.VerifyConnection = nil
		}
		return c
	}
	cfg.TLSConfig = apply(cfg.TLSConfig, cfg.Host)
	var fb []*pgconn.FallbackConfig
	for _, f := range cfg.Fallbacks {
		if f.TLSConfig == nil && verify {
			continue
		}
		f.TLSConfig = apply(f.TLSConfig, f.Host)
		fb = append(fb, f)
	}
	cfg.Fallbacks = fb
	return nil
}

var _ connectors.Connector = (*Connector)(nil)

// Connector scans one PostgreSQL server.
type Connector struct {
	target  string // as typed: never print
	uri     string // redacted
	opts    connectors.Options
	own     *Options
	secrets []string
	base    *pgx.ConnConfig // parsed once; copied per database
	uriDB   string          // the database the target names, "" when none
	filters sqlrows.Filters

	// trace, when set (tests), receives every statement sent.
	trace func(sql string)

	mu        sync.Mutex
	pools     map[string]*pgxpool.Pool // by database
	skipped   []connectors.SkippedContainer
	notes     []string
	closed    bool
	closeOnce sync.Once
	sem       chan struct{}
}

// Open connects to a postgres:// or postgresql:// target; the connection
// is verified within opts.ConnectTimeout.
func Open(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
	c, err := open(ctx, target, opts, nil)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// open is Open with a statement hook (tests use it to prove the scan only
// reads).
func open(ctx context.Context, target string, opts connectors.Options, trace func(string)) (*Connector, error) {
	opts = opts.WithDefaults()
	own := connectors.Own[*Options](opts, Name)
	if opts.IncludeViews && !own.IncludeViews {
		cp := *own
		cp.IncludeViews = true
		own = &cp
	}
	if own == nil {
		own = &Options{}
	}
	c := &Connector{
		target: target,
		uri:    redact.URI(target),
		opts:   opts,
		own:    own,
		trace:  trace,
		pools:  map[string]*pgxpool.Pool{},
		sem:    make(chan struct{}, opts.Concurrency),
		filters: sqlrows.Filters{
			Databases: opts.Databases, Schemas: own.Schemas, Containers: opts.Containers,
		},
	}
	c.secrets = connectors.Secrets(target, opts)
	if err := c.filters.Validate(); err != nil {
		return nil, err
	}
	cfg, err := parseConfig(target, opts)
	if err != nil {
		return nil, &ConnectError{Target: c.uri, Reason: "the target is not a valid PostgreSQL connection URI", Err: redact.Error(err, c.secrets...)}
	}
	if cfg.Password != "" {
		c.secrets = append(c.secrets, cfg.Password) // from a password file
	}
	c.base = cfg
	given, _ := targetSettings(target)
	c.uriDB = given["dbname"]
	if c.uriDB == "" && opts.Getenv("PGDATABASE") != "" {
		c.uriDB = opts.Getenv("PGDATABASE")
	}
	if c.uriDB == "" {
		// libpq connects to the database named as the user; list
		// databases from there, or from "postgres" when that fails.
		c.base.Database = cfg.Database
	}
	pctx, cancel := context.WithTimeout(ctx, opts.ConnectTimeout)
	defer cancel()
	pool, err := c.pool(pctx, c.base.Database)
	if err != nil && c.uriDB == "" && isUnknownDatabase(err) && c.base.Database != "postgres" {
		// no database named like the user: libpq would fail, a scan of
		// every database starts from the maintenance database
		c.base.Database = "postgres"
		pool, err = c.pool(pctx, "postgres")
	}
	if err != nil {
		_ = c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, c.connectError(err)
	}
	_ = pool
	return c, nil
}

// config returns the driver configuration for one database.
func (c *Connector) config(db string) (*pgxpool.Config, error) {
	pc, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, err
	}
	cc := c.base.Copy()
	cc.Database = db
	// every statement goes through the extended protocol with cached
	// statements; the tracer logs them for the read-only proof
	if c.trace != nil {
		cc.Tracer = tracer{c.trace}
	}
	pc.ConnConfig = cc
	pc.MaxConns = int32(c.opts.Concurrency + 1)
	pc.MinConns = 0
	pc.MaxConnIdleTime = time.Minute
	pc.HealthCheckPeriod = time.Minute
	timeout := c.opts.RequestTimeout.Milliseconds()
	pc.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		// first of all: this session cannot write
		if _, err := conn.Exec(ctx, "SET default_transaction_read_only = on"); err != nil {
			return err
		}
		_, err := conn.Exec(ctx, fmt.Sprintf("SET statement_timeout = %d", timeout))
		return err
	}
	return pc, nil
}

// pool returns the connection pool of database db, connecting it on first
// use (the first connection is made and checked at once).
func (c *Connector) pool(ctx context.Context, db string) (*pgxpool.Pool, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, fmt.Errorf("%s: connector closed", c.uri)
	}
	if p, ok := c.pools[db]; ok {
		c.mu.Unlock()
		return p, nil
	}
	c.mu.Unlock()
	pc, err := c.config(db)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, c.opts.ConnectTimeout)
	defer cancel()
	p, err := pgxpool.NewWithConfig(cctx, pc)
	if err != nil {
		return nil, err
	}
	if err := p.Ping(cctx); err != nil {
		p.Close()
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.pools[db]; ok {
		p.Close()
		return old, nil
	}
	if c.closed {
		p.Close()
		return nil, fmt.Errorf("%s: connector closed", c.uri)
	}
	c.pools[db] = p
	return p, nil
}

// Kind implements connectors.Connector.
func (c *Connector) Kind() string { return "postgres" }

// URI implements connectors.Connector.
func (c *Connector) URI() string { return c.uri }

// Close implements connectors.Connector.
func (c *Connector) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		pools := c.pools
		c.pools = map[string]*pgxpool.Pool{}
		c.mu.Unlock()
		for _, p := range pools {
			p.Close()
		}
	})
	return nil
}

// SkippedContainers implements connectors.SkipLister.
func (c *Connector) SkippedContainers() []connectors.SkippedContainer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]connectors.SkippedContainer(nil), c.skipped...)
}

func (c *Connector) addNote(n string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, x := range c.notes {
		if x == n {
			return
		}
	}
	c.notes = append(c.notes, n)
}

func (c *Connector) targetNotes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.notes...)
}

// tracer hands every statement to a function (tests).
type tracer struct{ f func(string) }

func (t tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	t.f(d.SQL)
	return ctx
}

func (t tracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
