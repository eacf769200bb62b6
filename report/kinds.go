package report

import (
	"sort"
	"sync"
)

// schemaKinds are the target kinds the report format names: a report
// written by any build of piisniff may hold them, so they always validate.
var schemaKinds = []string{"mongodb", "elasticsearch", "opensearch", "file", "postgres", "mysql", "redis"}

var (
	kindsMu sync.RWMutex
	kinds   = func() map[string]bool {
		m := map[string]bool{}
		for _, k := range schemaKinds {
			m[k] = true
		}
		return m
	}()
)

// RegisterKinds adds target kinds; the connector registry calls it for
// every connector, so a new store's kind needs no edit here.
func RegisterKinds(ks ...string) {
	kindsMu.Lock()
	defer kindsMu.Unlock()
	for _, k := range ks {
		kinds[k] = true
	}
}

// IsKind reports whether k is a target kind of the report format.
func IsKind(k string) bool {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	return kinds[k]
}

// Kinds lists the known target kinds, sorted.
func Kinds() []string {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
