package mongodb

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/piisniff/piisniff/connectors"
)

// handle is the connector-private state of a container.
type handle struct {
	DB, Coll string
	Type     string // "collection", "view", "timeseries"
}

// internalDatabases hold server state, not application data; they are
// listed only with Options.IncludeHidden.
var internalDatabases = map[string]bool{"local": true, "config": true}

// Containers implements connectors.Connector: one container per collection
// (views and time-series collections included), named database.collection.
func (c *Connector) Containers(ctx context.Context) ([]connectors.Container, error) {
	dbs, err := c.databases(ctx)
	if err != nil {
		return nil, err
	}
	var out []connectors.Container
	var failed []string
	for _, db := range dbs {
		cs, err := c.collections(ctx, db)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			c.opts.Logf("mongodb: listCollections on %s: %v", db, c.redactErr(err))
			failed = append(failed, fmt.Sprintf("%s (%s)", db, shortErr(c.redactErr(err))))
			continue
		}
		out = append(out, cs...)
	}
	if len(failed) > 0 {
		c.addNote("could not list the collections of: " + strings.Join(failed, "; "))
		if len(out) == 0 {
			return nil, fmt.Errorf("%s: could not list collections of any database: %s", c.uri, strings.Join(failed, "; "))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// databases lists the databases to scan. When the user may not run
// listDatabases, it falls back to the database of the URI.
func (c *Connector) databases(ctx context.Context) ([]string, error) {
	// A target without credentials: the anonymous check has asked the
	// same already.
	c.mu.Lock()
	names := c.anonDBs
	c.mu.Unlock()
	var err error
	if names == nil {
		lctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
		defer cancel()
		names, err = c.client.ListDatabaseNames(lctx, bson.D{}, options.ListDatabases().SetAuthorizedDatabases(true))
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !isUnauthorized(err) {
			return nil, c.redactErr(fmt.Errorf("%s: listDatabases failed: %w", c.uri, err))
		}
		if c.uriDB == "" {
			return nil, fmt.Errorf("%s: not authorised to list databases; name the database to scan in the URI (mongodb://host/DATABASE)", c.uri)
		}
		c.addNote(fmt.Sprintf("not authorised to run listDatabases: only the database named in the URI (%s) was scanned", c.uriDB))
		c.opts.Logf("mongodb: listDatabases not authorised, scanning %s only", c.uriDB)
		names = []string{c.uriDB}
	}
	var out []string
	for _, n := range names {
		if internalDatabases[n] && !c.opts.IncludeHidden {
			continue
		}
		if !c.opts.Databases.Match(n) {
			continue
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// collections lists the collections of one database with their estimates.
func (c *Connector) collections(ctx context.Context, db string) ([]connectors.Container, error) {
	lctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	specs, err := c.client.Database(db).ListCollectionSpecifications(lctx, bson.D{},
		options.ListCollections().SetAuthorizedCollections(true))
	if err != nil {
		return nil, err
	}
	var out []connectors.Container
	for _, s := range specs {
		if strings.HasPrefix(s.Name, "system.") && !c.opts.IncludeHidden {
			continue
		}
		if !c.own.Collections.Match(s.Name) {
			continue
		}
		name := db + "." + s.Name
		if !c.opts.Containers.Match(name) {
			continue
		}
		typ := s.Type
		if typ == "" {
			typ = "collection"
		}
		ct := connectors.Container{
			Name:               name,
			EstimatedDocuments: -1,
			Handle:             handle{DB: db, Coll: s.Name, Type: typ},
		}
		switch typ {
		case "view":
			on := lookupString(s.Options, "viewOn")
			if on != "" {
				ct.Notes = append(ct.Notes, fmt.Sprintf("view on %s.%s", db, on))
			} else {
				ct.Notes = append(ct.Notes, "view")
			}
		case "timeseries":
			ct.Notes = append(ct.Notes, "time-series collection")
		}
		if lookupBool(s.Options, "capped") {
			ct.Notes = append(ct.Notes, "capped collection")
		}
		if typ != "view" {
			n, err := c.estimate(ctx, db, s.Name)
			if err != nil {
				c.opts.Logf("mongodb: estimatedDocumentCount on %s: %v", name, c.redactErr(err))
				ct.Notes = append(ct.Notes, "document count unavailable: "+shortErr(c.redactErr(err)))
			} else {
				ct.EstimatedDocuments = n
			}
		}
		out = append(out, ct)
	}
	for _, n := range c.targetNotes() {
		if strings.HasPrefix(n, "not authorised to run listDatabases") {
			for i := range out {
				out[i].Notes = append(out[i].Notes, n)
			}
		}
	}
	return out, nil
}

// estimate is the collection's document count from metadata. FerretDB
// answers count by reading every document, so there the count of
// $collStats, which it keeps, is used instead.
func (c *Connector) estimate(ctx context.Context, db, coll string) (int64, error) {
	ectx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	if bi, err := c.serverInfo(ctx); err == nil && bi.IsFerretDB {
		if n, err := c.collStatsCount(ectx, db, coll); err == nil {
			return n, nil
		}
	}
	return c.client.Database(db).Collection(coll).EstimatedDocumentCount(ectx)
}

// collStatsCountPipeline reads a collection's document count from its
// statistics (one result per shard).
func collStatsCountPipeline() bson.A {
	return bson.A{bson.D{{Key: "$collStats", Value: bson.D{{Key: "count", Value: bson.D{}}}}}}
}

func (c *Connector) collStatsCount(ctx context.Context, db, coll string) (int64, error) {
	cur, err := c.cursor(ctx, c.client.Database(db), bson.D{
		{Key: "aggregate", Value: coll},
		{Key: "pipeline", Value: collStatsCountPipeline()},
		{Key: "cursor", Value: bson.D{}},
	})
	if err != nil {
		return 0, err
	}
	defer c.closeCursor(cur)
	var total int64
	found := false
	for cur.Next(ctx) {
		v, err := cur.Current.LookupErr("count")
		if err != nil {
			continue
		}
		if n, ok := v.AsInt64OK(); ok {
			total += n
			found = true
		}
	}
	if err := cur.Err(); err != nil {
		return 0, err
	}
	if !found {
		return 0, errors.New("$collStats returned no count")
	}
	return total, nil
}

func lookupString(doc bson.Raw, key string) string {
	if doc == nil {
		return ""
	}
	v, err := doc.LookupErr(key)
	if err != nil {
		return ""
	}
	s, _ := v.StringValueOK()
	return s
}

func lookupBool(doc bson.Raw, key string) bool {
	if doc == nil {
		return false
	}
	v, err := doc.LookupErr(key)
	if err != nil {
		return false
	}
	b, _ := v.BooleanOK()
	return b
}

// isUnauthorized reports a server refusal for lack of privileges or of
// authentication.
func isUnauthorized(err error) bool {
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		return ce.Code == 13 || ce.Code == 18 || ce.Name == "Unauthorized" || ce.Code == 8000 // 8000: Atlas
	}
	lower := strings.ToLower(err.Error())
	return strings.Contains(lower, "not authorized") || strings.Contains(lower, "requires authentication") ||
		strings.Contains(lower, "unauthorized")
}

// shortErr is the first line of an error, bounded.
func shortErr(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
