package mongodb

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/piisniff/piisniff/connectors"
)

var _ connectors.Slicer = (*Connector)(nil)

// CanSlice: collections are cut into _id ranges (views and time series
// collections are read whole by one shard).
func (c *Connector) CanSlice(ct connectors.Container) bool {
	h, ok := ct.Handle.(handle)
	return ok && h.Type == "collection"
}

// sliceBounds are the _id bounds of slice s: from the point i/N of the
// way between the smallest and the largest _id to the point (i+1)/N, the
// first slice unbounded below and the last unbounded above, so that the
// slices hold every document exactly once.
func sliceBounds(space idSpace, s connectors.Slice) bson.D {
	var cond bson.D
	if s.Index > 0 {
		cond = append(cond, bson.E{Key: "$gte", Value: space.at(float64(s.Index) / float64(s.Count))})
	}
	if s.Index < s.Count-1 {
		cond = append(cond, bson.E{Key: "$lt", Value: space.at(float64(s.Index+1) / float64(s.Count))})
	}
	return cond
}

// sliceScan reads slice s of a collection in a sharded full scan: the
// documents whose _id is within the slice's bounds. When the _id values
// cannot be cut (strings, mixed types, one document), slice 0 reads the
// whole collection and the others nothing.
//
// The method is "all", as one machine reading the whole collection reports
// it: every document of the slice is read, and report merge folds the
// slices into the report of the full scan. What is particular to the cut
// is said in notes that begin with "slice I of N: ", which report merge
// takes out of the container and keeps once in the merge's slice notes.
func (c *Connector) sliceScan(ctx context.Context, db *mongo.Database, h handle, ct connectors.Container, s connectors.Slice,
	res *connectors.SampleResult, emit func(connectors.Document) error) (connectors.SampleResult, error) {
	res.Method = MethodAll
	lo, ok, err := c.idEnd(ctx, db, h.Coll, 1)
	if err != nil {
		return *res, c.containerError(ct.Name, err)
	}
	if !ok {
		res.TotalDocuments = 0
		return *res, nil
	}
	hi, _, err := c.idEnd(ctx, db, h.Coll, -1)
	if err != nil {
		return *res, c.containerError(ct.Name, err)
	}
	space, ok := newIDSpace(lo, hi)
	if !ok {
		if s.Index != 0 {
			res.TotalDocuments = 0
			res.Notes = append(res.Notes, fmt.Sprintf("slice %d of %d: the _id values cannot be cut into ranges; slice 0 reads the collection", s.Index, s.Count))
			return *res, nil
		}
		res.Notes = append(res.Notes, fmt.Sprintf("slice 0 of %d: the _id values cannot be cut into ranges (not all ObjectIds or numbers): this slice read the whole collection", s.Count))
		cur, err := c.cursor(ctx, db, findCommand(h.Coll, 0))
		if err != nil {
			return *res, c.containerError(ct.Name, err)
		}
		return c.drain(ctx, ct.Name, cur, 0, func(int64) bool { return true }, res, emit)
	}
	res.Notes = append(res.Notes, fmt.Sprintf("slice %d of %d: an _id range", s.Index, s.Count))
	if !c.rangesIndexed(ctx) {
		res.Notes = append(res.Notes, fmt.Sprintf("slice %d of %d: the server cannot scan an _id range through an index (FerretDB filters ranges in memory): "+
			"each slice costs the server a read of the whole collection, though each document is still read by one shard only", s.Index, s.Count))
	} else if !c.hasIDIndex(ctx, db, h.Coll) {
		res.Notes = append(res.Notes, fmt.Sprintf("slice %d of %d: the collection has no _id index: each slice costs the server a collection scan", s.Index, s.Count))
	}
	cmd := bson.D{{Key: "find", Value: h.Coll}}
	if cond := sliceBounds(space, s); len(cond) > 0 {
		cmd = append(cmd, bson.E{Key: "filter", Value: bson.D{{Key: "_id", Value: cond}}})
	} else {
		cmd = append(cmd, bson.E{Key: "filter", Value: bson.D{}})
	}
	cmd = append(cmd, bson.E{Key: "batchSize", Value: int32(batchSize)})
	cur, err := c.cursor(ctx, db, cmd)
	if err != nil {
		return *res, c.containerError(ct.Name, err)
	}
	return c.drain(ctx, ct.Name, cur, 0, func(int64) bool { return true }, res, emit)
}
