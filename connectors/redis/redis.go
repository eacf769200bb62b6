// Package redis is the connector for Redis (and servers that speak its
// protocol: Valkey, KeyDB), standalone or Redis Cluster.
//
// Containers are key patterns: keys are grouped by replacing their id-like
// segments with * (user:*, session:*, cart:*:items), one container per
// pattern and database, named db<N>/<pattern>. Keys are found while listing
// (SCAN over small databases; over large ones, SCAN walks from seeded
// cursors spread over the hash table, a few RANDOMKEY draws and SCAN MATCH
// for rare patterns) and the keys met are kept, a bounded number per
// pattern, for sampling.
//
// The connector only sends the read commands of an allow-list (see
// allowed); a hook refuses anything else before it reaches the server. It
// never sends KEYS, FLUSH*, CONFIG SET, DEBUG, SAVE, MONITOR, scripts or
// module commands other than JSON.GET.
package redis

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/spf13/pflag"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redact"
)

// Name is the connector's name in the registry.
const Name = "redis"

// EnvAuth is redis-cli's password variable, read when neither the URI nor
// PIISNIFF_PASSWORD gives one.
const EnvAuth = "REDISCLI_AUTH"

// quietLogger drops go-redis's own log lines (pool dial retries): what
// matters reaches the report as errors and notes.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func init() {
	goredis.SetLogger(quietLogger{})
	connectors.Register(connectors.Descriptor{
		Name:    Name,
		Schemes: []string{"redis", "rediss", "unix"},
		Kinds:   []string{"redis"},
		Targets: []connectors.TargetForm{
			{Form: "redis://[user:pass@]host:port[/db]", Description: "a Redis server or cluster node (rediss:// for TLS)"},
			{Form: "unix:///path/redis.sock[?db=N]", Description: "a Redis server on a Unix socket"},
		},
		DefaultPorts: []int{6379, 6380},
		EnvSecrets:   []string{EnvAuth},
		NewOptions:   func() connectors.StoreOptions { return NewOptions() },
		Check:        check,
		Open:         Open,
	})
}

var _ connectors.Connector = (*Connector)(nil)
var _ connectors.SkipLister = (*Connector)(nil)

// Options are the Redis connector's own options.
type Options struct {
	// Cluster reads the target as a Redis Cluster (also detected from
	// INFO cluster).
	Cluster bool
	// KeysPerPattern is the most keys kept per pattern while listing: the
	// largest sample a pattern can have without a second SCAN.
	KeysPerPattern int
	// ScanCount is the COUNT hint of each SCAN.
	ScanCount int
	// MaxPatterns is the most patterns per database; the rest are one
	// "(other keys)" container.
	MaxPatterns int
	// SmallFactor: a database of up to SmallFactor × KeysPerPattern keys is
	// read with one SCAN over every key.
	SmallFactor int
	// FillScanKeys bounds how many keys one SCAN MATCH that fills a rare
	// pattern may walk over.
	FillScanKeys int
	// Seed seeds the reservoirs kept while listing.
	Seed int64
}

// NewOptions returns the defaults.
func NewOptions() *Options {
	return &Options{KeysPerPattern: 10000, ScanCount: 1000, MaxPatterns: 1000, SmallFactor: 3, FillScanKeys: 200_000, Seed: 1}
}

// AddFlags implements connectors.StoreOptions.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.Cluster, "redis-cluster", o.Cluster, "read the Redis target as a cluster (also detected from INFO cluster)")
	fs.IntVar(&o.KeysPerPattern, "redis-keys-per-pattern", o.KeysPerPattern, "Redis keys kept per key pattern while listing (the most a pattern's sample can have)")
	fs.IntVar(&o.ScanCount, "redis-scan-count", o.ScanCount, "COUNT hint of each Redis SCAN")
	fs.IntVar(&o.MaxPatterns, "redis-max-patterns", o.MaxPatterns, "most Redis key patterns per database; the rest are one (other keys) container")
}

// Secrets implements connectors.StoreOptions: these options hold none.
func (o *Options) Secrets() []string { return nil }

// Validate implements connectors.Validator.
func (o *Options) Validate() error {
	if o.KeysPerPattern < 1 || o.ScanCount < 1 || o.MaxPatterns < 1 {
		return errors.New("--redis-keys-per-pattern, --redis-scan-count and --redis-max-patterns must be at least 1")
	}
	return nil
}

