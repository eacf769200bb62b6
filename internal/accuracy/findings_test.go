package accuracy_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/internal/accuracy"
	"github.com/piisniff/piisniff/pipeline"
	"github.com/piisniff/piisniff/report"
)

var updateFindings = flag.Bool("update-findings", false, "rewrite testdata/findings.golden with the findings of this build")

// TestFindingsUnchanged pins every finding of a full scan of the accuracy
// corpus and of examples/leaky-app: path, category, confidence, evidence,
// matched documents and rules. A change to the classifiers' speed must not
// change one line; a change that fixes a listed error rewrites the file
// (go test ./internal/accuracy/ -run FindingsUnchanged -update-findings)
// and the diff shows exactly which findings it adds or removes.
func TestFindingsUnchanged(t *testing.T) {
	e, err := classifiers.Load(classifiers.Source{Name: "rules.yaml (built in)", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := accuracy.Write(dir, accuracy.Generate(seed, docsPerColl)); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, in := range []struct{ name, path string }{
		{"accuracy", dir},
		{"example", filepath.Join("..", "..", "examples", "leaky-app")},
	} {
		r := pipeline.Run(context.Background(), []string{in.path}, pipeline.Config{
			Engine: e, SampleSize: 0, Seed: 1, MinConfidence: 0.5, Workers: 1,
		})
		for _, l := range findingLines(t, r) {
			b.WriteString(in.name + " " + l + "\n")
		}
	}
	golden := filepath.Join("testdata", "findings.golden")
	if *updateFindings {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != string(want) {
		wl, gl := set(string(want)), set(got)
		for l := range wl {
			if !gl[l] {
				t.Errorf("finding lost: %s", l)
			}
		}
		for l := range gl {
			if !wl[l] {
				t.Errorf("finding added: %s", l)
			}
		}
	}
}

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		m[l] = true
	}
	return m
}

func findingLines(t *testing.T, r *report.Report) []string {
	var out []string
	for _, tg := range r.Targets {
		if tg.Error != nil {
			t.Fatalf("scan error: %s", *tg.Error)
		}
		for _, c := range tg.Containers {
			for _, fl := range c.Fields {
				for _, x := range fl.Findings {
					docs := fmt.Sprint(x.MatchedDocuments)
					out = append(out, fmt.Sprintf("%s %s %s conf=%.3f docs=%s ev=%s rules=%s",
						c.Name, fl.Path, x.Category, x.Confidence, docs,
						strings.Join(x.Evidence, ","), strings.Join(x.Rules, ",")))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
