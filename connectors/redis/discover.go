package redis

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/piisniff/piisniff/connectors"
)

// Listing methods, as reported in SampleResult.Method.
const (
	MethodScan      = "scan"                         // every key of the database listed with SCAN
	MethodRandomKey = "seeded-scan-walks"            // keys met by SCAN walks from seeded cursors, and RANDOMKEY draws
	MethodFill      = "seeded-scan-walks+scan-match" // the same, rare patterns filled with SCAN MATCH
	MethodScanMatch = "scan-match"                   // the pattern's keys listed with SCAN MATCH while sampling
	OtherKeys       = "(other keys)"                 // the container of the patterns beyond MaxPatterns
	keyBudgetBytes  = 64 << 20                       // key names kept per database, at most
	drawBatch       = 100                            // RANDOMKEY draws of the listing of a large database
	fillPatterns    = 20                             // rare patterns filled with SCAN MATCH per database
	trackFactor     = 10                             // patterns tracked while listing: MaxPatterns × trackFactor
	keyspaceFresh   = 5 * time.Second                // INFO keyspace read when opening is used by a listing started this soon
)

// pattern is one key pattern of one database while listing, then the
// container's handle.
type pattern struct {
	DB       int
	Pattern  string
	Keys     []keyRef // kept keys, at most KeysPerPattern
	Count    int64    // keys seen (SCAN) or draws that hit the pattern (RANDOMKEY)
	Walked   int64    // keys of the pattern met by the SCAN walk after the draws
	Estimate int64
	Method   string
	Exact    bool // Count is every key of the pattern (full SCAN)
	Other    bool // (other keys): several patterns
	NodeErr  error
	Node     string
	Type     string // the type of the first key kept, predicted for the others

	typeAsked bool // the TYPE of Keys[0] went with a listing pipeline
}

// keyRef is a key kept and its id-like segments (see Pattern): the
// pattern of a key is found once, when it is listed, and its segments go
// with it to the documents (substrings of the key: no bytes of their own).
type keyRef struct {
	key string
	ids []string
}

// keys are the names of refs.
func keyNames(refs []keyRef) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.key
	}
	return out
}

// dbList is the listing of one database (of one cluster node).
type dbList struct {
	db       int
	size     int64
	method   string
	patterns map[string]*pattern
	other    *pattern
	keyBytes int64
	pt       patterner
	rng      *rand.Rand
	keep     int
	draws    int64
	walked   int64 // keys met by the SCAN walk after the draws
	notes    []string
}

// estimate is the number of keys of p extrapolated from the draws and the
// walk (both random samples of the keyspace: the walk meets keys in the
// order of their hashes).
func (l *dbList) estimate(p *pattern) int64 {
	return max(int64(len(p.Keys)), l.size*(p.Count+p.Walked)/max(l.draws+l.walked, 1))
}

// short reports whether p has fewer keys than it should: KeysPerPattern,
// or all of its keys when it holds fewer.
func (l *dbList) short(p *pattern) bool {
	return len(p.Keys) < l.keep && int64(len(p.Keys)) < l.estimate(p)
}

func (c *Connector) newList(db int, size int64, node string) *dbList {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", db, node)
	return &dbList{
		db: db, size: size,
		patterns: map[string]*pattern{},
		rng:      rand.New(rand.NewPCG(uint64(c.own.Seed), h.Sum64())),
		keep:     c.own.KeysPerPattern,
	}
}

// add records one key; draw says it came from RANDOMKEY (counted even when
// seen before), fresh that it was not seen before. It returns the key with
// its id-like segments and the pattern it was counted in.
func (l *dbList) add(key string, maxTracked int, fresh bool) (keyRef, *pattern) {
	pb, ids := l.pt.pattern(key)
	ref := keyRef{key, l.pt.keep(ids)} // the caller may keep a draw later
	st, ok := l.patterns[string(pb)]
	if !ok {
		p := string(pb)
		if len(l.patterns) >= maxTracked {
			if l.other == nil {
				l.other = &pattern{DB: l.db, Pattern: OtherKeys, Other: true}
			}
			st = l.other
		} else {
			st = &pattern{DB: l.db, Pattern: p}
			l.patterns[p] = st
		}
	}
	st.Count++
	if fresh {
		l.keep1(st, ref)
	}
	return ref, st
}

