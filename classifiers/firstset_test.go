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
