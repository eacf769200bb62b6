package pipeline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/piisniff/piisniff/classifiers"
)

// defaultRules reads the repository's rules.yaml (the file the binary embeds).
func defaultRules(t testing.TB) classifiers.Source {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return classifiers.Source{Name: "rules.yaml", Data: data}
}
