package estest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func do(t *testing.T, s *Server, method, path, body string, hdr ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, header: res.Header, raw: b}
	_ = json.Unmarshal(b, &a.body)
	return a
}

func get(m any, path ...string) any {
	for _, p := range path {
		o, ok := m.(map[string]any)
		if !ok {
			return nil
		}
		m = o[p]
	}
	return m
}

func newTestServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	s := New(cfg)
	t.Cleanup(s.Close)
	var docs []map[string]any
	for i := range 25 {
		docs = append(docs, map[string]any{"n": i, "email": fmt.Sprintf("u%d@example.com", i)})
	}
	if err := s.AddIndex("users", nil, docs); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRootInfo(t *testing.T) {
	tests := []struct {
		flavor       Flavor
		product      string // X-Elastic-Product
		distribution any
		flavorField  any
		tagline      string
	}{
		{ES7, "Elasticsearch", nil, "default", "You Know, for Search"},
		{ES8, "Elasticsearch", nil, "default", "You Know, for Search"},
		{OpenSearch2, "", "opensearch", nil, "The OpenSearch Project: https://opensearch.org/"},
	}
	for _, tt := range tests {
		t.Run(tt.flavor.String(), func(t *testing.T) {
			s := newTestServer(t, Config{Flavor: tt.flavor})
			a := do(t, s, "GET", "/", "")
			if a.status != 200 || a.header.Get("X-Elastic-Product") != tt.product {
				t.Errorf("status %d, product header %q", a.status, a.header.Get("X-Elastic-Product"))
			}
			for _, k := range []string{"name", "cluster_name", "cluster_uuid", "tagline"} {
				if _, ok := a.body[k]; !ok {
					t.Errorf("no %s", k)
				}
			}
			if get(a.body, "version", "distribution") != tt.distribution || get(a.body, "version", "build_flavor") != tt.flavorField || a.body["tagline"] != tt.tagline {
				t.Errorf("body = %v", a.body)
			}
			if get(a.body, "version", "number") != s.Config().Version {
				t.Errorf("version = %v", get(a.body, "version", "number"))
			}
			if h := do(t, s, "HEAD", "/", ""); h.status != 200 || len(h.raw) != 0 {
				t.Errorf("HEAD: %d %q", h.status, h.raw)
			}
		})
	}
}

func TestCatIndices(t *testing.T) {
	s := newTestServer(t, Config{Flavor: ES8})
	must(t, s.AddIndexWithOptions(".hidden", nil, []map[string]any{{"a": 1}}, IndexOptions{Hidden: true}))
	must(t, s.AddIndexWithOptions("closed", nil, nil, IndexOptions{Closed: true}))
	rows := func(q string) []map[string]any {
		a := do(t, s, "GET", "/_cat/indices?format=json"+q, "")
		var out []map[string]any
		if err := json.Unmarshal(a.raw, &out); err != nil {
			t.Fatalf("%s: %v", a.raw, err)
		}
		return out
	}
	names := func(rs []map[string]any) []string {
		var n []string
		for _, r := range rs {
			n = append(n, fmt.Sprint(r["index"]))
		}
		return n
	}
	all := rows("")
	if got := names(all); !reflect.DeepEqual(got, []string{".hidden", "closed", "users"}) {
		t.Errorf("default = %v", got)
	}
	users := all[2]
	if users["docs.count"] != "25" || users["status"] != "open" || users["dataset.size"] == nil {
		t.Errorf("row = %v", users)
	}
	if all[1]["docs.count"] != nil || all[1]["status"] != "close" {
		t.Errorf("closed row = %v", all[1])
	}
	if got := names(rows("&expand_wildcards=open")); !reflect.DeepEqual(got, []string{"users"}) {
		t.Errorf("open = %v", got)
	}
	if got := rows("&h=index,docs.count"); len(got[0]) != 2 {
		t.Errorf("h= columns: %v", got[0])
	}
	text := do(t, s, "GET", "/_cat/indices?expand_wildcards=open", "")
	if !strings.Contains(string(text.raw), "users") || strings.HasPrefix(string(text.raw), "[") {
		t.Errorf("text format: %q", text.raw)
	}
}

