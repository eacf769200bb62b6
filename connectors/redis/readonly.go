package redis

import (
	"context"
	"fmt"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// allowed are the only commands the connector sends (lower case; for
// commands with a subcommand, "command subcommand"). The hook refuses any
// other before it reaches the server.
var allowed = map[string]bool{
	"ping": true, "auth": true, "hello": true, "select": true, "info": true,
	"scan": true, "randomkey": true, "type": true, "pttl": true,
	"strlen": true, "get": true, "getrange": true,
	"hlen": true, "hgetall": true, "hscan": true,
	"llen": true, "lrange": true,
	"scard": true, "smembers": true, "sscan": true,
	"zcard": true, "zrange": true,
	"xlen": true, "xrange": true,
	"json.get":        true,
	"config get":      true,
	"acl getuser":     true,
	"acl whoami":      true,
	"command info":    true,
	"command":         true, // the cluster client reads the command table to route keys
	"cluster slots":   true,
	"cluster shards":  true,
	"cluster info":    true,
	"cluster nodes":   true,
	"dbsize":          true,
	"object encoding": true,
}

// subcommands are the commands whose second word names what they do.
var subcommands = map[string]bool{"memory": true, "config": true, "acl": true, "command": true, "cluster": true, "object": true, "client": true}

// CommandName is the allow-list name of a command: "get", "config get".
func CommandName(args []any) string {
	if len(args) == 0 {
		return ""
	}
	if s, ok := args[0].(string); ok && allowed[s] && !subcommands[s] {
		return s // the name as go-redis writes it, lower case: nothing to convert
	}
	name := strings.ToLower(fmt.Sprint(args[0]))
	if subcommands[name] && len(args) > 1 {
		name += " " + strings.ToLower(fmt.Sprint(args[1]))
	}
	return name
}

// Allowed reports whether the connector may send the command.
func Allowed(name string) bool { return allowed[name] }

// ReadOnlyError is a command the connector refused to send.
type ReadOnlyError struct{ Command string }

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("piisniff refused to send %q: not a read command of its allow-list", e.Command)
}

// guard is the go-redis hook that enforces the allow-list and tells tests
// every command sent.
type guard struct{ c *Connector }

func (c *Connector) hook() goredis.Hook { return guard{c} }

func (g guard) DialHook(next goredis.DialHook) goredis.DialHook { return dialGuard(&g.c.limits, next) }

func (g guard) check(cmd goredis.Cmder) error {
	name := CommandName(cmd.Args())
	if g.c.record != nil {
		g.c.record(name)
	}
	if !allowed[name] {
		err := &ReadOnlyError{Command: name}
		cmd.SetErr(err)
		return err
	}
	return nil
}

func (g guard) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		if err := g.check(cmd); err != nil {
			return err
		}
		return next(ctx, cmd)
	}
}

func (g guard) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		for _, cmd := range cmds {
			if err := g.check(cmd); err != nil {
				return err
			}
		}
		return next(ctx, cmds)
	}
}
