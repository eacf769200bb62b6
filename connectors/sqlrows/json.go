package sqlrows

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
)

// DepthError is returned by ParseJSON for a value nested deeper than the
// limit.
type DepthError struct{ Limit int }

func (e *DepthError) Error() string {
	return "JSON nested deeper than " + strconv.Itoa(e.Limit) + " levels"
}

// ParseJSON parses one JSON value (objects become map[string]any, arrays
// []any, numbers json.Number) whose nesting is at most maxDepth levels
// (an object or array is one level; maxDepth <= 0 means
// DefaultMaxJSONDepth). The depth is checked before decoding, so a deep
// value costs one pass over its bytes. Anything after the value but
// white space is an error.
func ParseJSON(b []byte, maxDepth int) (any, error) {
	maxDepth, err := checkDepth(b, maxDepth)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: data after the value")
	}
	return v, nil
}

// Depth returns the deepest nesting of objects and arrays in b, skipping
// string contents; b need not be valid JSON.
func Depth(b []byte) int { return depth(b) }

// DepthString is Depth of a string.
func DepthString(s string) int { return depth(s) }

// depth is Depth of the bytes of a string or a byte slice, without a copy.
func depth[T string | []byte](b T) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > deepest {
				deepest = depth
			}
		case '}', ']':
			if depth > 0 {
				depth--
			}
		}
	}
	return deepest
}

// checkDepth is the depth check ParseJSON and parseJSONString share: the
// bound (maxDepth <= 0 means DefaultMaxJSONDepth) and a DepthError when
// the value is nested deeper.
func checkDepth[T string | []byte](b T, maxDepth int) (int, error) {
	if maxDepth <= 0 {
		maxDepth = DefaultMaxJSONDepth
	}
	if depth(b) > maxDepth {
		return maxDepth, &DepthError{Limit: maxDepth}
	}
	return maxDepth, nil
}
