package redis

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/piisniff/piisniff/connectors"
)

// Bounded reads of big values.
const (
	readBatch    = 1000    // keys per pipeline
	itemsRead    = 100     // list/set/sorted-set items and stream entries read per key
	hashFields   = 1000    // hash fields read per key (HGETALL up to this many, else one HSCAN page)
	stringPiece  = 4 << 20 // strings longer than this are read in GETRANGE pieces
	pipeBytes    = 64 << 20
	defaultValue = 4096     // assumed size of a value whose size is unknown
	memOverhead  = 64 << 10 // MEMORY USAGE of a small value: the structure, not the data
)

// Field names of values that are not under a name of their own.
const (
	FieldKey   = "(key)"
	FieldValue = "(value)"
	FieldItems = "(items)"
)

// Sample implements connectors.Connector.
func (c *Connector) Sample(ctx context.Context, ct connectors.Container, opts connectors.SampleOptions,
	emit func(connectors.Document) error) (connectors.SampleResult, error) {
	res := connectors.SampleResult{TotalDocuments: -1}
	p, ok := ct.Handle.(*pattern)
	if !ok {
		return res, fmt.Errorf("%s: not a container listed by this connector", ct.Name)
	}
	if p.NodeErr != nil {
		return res, p.NodeErr
	}
	select {
	case c.sem <- struct{}{}:
		defer func() { <-c.sem }()
	case <-ctx.Done():
		return res, ctx.Err()
	}
	res.Method = p.Method
	if p.Exact && !p.Other && p.Method == MethodScan {
		res.TotalDocuments = p.Count
	}
	s := &sampler{c: c, res: &res, emit: emit, limit: opts.Size, db: p.DB}
	if c.cluster {
		s.cl = c.cc
	} else {
		s.cl = c.client(p.DB)
	}

	keys := p.Keys
	needMore := !p.Other && (opts.Size <= 0 && !(p.Exact && int64(len(keys)) >= p.Count) ||
		opts.Size > len(keys) && p.Estimate > int64(len(keys)) && !(p.Exact && int64(len(keys)) >= p.Count))
	if needMore {
		res.Method = MethodScanMatch
		if err := c.scanMatch(ctx, p, opts.Size, s.batch); err != nil {
			return res, err
		}
	} else {
		if opts.Size > 0 && len(keys) > opts.Size {
			keys = pick(keys, opts.Size, opts.Seed, p.Pattern)
		}
		for i := 0; i < len(keys); i += readBatch {
			if err := s.batch(ctx, keys[i:min(i+readBatch, len(keys))]); err != nil {
				return res, err
			}
			if s.full() {
				break
			}
		}
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	res.Notes = append(res.Notes, s.ttlNote())
	if s.bigValues > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d big values read in part (the first %d items or %d hash fields)", s.bigValues, itemsRead, hashFields))
	}
	if s.failed > 0 {
		return res, c.redactErr(fmt.Errorf("%s: %d of %d keys could not be read: %s: %w", ct.Name, s.failed, s.tried, classify(s.firstErr), s.firstErr))
	}
	return res, nil
}

// pick chooses n of keys, the same for the same seed.
func pick(keys []string, n int, seed int64, pat string) []string {
	sorted := slices.Clone(keys)
	slices.Sort(sorted)
	h := fnv.New64a()
	h.Write([]byte(pat))
	r := rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
	r.Shuffle(len(sorted), func(i, j int) { sorted[i], sorted[j] = sorted[j], sorted[i] })
	return sorted[:n]
}

