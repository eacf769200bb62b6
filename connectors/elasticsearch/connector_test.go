package elasticsearch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/estest"
)

var peopleTypes = map[string]string{
	"name": "text", "email": "keyword", "last_ip": "ip", "location": "geo_point", "area": "geo_shape",
	"address.street": "text", "address.postal_code": "keyword",
	"contacts[]": "nested", "contacts[].phone": "keyword", "contacts[].kind": "keyword",
	"created": "date", "score": "float", "active": "boolean",
}

func wantKind(f estest.Flavor) string {
	if f == estest.OpenSearch2 {
		return KindOpenSearch
	}
	return KindElasticsearch
}

func TestRegistered(t *testing.T) {
	got := strings.Join(connectors.Schemes(), ",")
	for _, s := range []string{"http", "https"} {
		if !strings.Contains(got, s) {
			t.Errorf("scheme %s not registered (have %s)", s, got)
		}
	}
}

// TestFlavors runs discovery, sampling and the exposure check against each
// server flavor and checks from the request log that nothing but reads
// happened and that every point in time or scroll was cleared.
func TestFlavors(t *testing.T) {
	for _, fl := range estest.Flavors {
		t.Run(fl.String(), func(t *testing.T) {
			t.Parallel()
			srv := newCluster(t, estest.Config{Flavor: fl})
			c := openConn(t, srv.URL(), connectors.Options{})
			if c.Kind() != wantKind(fl) {
				t.Fatalf("Kind = %q, want %q", c.Kind(), wantKind(fl))
			}
			ctx := context.Background()
			list, err := c.Containers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, ct := range list {
				names = append(names, ct.Name)
			}
			if want := []string{"logs-app", "orders", "people"}; !reflect.DeepEqual(names, want) {
				t.Fatalf("containers = %v, want %v", names, want)
			}
			if sk := c.SkippedContainers(); len(sk) != 1 || sk[0].Name != "archive" {
				t.Errorf("skipped = %+v, want archive", sk)
			}
			people := containerByName(t, list, "people")
			if !reflect.DeepEqual(people.FieldTypes, peopleTypes) {
				t.Errorf("people field types = %v", people.FieldTypes)
			}
			if people.EstimatedDocuments != 25 {
				t.Errorf("people estimated = %d, want 25", people.EstimatedDocuments)
			}
			if !hasNote(people.Notes, "aliases: customers") {
				t.Errorf("people notes = %v", people.Notes)
			}
			logs := containerByName(t, list, "logs-app")
			if logs.EstimatedDocuments != 2 || logs.FieldTypes["client.ip"] == "" || !hasNote(logs.Notes, "data stream") {
				t.Errorf("logs-app = %+v", logs)
			}

			docs, res, err := sampleAll(t, c, people, 10, 42)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != 10 || res.Method != "random_score+pit" || res.TotalDocuments != 25 {
				t.Fatalf("sample: %d docs, %+v", len(docs), res)
			}
			if _, ok := docs[0]["score"].(json.Number); !ok {
				t.Errorf("numbers are not json.Number: %T", docs[0]["score"])
			}
			again, _, _ := sampleAll(t, c, people, 10, 42)
			if !reflect.DeepEqual(emails(docs), emails(again)) {
				t.Errorf("same seed, different sample")
			}
			all, _, err := sampleAll(t, c, people, 0, 7)
			if err != nil {
				t.Fatal(err)
			}
			if e := emails(all); len(e) != 25 || len(uniq(e)) != 25 {
				t.Errorf("sample of all: %d docs, %d distinct", len(e), len(uniq(e)))
			}
			if ds, _, err := sampleAll(t, c, logs, 100, 1); err != nil || len(ds) != 2 {
				t.Errorf("data stream sample: %d docs, %v", len(ds), err)
			}

			exp := c.Exposure(ctx)
			if !exp.Reachable || !exp.AnonymousAccess || exp.TLS || !strings.Contains(exp.Server, srv.Config().Version) {
				t.Errorf("exposure = %+v", exp)
			}
			if !hasNote(exp.Notes, "disabled") || !hasNote(exp.Notes, "plain HTTP") || !hasNote(exp.Notes, srv.Config().ClusterName) {
				t.Errorf("exposure notes = %v", exp.Notes)
			}

			if n := srv.OpenContexts(); n != 0 {
				t.Errorf("%d point in time/scroll contexts left open", n)
			}
			assertReadOnly(t, srv.Requests())
		})
	}
}

