package classifiers

import "testing"

func TestPatternFirstSet(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		yes, no string
	}{
		{`(?i)[A-Z]{2}[0-9]{2}`, "aZ", "0$ "},
		{`\+?[0-9]+`, "+09", "a("},
		{`(?:tel:)?\(?[0-9]`, "t(5", "a+"},
		{`x*y`, "xy", "z"},
		{`\p{L}+`, "aZ\xc3", "0 "},
		{`[0-9]{4}|AKIA`, "0A", "a"},
	} {
		fs, ok := patternFirstSet(tc.pattern)
		if !ok {
			t.Fatalf("%s: not analysed", tc.pattern)
		}
		for i := 0; i < len(tc.yes); i++ {
			if !fs.accepts(tc.yes[i]) {
				t.Errorf("%s: %q rejected", tc.pattern, tc.yes[i])
			}
		}
		for i := 0; i < len(tc.no); i++ {
			if fs.accepts(tc.no[i]) {
				t.Errorf("%s: %q accepted", tc.pattern, tc.no[i])
			}
		}
	}
	if fs, _ := patternFirstSet(`a*`); !fs.any {
		t.Error("a pattern that matches the empty string restricts nothing")
	}
}

func TestRequiredLiterals(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		match   []string // names the pattern matches: the filter must let them through
		skip    []string // names the filter may reject
		ok      bool
	}{
		{`\b(password|passwd|pwd)\b`, []string{"user password", "pwd"}, []string{"email"}, true},
		{`^((user|db) )?(pin|pin code)$`, []string{"pin", "db pin code"}, []string{"email"}, true},
		{`^([a-z0-9]+ ){0,3}(secret|token)$`, []string{"reset token"}, []string{"name"}, true},
		{`\d+`, nil, nil, false},
		{`a|\d`, nil, nil, false},
	} {
		f := newLiteralFilter([]string{tc.pattern})
		if f.on != tc.ok {
			t.Errorf("%s: filter on = %v, want %v", tc.pattern, f.on, tc.ok)
		}
		for _, n := range tc.match {
			if !f.mayMatch(n) {
				t.Errorf("%s: %q rejected", tc.pattern, n)
			}
		}
		for _, n := range tc.skip {
			if f.mayMatch(n) {
				t.Errorf("%s: %q not rejected", tc.pattern, n)
			}
		}
	}
}
