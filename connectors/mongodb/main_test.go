package mongodb

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/piisniff/piisniff/internal/mongotest"
)

// The shared server of the package's tests, loaded once by TestMain.
var (
	srv       *mongotest.Server
	srvClient *mongo.Client
)

// Fixture collections (database "fixtures" unless said otherwise).
const (
	fixturesDB = "fixtures"
	bigDocs    = 100_000
	mediumDocs = 2_000
)

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		// Fuzzing needs no server; every fuzz worker would load the fixtures.
		os.Exit(m.Run())
	}
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		os.Exit(m.Run())
	}
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "piisniff-mongodb-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	srv, err = mongotest.New(dir, mongotest.Config{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer srv.Close()
	srvClient, err = mongo.Connect(options.Client().ApplyURI(srv.URI))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer srvClient.Disconnect(context.Background())
	if err := loadFixtures(context.Background(), srvClient); err != nil {
		fmt.Fprintln(os.Stderr, "loading fixtures:", err)
		return 1
	}
	return m.Run()
}

// loadFixtures fills database "fixtures" with the testdata files (one
// collection each) and generated collections, and database "other" with
// one collection.
func loadFixtures(ctx context.Context, c *mongo.Client) error {
	if _, err := mongotest.LoadNDJSONDir(ctx, c, fixturesDB, "testdata"); err != nil {
		return err
	}
	db := c.Database(fixturesDB)
	if err := mongotest.InsertGenerated(ctx, db.Collection("empty"), 0, nil); err != nil {
		return err
	}
	if err := mongotest.InsertGenerated(ctx, db.Collection("one"), 1, func(int) any {
		return bson.D{{Key: "_id", Value: 1}, {Key: "email", Value: "solo@example.com"}}
	}); err != nil {
		return err
	}
	if err := mongotest.InsertGenerated(ctx, db.Collection("big"), bigDocs, smallDoc); err != nil {
		return err
	}
	if err := mongotest.InsertGenerated(ctx, db.Collection("medium"), mediumDocs, bigDoc); err != nil {
		return err
	}
	// _id values of the types random _id ranges handle and do not.
	if err := mongotest.InsertGenerated(ctx, db.Collection("oids"), rangeDocs, oidDoc); err != nil {
		return err
	}
	if err := mongotest.InsertGenerated(ctx, db.Collection("ints"), rangeDocs, func(i int) any {
		return bson.D{{Key: "_id", Value: int64(7 * i)}, {Key: "n", Value: int64(i)}}
	}); err != nil {
		return err
	}
	if err := mongotest.InsertGenerated(ctx, db.Collection("strids"), 300, func(i int) any {
		return bson.D{{Key: "_id", Value: fmt.Sprintf("user-%05d", i)}, {Key: "n", Value: int64(i)}}
	}); err != nil {
		return err
	}
	if err := mongotest.InsertGenerated(ctx, db.Collection("clusters"), 2*clusterDocs, func(i int) any {
		id := int64(i)
		if i >= clusterDocs {
			id = clusterGap + int64(i)
		}
		return bson.D{{Key: "_id", Value: id}, {Key: "n", Value: int64(i)}}
	}); err != nil {
		return err
	}
	if err := mongotest.InsertGenerated(ctx, db.Collection("large"), 2, func(i int) any {
		return bson.D{{Key: "_id", Value: i}, {Key: "kind", Value: "large"}, {Key: "blob", Value: strings.Repeat("lorem ipsum ", 180_000)}} // ~2 MiB
	}); err != nil {
		return err
	}
	if err := mongotest.InsertGenerated(ctx, db.Collection("deep"), 1, func(int) any {
		return deepDoc(deepLevels)
	}); err != nil {
		return err
	}
	_, err := mongotest.LoadNDJSON(ctx, c.Database("other").Collection("things"),
		strings.NewReader(`{"_id":1,"thing":"x"}`+"\n"))
	return err
}

// rangeDocs is the size of the "oids" and "ints" fixtures, sampled with
// random _id ranges: small, as FerretDB reads the whole collection for
// each range.
const rangeDocs = 500

// The "clusters" fixture holds two runs of clusterDocs consecutive _id
// values, clusterGap apart.
const (
	clusterDocs = 100
	clusterGap  = 1_000_000_000
)

// oidDoc is a document with an ObjectId made as a driver makes them: its
// creation time (here an hour apart from one document to the next), then
// bytes of the process, then a counter.
func oidDoc(i int) any {
	var oid bson.ObjectID
	ts := uint32(1_700_000_000 + i*3600)
	oid[0], oid[1], oid[2], oid[3] = byte(ts>>24), byte(ts>>16), byte(ts>>8), byte(ts)
	copy(oid[4:9], "proc1")
	oid[9], oid[10], oid[11] = byte(i>>16), byte(i>>8), byte(i)
	return bson.D{{Key: "_id", Value: oid}, {Key: "n", Value: int64(i)}}
}

// deepLevels is how deeply the "deep" fixture nests (MongoDB allows 100).
const deepLevels = 90

func deepDoc(levels int) bson.D {
	d := bson.D{{Key: "email", Value: "deep@example.com"}}
	for i := 0; i < levels; i++ {
		d = bson.D{{Key: "level", Value: int32(levels - i)}, {Key: "child", Value: d}}
	}
	return append(bson.D{{Key: "_id", Value: "deep"}}, d...)
}

// smallDoc is a document of the 100,000-document collection, small to keep
// loading it quick.
func smallDoc(i int) any {
	return bson.D{
		{Key: "_id", Value: int64(i)},
		{Key: "n", Value: int64(i)},
		{Key: "email", Value: fmt.Sprintf("user%d@example.com", i)},
	}
}

func bigDoc(i int) any {
	return bson.D{
		{Key: "_id", Value: int64(i)},
		{Key: "n", Value: int64(i)},
		{Key: "email", Value: fmt.Sprintf("user%d@example.com", i)},
		{Key: "name", Value: "Test User"},
		{Key: "address", Value: bson.D{{Key: "city", Value: "Springfield"}, {Key: "zip", Value: "12345"}}},
	}
}

func testdataFiles(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob("testdata/*.ndjson")
	if err != nil || len(m) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	return m
}