// scanMatch lists the keys of p with SCAN MATCH (on every master of a
// cluster) and reads them in batches, up to size keys (0: all).
func (c *Connector) scanMatch(ctx context.Context, p *pattern, size int, read func(context.Context, []string) error) error {
	nodes := []*goredis.Client{}
	if c.cluster {
		err := c.cc.ForEachMaster(ctx, func(_ context.Context, n *goredis.Client) error {
			c.mu.Lock()
			nodes = append(nodes, n)
			c.mu.Unlock()
			return nil
		})
		if err != nil {
			return c.redactErr(err)
		}
		slices.SortFunc(nodes, func(a, b *goredis.Client) int { return strings.Compare(a.Options().Addr, b.Options().Addr) })
	} else {
		nodes = append(nodes, c.client(p.DB))
	}
	done := 0
	var failed error
	for _, n := range nodes {
		var cursor uint64
		for {
			sctx, cancel := c.timeout(ctx)
			glob := globFor(p.Pattern)
			if p.Other {
				glob = ""
			}
			keys, next, err := n.Scan(sctx, cursor, glob, int64(c.own.ScanCount)).Result()
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				failed = c.redactErr(fmt.Errorf("SCAN MATCH on %s: %s: %w", n.Options().Addr, classify(err), err))
				break // the other nodes go on
			}
			batch := keys[:0]
			for _, k := range keys {
				if pp, _ := Pattern(k); pp == p.Pattern {
					batch = append(batch, k)
				}
			}
			if size > 0 && done+len(batch) > size {
				batch = batch[:size-done]
			}
			if len(batch) > 0 {
				if err := read(ctx, batch); err != nil {
					return err
				}
				done += len(batch)
			}
			if next == 0 || size > 0 && done >= size {
				break
			}
			cursor = next
		}
		if size > 0 && done >= size {
			break
		}
	}
	return failed
}

// sampler reads batches of keys into documents.
type sampler struct {
	c       *Connector
	cl      goredis.Cmdable
	db      int
	res     *connectors.SampleResult
	emit    func(connectors.Document) error
	limit   int
	emitted int

	tried, failed int
	firstErr      error
	bigValues     int
	ttlKeys       int   // keys read
	ttlSet        int   // of them with a TTL
	ttlMin        int64 // ms
	ttlMax        int64
	ttlAsked      int // PTTL sent
	retry         []*keyState
	retrying      bool
	predicted     string // the type of the container's keys, "?" when not one
}

func (s *sampler) full() bool { return s.limit > 0 && s.emitted >= s.limit }

func (s *sampler) fail(err error) {
	s.failed++
	if s.firstErr == nil {
		s.firstErr = err
	}
}

// keyErr sorts a per-command error: a vanished key is skipped, anything
// else fails the key.
func (s *sampler) keyErr(err error) {
	if errors.Is(err, goredis.Nil) {
		s.res.Skip(ReasonVanished)
		return
	}
	s.fail(err)
}

// pipe runs a pipeline; per-command errors stay on the commands.
func (s *sampler) pipe(ctx context.Context, fn func(goredis.Pipeliner)) ([]goredis.Cmder, error) {
	pctx, cancel := s.c.timeout(ctx)
	defer cancel()
	cmds, err := s.cl.Pipelined(pctx, func(p goredis.Pipeliner) error { fn(p); return nil })
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return cmds, nil
}

type keyState struct {
	key  string
	typ  string
	size int64 // STRLEN, HLEN, ...
	mem  int64 // MEMORY USAGE, 0 when unknown
	skip bool
}

