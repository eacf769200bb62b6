// Package mysql is the connector for MySQL and MariaDB servers.
//
// Every statement it sends is a read: SELECT, SHOW, SET SESSION (the
// session's read-only mode and statement timeout), START TRANSACTION READ
// ONLY, COMMIT and ROLLBACK. Every connection is made read-only and given
// the server's statement timeout (max_statement_time on MariaDB,
// max_execution_time on MySQL) when it opens; each sampling runs on its own
// connection inside a read-only transaction, and every statement carries a
// client deadline too.
package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redact"
)

func init() {
	connectors.Register(connectors.Descriptor{
		Name:    Name,
		Schemes: []string{"mysql", "mariadb"},
		Kinds:   []string{"mysql"},
		Targets: []connectors.TargetForm{{
			Form:        "mysql://[user[:password]@]host[:port][/database] or mariadb://...",
			Description: "a MySQL or MariaDB server (?tls=, ?sslmode=, ?ssl-ca=)",
		}},
		DefaultPorts: []int{3306},
		EnvSecrets:   []string{EnvMySQLPassword},
		Check:        check,
		Open:         Open,
	})
	// The driver logs to stderr on some connection errors: the connector
	// reports them itself, redacted.
	_ = mysql.SetLogger(nopLogger{})
}

type nopLogger struct{}

func (nopLogger) Print(...any) {}

// Name is the connector's name in the registry.
const Name = "mysql"

var _ connectors.Connector = (*Connector)(nil)

func check(target string, _ connectors.Options) error {
	if _, err := parseTarget(target); err != nil {
		return fmt.Errorf("invalid MySQL URI %s: %s", redact.URI(target), redact.Secrets(err.Error(), redact.URIPassword(target)))
	}
	return nil
}

// Connector scans one MySQL or MariaDB server.
type Connector struct {
	uri     string // redacted
	t       target
	opts    connectors.Options
	user    string
	pass    string
	secrets []string
	db      *sql.DB
	sem     chan struct{}

	version string // SELECT VERSION()
	mariadb bool

	// logStmt, when set, receives every statement the connector sends
	// (tests check it against the read-only allow-list).
	logStmt func(string)

	// committing counts the sessions whose COMMIT is still under way
	// (withSession): Close waits for them. closing (under mu) is set
	// first: a session that ends after it commits before it returns.
	committing sync.WaitGroup
	closing    bool

	mu        sync.Mutex
	skipped   []connectors.SkippedContainer
	closeOnce sync.Once
	closeErr  error
}

