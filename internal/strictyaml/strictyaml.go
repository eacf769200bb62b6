// Package strictyaml is what the strict YAML readers of piisniff share (the
// configuration file, the ignore file, the targets inventory and the rules
// files): a YAML document read as a node tree, the line of a syntax error,
// and the "did you mean" of an unknown key. Each reader keeps its own error
// type and messages; errors name file:line.
package strictyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// SyntaxError is an error of the YAML parser: the line it names (0 when it
// names none) and the message without the parser's prefixes.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

var lineRE = regexp.MustCompile(`^line (\d+): ?`)

// Syntax reads the line and message of an error of the YAML parser
// ("yaml: line 4: did not find expected key").
func Syntax(err error) *SyntaxError {
	var se *SyntaxError
	if errors.As(err, &se) {
		return se
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		if line, err := strconv.Atoi(m[1]); err == nil && line > 0 {
			return &SyntaxError{Line: line, Msg: strings.TrimSpace(msg[len(m[0]):])}
		}
	}
	return &SyntaxError{Msg: msg}
}

// Root reads the first YAML document of data and returns its root node:
// nil when data holds no document or only null. Errors are *SyntaxError.
func Root(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, Syntax(err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	return root, nil
}

// Closest is the known key nearest to an unknown one (a typo): the first
// of known at the smallest edit distance, if it is at most maxDist, else "".
func Closest(key string, known []string, maxDist int) string {
	best, bestD := "", maxDist+1
	for _, k := range known {
		if d := Distance(key, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// DidYouMean is `did you mean "KEY"?` for the known key nearest to key
// (see Closest), or "".
func DidYouMean(key string, known []string, maxDist int) string {
	if best := Closest(key, known, maxDist); best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return ""
}

// Distance is the Levenshtein distance of a and b, in characters.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
