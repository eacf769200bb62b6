package mongodb

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/piisniff/piisniff/connectors"
)

// maxRanges is the number of random _id ranges a sample is read from: a
// sample of 10,000 documents is 100 ranges of 100 documents, 100 round
// trips that each walk the _id index from a random point.
const maxRanges = 100

// maxRangeRounds bounds the rounds of ranges drawn to fill a sample whose
// ranges overlapped (a collection whose _id values sit in a few clusters).
const maxRangeRounds = 4

// idSpace maps a fraction of the way from the smallest _id to the largest
// to an _id value between them, for the _id types whose order can be
// interpolated: ObjectIds (whose leading bytes are the creation time) and
// numbers.
type idSpace interface {
	at(f float64) any
}

// newIDSpace returns the space between lo and hi, or false when their types
// cannot be interpolated (strings, UUIDs, mixed types) or the collection
// holds a single _id.
func newIDSpace(lo, hi bson.RawValue) (idSpace, bool) {
	if oidLo, ok := lo.ObjectIDOK(); ok {
		oidHi, ok := hi.ObjectIDOK()
		if !ok {
			return nil, false
		}
		a, b := new(big.Int).SetBytes(oidLo[:]), new(big.Int).SetBytes(oidHi[:])
		if a.Cmp(b) >= 0 {
			return nil, false
		}
		return oidSpace{lo: a, span: b.Sub(b, a)}, true
	}
	a, aInt, ok := number(lo)
	if !ok {
		return nil, false
	}
	b, bInt, ok := number(hi)
	if !ok || !(a < b) || math.IsInf(b-a, 0) {
		return nil, false
	}
	return numberSpace{lo: a, hi: b, ints: aInt && bInt}, true
}

