package classifiers_test

import (
	"testing"

	"github.com/piisniff/piisniff/classifiers"
)

// FuzzEveryValidator runs every validator a rule may name, including those
// without a fuzz target of their own: none may panic, and each must give
// the same answer twice.
func FuzzEveryValidator(f *testing.F) {
	for _, s := range []string{"", "0", "4242424242424242", "jane@example.com", "+1 415-555-2671", "1985-03-12",
		"DE89370400440532013000", "Maria Schmidt", "12 Main Street", "550e8400-e29b-41d4-a716-446655440000",
		"\xff\xfe", "٣٤٥", "ＡＢＣ", "a\x00b", "𝟘𝟙𝟚"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	names := classifiers.ValidatorNames()
	if len(names) < 20 {
		f.Fatalf("only %d validators listed", len(names))
	}
	f.Fuzz(func(t *testing.T, s string, named bool) {
		for _, name := range names {
			a, ok := classifiers.Validate(name, s, named)
			if !ok {
				t.Fatalf("listed validator %s is unknown", name)
			}
			if b, _ := classifiers.Validate(name, s, named); a != b {
				t.Fatalf("%s(%q, %v) not deterministic", name, s, named)
			}
		}
	})
}
