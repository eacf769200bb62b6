package examplegen

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/classifiers"
)

func TestEveryCategoryPlanted(t *testing.T) {
	out, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, p := range out.Expected.Planted {
		if classifiers.GroupOf(p.Category) == "" {
			t.Errorf("%s %s: unknown category %q", p.File, p.Path, p.Category)
		}
		if _, ok := out.Files[p.File]; !ok {
			t.Errorf("%s: planted in a file that is not generated", p.File)
		}
		have[p.Category] = true
	}
	for _, c := range classifiers.Taxonomy {
		if !have[c.Category] {
			t.Errorf("category %s is not planted", c.Category)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range a.Files {
		if !bytes.Equal(data, b.Files[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

// TestCommittedUpToDate checks that examples/ holds what the generator writes.
func TestCommittedUpToDate(t *testing.T) {
	out, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join("..", "..", "examples")
	for name, want := range out.Files {
		got, err := os.ReadFile(filepath.Join(root, Dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatalf("%v (run go generate ./internal/examplegen)", err)
		}
		if strings.HasSuffix(name, ".gz") { // compressed bytes may vary between Go versions
			got, want = gunzip(t, got), gunzip(t, want)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("examples/%s/%s is stale: run go generate ./internal/examplegen", Dir, name)
		}
	}
	got, err := os.ReadFile(filepath.Join(root, ExpectedFile))
	if err != nil {
		t.Fatal(err)
	}
	var exp Expected
	if err := json.Unmarshal(got, &exp); err != nil {
		t.Fatal(err)
	}
	if len(exp.Planted) != len(out.Expected.Planted) || exp.Documents != out.Expected.Documents {
		t.Errorf("examples/%s is stale: run go generate ./internal/examplegen", ExpectedFile)
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
