package redis

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/piisniff/piisniff/connectors"
)

// Bounded reads of big values.
const (
	readBatch    = 2000    // keys taken at a time (read in the pipelines of overlapped)
	itemsRead    = 100     // list/set/sorted-set items and stream entries read per key
	hashFields   = 1000    // hash fields read per key (HGETALL up to this many, else one HSCAN page)
	stringPiece  = 4 << 20 // strings longer than this are read in GETRANGE pieces
	pipeBytes    = 64 << 20
	defaultValue = 4096     // assumed size of a value whose size is unknown
	memOverhead  = 64 << 10 // MEMORY USAGE of a small value: the structure, not the data
	// stringAhead is the most bytes of a string read with its size check
	// (GETRANGE 0 stringAhead-1, one command instead of STRLEN then GET): a
	// batch of readBatch keys holds at most readBatch*stringAhead bytes
	// (32 MiB) of strings read ahead, besides its reads of pipeBytes.
	stringAhead = 16 << 10
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
	s := &sampler{c: c, res: &res, emit: emit, limit: opts.Size, db: p.DB, predicted: p.Type}
	if opts.Size <= 0 && !opts.Slice.Whole() && c.CanSlice(ct) {
		s.slice = opts.Slice
	}
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
	if p.Exact && !p.Other && p.Method == MethodScan {
		res.TotalDocuments = p.Count
		if !s.slice.Whole() {
			res.TotalDocuments = s.owned // the slice's share: the shares add up to the count
		}
	}
	res.Notes = append(res.Notes, s.ttlNote())
	if s.bigValues > 0 {
		// no count: the note is the same whichever slices met big values
		res.Notes = append(res.Notes, fmt.Sprintf("big values read in part (the first %d items or %d hash fields)", itemsRead, hashFields))
	}
	if s.jsonRefused > 0 {
		res.Notes = append(res.Notes, "RedisJSON values (type "+TypeJSON+") found but JSON.GET is unavailable (the RedisJSON module's command is not loaded, renamed or not permitted to this user): they were not read")
	}
	if s.failed > 0 {
		return res, c.redactErr(fmt.Errorf("%s: %d of %d keys could not be read: %s: %w", ct.Name, s.failed, s.tried, classify(s.firstErr), s.firstErr))
	}
	return res, nil
}

// pick chooses n of keys, the same for the same seed.
func pick(keys []keyRef, n int, seed int64, pat string) []keyRef {
	sorted := slices.Clone(keys)
	slices.SortFunc(sorted, func(a, b keyRef) int { return strings.Compare(a.key, b.key) })
	h := fnv.New64a()
	h.Write([]byte(pat))
	r := rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
	r.Shuffle(len(sorted), func(i, j int) { sorted[i], sorted[j] = sorted[j], sorted[i] })
	return sorted[:n]
}

