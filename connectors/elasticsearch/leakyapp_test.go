package elasticsearch

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/estest"
	"github.com/piisniff/piisniff/internal/examplegen"
	"github.com/piisniff/piisniff/pipeline"
	"github.com/piisniff/piisniff/report"
)

var leakyApp = filepath.Join("..", "..", "examples", "leaky-app")

// leakyIndex is the index a planted file of examples/leaky-app lands in
// when estest.LoadDir loads it ("" when the loader does not load it).
func leakyIndex(file string) string {
	switch {
	case file == "elasticdump/app-logs.json":
		return "app-logs-2026.06"
	case !strings.Contains(file, "/") && strings.HasSuffix(file, ".ndjson"):
		return estest.IndexName(file)
	}
	return ""
}

// TestLeakyApp scans examples/leaky-app, loaded one index per file, through
// the product's pipeline against every server flavor and checks that each
// planted category is reported for its index and that the cluster is
// reported as open to anonymous reads.
func TestLeakyApp(t *testing.T) {
	expected, err := examplegen.ReadExpected(filepath.Dir(leakyApp))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := classifiers.Load(classifiers.Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	for _, fl := range estest.Flavors {
		t.Run(fl.String(), func(t *testing.T) {
			srv := estest.New(estest.Config{Flavor: fl})
			defer srv.Close()
			counts, err := estest.LoadDir(srv, leakyApp)
			if err != nil {
				t.Fatal(err)
			}
			r := pipeline.Run(context.Background(), []string{srv.URL()}, pipeline.Config{
				Engine: engine, SampleSize: 10000, Seed: 1, MinConfidence: 0.5, Workers: 2,
				Connector: connectors.Options{},
			})
			if len(r.Targets) != 1 {
				t.Fatalf("%d targets", len(r.Targets))
			}
			tg := r.Targets[0]
			if tg.Error != nil {
				t.Fatalf("target error: %s", *tg.Error)
			}
			if tg.Kind != wantKind(fl) || !tg.Exposure.AnonymousAccess || !r.Complete {
				t.Errorf("kind %s, exposure %+v, complete %v", tg.Kind, tg.Exposure, r.Complete)
			}
			for _, c := range tg.Containers {
				if c.Error != nil {
					t.Errorf("%s: %s", c.Name, *c.Error)
				}
				if int(c.SampledDocuments) != counts[c.Name] {
					t.Errorf("%s: sampled %d of %d", c.Name, c.SampledDocuments, counts[c.Name])
				}
			}
			missing, checked := expected.MissingPlanted(tg.Containers, leakyIndex)
			for _, m := range missing {
				t.Error(m)
			}
			if checked == 0 {
				t.Fatal("nothing checked")
			}
			// the README's gate fires on the open cluster
			if err := expected.CheckRisk(r); err != nil || tg.ExposureLevel != "anonymous" {
				t.Errorf("%v; exposure level %q", err, tg.ExposureLevel)
			}
			if gate, _ := report.ParsePolicy("risk>=70"); len(gate.Evaluate(r)) == 0 {
				t.Error("--fail-on 'risk>=70' does not fire on the open cluster")
			}
			assertReadOnly(t, srv.Requests())
			if n := srv.OpenContexts(); n != 0 {
				t.Errorf("%d contexts left open", n)
			}
		})
	}
}

// TestMappingEvidence checks that mapping types reach the report: geo_shape
// and geo_point fields are location data even when no sampled document
// holds them under that path, ip fields are IP addresses.
func TestMappingEvidence(t *testing.T) {
	engine, err := classifiers.Load(classifiers.Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	srv := newCluster(t, estest.Config{Flavor: estest.OpenSearch2})
	r := pipeline.Run(context.Background(), []string{srv.URL()}, pipeline.Config{
		Engine: engine, SampleSize: 100, Seed: 1, MinConfidence: 0.5, Workers: 2,
		Connector: connectors.Options{Containers: connectors.Filter{Include: []string{"people"}}},
	})
	tg := r.Targets[0]
	if tg.Error != nil || len(tg.Containers) != 1 {
		t.Fatalf("%+v", tg)
	}
	people := tg.Containers[0]
	for path, cat := range map[string]string{"area": "geo_coordinates", "location": "geo_coordinates", "last_ip": "ip_address", "email": "email"} {
		if !examplegen.HasFinding(people, path, cat) {
			t.Errorf("%s not reported as %s", path, cat)
		}
	}
}
