package mongodb

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/piisniff/piisniff/connectors"
)

// recorder is a command monitor that keeps every command the driver sent.
type recorder struct {
	mu   sync.Mutex
	cmds []recorded
}

type recorded struct {
	Name string
	DB   string
	Cmd  bson.Raw
}

func (r *recorder) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.cmds = append(r.cmds, recorded{Name: e.CommandName, DB: e.DatabaseName, Cmd: append(bson.Raw(nil), e.Command...)})
	}}
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.cmds...)
}

func (r *recorder) names() []string {
	var out []string
	for _, c := range r.all() {
		if !slices.Contains(out, c.Name) {
			out = append(out, c.Name)
		}
	}
	sort.Strings(out)
	return out
}

// openTest opens a connector on the shared server.
func openTest(t *testing.T, opts connectors.Options, rec *recorder) *Connector {
	t.Helper()
	var mon *event.CommandMonitor
	if rec != nil {
		mon = rec.monitor()
	}
	c, err := open(context.Background(), srv.URI, opts, mon)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func containerNames(cs []connectors.Container) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// sampleAll samples c and returns the documents.
func sampleAll(t *testing.T, c *Connector, ct connectors.Container, size int, seed int64) ([]map[string]any, connectors.SampleResult) {
	t.Helper()
	var docs []map[string]any
	res, err := c.Sample(context.Background(), ct, connectors.SampleOptions{Size: size, Seed: seed}, func(d connectors.Document) error {
		checkPlain(t, d.Fields)
		// the BSON read holds at least every key and string of the document
		if least := textBytes(d.Fields); d.Size < least {
			t.Errorf("%s: Size %d, but the document's keys and strings take %d bytes", ct.Name, d.Size, least)
		}
		docs = append(docs, d.Fields)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", ct.Name, err)
	}
	return docs, res
}

// textBytes is the bytes of the keys and strings of v.
func textBytes(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			n += len(k) + textBytes(e)
		}
	case []any:
		for _, e := range x {
			n += textBytes(e)
		}
	case string:
		n = len(x)
	}
	return n
}

var (
	listOnce   sync.Once
	listed     []connectors.Container
	listErr    error
	listNeeded = connectors.Options{}
)

// containerByName finds a fixture container. The listing is done once for
// the package (listing is what TestContainers tests); containers are plain
// values any connector of the same server can sample.
func containerByName(t *testing.T, _ *Connector, name string) connectors.Container {
	t.Helper()
	listOnce.Do(func() {
		c, err := open(context.Background(), srv.URI, listNeeded, nil)
		if err != nil {
			listErr = err
			return
		}
		defer c.Close()
		listed, listErr = c.Containers(context.Background())
	})
	if listErr != nil {
		t.Fatal(listErr)
	}
	for _, ct := range listed {
		if ct.Name == name {
			return ct
		}
	}
	t.Fatalf("no container %s in %v", name, containerNames(listed))
	return connectors.Container{}
}

