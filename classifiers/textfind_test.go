package classifiers

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/piisniff/piisniff"
)

func builtinEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := Load(Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// naiveFind is re2Matcher.find without the skip to the first possible
// byte: the oracle of the fast search.
func naiveFind(m *re2Matcher, s string, from int) (int, int, bool) {
	loc := m.text.FindStringSubmatchIndex(s[from:])
	if loc == nil {
		return 0, 0, false
	}
	return from + loc[2], from + loc[3], true
}

var textPieces = []string{"the", "order", "é", "Müller", "straße", "_", "-", ".", " ", "  ", "+49 30 901820", "(415) 555-2671",
	"DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "4111 1111 1111 1111", "123-45-6789", "anna@example.com",
	"x@y", "12", "2024", "ab12", "A1", "ÄÖ", "日本", "0", "00", "eyJhbGciOiJIUzI1NiJ9", "sk_live_", "AKIA", "\n", "\t", "@", "#"}

func randomText(r *rand.Rand) string {
	var b strings.Builder
	for k := 0; k < 1+r.IntN(14); k++ {
		b.WriteString(textPieces[r.IntN(len(textPieces))])
		if r.IntN(3) == 0 {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// TestTextFindSkipsNothing compares the search of every text pattern of
// the built-in rules with a plain search from the same offset.
func TestTextFindSkipsNothing(t *testing.T) {
	e := builtinEngine(t)
	var ms []*re2Matcher
	for _, rl := range e.rules {
		for _, m := range rl.textMatchers {
			if x, ok := m.(*re2Matcher); ok {
				ms = append(ms, x)
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	found := 0
	for i := 0; i < scaled(4000); i++ {
		s := randomText(r)
		for _, m := range ms {
			for from := 0; from < len(s); from += 1 + r.IntN(8) {
				if !utf8.RuneStart(s[from]) {
					continue
				}
				a, b, ok := m.find(s, from)
				na, nb, nok := naiveFind(m, s, from)
				if a != na || b != nb || ok != nok {
					t.Fatalf("%s in %q from %d: %d %d %v, want %d %d %v", m.src, s, from, a, b, ok, na, nb, nok)
				}
				if ok {
					found++
				}
			}
		}
	}
	if found < scaled(1000) {
		t.Fatalf("only %d matches: the comparison proves little", found)
	}
}

func FuzzTextFind(f *testing.F) {
	f.Add("call +49 30 901820 or mail anna@example.com", 0)
	f.Add("Müller DE89 3704 0044 0532 0130 00", 3)
	e := builtinEngine(f)
	var ms []*re2Matcher
	for _, rl := range e.rules {
		for _, m := range rl.textMatchers {
			if x, ok := m.(*re2Matcher); ok {
				ms = append(ms, x)
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string, from int) {
		if from < 0 || from > len(s) || from < len(s) && !utf8.RuneStart(s[from]) || len(s) > 512 {
			return
		}
		for _, m := range ms {
			a, b, ok := m.find(s, from)
			na, nb, nok := naiveFind(m, s, from)
			if a != na || b != nb || ok != nok {
				t.Fatalf("%s in %q from %d: %d %d %v, want %d %d %v", m.src, s, from, a, b, ok, na, nb, nok)
			}
		}
	})
}
