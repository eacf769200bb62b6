package redis

import "github.com/piisniff/piisniff/connectors"

var _ connectors.Slicer = (*Connector)(nil)

// CanSlice implements connectors.Slicer: in a sharded full scan every
// shard lists the keys of a pattern (SCAN MATCH, or the keys kept while
// listing when they are all of them) and reads the values of the keys of
// its slice only, the keys dealt by KeySlice (FNV-1a of the key's bytes
// modulo the slice count). The (other keys) container, which holds what
// was kept of many patterns, and the keys of a cluster node that could
// not be listed are read whole by one shard.
func (c *Connector) CanSlice(ct connectors.Container) bool {
	p, ok := ct.Handle.(*pattern)
	return ok && !p.Other && p.NodeErr == nil
}