func TestSearchPaging(t *testing.T) {
	for _, fl := range Flavors {
		t.Run(fl.String(), func(t *testing.T) {
			s := newTestServer(t, Config{Flavor: fl})
			open, closePath, idKey := "/users/_pit?keep_alive=1m", "/_pit", "id"
			if fl == OpenSearch2 {
				open, closePath, idKey = "/users/_search/point_in_time?keep_alive=1m", "/_search/point_in_time", "pit_id"
			}
			a := do(t, s, "POST", open, "")
			id, _ := a.body[idKey].(string)
			if a.status != 200 || id == "" {
				t.Fatalf("open PIT: %d %s", a.status, a.raw)
			}
			if fl == OpenSearch2 && a.body["creation_time"] == nil {
				t.Errorf("no creation_time: %s", a.raw)
			}
			// the other product's endpoint does not exist
			other := "/users/_search/point_in_time?keep_alive=1m"
			if fl == OpenSearch2 {
				other = "/users/_pit?keep_alive=1m"
			}
			if b := do(t, s, "POST", other, ""); b.status != 400 || !strings.Contains(string(b.raw), "no handler found") {
				t.Errorf("other PIT endpoint: %d %s", b.status, b.raw)
			}
			if b := do(t, s, "POST", "/users/_search", `{"pit":{"id":"`+id+`","keep_alive":"1m"}}`); b.status != 400 {
				t.Errorf("index with PIT: %d", b.status)
			}
			seen := map[string]int{}
			var after json.RawMessage
			q := `{"function_score":{"query":{"match_all":{}},"random_score":{"seed":7,"field":"_seq_no"},"boost_mode":"replace"}}`
			for page := 0; page < 10; page++ {
				body := `{"size":4,"query":` + q + `,"pit":{"id":"` + id + `","keep_alive":"1m"},"sort":[{"_score":{"order":"desc"}}],"track_total_hits":true`
				if after != nil {
					body += `,"search_after":` + string(after)
				}
				r := do(t, s, "POST", "/_search", body+"}")
				if r.status != 200 {
					t.Fatalf("search: %d %s", r.status, r.raw)
				}
				var sr struct {
					PitID string `json:"pit_id"`
					Hits  struct {
						Total struct{ Value int } `json:"total"`
						Hits  []struct {
							Type   *string         `json:"_type"`
							ID     string          `json:"_id"`
							Sort   json.RawMessage `json:"sort"`
							Source map[string]any  `json:"_source"`
						} `json:"hits"`
					} `json:"hits"`
				}
				must(t, json.Unmarshal(r.raw, &sr))
				if sr.PitID == "" || sr.Hits.Total.Value != 25 {
					t.Fatalf("pit_id %q total %d", sr.PitID, sr.Hits.Total.Value)
				}
				if len(sr.Hits.Hits) == 0 {
					break
				}
				for _, h := range sr.Hits.Hits {
					seen[h.ID]++
					if (h.Type != nil) != (fl == ES7) {
						t.Errorf("_type present = %v", h.Type != nil)
					}
				}
				last := sr.Hits.Hits[len(sr.Hits.Hits)-1].Sort
				var vals []any
				_ = json.Unmarshal(last, &vals)
				wantLen := 2 // implicit _shard_doc tie-breaker on Elasticsearch
				if fl == OpenSearch2 {
					wantLen = 1
				}
				if len(vals) != wantLen {
					t.Errorf("sort values %s", last)
				}
				after = last
			}
			if len(seen) != 25 {
				t.Errorf("paged over %d distinct docs", len(seen))
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("%s seen %d times", id, n)
				}
			}
			closeBody := `{"id":"` + id + `"}`
			if fl == OpenSearch2 {
				closeBody = `{"pit_id":["` + id + `"]}`
			}
			c := do(t, s, "DELETE", closePath, closeBody)
			if c.status != 200 || s.OpenContexts() != 0 {
				t.Errorf("close: %d %s, %d open", c.status, c.raw, s.OpenContexts())
			}
			if fl != OpenSearch2 && (c.body["succeeded"] != true || c.body["num_freed"] != 1.0) {
				t.Errorf("close body %s", c.raw)
			}
			if fl == OpenSearch2 && get(c.body["pits"].([]any)[0], "successful") != true {
				t.Errorf("close body %s", c.raw)
			}
			// a closed point in time is gone
			if r := do(t, s, "POST", "/_search", `{"pit":{"id":"`+id+`"}}`); r.status != 404 || !strings.Contains(string(r.raw), "search_context_missing_exception") {
				t.Errorf("closed PIT: %d %s", r.status, r.raw)
			}
		})
	}
}

