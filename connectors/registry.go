package connectors

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/piisniff/piisniff/internal/redact"
)

// Factory opens a connector for one target. target is exactly what the user
// typed (it may hold credentials: never put it in an error unredacted).
type Factory func(ctx context.Context, target string, opts Options) (Connector, error)

var (
	mu        sync.RWMutex
	factories = map[string]Factory{} // by URI scheme ("file" for paths)
)

// plannedSchemes are stores the report schema knows but no connector serves yet.
var plannedSchemes = map[string]string{
	"postgres":   "postgres",
	"postgresql": "postgres",
	"mysql":      "mysql",
	"mariadb":    "mysql",
	"redis":      "redis",
	"rediss":     "redis",
}

// Register makes a connector available for the given URI schemes. Connector
// packages call it from init; the CLI imports them for that side effect.
func Register(f Factory, schemes ...string) {
	mu.Lock()
	defer mu.Unlock()
	for _, s := range schemes {
		if _, dup := factories[s]; dup {
			panic("connectors: scheme registered twice: " + s)
		}
		factories[s] = f
	}
}

// Schemes lists the registered schemes, sorted.
func Schemes() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(factories))
	for s := range factories {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Scheme returns the URI scheme of a target, or "file" for a plain path.
func Scheme(target string) string {
	i := strings.Index(target, "://")
	if i <= 0 {
		return "file"
	}
	s := strings.ToLower(target[:i])
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.') {
			return "file"
		}
	}
	return s
}

// UnsupportedError is returned for a target whose scheme has no connector.
type UnsupportedError struct {
	Target  string // redacted
	Scheme  string
	Planned bool
}

func (e *UnsupportedError) Error() string {
	if e.Planned {
		return fmt.Sprintf("%s: the %s connector is not available in this version of piisniff (supported: %s)",
			e.Target, plannedSchemes[e.Scheme], strings.Join(Schemes(), ", "))
	}
	return fmt.Sprintf("%s: unknown target scheme %q (supported: %s, or a file or directory path)",
		e.Target, e.Scheme, strings.Join(Schemes(), ", "))
}

// Open resolves the target's scheme and opens its connector.
func Open(ctx context.Context, target string, opts Options) (Connector, error) {
	scheme := Scheme(target)
	mu.RLock()
	f, ok := factories[scheme]
	mu.RUnlock()
	if !ok {
		_, planned := plannedSchemes[scheme]
		return nil, &UnsupportedError{Target: redact.URI(target), Scheme: scheme, Planned: planned}
	}
	return f(ctx, target, opts.WithDefaults())
}
