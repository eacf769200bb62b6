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
	if maxDepth <= 0 {
		maxDepth = DefaultMaxJSONDepth
	}
	if Depth(b) > maxDepth {
		return nil, &DepthError{Limit: maxDepth}
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
func Depth(b []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range b {
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