func (o *Options) defaults() {
	d := NewOptions()
	if o.KeysPerPattern <= 0 {
		o.KeysPerPattern = d.KeysPerPattern
	}
	if o.ScanCount <= 0 {
		o.ScanCount = d.ScanCount
	}
	if o.MaxPatterns <= 0 {
		o.MaxPatterns = d.MaxPatterns
	}
	if o.SmallFactor <= 0 {
		o.SmallFactor = d.SmallFactor
	}
	if o.FillScanKeys <= 0 {
		o.FillScanKeys = d.FillScanKeys
	}
}

func check(target string, _ connectors.Options) error {
	if _, err := goredis.ParseURL(target); err != nil {
		return fmt.Errorf("invalid Redis URI %s: %s", redact.URI(target), redact.Secrets(err.Error(), redact.URIPassword(target)))
	}
	return nil
}

// Connector scans one Redis server or cluster.
type Connector struct {
	target  string // as typed: never print
	uri     string // redacted
	opts    connectors.Options
	own     Options
	secrets []string
	base    *goredis.Options // parsed target with credentials and TLS
	hasAuth bool
	uriDB   int // database named in the URI, -1 when none
	cluster bool
	record  func(cmd string) // tests: every command sent

	limits replyLimits // bounds of the replies read (see guardConn)

	mu      sync.Mutex
	dbs     map[int]*goredis.Client // one client per database (SELECT by Options.DB)
	cc      *goredis.ClusterClient
	notes   connectors.NoteList
	skipped []connectors.SkippedContainer
	info    map[string]string // INFO server/keyspace fields, once read
	// keyspaceInfo is INFO keyspace as read when opening (the same round
	// trip as PING), used by a listing of a standalone server that starts
	// within keyspaceFresh of it
	keyspaceInfo string
	keyspaceAt   time.Time
	sem          chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// Open connects to a redis://, rediss:// or unix:// target and checks it
// answers PING within opts.ConnectTimeout.
func Open(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
	c, err := open(ctx, target, opts, nil)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func open(ctx context.Context, target string, opts connectors.Options, record func(string)) (*Connector, error) {
	opts = opts.WithDefaults()
	c := &Connector{
		target: target,
		uri:    redact.URI(target),
		opts:   opts,
		own:    *connectors.Own[*Options](opts, Name),
		record: record,
		dbs:    map[int]*goredis.Client{},
		sem:    make(chan struct{}, opts.Concurrency),
		uriDB:  -1,
	}
	c.own.defaults()
	c.limits.bulk.Store(max(opts.MaxDocumentBytes, stringPiece) + 64<<10)
	c.limits.total.Store(pipeBytes + c.limits.bulk.Load())
	c.secrets = connectors.Secrets(target, opts)
	for _, f := range []connectors.Filter{opts.Databases, opts.Containers} {
		if err := f.Validate(); err != nil {
			return nil, err
		}
	}
	base, err := goredis.ParseURL(target)
	if err != nil {
		return nil, c.redactErr(fmt.Errorf("%s: invalid Redis URI: %w", c.uri, err))
	}
	if u, err := url.Parse(target); err == nil && (strings.Trim(u.Path, "/") != "" && u.Scheme != "unix" || u.Query().Has("db")) {
		c.uriDB = base.DB
	}
	if base.Username == "" {
		base.Username = opts.Username
	}
	if base.Password == "" {
		base.Password = opts.Password
	}
	if base.Password == "" {
		base.Password = opts.Getenv(EnvAuth)
		if base.Password != "" {
			c.secrets = append(c.secrets, base.Password)
		}
	}
	c.hasAuth = base.Password != "" || base.Username != ""
	if err := c.applyTLS(base); err != nil {
		return nil, c.redactErr(err)
	}
	base.DialTimeout = opts.ConnectTimeout
	base.ReadTimeout = opts.RequestTimeout
	base.WriteTimeout = opts.RequestTimeout
	base.ContextTimeoutEnabled = true
	base.Protocol = 2           // no HELLO
	base.DisableIdentity = true // no CLIENT SETINFO: the connector sends nothing that changes server state
	base.MaxRetries = 1
	base.PoolSize = opts.Concurrency + 2
	// pipelines on that pool too: go-redis's own pool for pipelines (up to
	// 10 more connections, with 256 KiB of buffers each) would let a scan
	// open more connections than --concurrency says
	base.PipelinePoolSize = -1
	base.ClientName = ""
	c.base = base
	c.cluster = c.own.Cluster

	pctx, cancel := context.WithTimeout(ctx, opts.ConnectTimeout)
	defer cancel()
	if c.cluster {
		if err := c.openCluster(pctx); err != nil {
			return nil, err
		}
		return c, nil
	}
	cl := c.client(0)
	// PING and INFO cluster in one round trip: a server that does not
	// answer PING fails the open whatever INFO says
	var ping *goredis.StatusCmd
	var clusterInfo, keyspaceInfo *goredis.StringCmd
	_, perr := cl.Pipelined(pctx, func(p goredis.Pipeliner) error {
		ping = p.Ping(pctx)
		clusterInfo = p.Info(pctx, "cluster")
		keyspaceInfo = p.Info(pctx, "keyspace")
		return nil
	})
	err = ping.Err()
	if err == nil && perr != nil && clusterInfo.Err() == nil && keyspaceInfo.Err() == nil {
		err = perr // the connection failed before the commands were sent (AUTH)
	}
	if err != nil {
		_ = c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, c.connectError(err)
	}
	if info, err := keyspaceInfo.Result(); err == nil {
		c.keyspaceInfo, c.keyspaceAt = info, time.Now()
	}
	// A cluster node answers for its own slots only: read it as a cluster.
	if info, err := clusterInfo.Result(); err == nil && parseInfo(info)["cluster_enabled"] == "1" {
		c.cluster = true
		c.addNote("the server is a Redis Cluster node (cluster_enabled:1): every master of the cluster is read")
		if err := c.openCluster(pctx); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Connector) openCluster(ctx context.Context) error {
	if c.uriDB > 0 {
		return &ConnectError{Target: c.uri, Reason: "a Redis Cluster has database 0 only; drop the database from the URI"}
	}
	b := c.base
	co := &goredis.ClusterOptions{
		Addrs:                 []string{b.Addr},
		Username:              b.Username,
		Password:              b.Password,
		TLSConfig:             b.TLSConfig,
		DialTimeout:           b.DialTimeout,
		ReadTimeout:           b.ReadTimeout,
		WriteTimeout:          b.WriteTimeout,
		ContextTimeoutEnabled: true,
		Protocol:              2,
		DisableIdentity:       true,
		MaxRetries:            1,
		MaxRedirects:          3,
		PoolSize:              b.PoolSize,
	}
	cc := goredis.NewClusterClient(co)
	cc.AddHook(c.hook())
	// the node clients (SCAN, INFO and RANDOMKEY on each master) too
	cc.OnNewNode(func(n *goredis.Client) { n.AddHook(c.hook()) })
	c.mu.Lock()
	c.cc = cc
	c.mu.Unlock()
	if err := cc.ForEachMaster(ctx, func(ctx context.Context, n *goredis.Client) error { return n.Ping(ctx).Err() }); err != nil {
		// One master down is not fatal: its slots fail when read. No
		// master at all is.
		if _, err2 := cc.ClusterSlots(ctx).Result(); err2 != nil {
			_ = c.Close()
			return c.connectError(err2)
		}
		c.addNote("a cluster master did not answer PING: " + shortErr(c.redactErr(err)))
	}
	return nil
}

// client returns the client of database db (standalone servers).
func (c *Connector) client(db int) *goredis.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.dbs[db]; ok {
		return cl
	}
	o := *c.base
	o.DB = db
	cl := goredis.NewClient(&o)
	cl.AddHook(c.hook())
	c.dbs[db] = cl
	return cl
}

func (c *Connector) applyTLS(o *goredis.Options) error {
	t := c.opts.TLS
	if o.TLSConfig == nil && (t.CAFile != "" || t.CertFile != "" || t.KeyFile != "") && strings.HasPrefix(strings.ToLower(c.target), "redis://") {
		return fmt.Errorf("%s: TLS options given for a redis:// target: use rediss:// for TLS", c.uri)
	}
	if o.TLSConfig == nil {
		return nil
	}
	cfg := o.TLSConfig.Clone()
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return fmt.Errorf("TLS CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("TLS CA file %s: no PEM certificate found", t.CAFile)
		}
		cfg.RootCAs = pool
	}
	if t.CertFile != "" || t.KeyFile != "" {
		key := t.KeyFile
		if key == "" {
			key = t.CertFile
		}
		cert, err := tls.LoadX509KeyPair(t.CertFile, key)
		if err != nil {
			return fmt.Errorf("TLS client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if t.Insecure {
		cfg.InsecureSkipVerify = true
	}
	o.TLSConfig = cfg
	return nil
}

// Kind implements connectors.Connector.
func (c *Connector) Kind() string { return "redis" }

// URI implements connectors.Connector.
func (c *Connector) URI() string { return c.uri }

// Close implements connectors.Connector.
func (c *Connector) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		var errs []error
		for _, cl := range c.dbs {
			errs = append(errs, cl.Close())
		}
		if c.cc != nil {
			errs = append(errs, c.cc.Close())
		}
		c.closeErr = c.redactErr(errors.Join(errs...))
	})
	return c.closeErr
}

