package mongodb_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors"
	_ "github.com/piisniff/piisniff/connectors/mongodb"
	"github.com/piisniff/piisniff/internal/examplegen"
	"github.com/piisniff/piisniff/internal/mongotest"
	"github.com/piisniff/piisniff/pipeline"
	"github.com/piisniff/piisniff/report"
)

// exampleNamespace is the database.collection that mongotest.LoadLeakyApp
// loads an example file into ("" for files it does not load).
func exampleNamespace(file string) string {
	dir := filepath.Dir(file)
	name := mongotest.CollectionName(file)
	switch {
	case dir == "mongoexport":
		return name
	case dir == "elasticdump" || strings.HasSuffix(file, ".csv") || strings.HasSuffix(file, ".md"):
		return ""
	}
	return mongotest.LeakyAppDB + "." + name
}

// TestScanLeakyApp scans the bundled example loaded into the embedded
// server through the pipeline, as `piisniff scan mongodb://...` does, and
// expects every planted category at its path in its database.collection.
func TestScanLeakyApp(t *testing.T) {
	s := mongotest.Start(t)
	counts, err := mongotest.LoadLeakyApp(context.Background(), s.Client(t))
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := mongotest.LeakyAppDir()
	expected, err := examplegen.ReadExpected(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := classifiers.Load(classifiers.Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	rep := pipeline.Run(context.Background(), []string{s.URI}, pipeline.Config{
		Engine:     engine,
		SampleSize: 1000,
		Seed:       1,
		Connector:  connectors.Options{AnonymousCheck: true},
	})
	if len(rep.Targets) != 1 {
		t.Fatalf("%d targets", len(rep.Targets))
	}
	tg := rep.Targets[0]
	if tg.Error != nil {
		t.Fatalf("target error: %s", *tg.Error)
	}
	if tg.Kind != "mongodb" || !tg.Exposure.AnonymousAccess || !tg.Exposure.Reachable {
		t.Errorf("target %s, exposure %+v", tg.Kind, tg.Exposure)
	}
	byName := map[string]report.Container{}
	for _, c := range tg.Containers {
		byName[c.Name] = c
		if c.Error != nil {
			t.Errorf("%s: %s", c.Name, *c.Error)
		}
	}
	for ns, n := range counts {
		c, ok := byName[ns]
		if !ok {
			t.Errorf("%s not in the report", ns)
			continue
		}
		if c.SampledDocuments != n {
			t.Errorf("%s: sampled %d of %d documents", ns, c.SampledDocuments, n)
		}
	}
	missing, checked := expected.MissingPlanted(tg.Containers, exampleNamespace)
	for _, m := range missing {
		t.Error(m)
	}
	if checked == 0 {
		t.Fatal("no planted field maps to a collection")
	}
}
