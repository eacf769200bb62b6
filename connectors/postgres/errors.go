package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/piisniff/piisniff/internal/redact"
)

// SQLSTATE codes the connector tells apart.
const (
	codeInvalidPassword  = "28P01"
	codeInvalidAuth      = "28000"
	codeUnknownDatabase  = "3D000"
	codeInsufficientPriv = "42501"
	codeQueryCanceled    = "57014"
	codeUndefinedTable   = "42P01"
	codeAdminShutdown    = "57P01"
	codeTooManyConns     = "53300"
	codeNotPopulated     = "55000"
)

// ConnectError is a failure to reach or log into the server.
type ConnectError struct {
	Target string // redacted
	Reason string
	Err    error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("%s: %s (%s)", e.Target, e.Reason, brief(e.Err))
}

func (e *ConnectError) Unwrap() error { return e.Err }

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func isUnknownDatabase(err error) bool { return pgCode(err) == codeUnknownDatabase }

func isAuthError(err error) bool {
	c := pgCode(err)
	return c == codeInvalidPassword || c == codeInvalidAuth ||
		strings.Contains(err.Error(), "password authentication failed") ||
		strings.Contains(err.Error(), "no password supplied") ||
		strings.Contains(err.Error(), "server requested") && strings.Contains(err.Error(), "password")
}

// connectError turns a driver error met while connecting into a message a
// person can act on, without credentials.
func (c *Connector) connectError(err error) error {
	return redact.Error(&ConnectError{Target: c.uri, Reason: classify(err), Err: err}, c.secrets...)
}

// classify names the kind of connection failure.
func classify(err error) string {
	lower := strings.ToLower(err.Error())
	var dns *net.DNSError
	switch code := pgCode(err); {
	case code == codeInvalidPassword || strings.Contains(lower, "password authentication failed"):
		return "authentication failed: check the user name and password (URI, --password, PIISNIFF_PASSWORD, PGPASSWORD or the password file)"
	case code == codeInvalidAuth && strings.Contains(lower, "no encryption"):
		return "the server accepts connections from this host only over TLS (pg_hba.conf hostssl): connect with sslmode=verify-full (and --tls-ca FILE or sslrootcert=FILE), not sslmode=disable"
	case code == codeInvalidAuth:
		return "the server refused the connection for this user, host and database (pg_hba.conf) or the user does not exist"
	case strings.Contains(lower, "no password supplied") || strings.Contains(lower, "server requested") && strings.Contains(lower, "password"):
		return "the server requires a password: give it in the URI, with --password, PIISNIFF_PASSWORD or PGPASSWORD"
	case code == codeUnknownDatabase:
		return "the database does not exist: check the database name of the URI"
	case code == codeTooManyConns:
		return "the server has no free connection slot (too many clients)"
	case code == codeAdminShutdown:
		return "the server is shutting down"
	case errors.As(err, &dns) || strings.Contains(lower, "no such host") || strings.Contains(lower, "server misbehaving"):
		return "DNS lookup failed: the host name does not resolve"
	case strings.Contains(lower, "x509") || strings.Contains(lower, "certificate"):
		return "TLS certificate verification failed: give the server's CA with --tls-ca FILE (or sslrootcert=FILE in the URI), or sslmode=require to skip verification"
	case strings.Contains(lower, "server refused tls") || strings.Contains(lower, "ssl is not enabled"):
		return "the server does not offer TLS, which the URI's sslmode requires"
	case strings.Contains(lower, "tls") || strings.Contains(lower, "handshake"):
		return "TLS handshake failed: check sslmode and the certificate settings"
	case strings.Contains(lower, "connection refused"):
		return "connection refused: nothing listens on that host and port"
	case strings.Contains(lower, "connection reset") || strings.Contains(lower, "eof"):
		return "the server closed the connection: it may not be a PostgreSQL server"
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(lower, "timeout") || strings.Contains(lower, "i/o timeout"):
		return "the server did not answer within the connect timeout: the host is unreachable, filtered by a firewall, or the port is wrong"
	}
	return "cannot connect"
}

// brief shortens the driver's message to its last useful part.
func brief(err error) string {
	msg := err.Error()
	if len(msg) > 400 {
		msg = msg[:400] + "..."
	}
	return msg
}

// containerError turns the failure of a query on one container into a
// message a person can act on.
func (c *Connector) containerError(name string, err error) error {
	if err == nil {
		return nil
	}
	var reason string
	switch code := pgCode(err); {
	case code == codeInsufficientPriv:
		reason = "permission denied: the scanning user may not read this table (GRANT SELECT to scan it)"
	case code == codeUndefinedTable:
		reason = "the table no longer exists: it was dropped or renamed after it was listed"
	case code == codeQueryCanceled:
		reason = fmt.Sprintf("statement timeout: the query ran longer than %s (--request-timeout)", c.opts.RequestTimeout)
	case code == codeNotPopulated:
		reason = "the materialized view has not been populated (REFRESH MATERIALIZED VIEW)"
	case code == codeAdminShutdown || isLost(err):
		reason = "the connection to the server was lost (it stopped, or the network failed); the rows read before still count"
	default:
		reason = "query failed"
	}
	return redact.Error(fmt.Errorf("%s: %s: %w", name, reason, err), c.secrets...)
}

func isLost(err error) bool {
	if pgconn.SafeToRetry(err) {
		return true
	}
	lower := strings.ToLower(err.Error())
	return strings.Contains(lower, "unexpected eof") || strings.Contains(lower, "connection reset") ||
		strings.Contains(lower, "broken pipe") || strings.Contains(lower, "conn closed") ||
		strings.Contains(lower, "connection refused") || strings.Contains(lower, "closed pool") ||
		strings.Contains(lower, "failed to connect")
}
