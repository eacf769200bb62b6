package redis

import (
	"context"
	"fmt"
	"math/bits"
	"sync"

	goredis "github.com/redis/go-redis/v9"
)

// A large database is listed by SCAN walks that start from scanSegments
// seeded cursors spread over the hash table, in rounds: each round sends
// the walks' SCANs at once, on connections of their own, each walk working
// out its keys' patterns while the server answers the others, with
// drawBatch RANDOMKEY draws in a pipeline beside the first. The next round
// goes out as soon as a round's pages are in, its COUNT guessed from them
// (guessCount), and the server walks it while the round's keys are
// recorded. A SCAN cursor is a bucket index
// with its bits reversed (the server walks the table by incrementing the
// reversed index, which keeps a walk valid while the table grows or
// shrinks), and the server accepts any cursor: cursors whose reversed
// values are spaced 2^64/scanSegments apart start the walks at evenly
// spaced points of the walk order, and each walk stops before it reaches
// the next one's start. A bucket is chosen by a hash of the key, so the
// keys met are a random sample of the keyspace, like the draws, but come a
// ScanCount at a time: hundreds of keys per round trip rather than one per
// RANDOMKEY, at a third of a draw's cost to the server per key. The same
// seed starts the walks at the same cursors (the same keys while the table
// is unchanged); the draws, which cannot be seeded, keep keys only for the
// patterns the walks left short of keys.
const scanSegments = 8

// segment is one SCAN walk of the listing.
type segment struct {
	cursor uint64
	end    uint64 // the next walk's start in walk order (reversed cursor); 0: the table's end
	done   bool
	pt     patterner         // the patterns of the walk's keys
	names  map[string]string // the patterns met by the walk, each made once
}

// walkPage is one SCAN reply of a walk, each key with its pattern and
// id-like segments (made on the walk's goroutine).
type walkPage struct {
	keys   []string
	pats   []string
	ids    [][]string
	counts map[string]int64 // keys of each pattern
	next   uint64
	err    error
}

// walkRound is one round of the walks: their SCANs, sent at once.
type walkRound struct {
	live  []*segment
	pages []walkPage
	wg    sync.WaitGroup
}

func (r *walkRound) wait() { r.wg.Wait() }

// startRound sends the next SCAN (COUNT count) of each walk of live, each
// on a goroutine (and a connection) of its own, which works out the
// patterns of its keys while the server answers the others.
func (c *Connector) startRound(ctx context.Context, cl *goredis.Client, live []*segment, count int) *walkRound {
	r := &walkRound{live: live, pages: make([]walkPage, len(live))}
	for i, s := range live {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.pages[i].read(ctx, c, cl, s, count)
		}()
	}
	return r
}

// nextCount is the COUNT of the next round: the keys still to meet (the
// most any short pattern needs at its share of the keys met so far, plus
// a tenth) split over the live walks, at least 10 and at most scanCount.
// sent is the walks of the round before. The listing has stopped before
// when no pattern is short (then it is 0).
func (l *dbList) nextCount(sent, live int, fill int64, scanCount int) int {
	met := l.draws + l.walked
	need := int64(-1)
	for _, p := range l.patterns {
		need = max(need, l.need(int64(len(p.Keys)), p.Count+p.Walked, met))
	}
	return roundCount(need, l.walked, sent, live, fill, scanCount)
}

// guessCount is the COUNT of the next round as sampleKeys would work it
// out once pages are recorded, with every key of pages taken as met for
// the first time (kept while its pattern is short), or 0 when no pattern
// would be short then or fill keys would have been met. sent is the walks
// of pages, live those still walking.
func (l *dbList) guessCount(pages []walkPage, sent, live int, fill int64, scanCount int) int {
	add := map[string]int64{}
	walked := l.walked
	for i := range pages {
		for p, n := range pages[i].counts {
			add[p] += n
		}
		walked += int64(len(pages[i].keys))
	}
	if live == 0 || walked >= fill {
		return 0
	}
	met := l.draws + walked
	need := int64(-1)
	for name, p := range l.patterns {
		n := add[name]
		need = max(need, l.need(min(int64(len(p.Keys))+n, int64(l.keep)), p.Count+p.Walked+n, met))
	}
	for name, n := range add {
		if _, ok := l.patterns[name]; !ok {
			need = max(need, l.need(min(n, int64(l.keep)), n, met))
		}
	}
	return roundCount(need, walked, sent, live, fill, scanCount)
}

