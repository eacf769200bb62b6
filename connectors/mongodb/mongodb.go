// Package mongodb is the connector for MongoDB and servers that speak its wire
// protocol (FerretDB, Amazon DocumentDB, Azure Cosmos DB for MongoDB).
//
// It only ever issues read commands: hello/ping, buildInfo, listDatabases,
// listCollections, listIndexes, count, find, aggregate (with a $sample or
// $collStats stage only), getMore and killCursors, plus the authentication
// handshake.
package mongodb

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/spf13/pflag"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redact"
)

func init() {
	connectors.Register(connectors.Descriptor{
		Name:    Name,
		Schemes: []string{"mongodb", "mongodb+srv"},
		Kinds:   []string{"mongodb"},
		Targets: []connectors.TargetForm{{
			Form:        "mongodb://... or mongodb+srv://...",
			Description: "a MongoDB server (every driver URI option)",
		}},
		DefaultPorts: []int{27017, 27018, 27019},
		NewOptions:   func() connectors.StoreOptions { return &Options{} },
		Check:        check,
		Open:         Open,
	})
}

// Name is the connector's name in the registry.
const Name = "mongodb"

var _ connectors.Connector = (*Connector)(nil)

// Options are the MongoDB connector's own options.
type Options struct {
	// Collections filters collection names (without the database part).
	Collections connectors.Filter
}

// AddFlags implements connectors.StoreOptions.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.Var(connectors.FilterFlag{F: &o.Collections}, "collections", "MongoDB collection globs; prefix ! to exclude")
}

// Secrets implements connectors.StoreOptions: these options hold none.
func (o *Options) Secrets() []string { return nil }

// check is the descriptor's Check: a mongodb:// URI must parse (a
// mongodb+srv:// one needs a DNS lookup to parse, which Open does).
func check(target string, _ connectors.Options) error {
	if connectors.Scheme(target) != "mongodb" {
		return nil
	}
	if _, err := connstring.Parse(target); err != nil {
		return fmt.Errorf("invalid MongoDB URI %s: %s", redact.URI(target), redact.Secrets(err.Error(), redact.URIPassword(target)))
	}
	return nil
}

// Connector scans one MongoDB deployment.
type Connector struct {
	target     string // as typed, may hold credentials: never print
	uri        string // redacted
	opts       connectors.Options
	own        *Options
	secrets    []string
	uriDB      string // database named in the URI path, if any
	hasAuth    bool   // credentials in the URI or the options
	tls        bool   // connections use TLS
	authSource string // from the URI, for credentials given in the options

	clientOpts *options.ClientOptions
	monitor    *event.CommandMonitor
	client     *mongo.Client
	sem        chan struct{}

	noSample atomic.Bool // the server refused $sample once: do not ask again
	// fallback, when set, is the method used without $sample
	// (MethodIDRanges or MethodScan) instead of the server's best; tests
	// set it to run the _id ranges on FerretDB.
	fallback string
	ranges   int // the most _id ranges a sample is read from; 0: maxRanges

	mu    sync.Mutex
	notes connectors.NoteList // target-level facts found while listing
	info  *buildInfo          // the server's buildInfo, once known
	// anonDBs is what listDatabases answered the anonymous check when the
	// target has no credentials: what Containers would ask again (on
	// FerretDB a listDatabases costs some 700 ms per 200,000 documents).
	anonDBs   []string
	closeOnce sync.Once
	closeErr  error
}

