package mongodb

import (
	"context"
	"io"
	"os"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/benchgen"
	"github.com/piisniff/piisniff/internal/mongotest"
	"github.com/piisniff/piisniff/pipeline"
)

// The benchmarks sample 10,000 of 200,000 generated app-backend documents
// over loopback, against a raw driver read of 10,000 documents of the same
// collection.
const (
	benchCollDocs = 200_000
	benchSample   = 10_000
	benchDB       = "bench"
	benchColl     = "docs"
	// benchSmallColl holds 10,000 documents: scanning it whole through the
	// pipeline stands for what $sample hands over on MongoDB.
	benchSmallColl = "docs10k"
)

var (
	benchOnce sync.Once
	benchURI  string
	benchErr  error
)

// benchServer starts a server of its own holding bench.docs.
func benchServer(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "piisniff-mongodb-bench-")
		if err != nil {
			benchErr = err
			return
		}
		s, err := mongotest.New(dir, mongotest.Config{})
		if err != nil {
			benchErr = err
			return
		}
		benchURI = s.URI
		c, err := mongo.Connect(options.Client().ApplyURI(s.URI))
		if err != nil {
			benchErr = err
			return
		}
		defer c.Disconnect(context.Background())
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(benchgen.Write(pw, benchCollDocs, 1)) }()
		if _, benchErr = mongotest.LoadNDJSON(context.Background(), c.Database(benchDB).Collection(benchColl), pr); benchErr != nil {
			return
		}
		pr, pw = io.Pipe()
		go func() { pw.CloseWithError(benchgen.Write(pw, benchSample, 2)) }()
		_, benchErr = mongotest.LoadNDJSON(context.Background(), c.Database(benchDB).Collection(benchSmallColl), pr)
		// The server and its directory live until the process ends.
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchURI
}

// BenchmarkRawFind is the baseline: the driver's find().limit(10000),
// iterating the raw documents without decoding them.
func BenchmarkRawFind(b *testing.B) {
	uri := benchServer(b)
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Disconnect(context.Background())
	coll := c.Database(benchDB).Collection(benchColl)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		cur, err := coll.Find(ctx, bson.D{}, options.Find().SetLimit(benchSample))
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for cur.Next(ctx) {
			n++
		}
		if err := cur.Err(); err != nil || n != benchSample {
			b.Fatal(n, err)
		}
		_ = cur.Close(ctx)
	}
}

func benchConnector(b *testing.B) (*Connector, connectors.Container) {
	uri := benchServer(b)
	c, err := open(context.Background(), uri, connectors.Options{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	cs, err := c.Containers(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	for _, ct := range cs {
		if ct.Name == benchDB+"."+benchColl {
			return c, ct
		}
	}
	b.Fatal("no bench collection")
	return nil, connectors.Container{}
}

func benchSampleRun(b *testing.B, c *Connector, ct connectors.Container, wantMethod string) {
	ctx := context.Background()
	for i := range b.N {
		n := 0
		res, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: benchSample, Seed: int64(i)}, func(connectors.Document) error {
			n++
			return nil
		})
		if err != nil || n != benchSample || res.Method != wantMethod {
			b.Fatal(n, res.Method, err)
		}
	}
}

// BenchmarkConnectorSample is the connector's sampling of 10,000 documents
// spread over the collection, decoded into plain values. FerretDB has no
// $sample, so this is the systematic scan: all 200,000 documents cross the
// wire and one in twenty is decoded.
func BenchmarkConnectorSample(b *testing.B) {
	c, ct := benchConnector(b)
	b.ResetTimer()
	benchSampleRun(b, c, ct, MethodScan)
}

// BenchmarkConnectorRead is the connector reading and decoding 10,000
// documents (what it does with the answer of $sample on MongoDB, where the
// server picks them): the connector's own cost over the raw driver read.
func BenchmarkConnectorRead(b *testing.B) {
	c, ct := benchConnector(b)
	ct.EstimatedDocuments = benchSample // take the "all" path on the first 10,000
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		n := 0
		res, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: benchSample}, func(connectors.Document) error {
			n++
			return nil
		})
		if err != nil || n != benchSample || res.Method != MethodAll {
			b.Fatal(n, res.Method, err)
		}
	}
}

// BenchmarkPipelineSample is a whole scan of the target through the
// pipeline (exposure check, listing, sampling 10,000 documents, flattening,
// classification, aggregation, report).
func BenchmarkPipelineSample(b *testing.B) {
	benchPipeline(b, benchColl)
}

// BenchmarkPipelineRead is the pipeline scanning 10,000 documents read
// whole (a 10,000-document collection): sampling plus classification as it
// costs when the server draws the sample ($sample on MongoDB).
func BenchmarkPipelineRead(b *testing.B) {
	benchPipeline(b, benchSmallColl)
}

func benchPipeline(b *testing.B, coll string) {
	uri := benchServer(b)
	engine, err := classifiers.Load(classifiers.Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		rep := pipeline.Run(context.Background(), []string{uri}, pipeline.Config{
			Engine:     engine,
			SampleSize: benchSample,
			Seed:       int64(i),
			Connector: connectors.Options{
				Databases: connectors.Filter{Include: []string{benchDB}},
			}.WithStore(Name, &Options{Collections: connectors.Filter{Include: []string{coll}}}),
		})
		t := rep.Targets[0]
		if t.Error != nil || len(t.Containers) != 1 || t.Containers[0].SampledDocuments != benchSample {
			b.Fatalf("%+v", t)
		}
	}
}

// BenchmarkExposureListing is the part of BenchmarkPipelineRead that is
// neither sampling nor classification: connecting, the exposure check
// (buildInfo, the anonymous listDatabases and read) and listing the
// collection with its count. FerretDB's listDatabases computes database
// sizes, whose cost grows with the data held.
func BenchmarkExposureListing(b *testing.B) {
	uri := benchServer(b)
	opts := connectors.Options{
		Databases: connectors.Filter{Include: []string{benchDB}},
	}.WithStore(Name, &Options{Collections: connectors.Filter{Include: []string{benchSmallColl}}})
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		c, err := open(ctx, uri, opts, nil)
		if err != nil {
			b.Fatal(err)
		}
		if ex := c.Exposure(ctx); !ex.AnonymousAccess {
			b.Fatalf("%+v", ex)
		}
		if cs, err := c.Containers(ctx); err != nil || len(cs) != 1 {
			b.Fatal(cs, err)
		}
		_ = c.Close()
	}
}
