package sqlrows

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// KeySpace maps a fraction of the way from the smallest key to the largest
// to a key between them, for integer keys (signed or unsigned 64-bit):
// MySQL primary keys, SQLite rowids.
type KeySpace struct {
	lo, span *big.Int
	unsigned bool
}

// NewKeySpace parses the smallest and largest key (decimal text); false
// when they do not parse or the table holds a single key.
func NewKeySpace(lo, hi string, unsigned bool) (KeySpace, bool) {
	a, ok := parseKey(lo, unsigned)
	if !ok {
		return KeySpace{}, false
	}
	b, ok := parseKey(hi, unsigned)
	if !ok || a.Cmp(b) >= 0 {
		return KeySpace{}, false
	}
	return KeySpace{lo: a, span: b.Sub(b, a), unsigned: unsigned}, true
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

// At returns lo + floor(span * f) for f in [0, 1), as the driver's
// argument (int64, or uint64 for unsigned keys): never below lo nor above
// the largest key, and never smaller for a larger f.
func (s KeySpace) At(f float64) any {
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

// KeyArg turns the decimal text of a key into the driver's argument.
func KeyArg(s string, unsigned bool) (any, error) {
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

// Window is one key range: up to N rows in key order from the first key at
// or above From.
type Window struct {
	From any
	N    int
}

// Defaults of KeyRanges.
const (
	DefaultRanges   = 100 // windows per sample: 10,000 rows are 100 windows of 100
	DefaultPerQuery = 100 // windows read by one statement
	maxRangeRounds  = 4   // rounds of windows drawn to fill a sample whose windows overlapped
)

// KeyRanges draws a sample of Size rows as random windows of an integer
// key read through its index, the way the MongoDB connector reads _id
// ranges: each window starts at a random point between the smallest and
// largest key, windows of one round are sorted, a row drawn twice is kept
// once, and when windows overlapped (keys in clusters far apart) more
// rounds are drawn and a sample still short is filled from the smallest
// key. No ORDER BY RAND().
type KeyRanges struct {
	Size     int
	Space    KeySpace
	Lo       any // the smallest key, as the driver's argument
	Rng      *rand.Rand
	Ranges   int // the most windows per round; 0: DefaultRanges
	PerQuery int // windows per read call; 0: DefaultPerQuery
}

// KeyRangesResult says how a KeyRanges sample was drawn.
type KeyRangesResult struct {
	Windows int // windows read
	PerRows int // rows asked per window
	Taken   int // distinct rows kept
}

// Note describes the sampling for the report.
func (r KeyRangesResult) Note(key string) string {
	return fmt.Sprintf("the sample was read from %d random windows of key %q through its index, "+
		"up to %d rows each; rows that follow long gaps between key values are more likely to be drawn", r.Windows, key, r.PerRows)
}

// Run draws the sample. read runs the windows (one statement) and calls
// keep with the key text of every row it reads, in order: keep says
// whether the row is new and wanted (then the reader converts and emits
// it). An error of read ends the run.
func (k KeyRanges) Run(read func(ws []Window, keep func(key string) bool) error) (KeyRangesResult, error) {
	ranges := k.Ranges
	if ranges <= 0 {
		ranges = DefaultRanges
	}
	perQuery := k.PerQuery
	if perQuery <= 0 {
		perQuery = DefaultPerQuery
	}
	size := k.Size
	ranges = min(size, ranges)
	per := (size + ranges - 1) / ranges
	res := KeyRangesResult{PerRows: per}
	seen := make(map[string]struct{}, size)
	keep := func(key string) bool {
		if res.Taken >= size {
			return false
		}
		if _, dup := seen[key]; dup {
			return false
		}
		seen[key] = struct{}{}
		res.Taken++
		return true
	}
	for round := 0; round < maxRangeRounds && res.Taken < size; round++ {
		points := make([]float64, (size-res.Taken+per-1)/per)
		for i := range points {
			points[i] = k.Rng.Float64()
		}
		slices.Sort(points)
		before := res.Taken
		for len(points) > 0 && res.Taken < size {
			n := min(len(points), perQuery)
			ws := make([]Window, n)
			for i, p := range points[:n] {
				ws[i] = Window{From: k.Space.At(p), N: per}
			}
			points = points[n:]
			res.Windows += n
			if err := read(ws, keep); err != nil {
				return res, err
			}
		}
		if res.Taken == before {
			break
		}
	}
	if res.Taken < size {
		res.Windows++
		if err := read([]Window{{From: k.Lo, N: size - res.Taken + len(seen)}}, keep); err != nil {
			return res, err
		}
	}
	return res, nil
}
