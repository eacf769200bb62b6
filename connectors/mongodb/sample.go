package mongodb

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/piisniff/piisniff/connectors"
)

// Sampling methods, as reported in SampleResult.Method.
const (
	MethodSample    = "$sample"         // server-side random sample
	MethodAll       = "all"             // every document (small collections, Size 0)
	MethodScan      = "systematic-scan" // one pass, every k-th document from a random start
	MethodReservoir = "reservoir"       // one pass, uniform reservoir (count unknown)
	MethodIDRanges  = "id-ranges"       // random ranges of _id read through its index
)

// batchSize is the number of documents asked per cursor batch.
const batchSize = 1000

// sampleCommand is the aggregate command that draws a server-side random
// sample of size documents. The driver adds maxTimeMS from the deadline of
// the context it runs under.
func sampleCommand(coll string, size int) bson.D {
	return bson.D{
		{Key: "aggregate", Value: coll},
		{Key: "pipeline", Value: bson.A{
			bson.D{{Key: "$sample", Value: bson.D{{Key: "size", Value: int64(size)}}}},
		}},
		{Key: "cursor", Value: bson.D{{Key: "batchSize", Value: int32(min(size, batchSize))}}},
	}
}

// findCommand reads the collection in natural order; limit 0 means no limit.
func findCommand(coll string, limit int64) bson.D {
	cmd := bson.D{{Key: "find", Value: coll}, {Key: "filter", Value: bson.D{}}}
	if limit > 0 {
		cmd = append(cmd, bson.E{Key: "limit", Value: limit})
	}
	bs := int64(batchSize)
	if limit > 0 && limit < bs {
		bs = limit
	}
	return append(cmd, bson.E{Key: "batchSize", Value: int32(bs)})
}

// Sample implements connectors.Connector.
func (c *Connector) Sample(ctx context.Context, ct connectors.Container, opts connectors.SampleOptions,
	emit func(connectors.Document) error) (connectors.SampleResult, error) {
	res := connectors.SampleResult{TotalDocuments: -1}
	h, ok := ct.Handle.(handle)
	if !ok {
		db, coll, found := strings.Cut(ct.Name, ".")
		if !found {
			return res, fmt.Errorf("%s: not a database.collection name", ct.Name)
		}
		h = handle{DB: db, Coll: coll, Type: "collection"}
	}
	select {
	case c.sem <- struct{}{}:
		defer func() { <-c.sem }()
	case <-ctx.Done():
		return res, ctx.Err()
	}

	size := opts.Size
	est := ct.EstimatedDocuments
	db := c.client.Database(h.DB)
	if !opts.Slice.Whole() && size <= 0 {
		return c.sliceScan(ctx, db, h, ct, opts.Slice, &res, emit)
	}
	switch {
	case size <= 0 || (est >= 0 && est <= int64(size)):
		res.Method = MethodAll
		cur, err := c.cursor(ctx, db, findCommand(h.Coll, 0))
		if err != nil {
			return res, c.containerError(ct.Name, err)
		}
		return c.drain(ctx, ct.Name, cur, size, func(int64) bool { return true }, &res, emit)
	}

	if !c.noSample.Load() {
		cur, err := c.cursor(ctx, db, sampleCommand(h.Coll, size))
		if err == nil {
			res.Method = MethodSample
			return c.drain(ctx, ct.Name, cur, size, func(int64) bool { return true }, &res, emit)
		}
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if !sampleUnsupported(err) {
			return res, c.containerError(ct.Name, err)
		}
		c.noSample.Store(true)
		c.opts.Logf("mongodb: the server does not support $sample: %v", c.redactErr(err))
	}

	rng := rand.New(rand.NewPCG(uint64(opts.Seed), nameHash(ct.Name)))
	if c.rangesIndexed(ctx) && h.Type == "collection" {
		res.Method = MethodIDRanges
		if done, err := c.idRanges(ctx, db, h.Coll, ct.Name, size, rng, &res, emit); done || err != nil {
			return res, err
		}
	}
	cur, err := c.cursor(ctx, db, findCommand(h.Coll, 0))
	if err != nil {
		return res, c.containerError(ct.Name, err)
	}
	if est < 0 {
		res.Method = MethodReservoir
		res.Notes = append(res.Notes, "the server does not support $sample and the document count is unknown: "+
			"every document was read and a uniform random sample kept")
		return c.reservoir(ctx, ct.Name, cur, size, rng, &res, emit)
	}
	res.Method = MethodScan
	step := float64(est) / float64(size)
	next := rng.Float64() * step
	res.Notes = append(res.Notes, fmt.Sprintf("the server does not support $sample: every document was read "+
		"and 1 in %s kept, from a random start, so the sample is spread over the whole collection", formatStep(step)))
	// Position i is kept when it is the floor of next: the positions kept
	// are floor(start + k*step), distinct and all below est.
	return c.drain(ctx, ct.Name, cur, size, func(i int64) bool {
		if float64(i+1) <= next {
			return false
		}
		next += step
		return true
	}, &res, emit)
}

