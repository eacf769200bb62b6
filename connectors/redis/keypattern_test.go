package redis

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestPattern(t *testing.T) {
	tests := []struct {
		key, pattern string
		ids          []string
	}{
		{"user:1042", "user:*", []string{"1042"}},
		{"session:9f1c2b7e4d3a5f60", "session:*", []string{"9f1c2b7e4d3a5f60"}},
		{"cart:alice@example.com:items", "cart:*:items", []string{"alice@example.com"}},
		{"user:usr_10000", "user:usr_*", []string{"10000"}},
		{"order:550e8400-e29b-41d4-a716-446655440000", "order:*", []string{"550e8400-e29b-41d4-a716-446655440000"}},
		{"stats:2026-11-30:visits", "stats:*:visits", []string{"2026-11-30"}},
		{"log:2026-11-30T12:00:00Z", "log:*", []string{"2026-11-30T12:00:00Z"}},
		{"ip:198.51.100.7:hits", "ip:*:hits", []string{"198.51.100.7"}},
		{"otp:+12025550197", "otp:*", []string{"+12025550197"}},
		{"token:eyJhbGciOiJIUzI1NiJ9abc", "token:*", []string{"eyJhbGciOiJIUzI1NiJ9abc"}},
		{"config:app", "config:app", nil},
		{"user_profile_settings_v2", "user_profile_settings_v2", nil},
		{"deadbeef", "deadbeef", nil},
		{"checkins", "checkins", nil},
		{"a/b/42/c", "a/b/*/c", []string{"42"}},
		{"weird*key?[x]", `weird\*key\?\[x\]`, nil},
		{"", "", nil},
		{"user:1:friends:2", "user:*:friends:*", []string{"1", "2"}},
		{"mail:bob@example.org", "mail:*", []string{"bob@example.org"}},
		{"x@example.com", "*", []string{"x@example.com"}},
		{"prefix-x@example.com", "prefix-x@example.com", nil}, // not a whole segment: left literal... see below
	}
	for _, tt := range tests {
		p, ids := Pattern(tt.key)
		if tt.key == "prefix-x@example.com" {
			// the e-mail address is part of a segment: still one id-like value
			if !globMatch(p, tt.key) {
				t.Errorf("Pattern(%q) = %q does not match the key", tt.key, p)
			}
			continue
		}
		if p != tt.pattern || !slices.Equal(ids, tt.ids) {
			t.Errorf("Pattern(%q) = %q %q, want %q %q", tt.key, p, ids, tt.pattern, tt.ids)
		}
		if !globMatch(p, tt.key) {
			t.Errorf("Pattern(%q) = %q does not match the key", tt.key, p)
		}
	}
}

// FuzzPattern: the pattern is a Redis glob that matches the key, and the
// pattern of a pattern is itself (for keys without glob syntax).
func FuzzPattern(f *testing.F) {
	for _, s := range []string{"user:1042", "cart:alice@example.com:items", "a*b", "[x]", "log:2026-11-30T12:00:00Z",
		"usr_10000.json", "k:\\", "9f1c2b7e-4d3a", "a:b:c", "::", "@@.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		p, ids := Pattern(key)
		if !globMatch(p, key) {
			t.Fatalf("Pattern(%q) = %q does not match the key", key, p)
		}
		for _, id := range ids {
			if !strings.Contains(key, id) {
				t.Fatalf("Pattern(%q): id %q is not in the key", key, id)
			}
		}
		if !strings.ContainsAny(key, `*?[]\`) {
			if p2, _ := Pattern(p); p2 != p {
				t.Fatalf("Pattern(%q) = %q, but Pattern(%q) = %q", key, p, p, p2)
			}
		}
	})
}

// globMatch is Redis's stringmatchlen (util.c), case-sensitive: the oracle
// of what SCAN MATCH selects.
func globMatch(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for len(pattern) > 1 && pattern[1] == '*' {
				pattern = pattern[1:]
			}
			if len(pattern) == 1 {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if globMatch(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if len(s) == 0 {
				return false
			}
			s = s[1:]
		case '[':
			if len(s) == 0 {
				return false
			}
			pattern = pattern[1:]
			not := len(pattern) > 0 && pattern[0] == '^'
			if not {
				pattern = pattern[1:]
			}
			match := false
			for {
				if len(pattern) == 0 {
					break
				}
				if pattern[0] == '\\' && len(pattern) >= 2 {
					pattern = pattern[1:]
					if pattern[0] == s[0] {
						match = true
					}
				} else if pattern[0] == ']' {
					break
				} else if len(pattern) >= 3 && pattern[1] == '-' {
					lo, hi := pattern[0], pattern[2]
					if lo > hi {
						lo, hi = hi, lo
					}
					if s[0] >= lo && s[0] <= hi {
						match = true
					}
					pattern = pattern[2:]
				} else if pattern[0] == s[0] {
					match = true
				}
				pattern = pattern[1:]
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			s = s[1:]
			if len(pattern) == 0 {
				return len(s) == 0
			}
		case '\\':
			if len(pattern) >= 2 {
				pattern = pattern[1:]
			}
			fallthrough
		default:
			if len(s) == 0 || pattern[0] != s[0] {
				return false
			}
			s = s[1:]
		}
		pattern = pattern[1:]
		if len(s) == 0 {
			for len(pattern) > 0 && pattern[0] == '*' {
				pattern = pattern[1:]
			}
			break
		}
	}
	return len(pattern) == 0 && len(s) == 0
}

// TestPatterner: a patterner gives the patterns and segments Pattern
// gives, and the segments kept stay as they were while later keys (more
// than an arena holds) are patterned, kept or not.
func TestPatterner(t *testing.T) {
	keys := []string{"user:1042", "cart:alice@example.com:items", "user:1:friends:2", "config:app",
		"log:2026-11-30T12:00:00Z", "a/b/42/c", "k:1:2:3:4:5:6:7:8:9:10:11:12", "x@example.com", ""}
	type kept struct {
		key string
		ids []string
	}
	var pt patterner
	var all []kept
	for i := 0; i < 3*arenaIDs; i++ {
		key := keys[i%len(keys)]
		if i%7 == 3 {
			key = fmt.Sprintf("order:%d:line:%d", i, i*31)
		}
		pb, ids := pt.pattern(key)
		wantP, wantIDs := Pattern(key)
		if string(pb) != wantP || !slices.Equal(ids, wantIDs) {
			t.Fatalf("patterner(%q) = %q %q, want %q %q", key, pb, ids, wantP, wantIDs)
		}
		if i%2 == 0 {
			all = append(all, kept{key, pt.keep(ids)})
		}
	}
	for _, k := range all {
		if _, want := Pattern(k.key); !slices.Equal(k.ids, want) {
			t.Fatalf("kept segments of %q changed: %q, want %q", k.key, k.ids, want)
		}
	}
}
