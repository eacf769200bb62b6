package elasticsearch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/estest"
	"github.com/piisniff/piisniff/pipeline"
)

const (
	benchDocs   = 200_000
	benchSample = 10_000
	benchSeed   = 42
)

var (
	benchOnce sync.Once
	benchSrv  *estest.Server
)

// benchServer serves one 200,000-document index of user-like records.
func benchServer(b *testing.B) *estest.Server {
	benchOnce.Do(func() {
		srv := estest.New(estest.Config{Flavor: estest.ES8})
		src := make([]json.RawMessage, benchDocs)
		for i := range src {
			src[i] = json.RawMessage(fmt.Sprintf(`{"user_id":"usr_%07d","name":"Person %d Example","email":"person%d@example.com",`+
				`"phone":"+1 555 01%02d","ip":"192.0.2.%d","created":"2026-01-%02dT10:00:00Z","score":%d.5,`+
				`"address":{"street":"%d Example Street","city":"Springfield","postal_code":"%05d"},"tags":["a","b"],"active":%v}`,
				i, i, i, i%100, i%250, i%28+1, i%1000, i%900+1, 10000+i%80000, i%2 == 0))
		}
		if err := srv.AddIndexRaw("users", map[string]any{"properties": map[string]any{
			"ip": map[string]any{"type": "ip"}, "email": map[string]any{"type": "keyword"},
		}}, src, estest.IndexOptions{}); err != nil {
			panic(err)
		}
		benchSrv = srv
	})
	return benchSrv
}

// rawFetch pages through the same sample with plain net/http and
// encoding/json: open a point in time, the same search bodies with
// search_after, close it, and decode every _source into map[string]any.
func rawFetch(b *testing.B, hc *http.Client, base string, query json.RawMessage) int {
	post := func(method, path string, body []byte) []byte {
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		res, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			b.Fatalf("%s %s: %d %s", method, path, res.StatusCode, out)
		}
		return out
	}
	var pit struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(post("POST", "/users/_pit?keep_alive=1m", nil), &pit)
	var after json.RawMessage
	n := 0
	for n < benchSample {
		size := min(defaultPageSize, benchSample-n)
		body, _ := json.Marshal(searchBody{Size: size, Query: query, Sort: json.RawMessage(scoreSort),
			PIT: &pitRef{ID: pit.ID, KeepAlive: keepAlive}, SearchAfter: after, TrackTotalHits: n == 0})
		var sr struct {
			Hits struct {
				Hits []struct {
					Source map[string]any  `json:"_source"`
					Sort   json.RawMessage `json:"sort"`
				} `json:"hits"`
			} `json:"hits"`
		}
		d := json.NewDecoder(bytes.NewReader(post("POST", "/_search", body)))
		d.UseNumber()
		if err := d.Decode(&sr); err != nil {
			b.Fatal(err)
		}
		if len(sr.Hits.Hits) == 0 {
			break
		}
		n += len(sr.Hits.Hits)
		after = sr.Hits.Hits[len(sr.Hits.Hits)-1].Sort
	}
	cb, _ := json.Marshal(map[string]string{"id": pit.ID})
	post("DELETE", "/_pit", cb)
	return n
}

// BenchmarkSample10kOf200k compares, in the same run, sampling 10,000
// documents of a 200,000-document index with the connector against fetching
// the same pages with plain HTTP and decoding them. It reports both times
// per sample and their ratio.
func BenchmarkSample10kOf200k(b *testing.B) {
	srv := benchServer(b)
	c := openConn(b, srv.URL(), connectors.Options{})
	ct := connectors.Container{Name: "users", Handle: &handle{target: "users"}}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	query := c.randomQuery(benchSeed)
	ctx := context.Background()
	// warm the server's ranking and both connection pools
	rawFetch(b, hc, srv.URL(), query)
	if _, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: benchSample, Seed: benchSeed}, func(connectors.Document) error { return nil }); err != nil {
		b.Fatal(err)
	}
	var connT, rawT time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		n := 0
		if _, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: benchSample, Seed: benchSeed}, func(connectors.Document) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		connT += time.Since(t0)
		if n != benchSample {
			b.Fatalf("connector sampled %d", n)
		}
		t0 = time.Now()
		if m := rawFetch(b, hc, srv.URL(), query); m != benchSample {
			b.Fatalf("raw fetched %d", m)
		}
		rawT += time.Since(t0)
	}
	b.StopTimer()
	b.ReportMetric(float64(connT.Nanoseconds())/float64(b.N), "connector-ns/sample")
	b.ReportMetric(float64(rawT.Nanoseconds())/float64(b.N), "raw-ns/sample")
	b.ReportMetric(float64(connT)/float64(rawT), "ratio")
	if srv.OpenContexts() != 0 {
		b.Fatalf("%d contexts left open", srv.OpenContexts())
	}
}

// BenchmarkScan10kOf200k is the same sample through the whole pipeline
// (flattening, classification, aggregation).
func BenchmarkScan10kOf200k(b *testing.B) {
	srv := benchServer(b)
	engine, err := classifiers.Load(classifiers.Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		b.Fatal(err)
	}
	cfg := pipeline.Config{Engine: engine, SampleSize: benchSample, Seed: benchSeed, MinConfidence: 0.5,
		Connector: connectors.Options{Containers: connectors.Filter{Include: []string{"users"}}}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := pipeline.Run(context.Background(), []string{srv.URL()}, cfg)
		if tg := r.Targets[0]; tg.Error != nil || len(tg.Containers) != 1 || tg.Containers[0].SampledDocuments != benchSample {
			b.Fatalf("scan: %+v", tg)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchSample, "ns/doc")
}