// Open connects to a mysql:// or mariadb:// target and checks the login
// within opts.ConnectTimeout.
func Open(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
	c, err := open(ctx, target, opts, nil)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func open(ctx context.Context, raw string, opts connectors.Options, logStmt func(string)) (*Connector, error) {
	opts = opts.WithDefaults()
	c := &Connector{uri: redact.URI(raw), opts: opts, logStmt: logStmt, sem: make(chan struct{}, opts.Concurrency)}
	c.secrets = append(connectors.Secrets(raw, opts), opts.Getenv(EnvMySQLPassword))
	for _, f := range []connectors.Filter{opts.Databases, opts.Containers} {
		if err := f.Validate(); err != nil {
			return nil, err
		}
	}
	t, err := parseTarget(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid MySQL URI %s: %s", c.uri, redact.Secrets(err.Error(), c.secrets...))
	}
	c.t = t
	c.user = firstNonEmpty(t.User, opts.Username, "root")
	switch {
	case t.hasPassword:
		c.pass = t.Password
	case opts.Password != "":
		c.pass = opts.Password
	default:
		c.pass = opts.Getenv(EnvMySQLPassword)
	}
	db, err := c.openDB(c.user, c.pass)
	if err != nil {
		return nil, err
	}
	c.db = db
	cctx, cancel := context.WithTimeout(ctx, opts.ConnectTimeout)
	defer cancel()
	// the first connection learns the server's version (setUp)
	if err := db.PingContext(cctx); err != nil {
		_ = db.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, c.connectError(err)
	}
	return c, nil
}

// sessionConnector opens the connections of a pool and sets each one up
// once (Connector.setUp), so that a sampling starts its read-only
// transaction at once instead of with two more round trips.
type sessionConnector struct {
	driver.Connector
	c *Connector
}

func (s *sessionConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := s.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.c.setUp(ctx, conn); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return conn, nil
}

// setUp makes a new connection's session read-only (SET SESSION
// TRANSACTION READ ONLY) and gives it the server's statement timeout:
// both hold for every transaction the connection runs. The first
// connection also reads the server's version, which says how the timeout
// is set.
func (c *Connector) setUp(ctx context.Context, conn driver.Conn) error {
	q, okq := conn.(driver.QueryerContext)
	e, oke := conn.(driver.ExecerContext)
	if !okq || !oke {
		return fmt.Errorf("the MySQL driver's connection (%T) cannot run a statement", conn)
	}
	c.mu.Lock()
	known := c.version != ""
	c.mu.Unlock()
	if !known {
		c.log("SELECT VERSION()")
		rows, err := q.QueryContext(ctx, "SELECT VERSION()", nil)
		if err != nil {
			return err
		}
		vals := make([]driver.Value, 1)
		err = rows.Next(vals)
		_ = rows.Close()
		if err != nil {
			return fmt.Errorf("reading the server's version: %w", err)
		}
		version := fmt.Sprint(vals[0])
		if b, ok := vals[0].([]byte); ok {
			version = string(b)
		}
		c.mu.Lock()
		if c.version == "" {
			c.version, c.mariadb = version, strings.Contains(strings.ToLower(version), "mariadb")
		}
		c.mu.Unlock()
	}
	for _, stmt := range []string{"SET SESSION TRANSACTION READ ONLY", c.timeoutStatement()} {
		c.log(stmt)
		if _, err := e.ExecContext(ctx, stmt, nil); err != nil {
			return err
		}
	}
	return nil
}

// openDB opens a pool for user and password.
func (c *Connector) openDB(user, password string) (*sql.DB, error) {
	cfg, err := c.t.config(c.opts, user, password)
	if err != nil {
		return nil, redact.Error(err, c.secrets...)
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, c.connectError(err)
	}
	db := sql.OpenDB(&sessionConnector{Connector: conn, c: c})
	db.SetMaxOpenConns(c.opts.Concurrency + 2)
	db.SetMaxIdleConns(c.opts.Concurrency + 2)
	db.SetConnMaxIdleTime(time.Minute)
	return db, nil
}

// Kind implements connectors.Connector.
func (c *Connector) Kind() string { return "mysql" }

// URI implements connectors.Connector.
func (c *Connector) URI() string { return c.uri }

// Close implements connectors.Connector.
func (c *Connector) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closing = true
		c.mu.Unlock()
		c.committing.Wait()
		if c.db != nil {
			c.closeErr = c.redactErr(c.db.Close())
		}
	})
	return c.closeErr
}

// SkippedContainers implements connectors.SkipLister.
func (c *Connector) SkippedContainers() []connectors.SkippedContainer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]connectors.SkippedContainer(nil), c.skipped...)
}

func (c *Connector) log(stmt string) {
	if c.logStmt != nil {
		c.logStmt(stmt)
	}
}

func (c *Connector) redactErr(err error) error {
	if err == nil {
		return nil
	}
	return redact.Error(err, c.secrets...)
}

// timeoutStatement is the statement that sets the server's own timeout
// of each following statement of the session.
func (c *Connector) timeoutStatement() string {
	if c.mariadb {
		return fmt.Sprintf("SET SESSION max_statement_time = %.3f", c.opts.RequestTimeout.Seconds())
	}
	return fmt.Sprintf("SET SESSION max_execution_time = %d", c.opts.RequestTimeout.Milliseconds())
}

// session is one connection inside a read-only transaction.
type session struct {
	c    *Connector
	conn *sql.Conn
}