// Open connects to a mongodb:// or mongodb+srv:// target. The connection is
// verified with a ping within opts.ConnectTimeout.
func Open(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
	c, err := open(ctx, target, opts, nil)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// open is Open with an optional command monitor (tests use it to prove the
// connector only reads).
func open(ctx context.Context, target string, opts connectors.Options, monitor *event.CommandMonitor) (*Connector, error) {
	opts = opts.WithDefaults()
	c := &Connector{
		target:  target,
		uri:     redact.URI(target),
		opts:    opts,
		own:     connectors.Own[*Options](opts, Name),
		monitor: monitor,
		sem:     make(chan struct{}, opts.Concurrency),
	}
	c.secrets = connectors.Secrets(target, opts)
	for _, f := range []connectors.Filter{opts.Databases, c.own.Collections, opts.Containers} {
		if err := f.Validate(); err != nil {
			return nil, err
		}
	}
	cs, err := connstring.ParseAndValidate(target)
	if err != nil {
		return nil, c.connectError(fmt.Errorf("invalid MongoDB URI: %w", err))
	}
	c.uriDB = cs.Database
	c.hasAuth = cs.HasAuthParameters() || opts.Username != ""
	c.authSource = cs.AuthSource
	co, err := c.buildClientOptions(true)
	if err != nil {
		return nil, err
	}
	c.clientOpts = co
	c.tls = co.TLSConfig != nil
	client, err := mongo.Connect(co)
	if err != nil {
		return nil, c.connectError(err)
	}
	c.client = client
	pctx, cancel := context.WithTimeout(ctx, opts.ConnectTimeout)
	defer cancel()
	if err := client.Ping(pctx, readpref.PrimaryPreferred()); err != nil {
		_ = client.Disconnect(context.Background())
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, c.connectError(err)
	}
	return c, nil
}

// buildClientOptions turns the target and options into driver options.
// With auth false, credentials are left out (for the anonymous check).
func (c *Connector) buildClientOptions(auth bool) (*options.ClientOptions, error) {
	co := options.Client().ApplyURI(c.target)
	if err := co.Validate(); err != nil {
		return nil, c.connectError(fmt.Errorf("invalid MongoDB URI: %w", err))
	}
	if c.opts.Username != "" && co.Auth == nil {
		co.SetAuth(options.Credential{Username: c.opts.Username, Password: c.opts.Password, AuthSource: c.authSource})
	}
	if !auth {
		co.Auth = nil
	}
	t := c.opts.TLS
	if t.CAFile != "" || t.CertFile != "" || t.KeyFile != "" || t.Insecure {
		cfg := co.TLSConfig
		if cfg == nil {
			cfg = &tls.Config{MinVersion: tls.VersionTLS12}
		} else {
			cfg = cfg.Clone()
		}
		if t.CAFile != "" {
			pem, err := os.ReadFile(t.CAFile)
			if err != nil {
				return nil, fmt.Errorf("TLS CA file: %w", err)
			}
			pool := cfg.RootCAs
			if pool == nil {
				if pool, err = x509.SystemCertPool(); err != nil || pool == nil {
					pool = x509.NewCertPool()
				}
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("TLS CA file %s: no PEM certificate found", t.CAFile)
			}
			cfg.RootCAs = pool
		}
		if t.CertFile != "" || t.KeyFile != "" {
			key := t.KeyFile
			if key == "" {
				key = t.CertFile // one PEM with both, as MongoDB's tlsCertificateKeyFile
			}
			cert, err := tls.LoadX509KeyPair(t.CertFile, key)
			if err != nil {
				return nil, fmt.Errorf("TLS client certificate: %w", err)
			}
			cfg.Certificates = []tls.Certificate{cert}
		}
		if t.Insecure {
			cfg.InsecureSkipVerify = true
		}
		co.SetTLSConfig(cfg)
	}
	co.SetConnectTimeout(c.opts.ConnectTimeout)
	co.SetServerSelectionTimeout(c.opts.ConnectTimeout)
	// One connection per concurrent sampling, one for listing, one spare.
	co.SetMaxPoolSize(uint64(c.opts.Concurrency + 2))
	if co.AppName == nil {
		co.SetAppName("piisniff")
	}
	if c.monitor != nil {
		co.SetMonitor(c.monitor)
	}
	return co, nil
}

// Kind implements connectors.Connector.
func (c *Connector) Kind() string { return "mongodb" }

// URI implements connectors.Connector.
func (c *Connector) URI() string { return c.uri }

// Close implements connectors.Connector.
func (c *Connector) Close() error {
	c.closeOnce.Do(func() {
		if c.client != nil {
			ctx, cancel := context.WithTimeout(context.Background(), c.opts.ConnectTimeout)
			defer cancel()
			c.closeErr = c.redactErr(c.client.Disconnect(ctx))
		}
	})
	return c.closeErr
}

func (c *Connector) addNote(n string) { c.notes.Add(n) }

func (c *Connector) targetNotes() []string { return c.notes.List() }

func (c *Connector) redactErr(err error) error {
	if err == nil {
		return nil
	}
	return redact.Error(err, c.secrets...)
}

// connectError turns a driver error met while connecting into a message a
// person can act on, without credentials.
func (c *Connector) connectError(err error) error {
	reason := classify(err)
	if c.tls && strings.HasPrefix(reason, "the server closed the connection") {
		reason = "TLS handshake failed: the server closed the connection; it may not speak TLS (drop tls=true), or it requires a client certificate"
	}
	out := c.redactErr(&ConnectError{Target: c.uri, Reason: reason, Err: err})
	if release, ok := tooOldRelease(err); ok {
		return &connectors.UnreadableError{Err: out, Exposure: c.oldServerExposure(release)}
	}
	return out
}

// ConnectError is a failure to reach or log into the server.
type ConnectError struct {
	Target string // redacted
	Reason string
	Err    error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("%s: %s (%s)", e.Target, e.Reason, briefDriverError(e.Err))
}

func (e *ConnectError) Unwrap() error { return e.Err }

// classify names the kind of connection failure.
func classify(err error) string {
	msg := err.Error()
	lower := strings.ToLower(msg)
	if reason := tooOld(err); reason != "" {
		return reason
	}
	switch {
	case strings.Contains(lower, "invalid mongodb uri") || strings.Contains(lower, "error parsing uri"):
		if strings.Contains(lower, "lookup") || strings.Contains(lower, "srv") && strings.Contains(lower, "no such host") {
			return "DNS lookup failed: check the host name of the mongodb+srv:// URI"
		}
		return "the URI is not a valid MongoDB connection string"
	case strings.Contains(lower, "no such host") || strings.Contains(lower, "server misbehaving") || strings.Contains(lower, "lookup "):
		return "DNS lookup failed: the host name does not resolve"
	case isAuthError(err):
		return "authentication failed: check the user name, password, authSource and authMechanism"
	case strings.Contains(lower, "x509") || strings.Contains(lower, "certificate"):
		return "TLS certificate verification failed: give the server's CA with --tls-ca FILE (or tlsCAFile in the URI), or --tls-insecure to skip verification"
	case strings.Contains(lower, "tls") || strings.Contains(lower, "handshake") || strings.Contains(lower, "first record does not look like"):
		return "TLS handshake failed: check whether the server expects TLS (tls=true in the URI) and its certificate settings"
	case strings.Contains(lower, "connection refused"):
		return "connection refused: nothing listens on that host and port"
	case strings.Contains(lower, "connection reset") || strings.Contains(lower, "eof"):
		return "the server closed the connection: it may require TLS, or it is not a MongoDB server"
	case strings.Contains(lower, "incomplete read of message header"):
		// a TLS server reading a plain hello as a handshake may keep the
		// connection open until the timeout instead of closing it
		return "the server accepted the connection but did not answer as MongoDB: it may require TLS (tls=true), or it is not a MongoDB server"
	case strings.Contains(lower, "deadline") || strings.Contains(lower, "timeout") || strings.Contains(lower, "timed out") ||
		strings.Contains(lower, "server selection"):
		return "the server did not answer within the connect timeout: the host is unreachable, filtered by a firewall, or the port is wrong"
	}
	return "cannot connect"
}

func isAuthError(err error) bool {
	var ce mongo.CommandError
	if errors.As(err, &ce) && (ce.Code == 18 || ce.Code == 13 || ce.Name == "AuthenticationFailed") {
		return true
	}
	lower := strings.ToLower(err.Error())
	return strings.Contains(lower, "auth error") || strings.Contains(lower, "authentication failed") ||
		strings.Contains(lower, "unable to authenticate") || strings.Contains(lower, "authenticationfailed") ||
		strings.Contains(lower, "unsupported authentication mechanism")
}

// briefDriverError shortens the driver's message: server selection errors
// repeat the topology description, of which the last error is what matters.
func briefDriverError(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "Last error: "); i >= 0 {
		last := msg[i+len("Last error: "):]
		if j := strings.Index(last, " }"); j >= 0 {
			last = last[:j]
		}
		return strings.TrimSpace(last)
	}
	if len(msg) > 500 {
		msg = msg[:500] + "..."
	}
	return msg
}
