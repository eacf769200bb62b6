package mysql

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// keySpace maps a fraction of the way from the smallest key to the largest
// to a key between them, for integer keys (signed or unsigned 64-bit).
type keySpace struct {
	lo, span *big.Int
	unsigned bool
}

// newKeySpace parses the smallest and largest key; false when they do not
// parse or the table holds a single key.
func newKeySpace(lo, hi string, unsigned bool) (keySpace, bool) {
	a, ok := parseKey(lo, unsigned)
	if !ok {
		return keySpace{}, false
	}
	b, ok := parseKey(hi, unsigned)
	if !ok || a.Cmp(b) >= 0 {
		return keySpace{}, false
	}
	return keySpace{lo: a, span: b.Sub(b, a), unsigned: unsigned}, true
}

func parseKey(s string, unsigned bool) (*big.Int, bool) {
	s = strings.TrimSpace(s)
	if unsigned {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return nil, false
		}
		return new(big.Int).SetUint64(v), true
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, false
	}
	return big.NewInt(v), true
}

// at returns lo + floor(span * f) for f in [0, 1), as the driver's
// argument (int64, or uint64 for unsigned keys).
func (s keySpace) at(f float64) any {
	const steps = 1 << 53
	if f < 0 {
		f = 0
	}
	n := int64(f * steps)
	if n >= steps {
		n = steps - 1
	}
	v := new(big.Int).Mul(s.span, big.NewInt(n))
	v.Rsh(v, 53)
	v.Add(v, s.lo)
	if s.unsigned {
		return v.Uint64()
	}
	return v.Int64()
}

// keyArg turns the text of a key read back into the driver's argument.
func keyArg(s string, unsigned bool) (any, error) {
	if unsigned {
		v, err := strconv.ParseUint(s, 10, 64)
		return v, err
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", s, err)
	}
	return v, nil
}