// withSession runs fn on a connection of the pool (read-only, with the
// statement timeout: setUp) inside START TRANSACTION READ ONLY. The
// transaction is committed (nothing to commit: it releases the
// snapshot) or rolled back on error. The COMMIT is sent once fn has
// returned but not waited for: what fn read is complete, and the
// connection goes back to the pool when the server has answered (Close
// waits for it); a ROLLBACK is waited for.
func (c *Connector) withSession(ctx context.Context, fn func(s *session) error) (err error) {
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return err
	}
	s := &session{c: c, conn: conn}
	end := func(stmt string, failed bool) {
		if e := s.exec(context.WithoutCancel(ctx), stmt); e != nil || failed {
			// A connection in an unknown state is not given back to the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		_ = conn.Close()
	}
	defer func() {
		if err != nil {
			end("ROLLBACK", true)
			return
		}
		c.mu.Lock()
		closing := c.closing
		if !closing {
			c.committing.Add(1)
		}
		c.mu.Unlock()
		if closing {
			end("COMMIT", false)
			return
		}
		go func() {
			defer c.committing.Done()
			end("COMMIT", false)
		}()
	}()
	// the session is read-only and has its statement timeout (setUp)
	if err := s.exec(ctx, "START TRANSACTION READ ONLY"); err != nil {
		return err
	}
	return fn(s)
}

func (s *session) exec(ctx context.Context, stmt string) error {
	s.c.log(stmt)
	ctx, cancel := context.WithTimeout(ctx, s.c.opts.RequestTimeout)
	defer cancel()
	_, err := s.conn.ExecContext(ctx, stmt)
	return err
}

// query runs one SELECT or SHOW; the caller closes the rows and then calls
// the returned cancel. The client deadline is the request timeout plus a
// grace period, so that the server's own timeout (a clear error) fires
// first.
func (s *session) query(ctx context.Context, stmt string, args ...any) (*sql.Rows, context.CancelFunc, error) {
	s.c.log(stmt)
	ctx, cancel := context.WithTimeout(ctx, s.c.opts.RequestTimeout+5*time.Second)
	rows, err := s.conn.QueryContext(ctx, stmt, args...)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return rows, cancel, nil
}