func emails(docs []map[string]any) []string {
	var out []string
	for _, d := range docs {
		out = append(out, fmt.Sprint(d["email"]))
	}
	return out
}

func uniq(s []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range s {
		m[x] = true
	}
	return m
}

func TestContainerFilters(t *testing.T) {
	srv := newCluster(t, estest.Config{Flavor: estest.ES8})
	tests := []struct {
		name string
		opts connectors.Options
		want []string
	}{
		{"default", connectors.Options{}, []string{"logs-app", "orders", "people"}},
		{"include by alias", connectors.Options{Containers: connectors.Filter{Include: []string{"customers"}}}, []string{"people"}},
		{"include glob", connectors.Options{Containers: connectors.Filter{Include: []string{"o*", "logs-*"}}}, []string{"logs-app", "orders"}},
		{"exclude", connectors.Options{Containers: connectors.Filter{Exclude: []string{"people"}}}, []string{"logs-app", "orders"}},
		{"hidden", connectors.Options{IncludeHidden: true}, []string{".internal", ".kibana_1", "logs-app", "orders", "people"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openConn(t, srv.URL(), tt.opts)
			list, err := c.Containers(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ct := range list {
				got = append(got, ct.Name)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBasePathAndHEAD(t *testing.T) {
	srv := newCluster(t, estest.Config{Flavor: estest.ES7, BasePath: "/es/"})
	c := openConn(t, srv.URL()+"/", connectors.Options{})
	list, err := c.Containers(context.Background())
	if err != nil || len(list) != 3 {
		t.Fatalf("containers via base path: %v, %v", list, err)
	}
	if docs, _, err := sampleAll(t, c, list[2], 5, 1); err != nil || len(docs) != 5 {
		t.Fatalf("sample via base path: %d, %v", len(docs), err)
	}
	assertReadOnly(t, srv.Requests())
}

// TestScrollFallback covers clusters without a point in time API: a version
// that has none (scroll directly) and one whose PIT endpoint is missing.
func TestScrollFallback(t *testing.T) {
	tests := []struct {
		name     string
		cfg      estest.Config
		wantNote bool
	}{
		{"es 7.9 has no PIT", estest.Config{Flavor: estest.ES7, Version: "7.9.3", NoPIT: true}, false},
		{"opensearch 2.3 has no PIT", estest.Config{Flavor: estest.OpenSearch2, Version: "2.3.0", NoPIT: true}, false},
		{"es 8 PIT endpoint missing", estest.Config{Flavor: estest.ES8, NoPIT: true}, true},
		{"opensearch 2.11 PIT endpoint missing", estest.Config{Flavor: estest.OpenSearch2, NoPIT: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newCluster(t, tt.cfg)
			c := openConn(t, srv.URL(), connectors.Options{})
			ct := connectors.Container{Name: "orders"}
			docs, res, err := sampleAll(t, c, ct, 25, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != 25 || res.Method != "random_score+scroll" || res.TotalDocuments != 40 {
				t.Fatalf("%d docs, %+v", len(docs), res)
			}
			if hasNote(res.Notes, "point in time API was not available") != tt.wantNote {
				t.Errorf("notes = %v", res.Notes)
			}
			all, _, _ := sampleAll(t, c, ct, 0, 3)
			if len(all) != 40 {
				t.Errorf("all: %d docs", len(all))
			}
			if n := srv.OpenContexts(); n != 0 {
				t.Errorf("%d contexts left open", n)
			}
			assertReadOnly(t, srv.Requests())
		})
	}
}

func TestMaxResultWindow(t *testing.T) {
	for _, noPIT := range []bool{false, true} {
		for _, fl := range estest.Flavors {
			t.Run(fmt.Sprintf("%s/nopit=%v", fl, noPIT), func(t *testing.T) {
				t.Parallel()
				srv := estest.New(estest.Config{Flavor: fl, NoPIT: noPIT})
				defer srv.Close()
				var docs []map[string]any
				for i := range 30 {
					docs = append(docs, map[string]any{"n": i})
				}
				must(t, srv.AddIndexWithOptions("small", nil, docs, estest.IndexOptions{MaxResultWindow: 7}))
				c := openConn(t, srv.URL(), connectors.Options{})
				got, res, err := sampleAll(t, c, connectors.Container{Name: "small"}, 20, 1)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 20 || !hasNote(res.Notes, "max_result_window is 7") {
					t.Errorf("%d docs, notes %v", len(got), res.Notes)
				}
				seen := map[string]bool{}
				for _, d := range got {
					seen[fmt.Sprint(d["n"])] = true
				}
				if len(seen) != 20 {
					t.Errorf("%d distinct documents of 20", len(seen))
				}
				if n := srv.OpenContexts(); n != 0 {
					t.Errorf("%d contexts left open", n)
				}
			})
		}
	}
}

func TestSourceDisabled(t *testing.T) {
	for _, fl := range estest.Flavors {
		t.Run(fl.String(), func(t *testing.T) {
			t.Parallel()
			srv := newCluster(t, estest.Config{Flavor: fl})
			must(t, srv.SetSourceDisabled("orders"))
			c := openConn(t, srv.URL(), connectors.Options{})
			list, err := c.Containers(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			orders := containerByName(t, list, "orders")
			if !hasNote(orders.Notes, "_source is disabled") {
				t.Errorf("container notes = %v", orders.Notes)
			}
			docs, res, err := sampleAll(t, c, orders, 15, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != 0 || res.Skipped != 15 || res.SkipReasons["_source disabled"] != 15 || !hasNote(res.Notes, "no _source") {
				t.Errorf("%d docs, %+v", len(docs), res)
			}
		})
	}
}

func TestEmitErrorStopsAndClears(t *testing.T) {
	for _, noPIT := range []bool{false, true} {
		srv := newCluster(t, estest.Config{Flavor: estest.ES8, NoPIT: noPIT})
		c := openConn(t, srv.URL(), connectors.Options{})
		stop := errors.New("stop")
		n := 0
		_, err := c.Sample(context.Background(), connectors.Container{Name: "orders"}, connectors.SampleOptions{Size: 30},
			func(connectors.Document) error {
				n++
				if n == 3 {
					return stop
				}
				return nil
			})
		if !errors.Is(err, stop) || n != 3 {
			t.Errorf("nopit=%v: err %v after %d docs", noPIT, err, n)
		}
		if k := srv.OpenContexts(); k != 0 {
			t.Errorf("nopit=%v: %d contexts left open", noPIT, k)
		}
	}
}

func TestCancelledContextClears(t *testing.T) {
	srv := newCluster(t, estest.Config{Flavor: estest.OpenSearch2})
	c := openConn(t, srv.URL(), connectors.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := c.Sample(ctx, connectors.Container{Name: "people"}, connectors.SampleOptions{Size: 0},
		func(connectors.Document) error { cancel(); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if k := srv.OpenContexts(); k != 0 {
		t.Errorf("%d contexts left open", k)
	}
}

func TestSampleUnknownIndex(t *testing.T) {
	srv := newCluster(t, estest.Config{Flavor: estest.ES8})
	c := openConn(t, srv.URL(), connectors.Options{})
	_, _, err := sampleAll(t, c, connectors.Container{Name: "nope"}, 5, 1)
	if err == nil || !strings.Contains(err.Error(), "index_not_found_exception") {
		t.Errorf("err = %v", err)
	}
}

func TestNotElasticsearch(t *testing.T) {
	srv := estest.New(estest.Config{Flavor: estest.ES8, BasePath: "/es"})
	defer srv.Close()
	// the server answers 404 text outside its base path
	_, err := Open(context.Background(), strings.TrimSuffix(srv.URL(), "/es")+"/other", connectors.Options{})
	if err == nil {
		t.Fatal("Open succeeded on something that is not Elasticsearch")
	}
	_, err = Open(context.Background(), "http://127.0.0.1:1", connectors.Options{})
	if err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("unreachable: %v", err)
	}
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestVersions covers versions around the feature lines: no product header
// before Elasticsearch 7.14, point in time from 7.10 and OpenSearch 2.4,
// Elasticsearch 9 and OpenSearch 1.x.
func TestVersions(t *testing.T) {
	tests := []struct {
		cfg    estest.Config
		method string
	}{
		{estest.Config{Flavor: estest.ES7, Version: "7.13.4"}, "random_score+pit"},
		{estest.Config{Flavor: estest.ES7, Version: "7.10.2"}, "random_score+pit"},
		{estest.Config{Flavor: estest.ES7, Version: "7.9.3", NoPIT: true}, "random_score+scroll"},
		{estest.Config{Flavor: estest.ES8, Version: "9.1.4"}, "random_score+pit"},
		{estest.Config{Flavor: estest.OpenSearch2, Version: "1.3.19", NoPIT: true}, "random_score+scroll"},
		{estest.Config{Flavor: estest.OpenSearch2, Version: "2.4.0"}, "random_score+pit"},
	}
	for _, tt := range tests {
		t.Run(tt.cfg.Flavor.String()+"-"+tt.cfg.Version, func(t *testing.T) {
			t.Parallel()
			srv := newCluster(t, tt.cfg)
			c := openConn(t, srv.URL(), connectors.Options{})
			if c.Kind() != wantKind(tt.cfg.Flavor) {
				t.Errorf("kind %s", c.Kind())
			}
			docs, res, err := sampleAll(t, c, connectors.Container{Name: "people"}, 5, 1)
			if err != nil || len(docs) != 5 || res.Method != tt.method || len(res.Notes) != 0 {
				t.Errorf("%d docs, %+v, %v", len(docs), res, err)
			}
			if exp := c.Exposure(context.Background()); !strings.Contains(exp.Server, tt.cfg.Version) {
				t.Errorf("server %q", exp.Server)
			}
			assertReadOnly(t, srv.Requests())
		})
	}
}

func TestMaxDocumentBytes(t *testing.T) {
	srv := newCluster(t, estest.Config{Flavor: estest.ES8})
	c := openConn(t, srv.URL(), connectors.Options{MaxDocumentBytes: 100})
	docs, res, err := sampleAll(t, c, connectors.Container{Name: "people"}, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 0 || res.SkipReasons["document too large"] != 25 {
		t.Errorf("%d docs, %+v", len(docs), res)
	}
}

func TestCloudIDWithoutHost(t *testing.T) {
	// name:base64("cloud.invalid:9243$deadbeef$k")
	id := "x:Y2xvdWQuaW52YWxpZDo5MjQzJGRlYWRiZWVmJGs="
	_, err := Open(context.Background(), "https://", connectors.Options{ConnectTimeout: time.Second}.WithStore(Name, &Options{CloudID: id}))
	if err == nil || !strings.Contains(err.Error(), "deadbeef.cloud.invalid") {
		t.Errorf("err = %v", err)
	}
	if _, err := Open(context.Background(), "https://", connectors.Options{}.WithStore(Name, &Options{CloudID: "broken"})); err == nil || !strings.Contains(err.Error(), "Elastic Cloud id") {
		t.Errorf("broken id: %v", err)
	}
}