func TestSeededOrderIsStable(t *testing.T) {
	s := newTestServer(t, Config{})
	q := `{"size":25,"query":{"function_score":{"random_score":{"seed":%d,"field":"_seq_no"}}}}`
	ids := func(seed int) string {
		a := do(t, s, "POST", "/users/_search", fmt.Sprintf(q, seed))
		var ids []string
		for _, h := range get(a.body, "hits", "hits").([]any) {
			ids = append(ids, h.(map[string]any)["_id"].(string))
		}
		return strings.Join(ids, ",")
	}
	if ids(1) != ids(1) || ids(1) == ids(2) {
		t.Error("seeded order is not stable per seed")
	}
}

func TestScroll(t *testing.T) {
	s := newTestServer(t, Config{Flavor: ES7})
	a := do(t, s, "POST", "/users/_search?scroll=1m", `{"size":10}`)
	id, _ := a.body["_scroll_id"].(string)
	if a.status != 200 || id == "" {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	n := len(get(a.body, "hits", "hits").([]any))
	for {
		r := do(t, s, "POST", "/_search/scroll", `{"scroll":"1m","scroll_id":"`+id+`"}`)
		k := len(get(r.body, "hits", "hits").([]any))
		if k == 0 {
			break
		}
		n += k
	}
	if n != 25 {
		t.Errorf("scrolled %d docs", n)
	}
	c := do(t, s, "DELETE", "/_search/scroll", `{"scroll_id":["`+id+`"]}`)
	if c.status != 200 || c.body["num_freed"] != 1.0 || s.OpenContexts() != 0 {
		t.Errorf("clear: %d %s", c.status, c.raw)
	}
	if c := do(t, s, "DELETE", "/_search/scroll", `{"scroll_id":"`+id+`"}`); c.status != 404 {
		t.Errorf("second clear: %d", c.status)
	}
}

func TestMaxResultWindowError(t *testing.T) {
	s := newTestServer(t, Config{})
	must(t, s.AddIndexWithOptions("small", nil, []map[string]any{{"a": 1}}, IndexOptions{MaxResultWindow: 5}))
	a := do(t, s, "POST", "/small/_search", `{"from":3,"size":3}`)
	reason, _ := get(a.body["error"].(map[string]any)["root_cause"].([]any)[0], "reason").(string)
	if a.status != 400 || get(a.body, "error", "type") != "search_phase_execution_exception" ||
		!strings.Contains(reason, "Result window is too large, from + size must be less than or equal to: [5] but was [6]") {
		t.Errorf("%d %s", a.status, a.raw)
	}
	b := do(t, s, "POST", "/small/_search?scroll=1m", `{"size":6}`)
	if b.status != 400 || !strings.Contains(string(b.raw), "Batch size is too large, size must be less than or equal to: [5] but was [6]") {
		t.Errorf("scroll: %d %s", b.status, b.raw)
	}
}

func TestAuthModes(t *testing.T) {
	const key = "aWQ6a2V5"
	tests := []struct {
		name   string
		cfg    Config
		hdr    []string
		status int
		reason string
	}{
		{"none", Config{}, nil, 200, ""},
		{"basic missing", Config{Auth: AuthBasic, Username: "u", Password: "p"}, nil, 401, "missing authentication credentials for REST request [/]"},
		{"basic wrong", Config{Auth: AuthBasic, Username: "u", Password: "p"}, []string{"Authorization", "Basic dTp4"}, 401, "unable to authenticate user [u]"},
		{"basic ok", Config{Auth: AuthBasic, Username: "u", Password: "p"}, []string{"Authorization", "Basic dTpw"}, 200, ""},
		{"api key ok", Config{Auth: AuthAPIKey, APIKey: key}, []string{"Authorization", "ApiKey " + key}, 200, ""},
		{"api key wrong", Config{Auth: AuthAPIKey, APIKey: key}, []string{"Authorization", "ApiKey bm9wZQ=="}, 401, "unable to authenticate with provided credentials"},
		{"anonymous", Config{Auth: AuthBasic, Username: "u", Password: "p", Anonymous: true}, nil, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, tt.cfg)
			a := do(t, s, "GET", "/", "", tt.hdr...)
			if a.status != tt.status {
				t.Fatalf("status %d: %s", a.status, a.raw)
			}
			if tt.status == 401 {
				if r, _ := get(a.body, "error", "reason").(string); !strings.Contains(r, tt.reason) || get(a.body, "error", "type") != "security_exception" {
					t.Errorf("body %s", a.raw)
				}
				if !strings.Contains(strings.Join(a.header.Values("WWW-Authenticate"), ";"), `Basic realm="security"`) {
					t.Errorf("WWW-Authenticate = %v", a.header.Values("WWW-Authenticate"))
				}
			}
			for _, r := range s.Requests() {
				if strings.Contains(r.Auth, "dTp") || strings.Contains(r.Auth, key) {
					t.Errorf("credentials logged: %q", r.Auth)
				}
			}
		})
	}
	osrv := newTestServer(t, Config{Flavor: OpenSearch2, Auth: AuthBasic, Username: "u", Password: "p"})
	a := do(t, osrv, "GET", "/", "")
	if a.status != 401 || string(a.raw) != "Unauthorized" || !strings.Contains(a.header.Get("WWW-Authenticate"), "OpenSearch Security") {
		t.Errorf("OpenSearch 401: %d %q %v", a.status, a.raw, a.header)
	}
}

