package elasticsearch

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFlattenMapping(t *testing.T) {
	var cases []struct {
		Name           string            `json:"name"`
		Mappings       map[string]any    `json:"mappings"`
		SourceDisabled bool              `json:"source_disabled"`
		Want           map[string]string `json:"want"`
	}
	readJSON(t, "testdata/flatten_cases.json", &cases)
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			got := flattenMapping(tc.Mappings)
			if !reflect.DeepEqual(got.FieldTypes, tc.Want) {
				t.Errorf("field types\n got %v\nwant %v", got.FieldTypes, tc.Want)
			}
			if got.SourceDisabled != tc.SourceDisabled {
				t.Errorf("source disabled = %v", got.SourceDisabled)
			}
		})
	}
}

func TestParseMappings(t *testing.T) {
	body := `{"a":{"mappings":{"properties":{"ip":{"type":"ip"}}}},"b":{"mappings":{"_source":{"enabled":false},"properties":{"ip":{"type":"keyword"},"g":{"type":"geo_point"}}}}}`
	all, err := parseMappings([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	m := mergeMappings(all["a"], all["b"])
	if m.FieldTypes["ip"] != "ip" || m.FieldTypes["g"] != "geo_point" || !m.SourceDisabled {
		t.Errorf("merged = %+v", m)
	}
	if _, err := parseMappings([]byte(`[1,2]`)); err == nil {
		t.Error("no error for an array")
	}
}

func TestParseCatIndices(t *testing.T) {
	b, err := os.ReadFile("testdata/cat_indices_es8.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseCatIndices(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []catIndex{
		{Index: "people", Status: "open", Health: "yellow", DocsCount: 1200},
		{Index: ".kibana_1", Status: "open", Health: "green", DocsCount: 12},
		{Index: "archive", Status: "close", DocsCount: -1},
		{Index: "numbers", Status: "open", DocsCount: 42},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	for _, bad := range []string{`{}`, `not json`, `[{"index": {}}]`} {
		if _, err := parseCatIndices([]byte(bad)); err == nil {
			t.Errorf("no error for %s", bad)
		}
	}
}

func TestWindowLimit(t *testing.T) {
	tests := []struct {
		reason string
		want   int
		ok     bool
	}{
		{"Result window is too large, from + size must be less than or equal to: [10000] but was [10001]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.", 10000, true},
		{"Batch size is too large, size must be less than or equal to: [500] but was [1000]. Scroll batch sizes cost as much memory as result windows so they are controlled by the [index.max_result_window] index level setting.", 500, true},
		{"all shards failed", 0, false},
		{"Result window is too large, from + size must be less than or equal to: [0] but was [1]", 0, false},
	}
	for _, tt := range tests {
		got, ok := windowLimit(tt.reason)
		if got != tt.want || ok != tt.ok {
			t.Errorf("windowLimit(%.40q) = %d, %v", tt.reason, got, ok)
		}
	}
}

func TestErrorInfo(t *testing.T) {
	tests := []struct {
		body, typ, reason string
	}{
		{`{"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [x]"}],"type":"index_not_found_exception","reason":"no such index [x]"},"status":404}`, "index_not_found_exception", "no such index [x]"},
		{`{"error":{"root_cause":[{"type":"illegal_argument_exception","reason":"Result window is too large"}],"type":"search_phase_execution_exception","reason":"all shards failed"},"status":400}`, "illegal_argument_exception", "Result window is too large"},
		{`{"error":"no handler found for uri [/_pit] and method [POST]","status":400}`, "", "no handler found for uri [/_pit] and method [POST]"},
		{`Unauthorized`, "", "Unauthorized"},
	}
	for _, tt := range tests {
		typ, reason := errorInfo([]byte(tt.body))
		if typ != tt.typ || reason != tt.reason {
			t.Errorf("errorInfo(%.30s) = %q, %q", tt.body, typ, reason)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"3", 3 * time.Second, true},
		{"100000", 100000 * time.Second, true},
		{"-1", 0, false},
		{"", 0, false},
		{"soon", 0, false},
		{"Wed, 25 Nov 2026 12:00:02 GMT", 2 * time.Second, true},
		{"Wed, 25 Nov 2026 11:00:00 GMT", 0, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.v, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v", tt.v, got, ok)
		}
	}
}

func TestExactTotal(t *testing.T) {
	tests := []struct {
		raw  string
		n    int64
		want bool
	}{
		{`{"value":25,"relation":"eq"}`, 25, true},
		{`{"value":10000,"relation":"gte"}`, 10000, false},
		{`1234`, 1234, true},
		{``, 0, false},
	}
	for _, tt := range tests {
		n, ok := exactTotal(json.RawMessage(tt.raw))
		if n != tt.n || ok != tt.want {
			t.Errorf("exactTotal(%s) = %d, %v", tt.raw, n, ok)
		}
	}
}

func FuzzFlattenMapping(f *testing.F) {
	for _, s := range []string{
		`{"properties":{"a":{"type":"nested","properties":{"b":{"type":"ip"}}}}}`,
		`{"_doc":{"_source":{"enabled":false},"properties":{"x":{"properties":{"y":{"type":"geo_point"}}}}}}`,
		`{"properties":{"a":{"type":"text","fields":{"k":{"type":"keyword"}}},"b":{"type":"alias","path":"a"}}}`,
	} {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile("testdata/people.mapping.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m map[string]any
		if json.Unmarshal(data, &m) != nil {
			return
		}
		im := flattenMapping(m)
		for path, typ := range im.FieldTypes {
			if path == "" || typ == "" || strings.HasPrefix(path, ".") || strings.Contains(path, "..") {
				t.Fatalf("bad entry %q: %q", path, typ)
			}
			if strings.HasSuffix(path, "[]") != (typ == "nested") {
				t.Fatalf("nested marker mismatch %q: %q", path, typ)
			}
		}
		body, _ := json.Marshal(map[string]any{"i": map[string]any{"mappings": m}})
		if _, err := parseMappings(body); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseCatIndices(f *testing.F) {
	if b, err := os.ReadFile("testdata/cat_indices_es8.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`[{"index":"a","docs.count":"x"}]`))
	f.Add([]byte(`[{"index":7,"status":null}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := parseCatIndices(data)
		if err != nil {
			return
		}
		for _, r := range rows {
			if r.Index == "" || r.DocsCount < -1 {
				t.Fatalf("bad row %+v", r)
			}
		}
	})
}

func FuzzErrorParsers(f *testing.F) {
	f.Add([]byte(`{"error":{"root_cause":[{"type":"t","reason":"Result window is too large, from + size must be less than or equal to: [7] but was [8]"}],"type":"x","reason":"all shards failed"}}`), "Wed, 25 Nov 2026 12:00:02 GMT")
	f.Add([]byte(`{"error":"text"}`), "12")
	f.Fuzz(func(t *testing.T, body []byte, retryAfter string) {
		_, reason := errorInfo(body)
		if n, ok := windowLimit(reason); ok && n <= 0 {
			t.Fatalf("window %d", n)
		}
		if d, ok := parseRetryAfter(retryAfter, time.Now()); ok && d < 0 {
			t.Fatalf("retry after %s", d)
		}
		_, _ = CloudAddress(retryAfter)
	})
}

func TestDecodePage(t *testing.T) {
	body := []byte(`{"pit_id":"p2","_shards":{"total":2,"failed":1},"hits":{"total":{"value":3,"relation":"eq"},"hits":[` +
		`{"_index":"a","_id":"1","_source":{"n":1.50,"o":{"x":[1]}},"sort":[0.5,1]},` +
		`{"_index":"a","_id":"2","sort":[0.4,2]}]}}`)
	tests := []struct {
		name    string
		max     int64
		decoded bool
	}{
		{"one pass", 0, true},
		{"one pass within bound", int64(len(body)), true},
		{"per document above bound", 10, false},
	}
	for _, tt := range tests {
		sr, err := decodePage(body, tt.max)
		if err != nil {
			t.Fatal(err)
		}
		if sr.PitID != "p2" || sr.Shards.Failed != 1 || len(sr.Hits.Hits) != 2 || string(sr.Hits.Hits[1].Sort) != "[0.4,2]" {
			t.Fatalf("%s: %+v", tt.name, sr)
		}
		h0, h1 := sr.Hits.Hits[0], sr.Hits.Hits[1]
		if h0.decoded != tt.decoded || h1.decoded != tt.decoded {
			t.Errorf("%s: decoded = %v", tt.name, h0.decoded)
		}
		if tt.decoded && (h0.doc["n"] != json.Number("1.50") || h1.doc != nil) {
			t.Errorf("%s: docs %v %v", tt.name, h0.doc, h1.doc)
		}
		if !tt.decoded && (string(h0.Source) != `{"n":1.50,"o":{"x":[1]}}` || h1.Source != nil) {
			t.Errorf("%s: sources %s %s", tt.name, h0.Source, h1.Source)
		}
	}
	// a source that is not an object falls back to per-document decoding
	sr, err := decodePage([]byte(`{"hits":{"hits":[{"_id":"1","_source":[1,2]}]}}`), 0)
	if err != nil || sr.Hits.Hits[0].decoded || string(sr.Hits.Hits[0].Source) != "[1,2]" {
		t.Errorf("fallback: %+v %v", sr, err)
	}
}

func FuzzDecodePage(f *testing.F) {
	f.Add([]byte(`{"hits":{"total":{"value":1,"relation":"eq"},"hits":[{"_index":"a","_id":"1","_source":{"a":1},"sort":[1]}]}}`), int64(0))
	f.Add([]byte(`{"_scroll_id":"x","hits":{"total":5,"hits":[{"_source":null}]}}`), int64(3))
	f.Fuzz(func(t *testing.T, body []byte, max int64) {
		sr, err := decodePage(body, max)
		if err != nil {
			return
		}
		for _, h := range sr.Hits.Hits {
			if h.decoded && h.Source != nil {
				t.Fatal("decoded hit kept its raw source")
			}
		}
		_, _ = exactTotal(sr.Hits.Total)
	})
}
