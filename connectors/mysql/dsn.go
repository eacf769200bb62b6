package mysql

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redact"
)

// EnvMySQLPassword is the MySQL clients' own password variable, read when
// neither the URI nor PIISNIFF_PASSWORD gives a password.
const EnvMySQLPassword = "MYSQL_PWD"

// TLS modes, from the tls=, sslmode= or ssl-mode= parameter of the URI.
const (
	tlsOff        = "disable"     // plain TCP
	tlsPreferred  = "preferred"   // TLS when the server offers it, unverified
	tlsRequire    = "require"     // TLS, certificate not verified
	tlsVerifyCA   = "verify-ca"   // TLS, chain verified, host name not
	tlsVerifyFull = "verify-full" // TLS, chain and host name verified
)

// target is a parsed mysql:// or mariadb:// URI.
type target struct {
	User, Password string
	hasPassword    bool // the URI or the options carry a password
	Host           string
	Port           int
	Socket         string // unix socket path (socket= parameter)
	Database       string
	TLSMode        string // "" when the URI says nothing
	CAFile         string
	CertFile       string
	KeyFile        string
}

// tlsModes maps every accepted spelling to a mode.
var tlsModes = map[string]string{
	"false": tlsOff, "disable": tlsOff, "disabled": tlsOff, "0": tlsOff,
	"preferred": tlsPreferred, "prefer": tlsPreferred, "allow": tlsPreferred,
	"require": tlsRequire, "required": tlsRequire, "skip-verify": tlsRequire,
	"verify-ca": tlsVerifyCA, "verify_ca": tlsVerifyCA,
	"true": tlsVerifyFull, "1": tlsVerifyFull, "verify-full": tlsVerifyFull, "verify_identity": tlsVerifyFull, "verify-identity": tlsVerifyFull,
}

// parseTarget reads a mysql:// or mariadb:// URI:
//
//	mysql://[user[:password]@]host[:port][/database][?param=value&...]
//
// Parameters: tls, sslmode or ssl-mode (disable, preferred, require,
// verify-ca, verify-full; tls=true|false|skip-verify|preferred as the Go
// driver spells them; VERIFY_IDENTITY as the MySQL client does), ssl-ca or
// sslrootcert, ssl-cert or sslcert, ssl-key or sslkey, socket. Errors never
// hold the password.
func parseTarget(raw string) (target, error) {
	var t target
	scheme := connectors.Scheme(raw)
	if scheme != "mysql" && scheme != "mariadb" {
		return t, fmt.Errorf("not a mysql:// or mariadb:// URI")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url's errors quote the URI: say what is wrong without it.
		return t, fmt.Errorf("the URI does not parse (%s)", urlReason(err))
	}
	if u.Opaque != "" {
		return t, fmt.Errorf("the URI needs // after %s:", scheme)
	}
	if u.User != nil {
		t.User = u.User.Username()
		t.Password, t.hasPassword = u.User.Password()
	}
	t.Host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return t, fmt.Errorf("port %q is not a TCP port", p)
		}
		t.Port = n
	} else if strings.HasSuffix(u.Host, ":") {
		return t, fmt.Errorf("empty port after the host")
	}
	db := strings.TrimPrefix(u.Path, "/")
	if strings.Contains(db, "/") {
		return t, fmt.Errorf("the path names a database; %q has more than one part", db)
	}
	t.Database = db
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return t, fmt.Errorf("the query string does not parse (%s)", urlReason(err))
	}
	for k, vs := range q {
		v := vs[len(vs)-1]
		switch strings.ToLower(k) {
		case "tls", "sslmode", "ssl-mode", "ssl_mode":
			m, ok := tlsModes[strings.ToLower(v)]
			if !ok {
				return t, fmt.Errorf("%s=%s: unknown TLS mode (disable, preferred, require, verify-ca, verify-full)", k, v)
			}
			t.TLSMode = m
		case "ssl-ca", "sslca", "sslrootcert", "tls-ca":
			t.CAFile = v
		case "ssl-cert", "sslcert", "tls-cert":
			t.CertFile = v
		case "ssl-key", "sslkey", "tls-key":
			t.KeyFile = v
		case "socket":
			t.Socket = v
		default:
			return t, fmt.Errorf("unknown URI parameter %q (known: tls, sslmode, ssl-ca, ssl-cert, ssl-key, socket)", k)
		}
	}
	if t.Host == "" && t.Socket == "" {
		t.Host = "127.0.0.1"
	}
	if t.Port == 0 {
		t.Port = 3306
	}
	return t, nil
}