func TestFaultInjection(t *testing.T) {
	s := newTestServer(t, Config{})
	s.InjectFault(Fault{PathContains: "_count", Status: 429, RetryAfter: "2", Times: 1})
	a := do(t, s, "GET", "/users/_count", "")
	if a.status != 429 || a.header.Get("Retry-After") != "2" || get(a.body, "error", "type") != "es_rejected_execution_exception" {
		t.Errorf("429: %d %v %s", a.status, a.header, a.raw)
	}
	if b := do(t, s, "GET", "/users/_count", ""); b.status != 200 || b.body["count"] != 25.0 {
		t.Errorf("after fault: %d %s", b.status, b.raw)
	}
	s.InjectFault(Fault{Method: "GET", PathContains: "_mapping", Status: 503, Times: 1})
	if b := do(t, s, "GET", "/users/_mapping", ""); b.status != 503 || get(b.body, "error", "type") != "cluster_block_exception" {
		t.Errorf("503: %d %s", b.status, b.raw)
	}
	s.InjectFault(Fault{PathContains: "/drop", Drop: true})
	if _, err := s.Client().Get(s.URL() + "/drop"); err == nil {
		t.Error("dropped connection answered")
	}
	s.InjectFault(Fault{PathContains: "/slow", Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL()+"/slow", nil)
	if _, err := s.Client().Do(req); err == nil {
		t.Error("slow answer arrived")
	}
	s.ClearFaults()
	if b := do(t, s, "GET", "/users/_mapping", ""); b.status != 200 {
		t.Errorf("after ClearFaults: %d", b.status)
	}
}

func TestRequestLog(t *testing.T) {
	s := newTestServer(t, Config{BasePath: "/es"})
	do(t, s, "POST", "/users/_search?size=1", `{"query":{"match_all":{}}}`)
	do(t, s, "PUT", "/users/_doc/1", `{"a":1}`)
	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	if r := reqs[0]; r.Method != "POST" || r.Path != "/users/_search" || r.RawQuery != "size=1" || !strings.Contains(r.Body, "match_all") || r.Status != 200 {
		t.Errorf("log[0] = %+v", r)
	}
	if r := reqs[1]; r.Method != "PUT" || r.Status != 400 {
		t.Errorf("a write is refused and logged: %+v", r)
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 {
		t.Error("ResetRequests")
	}
}

func TestMappingDataStreamAliases(t *testing.T) {
	s := newTestServer(t, Config{Flavor: ES8})
	must(t, s.AddAlias("people", "users"))
	must(t, s.AddDataStream("logs-web", nil, []map[string]any{{"@timestamp": "2026-11-25T10:00:00Z", "ip": "192.0.2.1"}}))
	m := do(t, s, "GET", "/people/_mapping", "")
	if get(m.body, "users", "mappings", "properties", "email", "type") != "text" {
		t.Errorf("alias mapping: %s", m.raw)
	}
	ds := do(t, s, "GET", "/_data_stream", "")
	list, _ := ds.body["data_streams"].([]any)
	if len(list) != 1 || get(list[0], "name") != "logs-web" || get(list[0], "timestamp_field", "name") != "@timestamp" {
		t.Errorf("data streams: %s", ds.raw)
	}
	if c := do(t, s, "POST", "/logs-web/_count", `{"query":{"match_all":{}}}`); c.body["count"] != 1.0 {
		t.Errorf("count on data stream: %s", c.raw)
	}
	al := do(t, s, "GET", "/_cat/aliases?format=json", "")
	if !bytes.Contains(al.raw, []byte(`"alias":"people"`)) {
		t.Errorf("cat aliases: %s", al.raw)
	}
	if nf := do(t, s, "GET", "/nope/_mapping", ""); nf.status != 404 || get(nf.body, "error", "type") != "index_not_found_exception" {
		t.Errorf("missing index: %d %s", nf.status, nf.raw)
	}
}

func TestLoadDir(t *testing.T) {
	s := New(Config{})
	defer s.Close()
	counts, err := LoadDir(s, "testdata/app")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"users": 3, "devices": 1, "app-logs-2026.06": 2, "audit": 1}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("counts = %v", counts)
	}
	m := do(t, s, "GET", "/users/_mapping", "")
	props := get(m.body, "users", "mappings", "properties")
	for field, typ := range map[string]string{"signup": "date", "age": "long", "email": "text", "active": "boolean"} {
		if get(props, field, "type") != typ {
			t.Errorf("%s: %v", field, get(props, field))
		}
	}
	if get(props, "geo", "properties", "lat", "type") != "float" {
		t.Errorf("geo: %v", get(props, "geo"))
	}
	doc := do(t, s, "POST", "/users/_search", `{"size":10}`)
	if !bytes.Contains(doc.raw, []byte(`"_id":"u1"`)) || bytes.Contains(doc.raw, []byte(`"_source":{"_id"`)) {
		t.Errorf("ids: %s", doc.raw)
	}
	if _, err := LoadDir(New(Config{}), "testdata/nope"); err == nil {
		t.Error("missing dir loaded")
	}
}