// batch reads keys: their sizes (with the type predicted from the keys
// read before; TYPE only for the keys whose type was not the one
// predicted), then their values, each step one pipeline.
func (s *sampler) batch(ctx context.Context, keys []string) error {
	if s.full() {
		return nil
	}
	ks := make([]*keyState, len(keys))
	for i, k := range keys {
		ks[i] = &keyState{key: k}
	}
	s.tried += len(keys)
	if s.predicted == "" {
		// the type of the first key predicts the others (a pattern's keys
		// are nearly always of one type)
		tctx, cancel := s.c.timeout(ctx)
		typ, err := s.cl.Type(tctx, keys[0]).Result()
		cancel()
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		s.predicted = "?"
		if err == nil && sizeTypes[typ] {
			s.predicted = typ
		}
	}
	var unknown []*keyState
	if s.predicted != "?" {
		for _, k := range ks {
			k.typ = s.predicted
		}
		if err := s.sizes(ctx, ks); err != nil {
			return err
		}
		for _, k := range ks {
			if k.typ == "" {
				unknown = append(unknown, k)
			}
		}
	} else {
		unknown = ks
	}
	if len(unknown) > 0 {
		if err := s.types(ctx, unknown); err != nil {
			return err
		}
		if err := s.sizes(ctx, unknown); err != nil {
			return err
		}
	}
	// 3: values, in pipelines of at most pipeBytes
	for start := 0; start < len(ks); {
		var bytes int64
		end := start
		for end < len(ks) && (end == start || bytes < pipeBytes) {
			bytes += ks[end].expected()
			end++
		}
		if err := s.read(ctx, ks[start:end]); err != nil {
			return err
		}
		if s.full() {
			return nil
		}
		start = end
	}
	return nil
}

// expected is the number of bytes the read of k may return, about.
func (k *keyState) expected() int64 {
	switch {
	case k.skip:
		return 0
	case k.typ == "string":
		return k.size
	case k.mem > 0:
		return k.mem
	}
	return defaultValue
}

func isRefused(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "NOPERM") || strings.HasPrefix(msg, "ERR unknown command") || strings.Contains(msg, "refused to send")
}

func (s *sampler) read(ctx context.Context, ks []*keyState) error {
	type pending struct {
		k   *keyState
		cmd goredis.Cmder
	}
	var todo []pending
	var huge []*keyState
	cmds, err := s.pipe(ctx, func(p goredis.Pipeliner) {
		for _, k := range ks {
			if k.skip {
				continue
			}
			var cmd goredis.Cmder
			switch k.typ {
			case "string":
				if k.size > stringPiece {
					huge = append(huge, k)
					continue
				}
				cmd = p.Get(ctx, k.key)
			case "hash":
				if k.size >= 0 && k.size <= hashFields {
					cmd = p.HGetAll(ctx, k.key)
				} else {
					cmd = p.HScan(ctx, k.key, 0, "", hashFields)
				}
			case "list":
				cmd = p.LRange(ctx, k.key, 0, itemsRead-1)
			case "set":
				if k.size >= 0 && k.size <= itemsRead {
					cmd = p.SMembers(ctx, k.key)
				} else {
					cmd = p.SScan(ctx, k.key, 0, "", itemsRead)
				}
			case "zset":
				cmd = p.ZRange(ctx, k.key, 0, itemsRead-1)
			case "stream":
				cmd = p.XRangeN(ctx, k.key, "-", "+", itemsRead)
			case "ReJSON-RL":
				cmd = p.Do(ctx, "JSON.GET", k.key)
			}
			todo = append(todo, pending{k, cmd})
		}
	})
	if err != nil {
		return err
	}
	_ = cmds
	for _, t := range todo {
		if s.full() {
			return nil
		}
		if err := s.document(t.k, t.cmd); err != nil {
			return err
		}
	}
	if len(s.retry) > 0 {
		again := s.retry
		s.retry = nil
		for _, k := range again {
			k.typ, k.size, k.mem = "", 0, 0
		}
		s.retrying = true
		err := s.types(ctx, again)
		if err == nil {
			err = s.sizes(ctx, again)
		}
		if err == nil {
			err = s.read(ctx, again)
		}
		s.retrying = false
		if err != nil {
			return err
		}
	}
	for _, k := range huge {
		if s.full() {
			return nil
		}
		b, err := s.readPieces(ctx, k)
		if err != nil {
			s.keyErr(err)
			continue
		}
		if err := s.stringDoc(k, b); err != nil {
			return err
		}
	}
	return nil
}

