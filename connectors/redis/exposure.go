package redis

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/eol"
)

// eolNote is the end-of-life note of a Redis version, "" while supported
// (the dates are internal/eol's).
func eolNote(version string, now time.Time) string {
	major, minor, ok := parseVersion(version)
	if !ok {
		return ""
	}
	l, ok := eol.Lookup("redis", fmt.Sprintf("%d.%d", major, minor))
	if !ok || !now.After(l.End) {
		return ""
	}
	return fmt.Sprintf("Redis %s is past its end of life (the %s series and older are no longer supported since %s): it gets no security fixes; upgrade to a supported release (7.2 or later)",
		version, l.Series.Release, l.Series.End)
}

func parseVersion(v string) (int, int, bool) {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	return major, minor, err1 == nil && err2 == nil
}

// anonClient is a client of the target without credentials.
func (c *Connector) anonClient() *goredis.Client {
	o := *c.base
	o.Username, o.Password = "", ""
	o.DB = 0
	o.PoolSize = 1
	o.MaxRetries = 0
	cl := goredis.NewClient(&o)
	cl.AddHook(c.hook())
	return cl
}

// Exposure implements connectors.Connector.
func (c *Connector) Exposure(ctx context.Context) connectors.Exposure {
	ex := connectors.Exposure{TLS: c.base.TLSConfig != nil}
	cl := c.client(0)
	var main goredis.Cmdable = cl
	if c.cluster {
		main = c.cc
	}
	ictx, cancel := c.timeout(ctx)
	info, err := main.Info(ictx, "server").Result()
	cancel()
	if err != nil {
		ex.Notes = append(ex.Notes, "server version unknown: INFO failed (renamed, disabled or not permitted): "+shortErr(c.redactErr(err)))
		pctx, cancel := c.timeout(ctx)
		ex.Reachable = main.Ping(pctx).Err() == nil
		cancel()
	} else {
		ex.Reachable = true
		f := parseInfo(info)
		v := f["redis_version"]
		ex.Server = "Redis " + v
		if f["valkey_version"] != "" {
			ex.Server = "Valkey " + f["valkey_version"]
		} else if n := eolNote(v, time.Now()); n != "" {
			ex.Notes = append(ex.Notes, n)
		}
	}
	if !ex.TLS {
		ex.Notes = append(ex.Notes, "connections are not encrypted (no TLS): anyone on the network path can read the data and the password; enable TLS (tls-port) and connect with rediss://")
	}

	switch {
	case !c.hasAuth:
		// The scan itself runs without credentials.
		if ex.Reachable {
			ex.AnonymousAccess = true
			ex.Notes = append(ex.Notes, "the server answered PING and INFO without AUTH: anyone who can reach it reads every key")
		}
		c.configChecks(ctx, cl, true, &ex)
	case c.opts.AnonymousCheck:
		anon := c.anonClient()
		defer anon.Close()
		pctx, cancel := c.timeout(ctx)
		err := anon.Ping(pctx).Err()
		cancel()
		switch {
		case err == nil:
			ex.AnonymousAccess = true
			ex.Notes = append(ex.Notes, "the server answered PING without AUTH: the password is not required")
			c.configChecks(ctx, anon, true, &ex)
		case strings.HasPrefix(err.Error(), "NOAUTH"):
			ex.Notes = append(ex.Notes, "PING without AUTH was refused (NOAUTH): authentication is required")
			c.configChecks(ctx, cl, false, &ex)
		default:
			ex.Notes = append(ex.Notes, "access without credentials could not be checked: "+classify(err))
			c.configChecks(ctx, cl, false, &ex)
		}
	default:
		ex.Notes = append(ex.Notes, "access without credentials was not checked")
		c.configChecks(ctx, cl, false, &ex)
	}
	ex.Notes = append(ex.Notes, c.targetNotes()...)
	return ex
}

// configChecks reads the server's configuration where allowed. anon says
// cl has no credentials: that it may run CONFIG at all is a finding.
func (c *Connector) configChecks(ctx context.Context, cl *goredis.Client, anon bool, ex *connectors.Exposure) {
	cctx, cancel := c.timeout(ctx)
	defer cancel()
	cfg := map[string]string{}
	for _, p := range []string{"requirepass", "protected-mode", "bind", "tls-port", "port"} {
		m, err := cl.ConfigGet(cctx, p).Result()
		if err != nil {
			if strings.HasPrefix(err.Error(), "ERR unknown command") {
				ex.Notes = append(ex.Notes, "CONFIG is renamed or disabled (rename-command): the configuration could not be checked")
			} else {
				ex.Notes = append(ex.Notes, "the configuration could not be read (CONFIG GET refused: "+shortErr(c.redactErr(err))+")")
			}
			cfg = nil
			break
		}
		for k, v := range m {
			cfg[k] = v
		}
	}
	if cfg != nil {
		if anon {
			ex.Notes = append(ex.Notes, "CONFIG runs without credentials: anyone who can reach the server can rewrite its configuration (and, through it, files on the host)")
		}
		if cfg["requirepass"] == "" {
			ex.Notes = append(ex.Notes, "requirepass is empty: the default user needs no password")
		}
		if cfg["protected-mode"] == "no" {
			ex.Notes = append(ex.Notes, "protected-mode is off: the server accepts clients from other hosts without a password")
		}
		if bindsAll(cfg["bind"]) {
			ex.Notes = append(ex.Notes, fmt.Sprintf("bound to all interfaces (bind %q)", cfg["bind"]))
		}
		if tp := cfg["tls-port"]; tp != "" && tp != "0" {
			ex.Notes = append(ex.Notes, "TLS port "+tp+" is open")
		}
	}
	// ACL: the default user enabled with nopass.
	if u, err := cl.Do(cctx, "ACL", "GETUSER", "default").Result(); err == nil {
		flags := aclFlags(u)
		if has(flags, "on") && has(flags, "nopass") {
			ex.Notes = append(ex.Notes, "the ACL user \"default\" is enabled with nopass: clients are logged in without a password")
		}
	}
	// rename-command: a renamed command is unknown to COMMAND INFO.
	if r, err := cl.Do(cctx, "COMMAND", "INFO", "flushall", "config").Slice(); err == nil && len(r) == 2 {
		var kept []string
		for i, name := range []string{"FLUSHALL", "CONFIG"} {
			if r[i] != nil {
				kept = append(kept, name)
			}
		}
		if len(kept) > 0 {
			ex.Notes = append(ex.Notes, strings.Join(kept, " and ")+" not renamed or disabled (rename-command): whoever connects can run them")
		}
	}
}

func bindsAll(bind string) bool {
	if bind == "" {
		return true // no bind directive: every interface
	}
	for _, a := range strings.Fields(bind) {
		a = strings.TrimPrefix(a, "-")
		if a == "*" || a == "0.0.0.0" || a == "::" || a == "::*" {
			return true
		}
	}
	return false
}

// aclFlags reads the "flags" of an ACL GETUSER reply (RESP2: a flat list).
func aclFlags(v any) []string {
	l, ok := v.([]any)
	if !ok {
		if m, ok := v.(map[any]any); ok {
			return strs(m["flags"])
		}
		return nil
	}
	for i := 0; i+1 < len(l); i += 2 {
		if s, _ := l[i].(string); s == "flags" {
			return strs(l[i+1])
		}
	}
	return nil
}

func strs(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func has(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