// SkippedContainers implements connectors.SkipLister.
func (c *Connector) SkippedContainers() []connectors.SkippedContainer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]connectors.SkippedContainer(nil), c.skipped...)
}

func (c *Connector) addNote(n string) { c.notes.Add(n) }

func (c *Connector) targetNotes() []string { return c.notes.List() }

func (c *Connector) redactErr(err error) error {
	if err == nil {
		return nil
	}
	return redact.Error(err, c.secrets...)
}

// ConnectError is a failure to reach or log into the server.
type ConnectError struct {
	Target string // redacted
	Reason string
	Err    error
}

func (e *ConnectError) Error() string {
	if e.Err == nil {
		return e.Target + ": " + e.Reason
	}
	msg := e.Err.Error()
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	return fmt.Sprintf("%s: %s (%s)", e.Target, e.Reason, msg)
}

func (e *ConnectError) Unwrap() error { return e.Err }

func (c *Connector) connectError(err error) error {
	reason := classify(err)
	out := c.redactErr(&ConnectError{Target: c.uri, Reason: reason, Err: err})
	// A server that answered but cannot be read still has an exposure.
	msg := err.Error()
	for _, prefix := range []string{"NOAUTH", "WRONGPASS", "LOADING", "NOPERM"} {
		if strings.HasPrefix(msg, prefix) {
			ex := connectors.Exposure{Reachable: true, TLS: c.base != nil && c.base.TLSConfig != nil, Notes: []string{reason}}
			if prefix == "NOAUTH" || prefix == "WRONGPASS" {
				ex.Notes = append(ex.Notes, "the server requires authentication: access without credentials is refused")
			}
			return &connectors.UnreadableError{Err: out, Exposure: ex}
		}
	}
	return out
}