// readPieces reads a big string with GETRANGE, stringPiece bytes at a time.
func (s *sampler) readPieces(ctx context.Context, k *keyState) ([]byte, error) {
	out := make([]byte, 0, k.size)
	for off := int64(0); off < k.size; off += stringPiece {
		rctx, cancel := s.c.timeout(ctx)
		piece, err := s.cl.GetRange(rctx, k.key, off, min(off+stringPiece, k.size)-1).Result()
		cancel()
		if err != nil {
			return nil, err
		}
		if piece == "" {
			break // shortened meanwhile
		}
		out = append(out, piece...)
	}
	return out, nil
}

// base is a new document with the key's id-like segments.
func base(key string) map[string]any {
	f := map[string]any{}
	_, ids := Pattern(key)
	switch len(ids) {
	case 0:
	case 1:
		f[FieldKey] = ids[0]
	default:
		l := make([]any, len(ids))
		for i, id := range ids {
			l[i] = id
		}
		f[FieldKey] = l
	}
	return f
}

func (s *sampler) out(f map[string]any) error {
	s.emitted++
	return s.emit(connectors.Document{Fields: f})
}

func (s *sampler) stringDoc(k *keyState, b []byte) error {
	if int64(len(b)) > s.c.opts.MaxDocumentBytes {
		s.res.Skip(ReasonTooLarge)
		return nil
	}
	v, reason := DecodeString(b, s.c.opts.MaxDocumentBytes)
	if reason != "" {
		s.res.Skip(reason)
		return nil
	}
	f := base(k.key)
	if m, ok := v.(map[string]any); ok {
		for name, x := range m {
			f[name] = x
		}
	} else {
		f[FieldValue] = v
	}
	return s.out(f)
}

func (s *sampler) document(k *keyState, cmd goredis.Cmder) error {
	limit := s.c.opts.MaxDocumentBytes
	if err := cmd.Err(); err != nil {
		if strings.HasPrefix(err.Error(), "WRONGTYPE") && !s.retrying {
			s.retry = append(s.retry, k) // sized by memory as the type predicted, but of another type
			return nil
		}
		if k.typ == "ReJSON-RL" && isRefused(err) {
			s.res.Skip("RedisJSON value: JSON.GET refused")
			return nil
		}
		s.keyErr(err)
		return nil
	}
	switch x := cmd.(type) {
	case *goredis.StringCmd: // GET
		return s.stringDoc(k, []byte(x.Val()))
	case *goredis.MapStringStringCmd: // HGETALL
		if len(x.Val()) == 0 {
			s.res.Skip(ReasonVanished)
			return nil
		}
		f := base(k.key)
		for name, v := range x.Val() {
			f[name] = DecodeField([]byte(v), limit)
		}
		return s.out(f)
	case *goredis.ScanCmd: // HSCAN or SSCAN page
		vals, cursor := x.Val()
		if cursor != 0 {
			s.bigValues++
		}
		if len(vals) == 0 {
			s.res.Skip(ReasonVanished)
			return nil
		}
		f := base(k.key)
		if k.typ == "hash" {
			for i := 0; i+1 < len(vals); i += 2 {
				f[vals[i]] = DecodeField([]byte(vals[i+1]), limit)
			}
		} else {
			f[FieldItems] = items(vals, limit)
		}
		return s.out(f)
	case *goredis.StringSliceCmd: // LRANGE, SMEMBERS, ZRANGE
		if k.size > itemsRead || k.size < 0 && len(x.Val()) >= itemsRead {
			s.bigValues++
		}
		if len(x.Val()) == 0 {
			s.res.Skip(ReasonVanished)
			return nil
		}
		f := base(k.key)
		f[FieldItems] = items(x.Val(), limit)
		return s.out(f)
	case *goredis.XMessageSliceCmd: // XRANGE: one document per entry
		if k.size > itemsRead || k.size < 0 && len(x.Val()) >= itemsRead {
			s.bigValues++
		}
		if len(x.Val()) == 0 {
			s.res.Skip(ReasonVanished)
			return nil
		}
		for _, m := range x.Val() {
			if s.full() {
				return nil
			}
			f := base(k.key)
			for name, v := range m.Values {
				if str, ok := v.(string); ok {
					f[name] = DecodeField([]byte(str), limit)
				} else {
					f[name] = fmt.Sprint(v)
				}
			}
			if err := s.out(f); err != nil {
				return err
			}
		}
		return nil
	case *goredis.Cmd: // JSON.GET
		str, ok := x.Val().(string)
		if !ok {
			s.res.Skip("RedisJSON value: unexpected reply")
			return nil
		}
		return s.stringDoc(k, []byte(str))
	}
	return fmt.Errorf("redis: unexpected reply %T", cmd)
}