func (l *dbList) keep1(st *pattern, key keyRef) {
	if l.keyBytes > keyBudgetBytes && len(st.Keys) >= 100 {
		return
	}
	if len(st.Keys) < l.keep {
		if len(st.Keys) == cap(st.Keys) {
			// doubled up to what is kept (append grows a big slice by a
			// quarter at a time: more copies of a pattern's keys); a
			// pattern the walks estimate at twice that or more will have
			// that many kept (they go on until it has): made at that size
			// at once, not in seven doublings from 16
			n := min(max(2*len(st.Keys), 16), l.keep)
			if len(st.Keys) >= 16 && l.walked > 0 && l.estimate(st) >= 2*int64(l.keep) {
				n = l.keep
			}
			st.Keys = slices.Grow(st.Keys, n-len(st.Keys))
		}
		st.Keys = append(st.Keys, key)
		l.keyBytes += int64(len(key.key))
		return
	}
	if l.method == MethodScan {
		// reservoir over every key of the pattern
		if j := l.rng.Int64N(st.Count); j < int64(l.keep) {
			st.Keys[j] = key
		}
	}
}

// Containers implements connectors.Connector: it lists the databases that
// hold keys, finds their keys and groups them into patterns.
func (c *Connector) Containers(ctx context.Context) ([]connectors.Container, error) {
	var lists []*dbList
	var err error
	if c.cluster {
		lists, err = c.listCluster(ctx)
	} else {
		lists, err = c.listStandalone(ctx)
	}
	if err != nil {
		return nil, err
	}
	var out []connectors.Container
	for _, l := range lists {
		var typed []*pattern
		for _, p := range c.finish(l) {
			name := fmt.Sprintf("db%d/%s", p.DB, p.Pattern)
			if !c.selected(name, p.Pattern) {
				continue
			}
			if len(p.Keys) > 0 && p.NodeErr == nil && p.Type == "" {
				typed = append(typed, p)
			}
			ct := connectors.Container{Name: name, EstimatedDocuments: p.Estimate, Handle: p}
			ct.Notes = append(ct.Notes, l.notes...)
			if p.Other {
				ct.Notes = append(ct.Notes, fmt.Sprintf("keys of the patterns beyond the %d most common of the database", c.own.MaxPatterns))
			}
			out = append(out, ct)
		}
		if err := c.predictTypes(ctx, l.db, typed); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// predictTypes asks the TYPE of the first key of each pattern, one
// pipeline for the database: the type predicted for the pattern's keys
// when they are sampled (a key of another type is typed again then).
func (c *Connector) predictTypes(ctx context.Context, db int, ps []*pattern) error {
	if len(ps) == 0 {
		return nil
	}
	var cl goredis.Cmdable = c.cc
	if !c.cluster {
		cl = c.client(db)
	}
	cmds := make([]*goredis.StatusCmd, len(ps))
	pctx, cancel := c.timeout(ctx)
	defer cancel()
	_, _ = cl.Pipelined(pctx, func(p goredis.Pipeliner) error {
		for i, pt := range ps {
			cmds[i] = p.Type(pctx, pt.Keys[0].key)
		}
		return nil
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for i, pt := range ps {
		// a failure leaves the type to the sampler
		if typ, err := cmds[i].Result(); err == nil && readTypes[typ] {
			pt.Type = typ
		}
	}
	return nil
}

// selected applies --containers to the container name and to the bare
// pattern: "db0/user:*" and "user:*" both select it.
func (c *Connector) selected(name, pat string) bool {
	f := c.opts.Containers
	ex := connectors.Filter{Exclude: f.Exclude}
	if !ex.Match(name) || !ex.Match(pat) {
		return false
	}
	in := connectors.Filter{Include: f.Include}
	return in.Match(name) || in.Match(pat)
}

func (c *Connector) dbSelected(db int) bool {
	if c.uriDB >= 0 && db != c.uriDB {
		return false
	}
	f := c.opts.Databases
	ex := connectors.Filter{Exclude: f.Exclude}
	n := strconv.Itoa(db)
	if !ex.Match(n) || !ex.Match("db"+n) {
		return false
	}
	in := connectors.Filter{Include: f.Include}
	return in.Match(n) || in.Match("db"+n)
}

// keyspace parses INFO keyspace: database number -> keys.
func keyspace(info string) map[int]int64 {
	out := map[int]int64{}
	for k, v := range parseInfo(info) {
		if !strings.HasPrefix(k, "db") {
			continue
		}
		n, err := strconv.Atoi(k[2:])
		if err != nil {
			continue
		}
		for _, kv := range strings.Split(v, ",") {
			if x, ok := strings.CutPrefix(kv, "keys="); ok {
				if keys, err := strconv.ParseInt(x, 10, 64); err == nil {
					out[n] = keys
				}
			}
		}
	}
	return out
}

// parseInfo parses an INFO reply into its fields.
func parseInfo(s string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			out[k] = v
		}
	}
	return out
}

func (c *Connector) listStandalone(ctx context.Context) ([]*dbList, error) {
	cl := c.client(0)
	// INFO keyspace as read when opening (the first listing, started
	// right after), else now
	c.mu.Lock()
	info := c.keyspaceInfo
	if time.Since(c.keyspaceAt) > keyspaceFresh {
		info = ""
	}
	c.keyspaceInfo = ""
	c.mu.Unlock()
	var err error
	if info == "" {
		ictx, cancel := c.timeout(ctx)
		info, err = cl.Info(ictx, "keyspace").Result()
		cancel()
	}
	var sizes map[int]int64
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// INFO renamed or disabled: DBSIZE of each database instead.
		c.addNote("INFO keyspace failed (" + shortErr(c.redactErr(err)) + "): databases found with DBSIZE")
		sizes = map[int]int64{}
		for db := 0; db < 16; db++ {
			if !c.dbSelected(db) {
				continue
			}
			dctx, cancel := c.timeout(ctx)
			n, err := c.client(db).DBSize(dctx).Result()
			cancel()
			if err != nil {
				if db == 0 {
					return nil, c.redactErr(fmt.Errorf("%s: cannot list databases: INFO and DBSIZE failed: %s: %w", c.uri, classify(err), err))
				}
				break // databases beyond the server's count
			}
			if n > 0 {
				sizes[db] = n
			}
		}
	} else {
		sizes = keyspace(info)
	}
	dbs := make([]int, 0, len(sizes))
	for db, n := range sizes {
		if n > 0 && c.dbSelected(db) {
			dbs = append(dbs, db)
		}
	}
	sort.Ints(dbs)
	var out []*dbList
	for _, db := range dbs {
		l := c.newList(db, sizes[db], "")
		if err := c.listDB(ctx, c.client(db), l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// listDB finds the keys of one database (of one node).
func (c *Connector) listDB(ctx context.Context, cl *goredis.Client, l *dbList) error {
	maxTracked := c.own.MaxPatterns * trackFactor
	if l.size <= int64(c.own.SmallFactor*c.own.KeysPerPattern) {
		l.method = MethodScan
		return c.scanAll(ctx, cl, l, maxTracked)
	}
	l.method = MethodRandomKey
	seen := make(map[string]struct{}, scanSegments*c.own.ScanCount+drawBatch)
	if err := c.sampleKeys(ctx, cl, l, seen, maxTracked); err != nil {
		return err
	}
	l.notes = append(l.notes, fmt.Sprintf("keys found by %d RANDOMKEY draws and SCAN walks of %d keys from %d points of the hash table over %d keys: a pattern holding fewer than about 1 in %d keys may be missing", l.draws, l.walked, scanSegments, l.size, max(l.draws+l.walked, 1)))
	// fill the rare patterns with SCAN MATCH
	var rare []*pattern
	for _, p := range l.patterns {
		if l.short(p) {
			rare = append(rare, p)
		}
	}
	sort.Slice(rare, func(i, j int) bool {
		if rare[i].Count != rare[j].Count {
			return rare[i].Count < rare[j].Count
		}
		return rare[i].Pattern < rare[j].Pattern
	})
	if len(rare) > fillPatterns {
		rare = rare[:fillPatterns]
	}
	for _, p := range rare {
		l.method = MethodFill
		if err := c.fill(ctx, cl, p, seen, l); err != nil {
			return err
		}
	}
	return nil
}

// full reports whether every pattern has its keys (see short).
func (l *dbList) full() bool {
	for _, p := range l.patterns {
		if l.short(p) {
			return false
		}
	}
	return true
}

func (c *Connector) scanAll(ctx context.Context, cl *goredis.Client, l *dbList, maxTracked int) error {
	var cursor uint64
	seen := newScanSeen() // SCAN may return a key twice: see scanSeen
	for {
		sctx, cancel := c.timeout(ctx)
		keys, next, err := cl.Scan(sctx, cursor, "", int64(c.own.ScanCount)).Result()
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return c.redactErr(fmt.Errorf("db%d: SCAN: %s: %w", l.db, classify(err), err))
		}
		for _, k := range keys {
			if seen.fresh(k) {
				l.add(k, maxTracked, true)
			}
		}
		if next == 0 {
			break
		}
		cursor = next
	}
	for _, p := range l.patterns {
		p.Exact = true
	}
	if l.other != nil {
		l.other.Exact = true
	}
	return nil
}

// fill adds keys of a rare pattern with SCAN MATCH, walking at most
// FillScanKeys keys of the keyspace.
func (c *Connector) fill(ctx context.Context, cl *goredis.Client, p *pattern, seen map[string]struct{}, l *dbList) error {
	var cursor uint64
	walked := 0
	for walked < c.own.FillScanKeys && l.short(p) {
		sctx, cancel := c.timeout(ctx)
		keys, next, err := cl.Scan(sctx, cursor, globFor(p.Pattern), int64(c.own.ScanCount)).Result()
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return c.redactErr(fmt.Errorf("db%d: SCAN MATCH: %s: %w", l.db, classify(err), err))
		}
		walked += c.own.ScanCount
		for _, k := range keys {
			if _, dup := seen[k]; dup {
				continue
			}
			pp, ids := Pattern(k)
			if pp != p.Pattern {
				continue
			}
			seen[k] = struct{}{}
			l.keep1(p, keyRef{k, ids})
		}
		if next == 0 {
			break
		}
		cursor = next
	}
	return nil
}

// finish turns a listing into the patterns to report: estimates, the
// MaxPatterns most common, the rest as (other keys).
func (c *Connector) finish(l *dbList) []*pattern {
	ps := make([]*pattern, 0, len(l.patterns)+1)
	for _, p := range l.patterns {
		p.Method = l.method
		if p.Exact {
			p.Estimate = p.Count
		} else {
			p.Estimate = l.estimate(p)
		}
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Estimate != ps[j].Estimate {
			return ps[i].Estimate > ps[j].Estimate
		}
		return ps[i].Pattern < ps[j].Pattern
	})
	other := l.other
	if len(ps) > c.own.MaxPatterns {
		if other == nil {
			other = &pattern{DB: l.db, Pattern: OtherKeys, Other: true, Exact: l.method == MethodScan}
		}
		for _, p := range ps[c.own.MaxPatterns:] {
			other.Count += p.Count
			other.Walked += p.Walked
			for _, k := range p.Keys {
				if len(other.Keys) < l.keep {
					other.Keys = append(other.Keys, k)
				}
			}
		}
		ps = ps[:c.own.MaxPatterns]
	}
	if other != nil {
		other.Method = l.method
		if other.Exact {
			other.Estimate = other.Count
		} else {
			other.Estimate = l.estimate(other)
		}
		ps = append(ps, other)
	}
	return ps
}

// listCluster lists db0 of every master and merges the patterns. A master
// that fails becomes a container of its own whose sampling fails.
func (c *Connector) listCluster(ctx context.Context) ([]*dbList, error) {
	if !c.dbSelected(0) {
		return nil, nil
	}
	var mu sync.Mutex
	var lists []*dbList
	var failed []*pattern
	err := c.cc.ForEachMaster(ctx, func(ctx context.Context, n *goredis.Client) error {
		addr := n.Options().Addr
		ictx, cancel := c.timeout(ctx)
		info, err := n.Info(ictx, "keyspace").Result()
		cancel()
		var size int64
		if err == nil {
			size = keyspace(info)[0]
		} else {
			dctx, cancel := c.timeout(ctx)
			size, err = n.DBSize(dctx).Result()
			cancel()
		}
		l := c.newList(0, size, addr)
		if err == nil && size > 0 {
			err = c.listDB(ctx, n, l)
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			failed = append(failed, &pattern{DB: 0, Pattern: "(keys on node " + addr + ")", Node: addr, Estimate: -1,
				NodeErr: c.redactErr(fmt.Errorf("cluster node %s could not be listed, its slots were not read: %s: %w", addr, classify(err), err))})
			return nil
		}
		lists = append(lists, l)
		return nil
	})
	if err != nil {
		return nil, c.redactErr(fmt.Errorf("%s: cluster: %s: %w", c.uri, classify(err), err))
	}
	sort.Slice(lists, func(i, j int) bool { return lists[i].size > lists[j].size })
	merged := c.newList(0, 0, "")
	merged.method = MethodScan
	for _, l := range lists {
		merged.size += l.size
		if l.method != MethodScan {
			merged.method = l.method
		}
	}
	// Per-node counts are scaled to estimates before merging, so that a
	// node read with RANDOMKEY weighs by its size.
	for _, l := range lists {
		for _, p := range c.finish(l) {
			key := p.Pattern
			m, ok := merged.patterns[key]
			if !ok {
				m = &pattern{DB: 0, Pattern: key, Other: p.Other, Exact: true}
				merged.patterns[key] = m
			}
			m.Count += p.Estimate
			m.Exact = m.Exact && p.Exact
			for _, k := range p.Keys {
				if len(m.Keys) < merged.keep {
					m.Keys = append(m.Keys, k)
				}
			}
		}
	}
	for _, p := range merged.patterns {
		p.Exact = true // counts are already estimates
	}
	if merged.method != MethodScan {
		merged.notes = append(merged.notes, "keys of the larger cluster nodes found by RANDOMKEY draws on each master")
	}
	out := []*dbList{merged}
	if len(failed) > 0 {
		slices.SortFunc(failed, func(a, b *pattern) int { return strings.Compare(a.Node, b.Node) })
		fl := &dbList{db: 0, patterns: map[string]*pattern{}}
		for _, f := range failed {
			fl.patterns[f.Pattern] = f
		}
		out = append(out, fl)
	}
	return out, nil
}