// classify names the kind of failure of a command or connection.
func classify(err error) string {
	msg := err.Error()
	lower := strings.ToLower(msg)
	var ne net.Error
	switch {
	case strings.HasPrefix(msg, "NOAUTH"):
		return "authentication required: give a password in the URI (redis://:PASSWORD@host), PIISNIFF_PASSWORD or REDISCLI_AUTH"
	case strings.HasPrefix(msg, "WRONGPASS") || strings.Contains(lower, "invalid password") || strings.Contains(lower, "invalid username-password"):
		return "authentication failed: wrong user name or password"
	case strings.HasPrefix(msg, "LOADING"):
		return "the server is loading its dataset into memory and answers nothing else yet: try again when it has finished"
	case strings.HasPrefix(msg, "MASTERDOWN") || strings.HasPrefix(msg, "CLUSTERDOWN"):
		return "the server reports its master or cluster is down"
	case strings.HasPrefix(msg, "NOPERM"):
		return "the user lacks the permission for a read command: grant +@read +@keyspace +@connection (and +info, +config|get for the exposure check)"
	case strings.Contains(lower, "x509") || strings.Contains(lower, "certificate"):
		return "TLS certificate verification failed: give the server's CA with --tls-ca FILE, or --tls-insecure to skip verification"
	case strings.Contains(lower, "tls") || strings.Contains(lower, "handshake") || strings.Contains(lower, "first record does not look like"):
		return "TLS handshake failed: check whether the server expects TLS (rediss://) or plain connections (redis://)"
	case strings.Contains(lower, "connection refused"):
		return "connection refused: nothing listens on that host and port"
	case strings.Contains(lower, "no such host") || strings.Contains(lower, "lookup "):
		return "DNS lookup failed: the host name does not resolve"
	case strings.Contains(lower, "no such file or directory") && strings.Contains(lower, "unix"):
		return "no Unix socket at that path"
	case strings.Contains(lower, "connection reset") || errors.Is(err, io.EOF) || strings.Contains(lower, "eof"):
		return "the server closed the connection: it may require TLS (rediss://), or it is not a Redis server"
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded), strings.Contains(lower, "timeout"):
		return "the server did not answer within the timeout: the host is unreachable, filtered by a firewall, or the port is wrong"
	case strings.HasPrefix(msg, "ERR unknown command"):
		return "the server does not know a command the scan needs (renamed or disabled)"
	}
	var re goredis.Error
	if errors.As(err, &re) {
		return "the server answered with an error"
	}
	return "cannot connect"
}

// shortErr is an error message on one line, at most 300 bytes.
func shortErr(err error) string {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	return msg
}

// timeout returns ctx bounded by the request timeout.
func (c *Connector) timeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.opts.RequestTimeout)
}