// need is the keys still to meet for a pattern holding keys kept, of which
// seen were met (walked or drawn) among met (short and estimate with
// those counts), or -1 when it is not short.
func (l *dbList) need(keys, seen, met int64) int64 {
	est := max(keys, l.size*seen/max(met, 1))
	if keys >= int64(l.keep) || keys >= est {
		return -1
	}
	return (min(int64(l.keep), est) - keys) * met / max(seen, 1)
}

// roundCount splits need (plus a tenth and one per walk sent; -1: none)
// over the live walks: at least 10, at most scanCount, and no more than
// the fill keys left after walked.
func roundCount(need, walked int64, sent, live int, fill int64, scanCount int) int {
	if need < 0 {
		return 0
	}
	need = min(need+need/10+int64(sent), fill-walked)
	return int(min(max((need+int64(live)-1)/int64(max(live, 1)), 10), int64(scanCount)))
}

// segmentNames bounds the patterns a walk remembers (more are made again).
const segmentNames = 4096

// read sends s's next SCAN (COUNT count) and works out the patterns of the
// keys it returns.
func (pg *walkPage) read(ctx context.Context, c *Connector, cl *goredis.Client, s *segment, count int) {
	sctx, cancel := c.timeout(ctx)
	pg.keys, pg.next, pg.err = cl.Scan(sctx, s.cursor, "", int64(count)).Result()
	cancel()
	if pg.err == nil {
		pg.patterns(s)
	}
}

// patterns works out the pattern and id-like segments of each key of pg
// with s's patterner, and the keys of each pattern.
func (pg *walkPage) patterns(s *segment) {
	if s.names == nil || len(s.names) > segmentNames {
		s.names = make(map[string]string)
	}
	pg.pats = make([]string, len(pg.keys))
	pg.ids = make([][]string, len(pg.keys))
	pg.counts = make(map[string]int64)
	for i, k := range pg.keys {
		pb, ids := s.pt.pattern(k)
		name, ok := s.names[string(pb)]
		if !ok {
			name = string(pb)
			s.names[name] = name
		}
		pg.pats[i] = name
		pg.ids[i] = s.pt.keep(ids)
		pg.counts[name]++
	}
}