// number reads a numeric _id; ints says it is an integer type.
func number(v bson.RawValue) (f float64, ints bool, ok bool) {
	switch v.Type {
	case bson.TypeInt32:
		return float64(v.Int32()), true, true
	case bson.TypeInt64:
		return float64(v.Int64()), true, true
	case bson.TypeDouble:
		f := v.Double()
		return f, false, !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false, false
}

type oidSpace struct {
	lo, span *big.Int
}

func (s oidSpace) at(f float64) any {
	// lo + floor(span * f), with f in 53-bit steps.
	const steps = 1 << 53
	v := new(big.Int).Mul(s.span, big.NewInt(int64(f*steps)))
	v.Rsh(v, 53)
	v.Add(v, s.lo)
	var oid bson.ObjectID
	v.FillBytes(oid[:])
	return oid
}

type numberSpace struct {
	lo, hi float64
	ints   bool
}

func (s numberSpace) at(f float64) any {
	v := s.lo + f*(s.hi-s.lo)
	if s.ints {
		if v >= math.MaxInt64 { // 2^63: float64 has no closer value below
			return int64(math.MaxInt64)
		}
		return int64(math.Floor(v))
	}
	return v
}

// hasIDIndex reports whether the collection has an index on _id alone
// (capped collections made without one, time-series collections and some
// compatible services have none): without it every range would be a
// collection scan. An error counts as no index.
func (c *Connector) hasIDIndex(ctx context.Context, db *mongo.Database, coll string) bool {
	cur, err := c.cursor(ctx, db, bson.D{{Key: "listIndexes", Value: coll}})
	if err != nil {
		return false
	}
	defer c.closeCursor(cur)
	for c.next(ctx, cur) {
		key, err := cur.Current.LookupErr("key")
		if err != nil {
			continue
		}
		elems, err := key.Document().Elements()
		if err == nil && len(elems) == 1 && elems[0].Key() == "_id" {
			return true
		}
	}
	return false
}

// idEnd reads the smallest (dir 1) or largest (dir -1) _id of a collection
// through the _id index.
func (c *Connector) idEnd(ctx context.Context, db *mongo.Database, coll string, dir int32) (bson.RawValue, bool, error) {
	cur, err := c.cursor(ctx, db, bson.D{
		{Key: "find", Value: coll},
		{Key: "filter", Value: bson.D{}},
		{Key: "sort", Value: bson.D{{Key: "_id", Value: dir}}},
		{Key: "projection", Value: bson.D{{Key: "_id", Value: 1}}},
		{Key: "limit", Value: int64(1)},
		{Key: "singleBatch", Value: true},
	})
	if err != nil {
		return bson.RawValue{}, false, err
	}
	defer c.closeCursor(cur)
	if !c.next(ctx, cur) {
		return bson.RawValue{}, false, cur.Err()
	}
	v, err := cur.Current.LookupErr("_id")
	if err != nil {
		return bson.RawValue{}, false, nil
	}
	// Copy: the cursor's buffer is reused.
	return bson.RawValue{Type: v.Type, Value: append([]byte(nil), v.Value...)}, true, nil
}

// rangeCommand reads up to n documents in _id order from the first _id at or
// above from, and above after when set (the end of the previous range).
func rangeCommand(coll string, from any, after *bson.RawValue, n int) bson.D {
	cond := bson.D{{Key: "$gte", Value: from}}
	if after != nil {
		cond = append(cond, bson.E{Key: "$gt", Value: *after})
	}
	return bson.D{
		{Key: "find", Value: coll},
		{Key: "filter", Value: bson.D{{Key: "_id", Value: cond}}},
		{Key: "sort", Value: bson.D{{Key: "_id", Value: int32(1)}}},
		{Key: "limit", Value: int64(n)},
		{Key: "batchSize", Value: int32(min(n, batchSize))},
	}
}

// idRanges draws the sample as random ranges of _id read through the _id
// index: the fallback for servers without $sample whose range queries use
// the index (services that speak the MongoDB protocol without $sample,
// which MongoDB itself has had since 3.2). Each range starts at
// a random point between the smallest and largest _id; ranges of one round
// do not overlap, and a document drawn twice is kept once. It returns false,
// having read no document, when the _id values cannot be interpolated; the
// caller then scans.
func (c *Connector) idRanges(ctx context.Context, db *mongo.Database, coll, name string, size int, rng *rand.Rand,
	res *connectors.SampleResult, emit func(connectors.Document) error) (bool, error) {
	if !c.hasIDIndex(ctx, db, coll) {
		return false, nil
	}
	lo, ok, err := c.idEnd(ctx, db, coll, 1)
	if err != nil {
		return false, c.cursorError(ctx, name, err, 0, res)
	}
	if !ok {
		return false, nil
	}
	hi, ok, err := c.idEnd(ctx, db, coll, -1)
	if err != nil {
		return false, c.cursorError(ctx, name, err, 0, res)
	}
	if !ok {
		return false, nil
	}
	space, ok := newIDSpace(lo, hi)
	if !ok {
		return false, nil
	}
	ranges := maxRanges
	if c.ranges > 0 {
		ranges = c.ranges
	}
	ranges = min(size, ranges)
	per := (size + ranges - 1) / ranges
	seen := make(map[string]struct{}, size)
	taken, asked := 0, 0
	for round := 0; round < maxRangeRounds && taken < size; round++ {
		points := make([]float64, (size-taken+per-1)/per)
		for i := range points {
			points[i] = rng.Float64()
		}
		slices.Sort(points)
		before := taken
		var after *bson.RawValue
		for _, p := range points {
			want := min(per, size-taken)
			if want == 0 {
				break
			}
			asked++
			got, last, err := c.readRange(ctx, db, rangeCommand(coll, space.at(p), after, want), want, name, seen, res, emit)
			taken += got.taken
			if err != nil {
				return true, err
			}
			if got.read < want {
				break // the end of the collection: later points lie beyond it
			}
			after = last
		}
		if taken == before {
			break
		}
	}
	if taken < size {
		// The ranges kept landing on the same documents (_id values in a
		// few clusters far apart): fill the sample from the start of the
		// _id order, which the random points rarely reach.
		asked++
		got, _, err := c.readRange(ctx, db, rangeCommand(coll, lo, nil, size-taken+len(seen)), size-taken, name, seen, res, emit)
		taken += got.taken
		if err != nil {
			return true, err
		}
	}
	res.Notes = append(res.Notes, fmt.Sprintf("the server does not support $sample: the sample was read from %d random ranges "+
		"of _id through its index, up to %d documents each; documents that follow long gaps between _id values are "+
		"more likely to be drawn", asked, per))
	if taken < size {
		res.Notes = append(res.Notes, fmt.Sprintf("only %d distinct documents could be drawn from random _id ranges", taken))
	}
	return true, nil
}

type rangeRead struct{ read, taken int }

// readRange runs one range query, emitting up to want documents not seen
// before. It returns the last _id read.
func (c *Connector) readRange(ctx context.Context, db *mongo.Database, cmd bson.D, want int, name string, seen map[string]struct{},
	res *connectors.SampleResult, emit func(connectors.Document) error) (rangeRead, *bson.RawValue, error) {
	var got rangeRead
	cur, err := c.cursor(ctx, db, cmd)
	if err != nil {
		return got, nil, c.containerError(name, err)
	}
	defer c.closeCursor(cur)
	var last *bson.RawValue
	for got.taken < want && c.next(ctx, cur) {
		got.read++
		id, err := cur.Current.LookupErr("_id")
		if err != nil {
			continue
		}
		last = &bson.RawValue{Type: id.Type, Value: append([]byte(nil), id.Value...)}
		key := string(append([]byte{byte(id.Type)}, id.Value...))
		if _, dup := seen[key]; dup {
			continue
		}
		seen[key] = struct{}{}
		got.taken++
		if m, ok := c.decode(cur.Current, res); ok {
			if err := emit(connectors.Document{Fields: m, Size: len(cur.Current)}); err != nil {
				return got, last, err
			}
		}
	}
	if err := cur.Err(); err != nil {
		return got, last, c.cursorError(ctx, name, err, int64(got.taken), res)
	}
	return got, last, nil
}
