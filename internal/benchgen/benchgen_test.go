package benchgen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
)

func TestWriteMixed(t *testing.T) {
	var a, b bytes.Buffer
	if err := WriteMixed(&a, 500, 3); err != nil {
		t.Fatal(err)
	}
	if err := WriteMixed(&b, 500, 3); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two runs with the same seed differ")
	}
	sc := bufio.NewScanner(&a)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n, kinds := 0, map[string]bool{}
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		if c, ok := m["collection"].(string); ok {
			kinds[c] = true
		}
		n++
	}
	if n != 500 || len(kinds) != len(shapes) {
		t.Fatalf("%d documents of %d shapes, want 500 of %d", n, len(kinds), len(shapes))
	}
}

func TestIBANAndLuhn(t *testing.T) {
	if luhn("7992739871") != "79927398713" {
		t.Fatal("luhn")
	}
	// check the mod 97 of generated IBANs independently of big.Int
	l := locales[0]
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20; i++ {
		s := iban(r, l)
		if len(s) != l.ibanLen {
			t.Fatalf("%s: length %d", s, len(s))
		}
		rem := 0
		for _, c := range s[4:] + s[:4] {
			if c >= 'A' && c <= 'Z' {
				v := int(c-'A') + 10
				rem = (rem*100 + v) % 97
			} else {
				rem = (rem*10 + int(c-'0')) % 97
			}
		}
		if rem != 1 {
			t.Fatalf("%s: mod 97 = %d", s, rem)
		}
	}
}
