package examplegen_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors"
	_ "github.com/piisniff/piisniff/connectors/files"
	"github.com/piisniff/piisniff/internal/examplegen"
	"github.com/piisniff/piisniff/pipeline"
	"github.com/piisniff/piisniff/report"
)

// TestExampleDumpRisk scans examples/leaky-app as files: exposure unknown,
// and the risk level its expectation states (critical); the README's gate
// fires on it, and removing its card data and passwords lowers its score.
func TestExampleDumpRisk(t *testing.T) {
	examples := filepath.Join("..", "..", "examples")
	exp, err := examplegen.ReadExpected(examples)
	if err != nil {
		t.Fatal(err)
	}
	engine, err := classifiers.Load(classifiers.Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	r := pipeline.Run(context.Background(), []string{filepath.Join(examples, examplegen.Dir)}, pipeline.Config{
		Engine: engine, SampleSize: 10000, Seed: 1, MinConfidence: 0.5, Workers: 2, Connector: connectors.Options{},
	})
	if len(r.Targets) != 1 || r.Targets[0].ExposureLevel != "unknown" {
		t.Fatalf("targets %+v", r.Targets)
	}
	if err := exp.CheckRisk(r); err != nil {
		t.Error(err)
	}
	gate, _ := report.ParsePolicy("risk>=70")
	if len(gate.Evaluate(r)) == 0 {
		t.Error("the README's gate risk>=70 does not fire on the example dump")
	}
	// the worst findings are the credentials and card data, and taking them
	// away lowers every container that held them
	before := map[string]float64{}
	for _, c := range r.Targets[0].Containers {
		before[c.Name] = c.RiskScore
	}
	for ci := range r.Targets[0].Containers {
		c := &r.Targets[0].Containers[ci]
		var kept []report.Field
		for _, f := range c.Fields {
			var xs []report.Finding
			for _, x := range f.Findings {
				if x.Group != "credentials" && x.Group != "payment" {
					xs = append(xs, x)
				}
			}
			if len(xs) > 0 {
				kept = append(kept, report.Field{Path: f.Path, Findings: xs})
			}
		}
		c.Fields = kept
	}
	old := r.Summary.RiskScore
	report.Finish(r, pipeline.RiskModel(engine), false)
	if r.Summary.RiskScore >= old {
		t.Errorf("without credentials and card data the score stays %v → %v", old, r.Summary.RiskScore)
	}
	for _, c := range r.Targets[0].Containers {
		if c.RiskScore > before[c.Name] {
			t.Errorf("%s rose from %v to %v", c.Name, before[c.Name], c.RiskScore)
		}
	}
}