// TestLoadLeakyApp loads the project's example when it is present.
func TestLoadLeakyApp(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "leaky-app")
	if _, err := os.Stat(dir); err != nil {
		t.Fatal("examples/leaky-app not present")
	}
	s := New(Config{})
	defer s.Close()
	counts, err := LoadDir(s, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) < 2 {
		t.Errorf("counts = %v", counts)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestClosingWhatIsGone(t *testing.T) {
	tests := []struct {
		cfg        Config
		path, body string
		wantStatus int
	}{
		{Config{Flavor: ES7}, "/_pit", `{"id":"gone"}`, 404},
		{Config{Flavor: ES8}, "/_pit", `{"id":"gone"}`, 200}, // 200 since 8.8
		{Config{Flavor: ES8, Version: "8.7.1"}, "/_pit", `{"id":"gone"}`, 404},
		{Config{Flavor: ES8}, "/_search/scroll", `{"scroll_id":["gone"]}`, 200},
		{Config{Flavor: OpenSearch2}, "/_search/scroll", `{"scroll_id":"gone"}`, 404},
		{Config{Flavor: OpenSearch2}, "/_search/point_in_time", `{"pit_id":"gone"}`, 200},
	}
	for _, tt := range tests {
		s := newTestServer(t, tt.cfg)
		if a := do(t, s, "DELETE", tt.path, tt.body); a.status != tt.wantStatus {
			t.Errorf("%s %s: %d %s", tt.cfg.Flavor, tt.path, a.status, a.raw)
		}
	}
}

func TestOpenSearchListAndDeleteAllPITs(t *testing.T) {
	s := newTestServer(t, Config{Flavor: OpenSearch2})
	for range 2 {
		do(t, s, "POST", "/users/_search/point_in_time?keep_alive=1m", "")
	}
	if a := do(t, s, "GET", "/_search/point_in_time/_all", ""); len(a.body["pits"].([]any)) != 2 {
		t.Errorf("list: %s", a.raw)
	}
	if a := do(t, s, "DELETE", "/_search/point_in_time/_all", ""); a.status != 200 || len(a.body["pits"].([]any)) != 2 || s.OpenContexts() != 0 {
		t.Errorf("delete all: %d %s", a.status, a.raw)
	}
}