func items(vals []string, limit int64) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = DecodeField([]byte(v), limit)
	}
	return out
}

func (s *sampler) ttl(d time.Duration) {
	s.ttlKeys++
	if d < 0 {
		return // -1 no TTL, -2 gone
	}
	ms := d.Milliseconds()
	if s.ttlSet == 0 || ms < s.ttlMin {
		s.ttlMin = ms
	}
	if ms > s.ttlMax {
		s.ttlMax = ms
	}
	s.ttlSet++
}

// ttlNote says whether the sampled keys expire: data that expires is still
// exposed while it lives.
func (s *sampler) ttlNote() string {
	switch {
	case s.ttlKeys == 0:
		return "no key read"
	case s.ttlSet == 0:
		return "keys do not expire (no TTL)"
	}
	return fmt.Sprintf("keys expire: TTL %s–%s (%d of %d sampled keys have a TTL)",
		humanDuration(s.ttlMin), humanDuration(s.ttlMax), s.ttlSet, s.ttlKeys)
}

// humanDuration is 45s, 30m, 24h, 3d.
func humanDuration(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int64(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int64(d.Round(time.Minute)/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int64(d.Round(time.Hour)/time.Hour))
	}
	return fmt.Sprintf("%dd", int64(d.Round(24*time.Hour)/(24*time.Hour)))
}

// sizeTypes are the types whose size is read before their value.
var sizeTypes = map[string]bool{"string": true, "hash": true, "list": true, "set": true, "zset": true, "stream": true}

// ttlSampled is how many keys per container have their TTL read.
const ttlSampled = 100

// types reads the TYPE of keys whose type is not known.
func (s *sampler) types(ctx context.Context, ks []*keyState) error {
	cmds, err := s.pipe(ctx, func(p goredis.Pipeliner) {
		for _, k := range ks {
			p.Type(ctx, k.key)
		}
	})
	if err != nil {
		return err
	}
	for i, k := range ks {
		typ, err := cmds[i].(*goredis.StatusCmd).Result()
		switch {
		case err != nil:
			s.keyErr(err)
			k.skip = true
		case typ == "none":
			s.res.Skip(ReasonVanished)
			k.skip = true
		case typ == "ReJSON-RL":
			k.typ = typ
		case !sizeTypes[typ]:
			s.res.Skip(ReasonUnknown + " " + typ)
			k.skip = true
		default:
			k.typ = typ
		}
	}
	return nil
}