// eachRow runs stmt and calls fn for each row, read into r (valid until
// fn returns). A statement without arguments (the connector writes
// integer keys into its statements) is read through the driver itself
// (driver.Rows.Next on the session's connection), which spares
// database/sql's locking and conversion of every row; the others go
// through database/sql. The deadline and the checks of ctx are each's.
func (s *session) eachRow(ctx context.Context, r *rowReader, fn func() error, stmt string, args ...any) error {
	if len(args) > 0 {
		return s.each(ctx, func(rows *sql.Rows) error {
			if err := r.scan(rows); err != nil {
				return err
			}
			return fn()
		}, stmt, args...)
	}
	s.c.log(stmt)
	qctx, cancel := context.WithTimeout(ctx, s.c.opts.RequestTimeout+5*time.Second)
	defer cancel()
	err := s.conn.Raw(func(dc any) error {
		q, ok := dc.(driver.QueryerContext)
		if !ok {
			return fmt.Errorf("the MySQL driver's connection (%T) cannot run a query", dc)
		}
		rows, err := q.QueryContext(qctx, stmt, nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		vals := make([]driver.Value, len(r.vals))
		for n := 1; ; n++ {
			if err := rows.Next(vals); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
			if n&255 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if err := r.set(vals); err != nil {
				return err
			}
			if err := fn(); err != nil {
				return err
			}
		}
	})
	if cerr := ctx.Err(); cerr != nil && err != nil {
		return cerr // the driver's error of a cancelled query is the cancellation
	}
	return err
}

// ConnectError is a failure to reach or log into the server.
type ConnectError struct {
	Target string // redacted
	Reason string
	Err    error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("%s: %s (%s)", e.Target, e.Reason, e.Err)
}

func (e *ConnectError) Unwrap() error { return e.Err }

func (c *Connector) connectError(err error) error {
	reason := classify(err, c.t)
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == erAccessDenied && c.t.tlsMode(c.opts.TLS) == tlsOff {
		// MariaDB refuses an unencrypted connection under
		// require_secure_transport=ON with "Access denied" too
		reason += "; or the server accepts only TLS connections (require_secure_transport=ON), and this connection was not encrypted: connect with ?tls=verify-full (and --tls-ca FILE or ssl-ca=FILE)"
	}
	return c.redactErr(&ConnectError{Target: c.uri, Reason: reason, Err: err})
}

// MySQL server error numbers the connector names.
const (
	erAccessDenied       = 1045
	erDBAccessDenied     = 1044
	erBadDB              = 1049
	erTableAccessDenied  = 1142
	erColumnAccessDenied = 1143
	erNoSuchTable        = 1146
	erQueryInterrupted   = 1317
	erStatementTimeout   = 1969 // MariaDB: max_statement_time exceeded
	erQueryTimeout       = 3024 // MySQL: max_execution_time exceeded
	erServerGone         = 2006
	erServerLost         = 2013
)

// classify names the kind of connection failure.
func classify(err error, t target) string {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case erAccessDenied:
			return "authentication failed: check the user name and password"
		case erDBAccessDenied:
			return "permission denied on the database named in the URI"
		case erBadDB:
			return fmt.Sprintf("unknown database %q", t.Database)
		}
	}
	var dnsErr *net.DNSError
	lower := strings.ToLower(err.Error())
	switch {
	case errors.As(err, &dnsErr) || strings.Contains(lower, "no such host"):
		return "DNS lookup failed: the host name does not resolve"
	case strings.Contains(lower, "insecure transport"): // MySQL's error 3159
		return "the server accepts only TLS connections (require_secure_transport=ON): connect with ?tls=verify-full (and --tls-ca FILE or ssl-ca=FILE)"
	case strings.Contains(lower, "x509") || strings.Contains(lower, "certificate"):
		return "TLS certificate verification failed: give the server's CA with --tls-ca FILE (or ssl-ca= in the URI), or --tls-insecure to skip verification"
	case strings.Contains(lower, "tls requested but server does not support"):
		return "TLS was asked for but the server does not support it: drop tls= from the URI, or enable TLS on the server"
	case strings.Contains(lower, "tls") || strings.Contains(lower, "handshake"):
		return "TLS handshake failed: check whether the server expects TLS and its certificate settings"
	case strings.Contains(lower, "connection refused"):
		return "connection refused: nothing listens on that host and port"
	case strings.Contains(lower, "deadline") || strings.Contains(lower, "timeout") || strings.Contains(lower, "i/o timeout"):
		return "the server did not answer within the connect timeout: the host is unreachable, filtered by a firewall, or the port is wrong"
	case errors.Is(err, mysql.ErrInvalidConn) || strings.Contains(lower, "eof") || strings.Contains(lower, "connection reset"):
		return "the server closed the connection: it may not be a MySQL server, or it requires TLS"
	}
	return "cannot connect"
}

// containerError describes a failure reading one table, without
// credentials.
func (c *Connector) containerError(ctx context.Context, name string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return ctx.Err()
	}
	reason := ""
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case erTableAccessDenied, erColumnAccessDenied, erDBAccessDenied:
			reason = "permission denied: the user may not SELECT from this table"
		case erNoSuchTable:
			reason = "the table no longer exists (dropped after it was listed)"
		case erStatementTimeout, erQueryTimeout, erQueryInterrupted:
			reason = fmt.Sprintf("statement timeout: the query ran longer than %s (raise --request-timeout)", c.opts.RequestTimeout)
		}
	}
	if reason == "" {
		lower := strings.ToLower(err.Error())
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			reason = fmt.Sprintf("statement timeout: no answer within %s (raise --request-timeout)", c.opts.RequestTimeout)
		case errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, sqlDriverErrBadConn) || strings.Contains(lower, "broken pipe") ||
			strings.Contains(lower, "connection reset") || strings.Contains(lower, "eof") || strings.Contains(lower, "connection refused"):
			reason = "the server closed the connection during the read"
		default:
			reason = "read failed"
		}
	}
	return c.redactErr(&ContainerError{Container: name, Reason: reason, Err: err})
}

// ContainerError is a failure reading one table.
type ContainerError struct {
	Container string
	Reason    string
	Err       error
}

func (e *ContainerError) Error() string {
	return fmt.Sprintf("%s: %s (%s)", e.Container, e.Reason, e.Err)
}

func (e *ContainerError) Unwrap() error { return e.Err }
