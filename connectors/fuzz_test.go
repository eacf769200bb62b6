package connectors

import (
	"strings"
	"testing"
)

// FuzzEditDistance checks the distance behind "did you mean" hints
// against its defining properties: zero only for equal strings,
// symmetric, at most the longer length, one for a single edit.
func FuzzEditDistance(f *testing.F) {
	for _, s := range [][2]string{{"mongdb", "mongodb"}, {"ftp", "http"}, {"", "redis"}, {"postgers", "postgres"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 64 || len(b) > 64 {
			return
		}
		d := editDistance(a, b)
		if (d == 0) != (a == b) {
			t.Fatalf("d(%q,%q) = %d", a, b, d)
		}
		if d != editDistance(b, a) {
			t.Fatalf("not symmetric: %q %q", a, b)
		}
		if d > max(len(a), len(b)) {
			t.Fatalf("d(%q,%q) = %d > longer length", a, b, d)
		}
		if a != "" {
			if got := editDistance(a, a[1:]); got != 1 {
				t.Fatalf("one deletion from %q costs %d", a, got)
			}
		}
		if got := editDistance(a, a+"x"); got != 1 {
			t.Fatalf("one insertion into %q costs %d", a, got)
		}
	})
}

// FuzzScheme: a scheme is lower case, made of URI scheme characters, and
// "file" for anything without one.
func FuzzScheme(f *testing.F) {
	for _, s := range []string{"mongodb://h", "HTTP://x", "./a/b", "c:\\x", "a b://c", "://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		s := Scheme(target)
		if s == "file" {
			return
		}
		if !strings.HasPrefix(strings.ToLower(target), s+"://") || s == "" {
			t.Fatalf("Scheme(%q) = %q", target, s)
		}
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.') {
				t.Fatalf("Scheme(%q) = %q", target, s)
			}
		}
	})
}
