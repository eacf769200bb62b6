package strictyaml

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

func TestRoot(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		kind     yaml.Kind // 0: no root
		line     int       // of the syntax error; -1: none
		msg      string
	}{
		{"empty", "", 0, -1, ""},
		{"comment only", "# nothing\n", 0, -1, ""},
		{"null", "~\n", 0, -1, ""},
		{"mapping", "a: 1\nb: 2\n", yaml.MappingNode, -1, ""},
		{"list", "- a\n- b\n", yaml.SequenceNode, -1, ""},
		{"scalar", "hello\n", yaml.ScalarNode, -1, ""},
		{"second document ignored", "a: 1\n---\nb: 2\n", yaml.MappingNode, -1, ""},
		{"bad indentation", "a: 1\n b: 2\n", 0, 2, "mapping values are not allowed in this context"},
		{"unclosed quote", "a: \"x\nb: 2\n", 0, 3, "found unexpected end of stream"},
		{"tab", "a:\n\t- b\n", 0, 2, "found character that cannot start any token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, err := Root([]byte(tc.in))
			if tc.line >= 0 {
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("error %v (%T), want a SyntaxError", err, err)
				}
				if se.Line != tc.line || !strings.Contains(se.Msg, tc.msg) || strings.HasPrefix(se.Msg, "yaml:") {
					t.Errorf("line %d %q, want line %d %q", se.Line, se.Msg, tc.line, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (root == nil) != (tc.kind == 0) || (root != nil && root.Kind != tc.kind) {
				t.Errorf("root %+v, want kind %v", root, tc.kind)
			}
		})
	}
}

func TestSyntax(t *testing.T) {
	for _, tc := range []struct {
		in   string
		line int
		msg  string
	}{
		{"yaml: line 4: did not find expected key", 4, "did not find expected key"},
		{"line 12: mapping values are not allowed", 12, "mapping values are not allowed"},
		{"yaml: control characters are not allowed", 0, "control characters are not allowed"},
		{"yaml: line 0: odd", 0, "line 0: odd"},
		{"yaml: line x: odd", 0, "line x: odd"},
		{"yaml: line 99999999999999999999: huge", 0, "line 99999999999999999999: huge"},
	} {
		se := Syntax(errors.New(tc.in))
		if se.Line != tc.line || se.Msg != tc.msg {
			t.Errorf("Syntax(%q) = %d %q, want %d %q", tc.in, se.Line, se.Msg, tc.line, tc.msg)
		}
	}
	// a SyntaxError is read as it is
	in := &SyntaxError{Line: 3, Msg: "x"}
	if se := Syntax(in); se != in || se.Error() != "line 3: x" {
		t.Errorf("Syntax(SyntaxError) = %v", se)
	}
}

func TestClosest(t *testing.T) {
	known := []string{"sample-size", "seed", "format", "output", "reason", "risk"}
	for _, tc := range []struct {
		key     string
		maxDist int
		want    string
	}{
		{"sample-szie", 3, "sample-size"},
		{"seeds", 3, "seed"},
		{"reasn", 2, "reason"},
		{"rsk", 2, "risk"},
		{"frmat", 1, "format"},
		{"nothing-like-it", 3, ""},
		{"outptu", 1, ""}, // two edits away
		{"outptu", 2, "output"},
		{"seed", 0, "seed"},
		{"", 3, ""},
		{"rea", 3, "seed"}, // ties: the first known key wins ("reason" and "risk" are at 3 too)
	} {
		if got := Closest(tc.key, known, tc.maxDist); got != tc.want {
			t.Errorf("Closest(%q, %d) = %q, want %q", tc.key, tc.maxDist, got, tc.want)
		}
	}
	if got := DidYouMean("seeds", known, 3); got != `did you mean "seed"?` {
		t.Errorf("DidYouMean = %q", got)
	}
	if got := DidYouMean("zzzzzzzz", known, 3); got != "" {
		t.Errorf("DidYouMean = %q", got)
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"flaw", "lawn", 2},
		{"sample-size", "sample_size", 1}, {"größe", "grösse", 2}, {"é", "e", 1},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// naiveDistance is the textbook recursion, the oracle of FuzzDistance
// (for short strings).
func naiveDistance(a, b []rune) int {
	if len(a) == 0 {
		return len(b)
	}
	if len(b) == 0 {
		return len(a)
	}
	cost := 1
	if a[0] == b[0] {
		cost = 0
	}
	return min(naiveDistance(a[1:], b)+1, naiveDistance(a, b[1:])+1, naiveDistance(a[1:], b[1:])+cost)
}

func FuzzDistance(f *testing.F) {
	for _, s := range [][2]string{{"kitten", "sitting"}, {"", "x"}, {"größe", "grosse"}, {"seed", "seeds"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		d := Distance(a, b)
		ra, rb := []rune(a), []rune(b)
		if d != Distance(b, a) || d < abs(len(ra)-len(rb)) || d > max(len(ra), len(rb)) || (d == 0) != (string(ra) == string(rb)) {
			t.Fatalf("Distance(%q, %q) = %d", a, b, d)
		}
		if len(ra) <= 7 && len(rb) <= 7 {
			if want := naiveDistance(ra, rb); d != want {
				t.Fatalf("Distance(%q, %q) = %d, want %d", a, b, d, want)
			}
		}
	})
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// FuzzRoot: any input gives a root, nothing, or a syntax error whose line
// is within the input and whose message is not empty; never a panic.
func FuzzRoot(f *testing.F) {
	for _, s := range []string{"", "a: 1\n", "- x\n", "a: 1\n b: 2\n", "a: \"x\n", "~", "a: [1, 2\n", "\t", "&a x\n*a\n", "---\n---\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		root, err := Root([]byte(in))
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a SyntaxError", err, err)
			}
			lines := strings.Count(in, "\n") + strings.Count(in, "\r") + 2
			if se.Line < 0 || se.Line > lines || se.Msg == "" || !utf8.ValidString(se.Error()) && utf8.ValidString(in) {
				t.Fatalf("Root(%q): line %d of %d, message %q", in, se.Line, lines, se.Msg)
			}
			return
		}
		if root != nil && root.Kind == 0 {
			t.Fatalf("Root(%q): a root of no kind", in)
		}
	})
}