// rangesIndexed reports whether range queries on _id can be expected to
// walk the _id index, so that random _id ranges are a cheap sample. That
// holds for MongoDB; FerretDB filters ranges in memory (its backends push
// down only equality on _id), so each range would read the whole
// collection, and a server whose buildInfo failed is not trusted with it.
func (c *Connector) rangesIndexed(ctx context.Context) bool {
	if c.fallback != "" {
		return c.fallback == MethodIDRanges
	}
	bi, err := c.serverInfo(ctx)
	return err == nil && !bi.IsFerretDB
}

// cursor runs a cursor-returning read command. Its context carries the
// request timeout, from which the driver sets the command's maxTimeMS.
func (c *Connector) cursor(ctx context.Context, db *mongo.Database, cmd bson.D) (*mongo.Cursor, error) {
	cctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	return db.RunCommandCursor(cctx, cmd)
}

// next advances cur; a round trip to the server (getMore) gets the request
// timeout, documents already in the batch do not.
func (c *Connector) next(ctx context.Context, cur *mongo.Cursor) bool {
	if cur.RemainingBatchLength() > 0 {
		return cur.Next(ctx)
	}
	nctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	return cur.Next(nctx)
}

// closeCursor frees the server's cursor (killCursors). It waits a second at
// most: a server that stopped answering must not hold up the end of an
// interrupted scan, and the server times idle cursors out anyway.
func (c *Connector) closeCursor(cur *mongo.Cursor) {
	ctx, cancel := context.WithTimeout(context.Background(), min(c.opts.ConnectTimeout, time.Second))
	defer cancel()
	_ = cur.Close(ctx)
}

// drain reads cur, emitting the documents keep selects (by 0-based
// position) until size were taken (0: no limit).
func (c *Connector) drain(ctx context.Context, name string, cur *mongo.Cursor, size int, keep func(int64) bool,
	res *connectors.SampleResult, emit func(connectors.Document) error) (connectors.SampleResult, error) {
	defer c.closeCursor(cur)
	var seen, taken int64
	for c.next(ctx, cur) {
		i := seen
		seen++
		if !keep(i) {
			continue
		}
		taken++
		if m, ok := c.decode(cur.Current, res); ok {
			if err := emit(connectors.Document{Fields: m, Size: len(cur.Current)}); err != nil {
				return *res, err
			}
		}
		if size > 0 && taken >= int64(size) {
			// The count is exact when the cursor is exhausted, which is
			// known without a round trip once the last batch was read.
			if res.Method == MethodAll && cur.ID() == 0 && cur.RemainingBatchLength() == 0 {
				res.TotalDocuments = seen
			}
			return *res, nil
		}
	}
	if err := cur.Err(); err != nil {
		return *res, c.cursorError(ctx, name, err, taken, res)
	}
	if res.Method != MethodSample {
		res.TotalDocuments = seen
	}
	return *res, nil
}