// sampleKeys lists a large database in rounds (see above)
// until every pattern has its keys (KeysPerPattern, or all it is
// estimated to hold), the walks have covered the table or FillScanKeys keys
// were met. After the first round, the COUNT of each walk is the keys
// still to meet, estimated from the patterns' shares so far, split over
// the walks (at most ScanCount).
func (c *Connector) sampleKeys(ctx context.Context, cl *goredis.Client, l *dbList, seen map[string]struct{}, maxTracked int) error {
	span := uint64(1) << (64 - bits.TrailingZeros(scanSegments))
	off := l.rng.Uint64() % span
	segs := make([]segment, scanSegments)
	for k := range segs {
		segs[k].cursor = bits.Reverse64(uint64(k)*span + off)
		if k+1 < len(segs) {
			segs[k].end = uint64(k+1)*span + off
		}
	}
	type draw struct {
		ref keyRef
		st  *pattern // the pattern it was counted in (nil: none)
	}
	var drawn []draw
	liveSegs := func() []*segment {
		var live []*segment
		for i := range segs {
			if !segs[i].done {
				live = append(live, &segs[i])
			}
		}
		return live
	}
	count := c.own.ScanCount
	var next *walkRound // the next round, sent before this one's keys are recorded
	defer func() {
		if next != nil {
			next.wait() // on an error: its goroutines end before the listing does
		}
	}()
	for round := 0; ; round++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		cur := next
		next = nil
		if cur == nil {
			live := liveSegs()
			if len(live) == 0 {
				break
			}
			cur = c.startRound(ctx, cl, live, count)
		}
		draws := 0
		if round == 0 {
			draws = drawBatch
		}
		// the TYPE of the first key of the patterns found so far goes
		// with the next round (predicted for the pattern's keys, see
		// predictTypes); the draws and TYPEs go in one pipeline beside
		// the walks
		var typed []*pattern
		for _, p := range l.patterns {
			if len(p.Keys) > 0 && !p.typeAsked {
				p.typeAsked = true
				typed = append(typed, p)
			}
		}
		var cmds []goredis.Cmder
		var err error
		if len(typed)+draws > 0 {
			pctx, cancel := c.timeout(ctx)
			cmds, err = cl.Pipelined(pctx, func(p goredis.Pipeliner) error {
				for _, pt := range typed {
					p.Type(pctx, pt.Keys[0].key)
				}
				for i := 0; i < draws; i++ {
					p.RandomKey(pctx)
				}
				return nil
			})
			cancel()
		}
		cur.wait()
		if err != nil && err != goredis.Nil && ctx.Err() != nil {
			return ctx.Err()
		}
		for i, pt := range typed {
			// a failure leaves the type to predictTypes
			if typ, err := cmds[i].(*goredis.StatusCmd).Result(); err == nil && readTypes[typ] {
				pt.Type = typ
			}
		}
		cmds = cmds[len(typed):]
		for _, cmd := range cmds[:draws] {
			k, err := cmd.(*goredis.StringCmd).Result()
			if err == goredis.Nil {
				continue // the database emptied meanwhile
			}
			if err != nil {
				return c.redactErr(fmt.Errorf("db%d: RANDOMKEY: %s: %w", l.db, classify(err), err))
			}
			l.draws++
			ref, st := l.add(k, maxTracked, false) // counted now, kept at the end if still wanted
			drawn = append(drawn, draw{ref, st})
		}
		pages := cur.pages
		for i, s := range cur.live {
			pg := &pages[i]
			if pg.err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return c.redactErr(fmt.Errorf("db%d: SCAN: %s: %w", l.db, classify(pg.err), pg.err))
			}
			s.cursor = pg.next
			if pg.next == 0 || s.end != 0 && bits.Reverse64(pg.next) >= s.end {
				s.done = true
			}
		}
		// the next round goes out now if, with this round's keys counted
		// as if none had been met before, a pattern would still be short:
		// the server walks it while this round's keys are recorded
		live := liveSegs()
		if n := l.guessCount(pages, len(cur.live), len(live), int64(c.own.FillScanKeys), c.own.ScanCount); n > 0 {
			next = c.startRound(ctx, cl, live, n)
		}
		// the walks' keys taken in turn, so that a pattern's keys come
		// from every part of the table
		for i, more := 0, true; more; i++ {
			more = false
			for k := range pages {
				if pg := &pages[k]; i < len(pg.keys) {
					l.walk1(pg.keys[i], pg.pats[i], pg.ids[i], seen, maxTracked)
					more = true
				}
			}
		}
		if l.full() || l.walked >= int64(c.own.FillScanKeys) {
			break // a round sent ahead is not needed (the deferred wait ends it)
		}
		if next != nil {
			continue
		}
		count = l.nextCount(len(cur.live), len(liveSegs()), int64(c.own.FillScanKeys), c.own.ScanCount)
	}
	// keys drawn by RANDOMKEY for the patterns still short of keys
	for _, d := range drawn {
		if _, dup := seen[d.ref.key]; dup {
			continue
		}
		if st := d.st; st != nil && len(st.Keys) < l.keep {
			seen[d.ref.key] = struct{}{}
			l.keep1(st, d.ref)
		}
	}
	return nil
}

// walk1 records one key met by a SCAN walk, of pattern p and id-like
// segments ids.
func (l *dbList) walk1(k, p string, ids []string, seen map[string]struct{}, maxTracked int) {
	l.walked++
	st, ok := l.patterns[p]
	if !ok {
		if len(l.patterns) >= maxTracked {
			if l.other == nil {
				l.other = &pattern{DB: l.db, Pattern: OtherKeys, Other: true}
			}
			l.other.Walked++
			return
		}
		st = &pattern{DB: l.db, Pattern: p}
		l.patterns[p] = st
	}
	st.Walked++
	n := len(seen)
	seen[k] = struct{}{} // one hash of the key: a key seen before leaves the size as it was
	if len(seen) == n {
		return
	}
	if len(st.Keys) < l.keep {
		l.keep1(st, keyRef{k, ids})
		l.method = MethodFill
	}
}
