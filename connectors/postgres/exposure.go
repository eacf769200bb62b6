package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/piisniff/piisniff/connectors"
)

// endOfLife is the end of support of each PostgreSQL major version (the
// PostgreSQL project's versioning policy: five years after release).
var endOfLife = []struct {
	major int
	date  string
}{
	{10, "2022-11-10"},
	{11, "2023-11-09"},
	{12, "2024-11-21"},
	{13, "2025-11-13"},
	{14, "2026-11-12"},
	{15, "2027-11-11"},
	{16, "2028-11-09"},
	{17, "2029-11-08"},
	{18, "2030-11-14"},
}

// eolNote says whether the server's major version is out of support on
// now; versionNum is server_version_num (150004 for 15.4, 90624 for 9.6.24).
func eolNote(versionNum int, now time.Time) string {
	if versionNum < 100000 { // 9.6 and older: major.minor
		return fmt.Sprintf("PostgreSQL %d.%d is past its end of life (the last 9.x, 9.6, reached it on 2021-11-11): it gets no security fixes; upgrade to a supported major version",
			versionNum/10000, versionNum/100%100)
	}
	major := versionNum / 10000
	for _, e := range endOfLife {
		if e.major != major {
			continue
		}
		end, _ := time.Parse("2006-01-02", e.date)
		if !now.Before(end) {
			return fmt.Sprintf("PostgreSQL %d reached its end of life on %s: it gets no security fixes any more; upgrade to a supported major version", major, e.date)
		}
		if end.Sub(now) < 180*24*time.Hour {
			return fmt.Sprintf("PostgreSQL %d reaches its end of life on %s: plan the upgrade", major, e.date)
		}
	}
	return ""
}

const exposureSQL = `SELECT current_setting('server_version'), current_setting('server_version_num')::int,
  coalesce((SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_backend_pid()), false),
  coalesce((SELECT version FROM pg_catalog.pg_stat_ssl WHERE pid = pg_backend_pid()), ''),
  coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), false),
  current_user::text`

// Exposure implements connectors.Connector: reachability, TLS on the scan's
// own connection (pg_stat_ssl), server version and end of life, a
// superuser scanning, and whether the server lets the target's user in
// without a password.
func (c *Connector) Exposure(ctx context.Context) connectors.Exposure {
	var ex connectors.Exposure
	p, err := c.pool(ctx, c.base.Database)
	if err != nil {
		ex.Notes = append(ex.Notes, "the server could not be reached: "+c.connectError(err).Error())
		return ex
	}
	ex.Reachable = true
	qctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	var (
		version, tlsVersion, user string
		versionNum                int
		ssl, super                bool
	)
	err = p.QueryRow(qctx, exposureSQL).Scan(&version, &versionNum, &ssl, &tlsVersion, &super, &user)
	if err != nil {
		ex.Notes = append(ex.Notes, "server version, TLS and role unknown: "+c.containerError("exposure", err).Error())
	} else {
		ex.Server = "PostgreSQL " + version
		ex.TLS = ssl
		if n := eolNote(versionNum, time.Now()); n != "" {
			ex.Notes = append(ex.Notes, n)
		}
		switch {
		case !ssl && strings.HasPrefix(c.base.Host, "/"):
			ex.Notes = append(ex.Notes, "connected over a local socket, without TLS")
		case !ssl:
			ex.Notes = append(ex.Notes, "the connection is not encrypted (no TLS): anyone on the network path can read the data; enable ssl on the server and connect with sslmode=verify-full")
		case c.base.TLSConfig != nil && c.base.TLSConfig.InsecureSkipVerify && c.base.TLSConfig.VerifyPeerCertificate == nil:
			ex.Notes = append(ex.Notes, fmt.Sprintf("TLS (%s) without verification of the server's certificate (sslmode prefer/require): use sslmode=verify-full", tlsVersion))
		}
		if super {
			ex.Notes = append(ex.Notes, fmt.Sprintf("the scan ran as %q, a superuser: scan with a role that may only read (GRANT pg_read_all_data, or SELECT on the tables)", user))
		}
	}
	c.anonymousCheck(ctx, &ex)
	ex.Notes = append(ex.Notes, c.targetNotes()...)
	return ex
}

// anonymousCheck: a target without a password that connected shows the
// server lets its user in without one; a target with a password is tried
// once with the same user and an empty password (when the check is on).
// No other user or password is ever tried.
func (c *Connector) anonymousCheck(ctx context.Context, ex *connectors.Exposure) {
	local := strings.HasPrefix(c.base.Host, "/")
	clientCert := c.base.TLSConfig != nil && len(c.base.TLSConfig.Certificates) > 0
	if c.base.Password == "" {
		switch {
		case clientCert:
			ex.Notes = append(ex.Notes, "connected with a client certificate and no password")
		case local:
			ex.Notes = append(ex.Notes, fmt.Sprintf("connected over a local socket as %q without a password (peer or trust authentication)", c.base.User))
		default:
			ex.AnonymousAccess = true
			ex.Notes = append(ex.Notes, c.trustNote(c.base.User, "no password"))
		}
		return
	}
	if !c.opts.AnonymousCheck {
		ex.Notes = append(ex.Notes, "access without a password was not checked (--no-anonymous-check)")
		return
	}
	cfg := c.base.Copy()
	cfg.Password = ""
	if c.trace != nil {
		cfg.Tracer = tracer{c.trace}
	}
	cctx, cancel := context.WithTimeout(ctx, c.opts.ConnectTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		if isAuthError(err) {
			ex.Notes = append(ex.Notes, fmt.Sprintf("user %q with an empty password was refused: a password is required", c.base.User))
		} else {
			ex.Notes = append(ex.Notes, "access without a password could not be checked: "+classify(err))
		}
		return
	}
	_ = conn.Close(context.WithoutCancel(ctx))
	if local {
		ex.Notes = append(ex.Notes, fmt.Sprintf("user %q with an empty password was let in over a local socket (peer or trust authentication)", c.base.User))
		return
	}
	ex.AnonymousAccess = true
	ex.Notes = append(ex.Notes, c.trustNote(c.base.User, "an empty password"))
}

func (c *Connector) trustNote(user, what string) string {
	return fmt.Sprintf("the server let user %q in with %s (trust authentication, or a role without a password): "+
		"anyone who can reach the port can log in as %q; in pg_hba.conf replace trust with scram-sha-256 for host connections, "+
		"give the role a password, and reload the server (SELECT pg_reload_conf())", user, what, user)
}
