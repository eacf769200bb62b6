package lowerkey

import (
	"strings"
	"testing"
)

var keys = map[string]int{"store_id": 1, "email": 2, "k": 3, "straße": 4, strings.Repeat("x", 70): 5}

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want int
		ok   bool
	}{
		{"store_id", 1, true},
		{"Store_ID", 1, true},
		{"EMAIL", 2, true},
		{"emails", 0, false},
		{"", 0, false},
		{"\u212a", 3, true}, // the Kelvin sign lowers to "k"
		{"STRAßE", 4, true},
		{strings.Repeat("X", 70), 5, true},
		{strings.Repeat("X", 64), 0, false},
	} {
		got, ok := Lookup(keys, tc.key)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Lookup(%q) = %d, %v; want %d, %v", tc.key, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzLookup checks Lookup against m[strings.ToLower(k)].
func FuzzLookup(f *testing.F) {
	for _, s := range []string{"Email", "STORE_ID", "\u212a", "İ", strings.Repeat("A", 65), "k\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, k string) {
		m := map[string]bool{strings.ToLower(k): true, "email": true}
		want, wantOK := m[strings.ToLower(k)]
		got, ok := Lookup(m, k)
		if got != want || ok != wantOK {
			t.Fatalf("Lookup(%q) = %v, %v; want %v, %v", k, got, ok, want, wantOK)
		}
		delete(m, strings.ToLower(k))
		want, wantOK = m[strings.ToLower(k)]
		if got, ok := Lookup(m, k); got != want || ok != wantOK {
			t.Fatalf("Lookup(%q) without the key = %v, %v; want %v, %v", k, got, ok, want, wantOK)
		}
	})
}