// reservoir keeps a uniform random sample of size raw documents of one
// pass over cur (Algorithm R), then decodes and emits them.
func (c *Connector) reservoir(ctx context.Context, name string, cur *mongo.Cursor, size int, rng *rand.Rand,
	res *connectors.SampleResult, emit func(connectors.Document) error) (connectors.SampleResult, error) {
	defer c.closeCursor(cur)
	kept := make([]bson.Raw, 0, min(size, 1<<16))
	var seen int64
	for c.next(ctx, cur) {
		seen++
		if len(kept) < size {
			kept = append(kept, append(bson.Raw(nil), cur.Current...))
			continue
		}
		if j := rng.Int64N(seen); j < int64(size) {
			kept[j] = append(kept[j][:0], cur.Current...)
		}
	}
	if err := cur.Err(); err != nil {
		if err := c.cursorError(ctx, name, err, 0, res); err != nil {
			return *res, err
		}
	} else {
		res.TotalDocuments = seen
	}
	for _, raw := range kept {
		if m, ok := c.decode(raw, res); ok {
			if err := emit(connectors.Document{Fields: m, Size: len(raw)}); err != nil {
				return *res, err
			}
		}
	}
	return *res, nil
}

// decode converts one document, counting it as skipped when it cannot be.
func (c *Connector) decode(raw bson.Raw, res *connectors.SampleResult) (map[string]any, bool) {
	if int64(len(raw)) > c.opts.MaxDocumentBytes {
		res.Skip("document larger than the size limit")
		return nil, false
	}
	m, err := Decode(raw)
	if err != nil {
		res.Skip(decodeReason(err))
		return nil, false
	}
	return m, true
}

// cursorError decides what a failure part way through a cursor means: the
// caller's cancellation, a time limit hit after some documents (the sample
// is kept, with a note), or a failed container.
func (c *Connector) cursorError(ctx context.Context, name string, err error, taken int64, res *connectors.SampleResult) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if taken > 0 && isTimeLimit(err) {
		res.Notes = append(res.Notes, fmt.Sprintf("sampling stopped at the request time limit after %d documents", taken))
		return nil
	}
	return c.containerError(name, err)
}

func (c *Connector) containerError(name string, err error) error {
	if lost := serverLost(name, err); lost != nil {
		return c.redactErr(lost)
	}
	if isUnauthorized(err) {
		return c.redactErr(fmt.Errorf("%s: not authorised to read this collection: %w", name, err))
	}
	if isTimeLimit(err) {
		return c.redactErr(fmt.Errorf("%s: the query exceeded the request timeout (%s): %w", name, c.opts.RequestTimeout, err))
	}
	return c.redactErr(fmt.Errorf("%s: %w", name, err))
}

// sampleUnsupported reports an error saying the server has no $sample stage
// (FerretDB, some compatible services).
func sampleUnsupported(err error) bool {
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 238, // NotImplemented
			40324, // Unrecognized pipeline stage name
			16436, // Unrecognized pipeline stage name (before 3.4)
			115:   // CommandNotSupported
			return true
		}
	}
	lower := strings.ToLower(err.Error())
	return strings.Contains(lower, "$sample") && (strings.Contains(lower, "not implemented") ||
		strings.Contains(lower, "not supported") || strings.Contains(lower, "unrecognized"))
}

func isTimeLimit(err error) bool {
	var ce mongo.CommandError
	if errors.As(err, &ce) && (ce.Code == 50 || ce.Name == "MaxTimeMSExpired") {
		return true
	}
	return mongo.IsTimeout(err) || errors.Is(err, context.DeadlineExceeded)
}

func nameHash(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

func formatStep(step float64) string {
	if step >= 10 {
		return fmt.Sprintf("%.0f", step)
	}
	return fmt.Sprintf("%.1f", step)
}
