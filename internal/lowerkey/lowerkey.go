// Package lowerkey looks a key up in a map of lower-case keys the way
// m[strings.ToLower(k)] does, without allocating the lowered key: the
// pipeline and the classifiers do this for every top-level key of every
// document.
package lowerkey

import (
	"strings"
	"unicode/utf8"
)

// maxFast is the longest key lowered on the stack; longer keys, and keys
// with bytes outside ASCII (which Unicode case mapping may turn into
// ASCII, as the Kelvin sign into "k"), go through strings.ToLower.
const maxFast = 64

// Lookup is m[strings.ToLower(k)].
func Lookup[V any](m map[string]V, k string) (V, bool) {
	if len(k) <= maxFast {
		var buf [maxFast]byte
		b := buf[:len(k)]
		ascii := true
		for i := 0; i < len(k); i++ {
			c := k[i]
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[i] = c
		}
		if ascii {
			v, ok := m[string(b)]
			return v, ok
		}
	}
	v, ok := m[strings.ToLower(k)]
	return v, ok
}
