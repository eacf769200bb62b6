package accuracy_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/classifiers"
	_ "github.com/piisniff/piisniff/connectors/files"
	"github.com/piisniff/piisniff/internal/accuracy"
	"github.com/piisniff/piisniff/pipeline"
)

var (
	update = flag.Bool("update", false, "rewrite docs/accuracy.md with the measured table")
	seeds  = flag.Int("seeds", 0, "also run the benchmark with seeds 1..N")
)

// Targets of the benchmark.
const (
	minMicroF1   = 0.98
	minPrecision = 0.97
	minRecall    = 0.95
	// maxCleanShare bounds the share of the no-personal-data corpus's
	// fields with any finding at the default --min-confidence (0.5)
	maxCleanShare = 0.01
	seed          = 20261125
	docsPerColl   = 200
)

// TestAccuracy scans the generated benchmark with the product's own
// pipeline (files connector, flattener, classifiers, per-field
// aggregation, the default --min-confidence) and scores the report field
// by field against the ground truth.
func TestAccuracy(t *testing.T) {
	cols := accuracy.Generate(seed, docsPerColl)
	dir := t.TempDir()
	if err := accuracy.Write(dir, cols); err != nil {
		t.Fatal(err)
	}
	e, err := classifiers.Load(classifiers.Source{Name: "rules.yaml (built in)", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	r := pipeline.Run(context.Background(), []string{dir}, pipeline.Config{
		Engine: e, SampleSize: 0, Seed: 1, MinConfidence: 0.5, Workers: 2,
	})
	for _, tg := range r.Targets {
		if tg.Error != nil {
			t.Fatalf("scan error: %s", *tg.Error)
		}
	}
	res := accuracy.Score(cols, r)
	table := res.Table()
	shapes, byShape := accuracy.ScoreShapes(cols, r)
	shapeTable := accuracy.ShapeTable(shapes, byShape, cols)
	fields, flagged := accuracy.CleanShare(cols, r)
	share := float64(len(flagged)) / float64(max(fields, 1))
	clean := fmt.Sprintf("No-personal-data corpus: %d of %d fields (%.2f%%) carry a finding at confidence ≥ 0.5.\n",
		len(flagged), fields, 100*share)
	t.Logf("\n%s\n%s\n%s", table, shapeTable, clean)
	for _, m := range res.Mistakes {
		t.Log(m)
	}
	for _, fl := range flagged {
		t.Log("clean corpus field with a finding:", fl)
	}
	if *update {
		writeDoc(t, "table", table)
		writeDoc(t, "shapes", shapeTable)
		writeDoc(t, "clean", clean)
	}
	if share >= maxCleanShare {
		t.Errorf("no-personal-data corpus: %.2f%% of fields with a finding, want under %.0f%%", 100*share, 100*maxCleanShare)
	}
	if fields < 100 {
		t.Errorf("no-personal-data corpus has %d fields only", fields)
	}
	if f1 := res.Micro().F1(); f1 < minMicroF1 {
		t.Errorf("micro-F1 %.3f below %.2f", f1, minMicroF1)
	}
	for cat, c := range res.Categories {
		if c.Precision() < minPrecision {
			t.Errorf("%s: precision %.3f below %.2f", cat, c.Precision(), minPrecision)
		}
		if c.Recall() < minRecall {
			t.Errorf("%s: recall %.3f below %.2f", cat, c.Recall(), minRecall)
		}
		if c.TP+c.FN == 0 {
			t.Errorf("%s: the benchmark plants no field of this category", cat)
		}
	}
}

func writeDoc(t *testing.T, marker, table string) {
	path := filepath.Join("..", "..", "docs", "accuracy.md")
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	begin, end := "<!-- "+marker+":begin -->\n", "<!-- "+marker+":end -->"
	s := string(old)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("%s: markers %q and %q not found", path, begin, end)
	}
	s = s[:i+len(begin)] + table + s[j:]
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGenerateDeterministic checks that the same seed gives the same data.
func TestGenerateDeterministic(t *testing.T) {
	a := accuracy.Generate(7, 20)
	b := accuracy.Generate(7, 20)
	da, db := t.TempDir(), t.TempDir()
	if err := accuracy.Write(da, a); err != nil {
		t.Fatal(err)
	}
	if err := accuracy.Write(db, b); err != nil {
		t.Fatal(err)
	}
	for _, c := range a {
		x, _ := os.ReadFile(filepath.Join(da, c.Name))
		y, _ := os.ReadFile(filepath.Join(db, c.Name))
		if string(x) != string(y) || len(x) == 0 {
			t.Fatalf("%s differs between two runs with the same seed", c.Name)
		}
	}
}

// TestAccuracySeeds runs the benchmark with other seeds (go test -run
// Seeds -seeds 5) to check that the figures do not depend on one draw.
func TestAccuracySeeds(t *testing.T) {
	if *seeds == 0 {
		t.Skip("set -seeds N to run")
	}
	e, err := classifiers.Load(classifiers.Source{Name: "rules.yaml (built in)", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	for s := 1; s <= *seeds; s++ {
		cols := accuracy.Generate(uint64(s), docsPerColl)
		dir := t.TempDir()
		if err := accuracy.Write(dir, cols); err != nil {
			t.Fatal(err)
		}
		r := pipeline.Run(context.Background(), []string{dir}, pipeline.Config{Engine: e, Seed: 1, MinConfidence: 0.5, Workers: 2})
		res := accuracy.Score(cols, r)
		t.Logf("seed %d: micro-F1 %.3f", s, res.Micro().F1())
		for _, m := range res.Mistakes {
			t.Log(m)
		}
	}
}