// urlReason is a url error without the URL it quotes.
func urlReason(err error) string {
	if ue, ok := err.(*url.Error); ok {
		err = ue.Err
	}
	msg := err.Error()
	if i := strings.Index(msg, ": "); i >= 0 && strings.Contains(msg[:i], "invalid") {
		return msg[:i]
	}
	return redact.URI(msg)
}

// addr is host:port for TCP targets.
func (t target) addr() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

// config maps the target and the options onto the driver's configuration.
// user and password are the credentials to log in with.
func (t target) config(opts connectors.Options, user, password string) (*mysql.Config, error) {
	cfg := mysql.NewConfig()
	cfg.User = user
	cfg.Passwd = password
	if t.Socket != "" {
		cfg.Net, cfg.Addr = "unix", t.Socket
	} else {
		cfg.Net, cfg.Addr = "tcp", t.addr()
	}
	cfg.DBName = t.Database
	cfg.Timeout = opts.ConnectTimeout
	// No prepared statements: each query is one text statement, the one
	// the statement log shows.
	cfg.InterpolateParams = true
	cfg.MultiStatements = false
	cfg.AllowAllFiles = false
	cfg.ConnectionAttributes = "program_name:piisniff"
	tc, err := t.tlsConfig(opts.TLS)
	if err != nil {
		return nil, err
	}
	switch {
	case tc != nil:
		cfg.TLS = tc
	case t.TLSMode == tlsPreferred:
		cfg.TLSConfig = "preferred"
		cfg.AllowFallbackToPlaintext = true
	}
	return cfg, nil
}

// tlsMode is the mode in effect: the URI's, or verify-full when the
// command line gives TLS files or --tls-insecure (require), or off.
func (t target) tlsMode(o connectors.TLSOptions) string {
	switch {
	case t.TLSMode != "":
		if o.Insecure && (t.TLSMode == tlsVerifyCA || t.TLSMode == tlsVerifyFull) {
			return tlsRequire
		}
		return t.TLSMode
	case o.Insecure:
		return tlsRequire
	case o.CAFile != "" || o.CertFile != "" || o.KeyFile != "" || t.CAFile != "" || t.CertFile != "":
		return tlsVerifyFull
	}
	return tlsOff
}

// tlsConfig is the TLS configuration of the mode in effect, nil for none
// (and for preferred, which the driver handles).
func (t target) tlsConfig(o connectors.TLSOptions) (*tls.Config, error) {
	mode := t.tlsMode(o)
	if mode == tlsOff || mode == tlsPreferred {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.Host}
	ca := firstNonEmpty(o.CAFile, t.CAFile)
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("TLS CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TLS CA file %s: no PEM certificate found", ca)
		}
		cfg.RootCAs = pool
	}
	cert, key := firstNonEmpty(o.CertFile, t.CertFile), firstNonEmpty(o.KeyFile, t.KeyFile)
	if cert != "" || key != "" {
		if key == "" {
			key = cert
		}
		c, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("TLS client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{c}
	}
	switch mode {
	case tlsRequire:
		cfg.InsecureSkipVerify = true
	case tlsVerifyCA:
		// Verify the chain but not the host name, as libpq's verify-ca.
		roots := cfg.RootCAs
		cfg.InsecureSkipVerify = true
		cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			return verifyChain(raw, roots)
		}
	}
	return cfg, nil
}

func verifyChain(raw [][]byte, roots *x509.CertPool) error {
	if len(raw) == 0 {
		return fmt.Errorf("the server sent no certificate")
	}
	certs := make([]*x509.Certificate, len(raw))
	for i, r := range raw {
		c, err := x509.ParseCertificate(r)
		if err != nil {
			return err
		}
		certs[i] = c
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
	return err
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
