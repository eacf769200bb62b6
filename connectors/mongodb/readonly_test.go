package mongodb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sort"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/piisniff/piisniff/connectors"
)

// readCommands are the only commands the connector may send.
var readCommands = []string{
	"aggregate", "buildInfo", "count", "endSessions", "find", "getMore", "hello", "isMaster", "ismaster",
	"killCursors", "listCollections", "listDatabases", "listIndexes", "ping", "saslContinue", "saslStart",
}

// readStages are the only aggregation stages the connector may use.
var readStages = []string{"$sample", "$collStats"}

// snapshot describes the data of the server: every database, collection,
// index and document (a digest of the documents in _id order; the two
// large collections by count and size, reading them whole being slow).
func snapshot(t *testing.T) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	dbs, err := srvClient.ListDatabaseNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dbs)
	out["databases"] = hex.EncodeToString([]byte(bson.Raw(mustMarshal(t, bson.D{{Key: "d", Value: dbs}})).String()))
	for _, db := range dbs {
		colls, err := srvClient.Database(db).ListCollectionNames(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		for _, coll := range colls {
			ns := db + "." + coll
			c := srvClient.Database(db).Collection(coll)
			idx, err := c.Indexes().ListSpecifications(ctx)
			if err != nil {
				t.Fatal(err)
			}
			out[ns+" indexes"] = ""
			for _, i := range idx {
				out[ns+" indexes"] += i.Name + ";"
			}
			if coll == "big" || coll == "medium" {
				var stats bson.Raw
				if err := srvClient.Database(db).RunCommand(ctx, bson.D{{Key: "collStats", Value: coll}}).Decode(&stats); err != nil {
					t.Fatal(err)
				}
				out[ns] = stats.Lookup("count").String() + " " + stats.Lookup("size").String()
				continue
			}
			cur, err := c.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
			if err != nil {
				t.Fatal(err)
			}
			h := sha256.New()
			n := 0
			for cur.Next(ctx) {
				h.Write(cur.Current)
				n++
			}
			if err := cur.Err(); err != nil {
				t.Fatal(err)
			}
			_ = cur.Close(ctx)
			out[ns] = hex.EncodeToString(h.Sum(nil))
		}
	}
	return out
}

// TestReadOnly scans everything the way the pipeline does (exposure check,
// listing, sampling with and without a size) and proves the connector sent
// read commands only and left the data as it was.
func TestReadOnly(t *testing.T) {
	before := snapshot(t)
	rec := &recorder{}
	c := openTest(t, connectors.Options{AnonymousCheck: true, IncludeHidden: true}, rec)
	ctx := context.Background()
	_ = c.Exposure(ctx)
	cs, err := c.Containers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range cs {
		for _, size := range []int{0, 2} {
			if ct.Name == "fixtures.big" || ct.Name == "fixtures.medium" && size == 0 {
				continue
			}
			if _, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: size, Seed: 1}, func(connectors.Document) error { return nil }); err != nil {
				t.Errorf("%s: %v", ct.Name, err)
			}
		}
	}
	// The random _id ranges of servers without $sample (on FerretDB only
	// when asked for).
	c.fallback, c.ranges = MethodIDRanges, 10
	for _, name := range []string{"fixtures.oids", "fixtures.ints", "fixtures.clusters", "fixtures.strids"} {
		if _, err := c.Sample(ctx, containerByName(t, c, name), connectors.SampleOptions{Size: 50, Seed: 1}, func(connectors.Document) error { return nil }); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	c.fallback, c.ranges = "", 0
	// A stopped sampling closes its cursor with killCursors.
	_, _ = c.Sample(ctx, containerByName(t, c, "fixtures.big"), connectors.SampleOptions{Size: 0}, func(connectors.Document) error { return context.Canceled })
	if err := c.Close(); err != nil {
		t.Error(err)
	}

	cmds := rec.all()
	if len(cmds) == 0 {
		t.Fatal("no command recorded")
	}
	for _, cmd := range cmds {
		if !slices.Contains(readCommands, cmd.Name) {
			t.Errorf("command %q is not a read command: %v", cmd.Name, cmd.Cmd)
		}
		if cmd.Name == "aggregate" {
			stages, err := cmd.Cmd.LookupErr("pipeline")
			if err != nil {
				t.Errorf("aggregate without pipeline: %v", cmd.Cmd)
				continue
			}
			vals, _ := stages.Array().Values()
			for _, v := range vals {
				elems, _ := v.Document().Elements()
				for _, e := range elems {
					if !slices.Contains(readStages, e.Key()) {
						t.Errorf("aggregation stage %s: %v", e.Key(), cmd.Cmd)
					}
				}
			}
		}
	}
	t.Logf("commands sent: %v", rec.names())
	ranged := false
	for _, cmd := range cmds {
		if cmd.Name == "find" && cmd.Cmd.Lookup("filter", "_id", "$gte").Type != 0 {
			ranged = true
		}
	}
	if !ranged {
		t.Error("the scan never read an _id range: the test does not cover it")
	}
	for _, want := range []string{"find", "aggregate", "listDatabases", "listCollections", "killCursors", "buildInfo"} {
		if !slices.Contains(rec.names(), want) {
			t.Errorf("the scan never sent %s: the test does not cover it", want)
		}
	}

	after := snapshot(t)
	if len(after) != len(before) {
		t.Errorf("%d namespaces before, %d after", len(before), len(after))
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed: %s -> %s", k, v, after[k])
		}
	}
}
