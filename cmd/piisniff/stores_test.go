package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/internal/estest"
	"github.com/piisniff/piisniff/internal/mongotest"
	"github.com/piisniff/piisniff/report"
)

// scanStore runs the CLI on a store and returns the report and what it found
// as container/path/category keys.
func scanStore(t *testing.T, uri string) (*report.Report, map[planted]bool) {
	t.Helper()
	res := runCLI(t, nil, "scan", uri, "-f", "json", "-q")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if err := report.Validate([]byte(res.stdout)); err != nil {
		t.Fatalf("report does not validate: %v", err)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatal(err)
	}
	found := map[planted]bool{}
	for _, c := range r.Targets[0].Containers {
		for _, f := range c.Fields {
			for _, x := range f.Findings {
				found[planted{c.Name, f.Path, x.Category}] = true
			}
		}
	}
	return &r, found
}

// topLevelPlanted lists the planted fields of the example's top-level NDJSON
// files, which every test store loads (one container per file).
func topLevelPlanted(t *testing.T) []planted {
	var out []planted
	for _, p := range loadPlanted(t) {
		if !strings.Contains(p.File, "/") && strings.HasSuffix(p.File, ".ndjson") {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		t.Fatal("no top-level NDJSON file in the example")
	}
	return out
}

func TestScanMongoDBExample(t *testing.T) {
	srv := mongotest.Start(t)
	if _, err := mongotest.LoadLeakyApp(context.Background(), srv.Client(t)); err != nil {
		t.Fatal(err)
	}
	r, found := scanStore(t, srv.URI)
	tg := r.Targets[0]
	if tg.Kind != "mongodb" || !tg.Exposure.AnonymousAccess || !r.Complete {
		t.Fatalf("kind %s anonymous %v complete %v", tg.Kind, tg.Exposure.AnonymousAccess, r.Complete)
	}
	for _, p := range topLevelPlanted(t) {
		want := planted{"leakyapp." + mongotest.CollectionName(p.File), p.Path, p.Category}
		if !found[want] {
			t.Errorf("planted %s in %s › %s not found", want.Category, want.File, want.Path)
		}
	}
	for _, p := range loadPlanted(t) {
		if strings.HasPrefix(p.File, "mongoexport/") && !found[planted{"shop.customers", p.Path, p.Category}] {
			t.Errorf("planted %s in shop.customers › %s not found", p.Category, p.Path)
		}
	}
}

func TestScanElasticsearchExample(t *testing.T) {
	root, err := filepath.Abs(example)
	if err != nil {
		t.Fatal(err)
	}
	for _, flavor := range estest.Flavors {
		t.Run(flavor.String(), func(t *testing.T) {
			srv := estest.New(estest.Config{Flavor: flavor})
			t.Cleanup(srv.Close)
			if _, err := estest.LoadDir(srv, root); err != nil {
				t.Fatal(err)
			}
			r, found := scanStore(t, srv.URL())
			tg := r.Targets[0]
			wantKind := "elasticsearch"
			if flavor == estest.OpenSearch2 {
				wantKind = "opensearch"
			}
			if tg.Kind != wantKind || !tg.Exposure.AnonymousAccess || !r.Complete {
				t.Fatalf("kind %s anonymous %v complete %v", tg.Kind, tg.Exposure.AnonymousAccess, r.Complete)
			}
			for _, p := range topLevelPlanted(t) {
				want := planted{estest.IndexName(p.File), p.Path, p.Category}
				if !found[want] {
					t.Errorf("planted %s in %s › %s not found", want.Category, want.File, want.Path)
				}
			}
			for _, req := range srv.Requests() {
				if req.Method != "GET" && req.Method != "HEAD" && req.Method != "POST" && req.Method != "DELETE" {
					t.Errorf("%s %s: not a read", req.Method, req.Path)
				}
			}
			if n := srv.OpenContexts(); n != 0 {
				t.Errorf("%d point-in-time or scroll contexts left open", n)
			}
		})
	}
}