// scanMatch lists the keys of p with SCAN MATCH (on every master of a
// cluster) and reads them in batches, up to size keys (0: all).
func (c *Connector) scanMatch(ctx context.Context, p *pattern, size int, read func(context.Context, []keyRef) error) error {
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
	// the keys found are read readBatch at a time (a SCAN page holds only
	// the few of its keys that match): the same keys in the same order,
	// with fewer round trips
	var pending []keyRef
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		err := read(ctx, pending)
		pending = nil
		return err
	}
	for _, n := range nodes {
		var cursor uint64
		seen := newScanSeen() // SCAN may return a key twice: see scanSeen
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
			var batch []keyRef
			for _, k := range keys {
				if !seen.fresh(k) {
					continue
				}
				if pp, ids := Pattern(k); pp == p.Pattern {
					batch = append(batch, keyRef{k, ids})
				}
			}
			if size > 0 && done+len(batch) > size {
				batch = batch[:size-done]
			}
			if len(batch) > 0 {
				pending = append(pending, batch...)
				done += len(batch)
				if len(pending) >= readBatch {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			if next == 0 || size > 0 && done >= size {
				break
			}
			cursor = next
		}
		if err := flush(); err != nil {
			return err
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
	slice   connectors.Slice // a sharded full scan: only the keys of this slice are read
	owned   int64            // keys listed that belong to the slice

	tried, failed int
	firstErr      error
	bigValues     int
	ttlKeys       int   // keys read
	ttlSet        int   // of them with a TTL
	ttlMin        int64 // ms
	ttlMax        int64
	ttlAsked      int      // keys whose PTTL was asked or is pending
	ttlPending    []string // PTTL to send with the next pipeline
	retry         []*keyState
	retrying      bool
	jsonRefused   int      // RedisJSON values whose JSON.GET was refused
	predicted     string   // the type of the container's keys, "?" when not one
	slab          []rawDoc // the raw documents' shared allocation (see raw)
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

// pipe runs a pipeline; per-command errors stay on the commands. The PTTL
// of the keys waiting for it go with it.
func (s *sampler) pipe(ctx context.Context, fn func(goredis.Pipeliner)) ([]goredis.Cmder, error) {
	return s.wait(ctx, s.send(ctx, fn, false))
}

// flight is a pipeline sent, whose replies wait awaits.
type flight struct {
	done   chan struct{} // closed when the replies are in
	cmds   []goredis.Cmder
	err    error
	ttls   []*goredis.DurationCmd
	cancel context.CancelFunc
	args   *argArena // the commands' arguments, given back once read (see release)
}

// release gives the arguments of f's commands back for another pipeline:
// once its replies are made into documents, nothing reads them.
func (f *flight) release() {
	if f.args != nil {
		putArgs(f.args)
		f.args = nil
	}
}

// send sends a pipeline built by fn, with the PTTL of the keys waiting for
// one; async sends it from a goroutine of its own and returns at once (fn
// then runs on that goroutine: it must not touch the sampler, only its own
// variables, which are the caller's again once wait has returned). The
// sampler's state is only ever touched by the goroutine that calls Sample.
func (s *sampler) send(ctx context.Context, fn func(goredis.Pipeliner), async bool) *flight {
	pctx, cancel := s.c.timeout(ctx)
	ttlKeys := s.ttlPending
	s.ttlPending = nil
	f := &flight{done: make(chan struct{}), ttls: make([]*goredis.DurationCmd, len(ttlKeys)), cancel: cancel}
	run := func() {
		defer close(f.done)
		f.cmds, f.err = s.cl.Pipelined(pctx, func(p goredis.Pipeliner) error {
			for i, k := range ttlKeys {
				f.ttls[i] = p.PTTL(pctx, k)
			}
			fn(p)
			return nil
		})
	}
	if async {
		go run()
	} else {
		run()
	}
	return f
}

// wait awaits the replies of f and records the TTLs that went with it.
func (s *sampler) wait(ctx context.Context, f *flight) ([]goredis.Cmder, error) {
	<-f.done
	f.cancel()
	if f.err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	for _, t := range f.ttls {
		if ttl, err := t.Result(); err == nil && ttl != -2 {
			s.ttl(ttl)
		}
	}
	return f.cmds[len(f.ttls):], nil
}

type keyState struct {
	key  string
	ids  []string // its id-like segments (see Pattern)
	typ  string
	size int64 // STRLEN of a string; the element count of a collection, -1 when not asked
	skip bool
	val  string // a string's whole value, read with its size (when read is set)
	read bool
}

// owns reports whether key belongs to the sampler's slice: keys are
// dealt to the slices by a hash of their bytes (FNV-1a), so that the
// slices of a full scan hold every key exactly once, whichever machine
// reads them.
func (s *sampler) owns(key string) bool {
	return s.slice.Whole() || KeySlice(key, s.slice.Count) == s.slice.Index
}

// KeySlice is the slice of count that key belongs to in a sharded full
// scan: FNV-1a of the key's bytes, modulo count.
func KeySlice(key string, count int) int {
	if count <= 1 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return int(h.Sum64() % uint64(count))
}

// batch reads keys. A collection's read is bounded by its command
// (LRANGE 0 99, HSCAN COUNT 1000, ...) and by the connection (guardConn),
// so it needs no size check first: the keys of the type predicted from
// the container's first key are read at once, one pipeline. Strings are
// read with their size check (GETRANGE of the first 16 KiB). Keys of
// another type than predicted (WRONGTYPE) are typed and read again.
func (s *sampler) batch(ctx context.Context, keys []keyRef) error {
	if s.full() {
		return nil
	}
	// The TTLs of the first keys listed are asked whether the slice owns
	// them or not: every slice writes the same note as the whole.
	buf := getStates(len(keys))
	defer putStates(buf)
	ks, states := buf.ks, buf.states
	for _, k := range keys {
		if s.ttlAsked < ttlSampled {
			s.ttlAsked++
			s.ttlPending = append(s.ttlPending, k.key)
		}
		if s.owns(k.key) {
			states = append(states, keyState{key: k.key, ids: k.ids, size: -1})
			ks = append(ks, &states[len(states)-1])
		}
	}
	s.owned += int64(len(ks))
	s.tried += len(ks)
	if len(ks) == 0 {
		if len(s.ttlPending) > 0 {
			_, err := s.pipe(ctx, func(goredis.Pipeliner) {})
			return err
		}
		return nil
	}
	if s.predicted == "" {
		// the type of the first key predicts the others (a pattern's keys
		// are nearly always of one type)
		tctx, cancel := s.c.timeout(ctx)
		typ, err := s.cl.Type(tctx, ks[0].key).Result()
		cancel()
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		s.predicted = "?"
		if err == nil && readTypes[typ] {
			s.predicted = typ
		}
	}
	if s.predicted != "?" {
		return s.overlapped(ctx, ks)
	}
	if err := s.types(ctx, ks); err != nil {
		return err
	}
	if err := s.sizes(ctx, ks); err != nil {
		return err
	}
	// strings whose type changed meanwhile are typed again, then read
	if err := s.retype(ctx, ks); err != nil {
		return err
	}
	if err := s.readAll(ctx, ks); err != nil {
		return err
	}
	if len(s.ttlPending) > 0 {
		_, err := s.pipe(ctx, func(goredis.Pipeliner) {})
		return err
	}
	return nil
}

// The chunks of overlapped: the first of firstChunk keys, so that the
// first documents reach their consumer (whose workers decode them) soon,
// each next one twice the one before, up to readChunk keys; a chunk that
// would leave less than half its size takes the rest too (2,000 keys are
// read in 4 pipelines, not 5 with a last one of 125: a round trip less).
const (
	firstChunk = 125
	readChunk  = 1000
)

// chunkEnd is the end of the chunk of size keys that starts at from, of n
// keys: n when fewer than size/2 would be left after it.
func chunkEnd(from, size, n int) int {
	end := min(from+size, n)
	if n-end < size/2 {
		end = n
	}
	return end
}

// overlapped reads keys of the type predicted (not yet typed) in chunks of
// up to readChunk keys (1.5 × readChunk for the last, see chunkEnd): the first pipeline of a chunk (the reads of its
// collections, or its strings' GETRANGE) is sent before the replies of
// the chunk before are made into documents (raw ones mostly: see rawDoc),
// so that the server reads the next chunk while the client hands this one
// over. At most two chunks' replies are held by the sampler.
// Keys of another type than predicted, strings to measure and values
// refused as too large are done as in batch, on the chunk's turn.
func (s *sampler) overlapped(ctx context.Context, ks []*keyState) error {
	for _, k := range ks {
		k.typ = s.predicted
	}
	type stage struct {
		part  []*keyState
		f     *flight
		heads []*goredis.StringCmd // strings: GETRANGE of their first bytes
		r     *readSent            // collections: their reads
	}
	start := func(part []*keyState) *stage {
		st := &stage{part: part}
		if s.predicted == "string" {
			st.f, st.heads = s.sizesSend(ctx, part, true)
		} else {
			st.r = s.readSend(ctx, part, true)
			st.f = st.r.f
		}
		return st
	}
	var next *stage
	drain := func() {
		if next != nil && next.f != nil {
			<-next.f.done
			next.f.cancel()
		}
	}
	chunk := firstChunk
	next = start(ks[:chunkEnd(0, chunk, len(ks))])
	for from := 0; from < len(ks); {
		cur := next
		next = nil
		from += len(cur.part)
		if from < len(ks) {
			chunk = min(2*chunk, readChunk)
			next = start(ks[from:chunkEnd(from, chunk, len(ks))])
		}
		var err error
		if s.predicted == "string" {
			err = s.sizesDone(ctx, cur.part, cur.f, cur.heads)
			if err == nil {
				err = s.retype(ctx, cur.part)
			}
			if err == nil {
				err = s.readAll(ctx, cur.part)
			}
		} else {
			err = s.readDone(ctx, cur.r)
		}
		if err != nil {
			drain()
			return err
		}
		if s.full() {
			drain()
			return nil
		}
	}
	if len(s.ttlPending) > 0 {
		_, err := s.pipe(ctx, func(goredis.Pipeliner) {})
		return err
	}
	return nil
}

// retype types and measures again the keys of ks that were not of the
// type predicted (typ "").
func (s *sampler) retype(ctx context.Context, ks []*keyState) error {
	var unknown []*keyState
	for _, k := range ks {
		if k.typ == "" && !k.skip {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	if err := s.types(ctx, unknown); err != nil {
		return err
	}
	return s.sizes(ctx, unknown)
}

// readAll reads the values of ks in pipelines of at most pipeBytes.
func (s *sampler) readAll(ctx context.Context, ks []*keyState) error {
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
	case k.skip, k.read:
		return 0
	case k.typ == "string":
		return k.size
	}
	return defaultValue
}

func isRefused(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "NOPERM") || strings.HasPrefix(msg, "ERR unknown command") || strings.Contains(msg, "refused to send")
}

// readSent is the read of the values of some keys, sent.
type readSent struct {
	f    *flight
	todo []pendingRead // filled while the pipeline is built
	huge []*keyState
}

type pendingRead struct {
	k   *keyState
	cmd goredis.Cmder // nil: a string read with its size
}

func (s *sampler) read(ctx context.Context, ks []*keyState) error {
	return s.readDone(ctx, s.readSend(ctx, ks, false))
}

// readSend sends the reads of the values of ks (see send for async).
func (s *sampler) readSend(ctx context.Context, ks []*keyState, async bool) *readSent {
	r := &readSent{todo: make([]pendingRead, 0, len(ks))}
	args := getArgs(len(ks) * 5)
	r.f = s.send(ctx, func(p goredis.Pipeliner) {
		q := getCmds(len(ks))
		defer putCmds(q)
		for _, k := range ks {
			if k.skip || k.typ == "" {
				continue
			}
			var cmd goredis.Cmder
			// the commands of the usual types are built here: their
			// arguments from one allocation (see argArena)
			switch k.typ {
			case "string":
				if k.read {
					r.todo = append(r.todo, pendingRead{k, nil}) // read with its size
					continue
				}
				if k.size > stringPiece {
					r.huge = append(r.huge, k)
					continue
				}
				cmd = goredis.NewStringCmd(ctx, args.take("get", &k.key)...)
			case "hash":
				// a small hash (listpack) comes whole, a big one one page
				cmd = goredis.NewScanCmd(ctx, nil, args.take("hscan", &k.key, argZero, "count", argHashFields)...)
			case "list":
				cmd = goredis.NewStringSliceCmd(ctx, args.take("lrange", &k.key, argZero, argItemsLast)...)
			case "set":
				cmd = goredis.NewScanCmd(ctx, nil, args.take("sscan", &k.key, argZero, "count", argItemsRead)...)
			case "zset":
				cmd = goredis.NewStringSliceCmd(ctx, args.take("zrange", &k.key, argZero, argItemsLast)...)
			case "stream":
				cmd = goredis.NewXMessageSliceCmd(ctx, "xrange", k.key, "-", "+", "count", int64(itemsRead))
			case TypeJSON:
				cmd = goredis.NewCmd(ctx, "JSON.GET", k.key)
			}
			*q = append(*q, cmd)
			r.todo = append(r.todo, pendingRead{k, cmd})
		}
		_ = p.BatchProcess(ctx, *q...) // the pipeline's list grown once, not once per doubling
	}, async)
	r.f.args = args
	return r
}

// readDone makes the values read by r into documents: raw ones (see
// rawDoc) but for strings that may not decode.
func (s *sampler) readDone(ctx context.Context, r *readSent) error {
	defer r.f.release()
	if _, err := s.wait(ctx, r.f); err != nil {
		return err
	}
	todo, huge := r.todo, r.huge
	var refused []*keyState
	for _, t := range todo {
		if s.full() {
			return nil
		}
		if t.cmd == nil {
			v := t.k.val
			t.k.val, t.k.read = "", false
			if err := s.stringDoc(t.k, v); err != nil {
				return err
			}
			continue
		}
		if tooLarge(t.cmd.Err()) {
			refused = append(refused, t.k)
			continue
		}
		if err := s.document(t.k, t.cmd); err != nil {
			return err
		}
	}
	// Replies the connection refused (see guardConn): the first of these
	// keys is over the bounds, the others came after it. Read again in
	// halves, down to the key at fault.
	switch {
	case len(refused) == 1 && len(todo) == 1:
		s.res.Skip(ReasonTooLarge)
	case len(refused) > 0:
		half := (len(refused) + 1) / 2
		if len(refused) == 1 {
			half = 1
		}
		for _, part := range [][]*keyState{refused[:half], refused[half:]} {
			if len(part) == 0 || s.full() {
				continue
			}
			if err := s.read(ctx, part); err != nil {
				return err
			}
		}
	}
	if len(s.retry) > 0 {
		again := s.retry
		s.retry = nil
		for _, k := range again {
			k.typ, k.size = "", -1
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
			if tooLarge(err) {
				s.res.Skip(ReasonTooLarge)
				continue
			}
			s.keyErr(err)
			continue
		}
		if err := s.stringDoc(k, b); err != nil {
			return err
		}
	}
	return nil
}

// tooLarge reports whether err is a reply the connection refused.
func tooLarge(err error) bool {
	if err == nil {
		return false // no allocation for the usual case
	}
	var e *ReplyTooLargeError
	return errors.As(err, &e)
}

// readPieces reads a big string with GETRANGE, stringPiece bytes at a time.
func (s *sampler) readPieces(ctx context.Context, k *keyState) (string, error) {
	var out strings.Builder
	out.Grow(int(k.size))
	for off := int64(0); off < k.size; off += stringPiece {
		rctx, cancel := s.c.timeout(ctx)
		piece, err := s.cl.GetRange(rctx, k.key, off, min(off+stringPiece, k.size)-1).Result()
		cancel()
		if err != nil {
			return "", err
		}
		if piece == "" {
			break // shortened meanwhile
		}
		out.WriteString(piece)
	}
	return out.String(), nil
}

// base is a new document with the key's id-like segments ids, room made
// for n fields more.
func base(ids []string, n int) map[string]any {
	f := make(map[string]any, n+1)
	if ids := keyIDs(ids); ids != nil {
		f[FieldKey] = ids
	}
	return f
}

// keyIDs is the value of the field FieldKey of a key's documents: its
// id-like segment, a list of them, or nil when it has none.
func keyIDs(ids []string) any {
	switch len(ids) {
	case 0:
		return nil
	case 1:
		return ids[0]
	}
	l := make([]any, len(ids))
	for i, id := range ids {
		l[i] = id
	}
	return l
}

func (s *sampler) out(f map[string]any) error {
	s.emitted++
	return s.emit(connectors.Document{Fields: f})
}

// stringDoc emits the document of a string value: raw when it cannot
// fail to decode (see textual), else decoded here, so that a value that is
// no document is skipped and counted by the sampler as ever.
func (s *sampler) stringDoc(k *keyState, v string) error {
	if int64(len(v)) > s.c.opts.MaxDocumentBytes {
		s.res.Skip(ReasonTooLarge)
		return nil
	}
	r := s.raw(rawString, k.ids)
	r.str = v
	if textual(v) {
		return s.outRaw(r)
	}
	f, reason, _ := r.Decode()
	if reason != "" {
		s.res.Skip(reason)
		return nil
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
		if k.typ == TypeJSON && isRefused(err) {
			// the module's type is there, its read command is not
			s.res.Skip(ReasonJSONUnavailable)
			s.jsonRefused++
			return nil
		}
		s.keyErr(err)
		return nil
	}
	if n, part := replyBytes(cmd); n > limit && !part {
		// a collection over the limit, read whole (a part read is
		// bounded by its count and the connection's limits)
		s.res.Skip(ReasonTooLarge)
		return nil
	}
	switch x := cmd.(type) {
	case *goredis.StringCmd: // GET
		return s.stringDoc(k, x.Val())
	case *goredis.MapStringStringCmd: // HGETALL
		if len(x.Val()) == 0 {
			s.res.Skip(ReasonVanished)
			return nil
		}
		r := s.raw(rawHashMap, k.ids)
		r.hash = x.Val()
		return s.outRaw(r)
	case *goredis.ScanCmd: // HSCAN or SSCAN page
		vals, cursor := x.Val()
		if cursor != 0 {
			s.bigValues++
		}
		if len(vals) == 0 {
			s.res.Skip(ReasonVanished)
			return nil
		}
		kind := uint8(rawItems)
		if k.typ == "hash" {
			kind = rawHash
		}
		r := s.raw(kind, k.ids)
		r.vals = vals
		return s.outRaw(r)
	case *goredis.StringSliceCmd: // LRANGE, SMEMBERS, ZRANGE
		if k.size > itemsRead || k.size < 0 && len(x.Val()) >= itemsRead {
			s.bigValues++
		}
		if len(x.Val()) == 0 {
			s.res.Skip(ReasonVanished)
			return nil
		}
		r := s.raw(rawItems, k.ids)
		r.vals = x.Val()
		return s.outRaw(r)
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
			r := s.raw(rawEntry, k.ids)
			r.entry = m.Values
			if err := s.outRaw(r); err != nil {
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
		return s.stringDoc(k, str)
	}
	return fmt.Errorf("redis: unexpected reply %T", cmd)
}

// replyBytes is the number of bytes of the values of a collection's reply
// (strings are checked against the limit by their size), and whether the
// reply may be a part of the value only.
func replyBytes(cmd goredis.Cmder) (n int64, part bool) {
	switch x := cmd.(type) {
	case *goredis.MapStringStringCmd:
		for k, v := range x.Val() {
			n += int64(len(k) + len(v))
		}
	case *goredis.ScanCmd:
		vals, cursor := x.Val()
		part = cursor != 0
		for _, v := range vals {
			n += int64(len(v))
		}
	case *goredis.StringSliceCmd:
		part = len(x.Val()) >= itemsRead
		for _, v := range x.Val() {
			n += int64(len(v))
		}
	case *goredis.XMessageSliceCmd:
		part = len(x.Val()) >= itemsRead
		for _, m := range x.Val() {
			n += int64(len(m.ID))
			for k, v := range m.Values {
				n += int64(len(k))
				if str, ok := v.(string); ok {
					n += int64(len(str))
				}
			}
		}
	}
	return n, part
}

func items(vals []string, limit int64) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = decodeFieldString(v, limit)
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

// readTypes are the types the connector reads.
var readTypes = map[string]bool{"string": true, "hash": true, "list": true, "set": true, "zset": true, "stream": true, TypeJSON: true}

// TypeJSON is the type of RedisJSON values, read with JSON.GET when the
// module is loaded.
const TypeJSON = "ReJSON-RL"

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
		case !readTypes[typ]:
			s.res.Skip(ReasonUnknown + " " + typ)
			k.skip = true
		default:
			k.typ = typ
		}
	}
	return nil
}

// sizes reads the strings of ks with their size: GETRANGE of the first
// stringAhead bytes is the whole value of a short string (one command);
// an empty or longer one has its STRLEN asked, and a string over the limit
// is skipped unread. Collections need no size (see batch). A key whose
// predicted type was wrong (WRONGTYPE) gets typ "" to be typed again.
func (s *sampler) sizes(ctx context.Context, ks []*keyState) error {
	f, heads := s.sizesSend(ctx, ks, false)
	if f == nil {
		return nil
	}
	return s.sizesDone(ctx, ks, f, heads)
}

// sizesSend sends the GETRANGE of the first bytes of the strings of ks
// (see send for async); nil when ks has none.
func (s *sampler) sizesSend(ctx context.Context, ks []*keyState, async bool) (*flight, []*goredis.StringCmd) {
	ahead := min(int64(stringAhead), s.c.opts.MaxDocumentBytes+1)
	some := false
	for _, k := range ks {
		if !k.skip && k.typ == "string" {
			some = true
		}
	}
	if !some {
		return nil, nil
	}
	heads := make([]*goredis.StringCmd, len(ks))
	var last any = ahead - 1
	args := getArgs(len(ks) * 4)
	f := s.send(ctx, func(p goredis.Pipeliner) {
		q := getCmds(len(ks))
		defer putCmds(q)
		for i, k := range ks {
			if !k.skip && k.typ == "string" {
				heads[i] = goredis.NewStringCmd(ctx, args.take("getrange", &k.key, argZero, last)...)
				*q = append(*q, heads[i])
			}
		}
		_ = p.BatchProcess(ctx, *q...)
	}, async)
	f.args = args
	return f, heads
}

// sizesDone reads the replies of sizesSend: see sizes.
func (s *sampler) sizesDone(ctx context.Context, ks []*keyState, f *flight, heads []*goredis.StringCmd) error {
	if f == nil {
		return nil
	}
	defer f.release()
	limit := s.c.opts.MaxDocumentBytes
	ahead := min(int64(stringAhead), limit+1)
	var recount []*keyState
	if _, err := s.wait(ctx, f); err != nil {
		return err
	}
	for i, k := range ks {
		if heads[i] == nil {
			continue
		}
		v, err := heads[i].Result()
		switch {
		case err != nil && strings.HasPrefix(err.Error(), "WRONGTYPE"):
			k.typ = "" // not the type predicted
		case err != nil:
			s.keyErr(err)
			k.skip = true
		case len(v) > 0 && int64(len(v)) < ahead:
			k.size = int64(len(v))
			k.val, k.read = v, true
		default:
			// empty (or gone: GET tells) or longer than read: STRLEN
			recount = append(recount, k)
		}
	}
	if len(recount) == 0 {
		return nil
	}
	cmds := make([]*goredis.IntCmd, len(recount))
	if _, err := s.pipe(ctx, func(p goredis.Pipeliner) {
		for i, k := range recount {
			cmds[i] = p.StrLen(ctx, k.key)
		}
	}); err != nil {
		return err
	}
	for i, k := range recount {
		n, err := cmds[i].Result()
		switch {
		case err != nil && strings.HasPrefix(err.Error(), "WRONGTYPE"):
			k.typ = ""
		case err != nil:
			s.keyErr(err)
			k.skip = true
		default:
			k.size = n
			if n > limit {
				s.res.Skip(ReasonTooLarge)
				k.skip = true
			}
		}
	}
	return nil
}

// Arguments of the reads, boxed once: an integer put in an interface is
// an allocation of its own.
var (
	argZero       any = int64(0)
	argItemsLast  any = int64(itemsRead - 1)
	argItemsRead  any = int64(itemsRead)
	argHashFields any = int64(hashFields)
)

// argArena hands out the argument lists of a pipeline's commands from
// shared allocations, a key passed as a pointer to the key's string (which
// go-redis writes, and routes by in a cluster, as the string): one
// allocation per command (the command itself) instead of three to five.
type argArena []any

// The argument lists and the keys' states of the reads are used again by
// the next pipelines, and the next batches (of any sampler): they are
// garbage once the pipeline's replies are made into documents (which hold
// the replies, never the commands), and making them anew was about a fifth
// of the bytes a sample allocated.
var argPool, statePool, cmdPool sync.Pool

// getCmds is an empty list of commands with room for n, to queue a
// pipeline's commands at once (BatchProcess copies them).
func getCmds(n int) *[]goredis.Cmder {
	if q, ok := cmdPool.Get().(*[]goredis.Cmder); ok && cap(*q) >= n {
		return q
	}
	q := make([]goredis.Cmder, 0, max(n, 1024))
	return &q
}

func putCmds(q *[]goredis.Cmder) {
	clear(*q)
	*q = (*q)[:0]
	cmdPool.Put(q)
}

// getArgs is an empty arena with room for n arguments.
func getArgs(n int) *argArena {
	if a, ok := argPool.Get().(*argArena); ok && cap(*a) >= n {
		return a
	}
	a := make(argArena, 0, max(n, 1024))
	return &a
}

// putArgs gives a back, its arguments let go.
func putArgs(a *argArena) {
	clear(*a)
	*a = (*a)[:0]
	argPool.Put(a)
}

// batchStates is the state of each key of a batch, and pointers to them.
type batchStates struct {
	states []keyState
	ks     []*keyState
}

// getStates is an empty batchStates with room for n keys.
func getStates(n int) *batchStates {
	if b, ok := statePool.Get().(*batchStates); ok && cap(b.states) >= n {
		return b
	}
	return &batchStates{states: make([]keyState, 0, n), ks: make([]*keyState, 0, n)}
}

// putStates gives b back once its batch is read: nothing else holds its
// states then (documents hold the keys' segments, not their states).
func putStates(b *batchStates) {
	clear(b.states[:cap(b.states)])
	clear(b.ks[:cap(b.ks)])
	b.states, b.ks = b.states[:0], b.ks[:0]
	statePool.Put(b)
}

func (a *argArena) take(v ...any) []any {
	if cap(*a)-len(*a) < len(v) {
		*a = make([]any, 0, max(len(v), 1024))
	}
	n := len(*a)
	*a = append(*a, v...)
	return (*a)[n:len(*a):len(*a)]
}
