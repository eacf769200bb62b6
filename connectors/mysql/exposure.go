package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/piisniff/piisniff/connectors"
)

// endOfLife is the end of support of each release series (the vendors'
// published lifecycles).
var endOfLife = []struct {
	mariadb      bool
	major, minor int
	date         string
}{
	{false, 5, 6, "2021-02-28"},
	{false, 5, 7, "2023-10-31"},
	{false, 8, 0, "2026-04-30"},
	{false, 8, 4, "2032-04-30"},
	{true, 10, 3, "2023-05-25"},
	{true, 10, 4, "2024-06-18"},
	{true, 10, 5, "2025-06-24"},
	{true, 10, 6, "2026-07-06"},
	{true, 10, 11, "2028-02-16"},
	{true, 11, 4, "2029-05-29"},
	{true, 11, 8, "2028-06-04"},
}

var versionRE = regexp.MustCompile(`^(\d+)\.(\d+)(?:\.(\d+))?`)

// server names the product and release from VERSION().
func server(version string, mariadb bool) string {
	v := version
	if m := versionRE.FindString(version); m != "" {
		v = m
	}
	if mariadb {
		return "MariaDB " + v
	}
	return "MySQL " + v
}

// eolNote says when the server's release series reached or reaches its end
// of life ("" when the series is not in the table or is supported for more
// than a year).
func eolNote(version string, mariadb bool, now time.Time) string {
	m := versionRE.FindStringSubmatch(version)
	if m == nil {
		return ""
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	name := server(version, mariadb)
	for _, e := range endOfLife {
		if e.mariadb != mariadb || e.major != major || e.minor != minor {
			continue
		}
		end, _ := time.Parse("2006-01-02", e.date)
		if !now.Before(end) {
			return fmt.Sprintf("%s: release series %d.%d reached its end of life on %s and gets no security fixes: upgrade", name, major, minor, e.date)
		}
		if end.Sub(now) < 365*24*time.Hour {
			return fmt.Sprintf("%s: release series %d.%d reaches its end of life on %s: plan an upgrade", name, major, minor, e.date)
		}
		return ""
	}
	if (mariadb && major < 10) || (!mariadb && (major < 5 || major == 5 && minor < 7)) {
		return fmt.Sprintf("%s: a release series past its end of life: upgrade", name)
	}
	return ""
}

// Exposure implements connectors.Connector.
func (c *Connector) Exposure(ctx context.Context) connectors.Exposure {
	ex := connectors.Exposure{Reachable: true, Server: server(c.version, c.mariadb)}
	if n := eolNote(c.version, c.mariadb, time.Now()); n != "" {
		ex.Notes = append(ex.Notes, n)
	}
	var cipher, grants string
	var noPassword []string
	var usersErr error
	err := c.withSession(ctx, func(s *session) error {
		if err := s.each(ctx, func(r *sql.Rows) error {
			var name string
			return r.Scan(&name, &cipher)
		}, "SHOW SESSION STATUS LIKE 'Ssl_cipher'"); err != nil {
			return err
		}
		var all []string
		if err := s.each(ctx, func(r *sql.Rows) error {
			var g string
			if err := r.Scan(&g); err != nil {
				return err
			}
			all = append(all, g)
			return nil
		}, "SHOW GRANTS"); err == nil {
			grants = strings.Join(all, "\n")
		}
		usersErr = s.each(ctx, func(r *sql.Rows) error {
			var u, h string
			if err := r.Scan(&u, &h); err != nil {
				return err
			}
			noPassword = append(noPassword, fmt.Sprintf("'%s'@'%s'", u, h))
			return nil
		}, "SELECT User, Host FROM mysql.user WHERE (authentication_string = '' OR authentication_string IS NULL) "+
			"AND plugin IN ('', 'mysql_native_password', 'mysql_old_password', 'caching_sha2_password', 'sha256_password') ORDER BY User, Host")
		return nil
	})
	if err != nil {
		ex.Notes = append(ex.Notes, "TLS and privileges not checked: "+shortErr(c.redactErr(err)))
	}
	ex.TLS = cipher != ""
	if !ex.TLS && err == nil {
		ex.Notes = append(ex.Notes, "the scan's connection is not encrypted (no TLS): anyone on the network path can read the data; "+
			"enable TLS on the server (require_secure_transport=ON) and connect with ?tls=verify-full")
	}
	if n := privilegeNote(grants); n != "" {
		ex.Notes = append(ex.Notes, n)
	}
	switch {
	case usersErr == nil && len(noPassword) > 0:
		ex.Notes = append(ex.Notes, fmt.Sprintf("%d accounts have no password: %s; set one (ALTER USER ... IDENTIFIED BY ...) or drop them",
			len(noPassword), strings.Join(noPassword, ", ")))
	case usersErr == nil:
		ex.Notes = append(ex.Notes, "no account without a password in mysql.user")
	}

	switch {
	case c.pass == "":
		ex.AnonymousAccess = true
		ex.Notes = append(ex.Notes, fmt.Sprintf("user %q logged in with an empty password: anyone who can reach the server can read it; "+
			"set a password (ALTER USER ... IDENTIFIED BY ...) or restrict the account's host", c.user))
	case !c.opts.AnonymousCheck:
		ex.Notes = append(ex.Notes, "access with an empty password was not checked")
	default:
		c.anonymousCheck(ctx, &ex)
	}
	return ex
}

// anonymousCheck logs in as the target's user with an empty password, and
// as the anonymous user (empty name). No other password is tried.
func (c *Connector) anonymousCheck(ctx context.Context, ex *connectors.Exposure) {
	for _, user := range []string{c.user, ""} {
		db, err := c.openDB(user, "")
		if err != nil {
			ex.Notes = append(ex.Notes, "access with an empty password could not be checked: "+shortErr(err))
			return
		}
		cctx, cancel := context.WithTimeout(ctx, c.opts.ConnectTimeout)
		c.log("SELECT 1")
		err = db.PingContext(cctx)
		cancel()
		_ = db.Close()
		if err == nil {
			ex.AnonymousAccess = true
			who := fmt.Sprintf("user %q", user)
			if user == "" {
				who = "the anonymous user (empty user name)"
			}
			ex.Notes = append(ex.Notes, fmt.Sprintf("%s logged in with an empty password: anyone who can reach the server can read it; "+
				"set a password or drop the account", who))
			return
		}
	}
	ex.Notes = append(ex.Notes, "login with an empty password was refused")
}

// privilegeNote flags a scanning user that holds more than it needs.
func privilegeNote(grants string) string {
	g := strings.ToUpper(grants)
	if strings.Contains(g, "ALL PRIVILEGES ON *.*") || strings.Contains(g, "SUPER") {
		return "the scan ran as a superuser (ALL PRIVILEGES on *.*): scan with an account that only has SELECT on the databases to scan (least privilege)"
	}
	return ""
}

func shortErr(err error) string {
	msg := err.Error()
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	return msg
}