func TestRegistered(t *testing.T) {
	for _, s := range []string{"mongodb", "mongodb+srv"} {
		if !slices.Contains(connectors.Schemes(), s) {
			t.Errorf("scheme %s not registered", s)
		}
	}
	c, err := connectors.Open(context.Background(), srv.URI, connectors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Kind() != "mongodb" {
		t.Errorf("kind %q", c.Kind())
	}
	if err := c.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

func TestContainers(t *testing.T) {
	all := []string{"fixtures.arrays", "fixtures.big", "fixtures.clusters", "fixtures.deep", "fixtures.empty", "fixtures.geo",
		"fixtures.ints", "fixtures.large", "fixtures.medium", "fixtures.nested", "fixtures.oids", "fixtures.one", "fixtures.strids",
		"fixtures.types", "other.things"}
	tests := []struct {
		name string
		opts connectors.Options
		want []string
	}{
		{"everything", connectors.Options{}, all},
		{"database include", connectors.Options{Databases: connectors.Filter{Include: []string{"oth*"}}}, []string{"other.things"}},
		{"database exclude", connectors.Options{Databases: connectors.Filter{Exclude: []string{"fixtures"}}}, []string{"other.things"}},
		{"collection include", connectors.Options{}.WithStore(Name, &Options{Collections: connectors.Filter{Include: []string{"one", "thing?"}}}),
			[]string{"fixtures.one", "other.things"}},
		{"collection exclude", connectors.Options{}.WithStore(Name, &Options{Collections: connectors.Filter{Exclude: []string{"big", "medium", "large", "deep", "*s"}}}),
			[]string{"fixtures.empty", "fixtures.geo", "fixtures.nested", "fixtures.one"}},
		{"both", connectors.Options{Databases: connectors.Filter{Include: []string{"fixtures"}}}.WithStore(Name, &Options{Collections: connectors.Filter{Include: []string{"things", "geo"}}}),
			[]string{"fixtures.geo"}},
		{"container names", connectors.Options{Containers: connectors.Filter{Include: []string{"fixtures.n*"}}}, []string{"fixtures.nested"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openTest(t, tt.opts, nil)
			cs, err := c.Containers(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := containerNames(cs); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestContainerEstimates(t *testing.T) {
	c := openTest(t, connectors.Options{}, nil)
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"fixtures.big": bigDocs, "fixtures.empty": 0, "fixtures.one": 1, "fixtures.nested": 3, "fixtures.large": 2}
	for _, ct := range cs {
		if w, ok := want[ct.Name]; ok && ct.EstimatedDocuments != w {
			t.Errorf("%s: estimate %d, want %d", ct.Name, ct.EstimatedDocuments, w)
		}
		if h, ok := ct.Handle.(handle); !ok || h.DB+"."+h.Coll != ct.Name || h.Type != "collection" {
			t.Errorf("%s: handle %+v", ct.Name, ct.Handle)
		}
	}
}

func TestBadFilter(t *testing.T) {
	_, err := open(context.Background(), srv.URI, connectors.Options{}.WithStore(Name, &Options{Collections: connectors.Filter{Include: []string{"["}}}), nil)
	if err == nil {
		t.Fatal("no error for a malformed pattern")
	}
}

func TestSampleFixtures(t *testing.T) {
	c := openTest(t, connectors.Options{}, nil)
	tests := []struct {
		container  string
		size       int
		wantDocs   int
		wantMethod string
		wantTotal  int64
	}{
		{"fixtures.empty", 100, 0, MethodAll, 0},
		{"fixtures.one", 100, 1, MethodAll, 1},
		{"fixtures.nested", 0, 3, MethodAll, 3},
		{"fixtures.nested", 3, 3, MethodAll, 3},
		{"fixtures.nested", 2, 2, MethodScan, -1},
		{"fixtures.arrays", 10, 3, MethodAll, 3},
		{"fixtures.geo", 10, 3, MethodAll, 3},
		{"fixtures.types", 10, 1, MethodAll, 1},
		{"fixtures.large", 10, 2, MethodAll, 2},
		{"fixtures.deep", 10, 1, MethodAll, 1},
	}
	for _, tt := range tests {
		t.Run(tt.container, func(t *testing.T) {
			docs, res := sampleAll(t, c, containerByName(t, c, tt.container), tt.size, 1)
			if len(docs) != tt.wantDocs {
				t.Errorf("%d documents, want %d", len(docs), tt.wantDocs)
			}
			if res.Method != tt.wantMethod {
				t.Errorf("method %q, want %q", res.Method, tt.wantMethod)
			}
			if res.TotalDocuments != tt.wantTotal {
				t.Errorf("total %d, want %d", res.TotalDocuments, tt.wantTotal)
			}
			if res.Skipped != 0 {
				t.Errorf("skipped %d: %v", res.Skipped, res.SkipReasons)
			}
		})
	}
}

func TestSampleDecodesTypes(t *testing.T) {
	c := openTest(t, connectors.Options{}, nil)
	docs, _ := sampleAll(t, c, containerByName(t, c, "fixtures.types"), 10, 1)
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	d := docs[0]
	want := map[string]any{
		"_id":      "6a6a6f699b536e8fb7757a1c",
		"created":  time.Date(2026, 6, 12, 10, 20, 30, 123e6, time.UTC),
		"card":     int64(378282246310005),
		"small":    int32(7),
		"ratio":    0.25,
		"active":   true,
		"nothing":  nil,
		"note_bin": "hello world",
		"blob":     []byte{0xff, 0x00, 0xfe, 0x01, 0x02},
		"device":   "c4487707-04bd-48df-87b0-c3900c692e9c",
		"pattern":  "/^a.*/i",
	}
	for k, w := range want {
		if got, ok := d[k]; !ok || !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %#v, want %#v", k, got, w)
		}
	}

	docs, _ = sampleAll(t, c, containerByName(t, c, "fixtures.geo"), 10, 1)
	loc, ok := docs[0]["location"].(map[string]any)
	if !ok || loc["type"] != "Point" || len(loc["coordinates"].([]any)) != 2 {
		t.Errorf("GeoJSON not kept as a map: %#v", docs[0]["location"])
	}
	docs, _ = sampleAll(t, c, containerByName(t, c, "fixtures.arrays"), 10, 1)
	var phones []string
	for _, d := range docs {
		for _, ct := range d["contacts"].([]any) {
			phones = append(phones, ct.(map[string]any)["phone"].(string))
		}
	}
	if len(phones) != 3 {
		t.Errorf("phones in arrays of objects: %v", phones)
	}
	docs, _ = sampleAll(t, c, containerByName(t, c, "fixtures.deep"), 10, 1)
	depth, v := 0, any(docs[0])
	for {
		m, ok := v.(map[string]any)
		if !ok || m["child"] == nil {
			if m["email"] != "deep@example.com" {
				t.Errorf("innermost document %v", m)
			}
			break
		}
		depth++
		v = m["child"]
	}
	if depth != deepLevels {
		t.Errorf("depth %d, want %d", depth, deepLevels)
	}
}

func TestSampleMaxDocumentBytes(t *testing.T) {
	c := openTest(t, connectors.Options{MaxDocumentBytes: 1 << 20}, nil)
	docs, res := sampleAll(t, c, containerByName(t, c, "fixtures.large"), 10, 1)
	if len(docs) != 0 || res.Skipped != 2 || res.SkipReasons["document larger than the size limit"] != 2 {
		t.Errorf("docs %d, result %+v", len(docs), res)
	}
}

// TestSampleSpread checks that without $sample the sample still covers the
// whole collection, is reproducible for a seed, and holds no duplicate.
func TestSampleSpread(t *testing.T) {
	c := openTest(t, connectors.Options{}, nil)
	name, total := "fixtures.big", int64(bigDocs)
	if raceEnabled {
		name, total = "fixtures.medium", mediumDocs
	}
	ct := containerByName(t, c, name)
	const size = 500
	docs, res := sampleAll(t, c, ct, size, 42)
	if res.Method != MethodScan {
		t.Fatalf("method %q, want %q (notes %v)", res.Method, MethodScan, res.Notes)
	}
	if len(docs) != size {
		t.Fatalf("%d documents, want %d", len(docs), size)
	}
	if len(res.Notes) == 0 || !strings.Contains(res.Notes[0], "$sample") {
		t.Errorf("notes do not say why: %v", res.Notes)
	}
	seen := map[int64]bool{}
	var ns []int64
	for _, d := range docs {
		n := d["n"].(int64)
		if seen[n] {
			t.Fatalf("document %d sampled twice", n)
		}
		seen[n] = true
		ns = append(ns, n)
	}
	slices.Sort(ns)
	// Every tenth of the collection holds a tenth of the sample.
	for decile := int64(0); decile < 10; decile++ {
		lo, hi := decile*total/10, (decile+1)*total/10
		cnt := 0
		for _, n := range ns {
			if n >= lo && n < hi {
				cnt++
			}
		}
		if cnt < size/10-2 || cnt > size/10+2 {
			t.Errorf("decile %d holds %d documents, want about %d", decile, cnt, size/10)
		}
	}
}

// TestSampleSeed: the same seed draws the same sample, another seed another
// one; once the server refused $sample the connector does not ask again.
func TestSampleSeed(t *testing.T) {
	rec := &recorder{}
	c := openTest(t, connectors.Options{}, rec)
	ct := containerByName(t, c, "fixtures.medium")
	draw := func(seed int64) []any {
		docs, res := sampleAll(t, c, ct, 100, seed)
		if res.Method != MethodScan || len(docs) != 100 {
			t.Fatalf("method %q, %d docs, total %d", res.Method, len(docs), res.TotalDocuments)
		}
		var ns []any
		for _, d := range docs {
			ns = append(ns, d["n"])
		}
		return ns
	}
	a, b, other := draw(42), draw(42), draw(43)
	if !reflect.DeepEqual(a, b) {
		t.Error("seed 42 drew different samples")
	}
	if reflect.DeepEqual(a, other) {
		t.Error("seeds 42 and 43 drew the same sample")
	}
	aggregates := 0
	for _, cmd := range rec.all() {
		if cmd.Name == "aggregate" && cmd.Cmd.Lookup("pipeline", "0", "$sample").Type != 0 {
			aggregates++
		}
	}
	if aggregates != 1 {
		t.Errorf("$sample asked %d times, want once", aggregates)
	}
}

func TestSampleReservoirWhenCountUnknown(t *testing.T) {
	c := openTest(t, connectors.Options{}, nil)
	ct := containerByName(t, c, "fixtures.nested")
	ct.EstimatedDocuments = -1
	docs, res := sampleAll(t, c, ct, 2, 7)
	if res.Method != MethodReservoir || len(docs) != 2 || res.TotalDocuments != 3 {
		t.Errorf("method %q, %d docs, total %d", res.Method, len(docs), res.TotalDocuments)
	}
}

func TestSampleCommand(t *testing.T) {
	got := sampleCommand("users", 10000)
	want := bson.D{
		{Key: "aggregate", Value: "users"},
		{Key: "pipeline", Value: bson.A{bson.D{{Key: "$sample", Value: bson.D{{Key: "size", Value: int64(10000)}}}}}},
		{Key: "cursor", Value: bson.D{{Key: "batchSize", Value: int32(batchSize)}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if small := sampleCommand("u", 5); !reflect.DeepEqual(small[2].Value, bson.D{{Key: "batchSize", Value: int32(5)}}) {
		t.Errorf("batch size for a small sample: %v", small[2])
	}
	// The pipeline must be a single read-only stage.
	for _, st := range got[1].Value.(bson.A) {
		for _, e := range st.(bson.D) {
			if e.Key != "$sample" {
				t.Errorf("unexpected stage %s", e.Key)
			}
		}
	}
	if f := findCommand("users", 0); len(f) != 3 || f[0].Key != "find" || f[1].Key != "filter" {
		t.Errorf("find command %v", f)
	}
	if f := findCommand("users", 10); f[2].Key != "limit" || f[3].Value != int32(10) {
		t.Errorf("find command with limit %v", f)
	}
}

// TestSampleCommandOnTheWire checks what the server receives when the
// connector asks for $sample, including maxTimeMS.
func TestSampleCommandOnTheWire(t *testing.T) {
	rec := &recorder{}
	c := openTest(t, connectors.Options{RequestTimeout: 20 * time.Second}, rec)
	ct := containerByName(t, c, "fixtures.nested")
	var n int
	res, err := c.Sample(context.Background(), ct, connectors.SampleOptions{Size: 2}, func(connectors.Document) error { n++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	var agg *recorded
	for _, cmd := range rec.all() {
		if cmd.Name == "aggregate" {
			agg = &cmd
		}
	}
	if agg == nil {
		t.Fatal("no aggregate sent")
	}
	stage := agg.Cmd.Lookup("pipeline", "0", "$sample", "size")
	if size, ok := stage.AsInt64OK(); !ok || size != 2 {
		t.Errorf("$sample size on the wire: %v", stage)
	}
	if ms, ok := agg.Cmd.Lookup("maxTimeMS").AsInt64OK(); !ok || ms <= 0 || ms > 20000 {
		t.Errorf("maxTimeMS %v on %v", agg.Cmd.Lookup("maxTimeMS"), agg.Cmd)
	}
	if res.Method != MethodScan || n != 2 {
		t.Errorf("FerretDB has no $sample: method %q, %d docs", res.Method, n)
	}
}

func TestQueriesCarryMaxTimeMS(t *testing.T) {
	rec := &recorder{}
	c := openTest(t, connectors.Options{}, rec)
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range cs {
		if ct.Name == "fixtures.nested" || ct.Name == "fixtures.one" {
			sampleAll(t, c, ct, 2, 1)
		}
	}
	checked := map[string]bool{}
	for _, cmd := range rec.all() {
		switch cmd.Name {
		case "find", "aggregate", "listDatabases", "listCollections", "count", "buildInfo":
			checked[cmd.Name] = true
			if _, err := cmd.Cmd.LookupErr("maxTimeMS"); err != nil {
				t.Errorf("%s without maxTimeMS: %v", cmd.Name, cmd.Cmd)
			}
		}
	}
	// FerretDB: document counts come from $collStats (aggregate), not count.
	for _, n := range []string{"find", "aggregate", "listDatabases", "listCollections", "buildInfo"} {
		if !checked[n] {
			t.Errorf("no %s seen", n)
		}
	}
}

func TestEmitErrorStopsAndClosesCursor(t *testing.T) {
	rec := &recorder{}
	c := openTest(t, connectors.Options{}, rec)
	ct := containerByName(t, c, "fixtures.big")
	stop := errors.New("stop")
	n := 0
	_, err := c.Sample(context.Background(), ct, connectors.SampleOptions{Size: 0}, func(connectors.Document) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("err %v, want the emit error", err)
	}
	if n != 10 {
		t.Errorf("emit called %d times after the error", n)
	}
	if !slices.Contains(rec.names(), "killCursors") {
		t.Errorf("cursor not closed: commands %v", rec.names())
	}
}

func TestCancelledContext(t *testing.T) {
	c := openTest(t, connectors.Options{}, nil)
	ct := containerByName(t, c, "fixtures.big")
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := c.Sample(ctx, ct, connectors.SampleOptions{Size: 0}, func(connectors.Document) error {
		n++
		if n == 5 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}

// TestFailingCollectionDoesNotStopOthers: an error on one container is that
// container's only; the connector goes on with the others.
func TestFailingCollectionDoesNotStopOthers(t *testing.T) {
	c := openTest(t, connectors.Options{}, nil)
	bad := connectors.Container{Name: "fixtures.bad", EstimatedDocuments: 10, Handle: handle{DB: "fixtures", Coll: "$bad"}}
	_, err := c.Sample(context.Background(), bad, connectors.SampleOptions{Size: 5}, func(connectors.Document) error { return nil })
	if err == nil {
		t.Fatal("no error for an invalid collection")
	}
	if !strings.HasPrefix(err.Error(), "fixtures.bad: ") {
		t.Errorf("error does not name the container: %v", err)
	}
	docs, _ := sampleAll(t, c, containerByName(t, c, "fixtures.nested"), 10, 1)
	if len(docs) != 3 {
		t.Errorf("%d documents after a failed container", len(docs))
	}
}

// TestConcurrentSampling samples several containers at once through a
// bounded connector.
func TestConcurrentSampling(t *testing.T) {
	c := openTest(t, connectors.Options{Concurrency: 2}, nil)
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for _, ct := range cs {
		if ct.Name == "fixtures.big" || ct.Name == "fixtures.medium" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			if _, err := c.Sample(context.Background(), ct, connectors.SampleOptions{Size: 100}, func(connectors.Document) error { n++; return nil }); err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	// The small fixtures whole, and 100 of each of ints, oids, strids and
	// clusters.
	if want := 3 + 1 + 0 + 3 + 2 + 3 + 1 + 1 + 1 + 4*100; total != want {
		t.Errorf("%d documents, want %d", total, want)
	}
}
