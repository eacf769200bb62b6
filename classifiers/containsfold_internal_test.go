package classifiers

import (
	"strings"
	"testing"
)

// containsFoldSlow is containsFold by lowering the ASCII letters of s.
func containsFoldSlow(s, k string) bool {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return strings.Contains(string(b), k)
}

func TestContainsFold(t *testing.T) {
	for _, tc := range []struct {
		s, k string
		want bool
	}{
		{"Bearer abc", "bearer", true},
		{"my API KEY is", "key", true},
		{"kkkkkkkkkkkkkkkkkkkK Key", "key", true},
		{"KKKKKKKKKKkkkkkkkkke", "key", false},
		{"token", "token", true},
		{"toke", "token", false},
		{"", "k", false},
		{"abc", "", true},
		{"x://y", "://", true},
		{"Ke", "key", false},
		{"kEY", "key", true},
	} {
		if got := containsFold(tc.s, tc.k); got != tc.want || got != containsFoldSlow(tc.s, tc.k) {
			t.Errorf("containsFold(%q, %q) = %v, want %v", tc.s, tc.k, got, tc.want)
		}
	}
}

// FuzzContainsFold checks containsFold against lowering the text.
func FuzzContainsFold(f *testing.F) {
	for _, s := range []string{"Bearer abc", "kkKK key", "private KEY", "x://y"} {
		f.Add(s, "key")
	}
	f.Fuzz(func(t *testing.T, s, k string) {
		k = strings.ToLower(k)
		for i := 0; i < len(k); i++ {
			if k[i] >= 0x80 {
				return // keywords are lower-case ASCII words
			}
		}
		if got, want := containsFold(s, k), containsFoldSlow(s, k); got != want {
			t.Fatalf("containsFold(%q, %q) = %v, want %v", s, k, got, want)
		}
	})
}