// sizes reads the size of each key of a known (or predicted) type before
// its value: STRLEN for strings; MEMORY USAGE for the other types where
// the server allows it (a missing key answers nil), else their element
// count (HLEN, LLEN, SCARD, ZCARD, XLEN), also asked for collections whose
// memory is over the limit; and, for the first keys, the TTL. A key whose
// predicted type was wrong (WRONGTYPE) gets typ "" to be typed again.
func (s *sampler) sizes(ctx context.Context, ks []*keyState) error {
	limit := s.c.opts.MaxDocumentBytes
	useMem := !s.c.noMemoryUsage.Load()
	type sent struct {
		size, mem, ttl goredis.Cmder
	}
	out := make([]sent, len(ks))
	_, err := s.pipe(ctx, func(p goredis.Pipeliner) {
		for i, k := range ks {
			if k.skip || !sizeTypes[k.typ] {
				continue
			}
			if k.typ != "string" && useMem {
				out[i].mem = p.MemoryUsage(ctx, k.key)
			} else {
				out[i].size = countCmd(ctx, p, k)
			}
			if s.ttlAsked < ttlSampled {
				s.ttlAsked++
				out[i].ttl = p.PTTL(ctx, k.key)
			}
		}
	})
	if err != nil {
		return err
	}
	var recount []*keyState
	for i, k := range ks {
		o := out[i]
		if o.size == nil && o.mem == nil {
			continue
		}
		if o.size != nil {
			n, err := o.size.(*goredis.IntCmd).Result()
			if err != nil {
				if strings.HasPrefix(err.Error(), "WRONGTYPE") {
					k.typ = "" // not the type predicted
					if o.ttl != nil {
						s.ttlAsked--
					}
					continue
				}
				s.keyErr(err)
				k.skip = true
				continue
			}
			k.size = n
		}
		if o.mem != nil {
			m, err := o.mem.(*goredis.IntCmd).Result()
			switch {
			case errors.Is(err, goredis.Nil):
				s.res.Skip(ReasonVanished)
				k.skip = true
				continue
			case err != nil && isRefused(err):
				s.c.noMemoryUsage.Store(true)
				k.size = -1 // counted below
				recount = append(recount, k)
			case err != nil:
				s.keyErr(err)
				k.skip = true
				continue
			default:
				k.mem = m
				k.size = -1 // the element count is not known
				if m > limit+memOverhead {
					recount = append(recount, k)
				}
			}
		}
		if o.ttl != nil {
			if ttl, err := o.ttl.(*goredis.DurationCmd).Result(); err == nil && ttl != -2 {
				s.ttl(ttl)
			}
		}
		if k.size == 0 && k.typ != "string" {
			// an empty collection does not exist: the key is gone
			s.res.Skip(ReasonVanished)
			k.skip = true
			continue
		}
		if k.typ == "string" && k.size > limit {
			s.res.Skip(ReasonTooLarge)
			k.skip = true
		}
	}
	if len(recount) == 0 {
		return nil
	}
	cmds := make([]goredis.Cmder, len(recount))
	if _, err := s.pipe(ctx, func(p goredis.Pipeliner) {
		for i, k := range recount {
			cmds[i] = countCmd(ctx, p, k)
		}
	}); err != nil {
		return err
	}
	for i, k := range recount {
		n, err := cmds[i].(*goredis.IntCmd).Result()
		switch {
		case err != nil && strings.HasPrefix(err.Error(), "WRONGTYPE"):
			k.typ = ""
		case err != nil:
			s.keyErr(err)
			k.skip = true
		case n == 0:
			s.res.Skip(ReasonVanished)
			k.skip = true
		default:
			k.size = n
			// a collection over the limit whose read would take all of it
			if k.mem > limit+memOverhead && (k.typ == "hash" && n <= hashFields || n <= itemsRead) {
				s.res.Skip(ReasonTooLarge)
				k.skip = true
			}
		}
	}
	return nil
}

// countCmd queues the size command of k's type.
func countCmd(ctx context.Context, p goredis.Pipeliner, k *keyState) goredis.Cmder {
	switch k.typ {
	case "string":
		return p.StrLen(ctx, k.key)
	case "hash":
		return p.HLen(ctx, k.key)
	case "list":
		return p.LLen(ctx, k.key)
	case "set":
		return p.SCard(ctx, k.key)
	case "zset":
		return p.ZCard(ctx, k.key)
	default:
		return p.XLen(ctx, k.key)
	}
}
