package sqlrows

import (
	"fmt"
	"math"
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
	// loOrd and hiOrd are the smallest and largest key as order-keeping
	// unsigned integers (see ord)
	loOrd, hiOrd uint64
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
	sp := KeySpace{lo: a, unsigned: unsigned}
	sp.loOrd, _ = sp.ord(strings.TrimSpace(lo))
	sp.hiOrd, _ = sp.ord(strings.TrimSpace(hi))
	sp.span = b.Sub(b, a)
	return sp, true
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

// ord maps a key's decimal text to an unsigned integer of the same order
// (signed keys with their sign bit flipped).
func (s KeySpace) ord(key string) (uint64, bool) {
	if s.unsigned {
		v, err := strconv.ParseUint(key, 10, 64)
		return v, err == nil
	}
	v, err := strconv.ParseInt(key, 10, 64)
	return uint64(v) ^ 1<<63, err == nil
}

// ordBytes is ord of a key given as bytes (a row's, read for every row):
// plain decimal keys of up to 18 digits are converted digit by digit, the
// others as ord does.
func (s KeySpace) ordBytes(key []byte) (uint64, bool) {
	digits := key
	neg := len(key) > 0 && key[0] == '-' && !s.unsigned
	if neg {
		digits = key[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || len(digits) > 1 && digits[0] == '0' {
		return s.ord(string(key))
	}
	var v uint64
	for _, c := range digits {
		if c-'0' > 9 {
			return s.ord(string(key)) // not plain decimal: strconv decides ("+5" is a key, "5x" is not)
		}
		v = v*10 + uint64(c-'0')
	}
	if s.unsigned {
		return v, true
	}
	if neg {
		return uint64(-int64(v)) ^ 1<<63, true
	}
	return v ^ 1<<63, true
}

// KeyParam is an integer key written into a statement as its decimal
// text (what a driver's parameter interpolation would write, and what
// lets the server plan for the actual range), or a placeholder with its
// argument appended to args for any other value.
func KeyParam(v any, args *[]any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	}
	*args = append(*args, v)
	return "?"
}

// arg is the driver's argument of an ordinal.
func (s KeySpace) arg(o uint64) any {
	if s.unsigned {
		return o
	}
	return int64(o ^ 1<<63)
}

// Bounds are the key bounds of slice i of count of the key space: from
// the key i/count of the way from the smallest key to the largest to the
// key (i+1)/count of the way (exactly, lo + floor(keys*i/count), keys
// being the number of keys between them), the first slice unbounded
// below and the last unbounded above, so that over the count slices every
// key lies in exactly one; with integer keys without gaps the slices hold
// equal numbers of keys, to within one.
func (s KeySpace) Bounds(i, count int) KeyBounds {
	cut := func(i int) any {
		v := new(big.Int).Add(s.span, big.NewInt(1))
		v.Mul(v, big.NewInt(int64(i)))
		v.Quo(v, big.NewInt(int64(count)))
		v.Add(v, s.lo)
		if s.unsigned {
			return v.Uint64()
		}
		return v.Int64()
	}
	var b KeyBounds
	if i > 0 {
		b.Lo = cut(i)
	}
	if i < count-1 {
		b.Hi = cut(i + 1)
	}
	return b
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

// Span is one key range read whole: the rows whose key is between From and
// To (both included), in key order, of which the first N are kept.
type Span struct {
	From, To any
	N        int
}

// Defaults of KeyRanges.
const (
	DefaultRanges   = 100 // windows per sample: 10,000 rows are 100 windows of 100
	DefaultPerQuery = 100 // windows read by one statement
	DefaultSpans    = 20  // spans of a first round: 10,000 rows are 20 spans of 500
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
	// Estimate is the table's estimated number of rows (the catalogue's;
	// 0 or less when unknown). With it and ReadSpans, the first round reads
	// key ranges as wide as the estimate says a window of rows is, with no
	// read of the windows' keys first: one statement for the whole sample
	// when the keys have few gaps. The width is rounded to a power of two
	// of the mean gap between keys, so that the small changes of a
	// catalogue's estimate leave the sample as it was.
	Estimate int64
	// ReadSpans reads the rows of the spans (sorted, disjoint) in key
	// order and calls keep with the key text of each: keep says whether
	// the row is wanted (the first N of its span, not read before).
	ReadSpans func(spans []Span, keep func(key []byte) bool) error
	// ReadSpansAnyOrder, when set, reads the spans instead of ReadSpans
	// when every row of them is kept: no span holds more keys than the
	// rows it keeps, and the spans together no more than Size. Which rows
	// are kept then does not depend on the order they come in, so that
	// the reader may send a statement the server runs faster but that
	// does not promise an order (keep takes the key text of each row, in
	// any order, and says whether it is one of the spans').
	ReadSpansAnyOrder func(spans []Span, keep func(key []byte) bool) error
	// SpanCount is the number of spans of the first round; 0:
	// DefaultSpans. Fewer, wider spans cost the server fewer index
	// descents and pages.
	SpanCount int
}

// KeyRangesResult says how a KeyRanges sample was drawn.
type KeyRangesResult struct {
	Spans    int // spans read (the first round)
	SpanRows int // rows kept at most per span
	Windows  int // windows read
	PerRows  int // rows asked per window
	Taken    int // distinct rows kept
}

// Note describes the sampling for the report.
func (r KeyRangesResult) Note(key string) string {
	var parts []string
	if r.Spans > 0 {
		parts = append(parts, fmt.Sprintf("%d random ranges of key %q, one in each equal part of the key space, up to %d rows each",
			r.Spans, key, r.SpanRows))
	}
	if r.Windows > 0 || r.Spans == 0 {
		parts = append(parts, fmt.Sprintf("%d random windows of key %q, up to %d rows each (rows that follow long gaps between key values are more likely to be drawn)",
			r.Windows, key, r.PerRows))
	}
	return "the sample was read through the key's index from " + strings.Join(parts, ", then ")
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
	// the keys kept: those of the first round as one interval per span
	// (a span keeps the first rows of its range in key order: every key
	// between the first and the last it kept), the later ones in seen
	var kept keyIntervals
	var seen map[uint64]struct{}
	keep := func(key string) bool {
		o, ok := k.Space.ord(key)
		if !ok || res.Taken >= size {
			return false
		}
		if kept.contains(o) {
			return false
		}
		if _, dup := seen[o]; dup {
			return false
		}
		if seen == nil {
			seen = make(map[uint64]struct{}, size-res.Taken)
		}
		seen[o] = struct{}{}
		res.Taken++
		return true
	}
	if k.ReadSpans != nil && k.Estimate > 0 {
		spans := k.SpanCount
		if spans <= 0 {
			spans = DefaultSpans
		}
		spans = min(size, spans)
		if err := k.spanRound(spans, (size+spans-1)/spans, perQuery, &kept, &res); err != nil {
			return res, err
		}
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
		// size rows from the smallest key hold at least size-Taken not kept yet
		if err := read([]Window{{From: k.Lo, N: size}}, keep); err != nil {
			return res, err
		}
	}
	return res, nil
}

// spanRound is the first round of a sample with an estimate: ranges
// spans of the keys that per rows are expected to fill, one at a random
// point of each of ranges equal parts of the key space (moved right where
// they would overlap), read through ReadSpans.
func (k KeyRanges) spanRound(ranges, per, perQuery int, kept *keyIntervals, res *KeyRangesResult) error {
	spanM1 := k.Space.hiOrd - k.Space.loOrd // the number of keys less one
	gap := (float64(spanM1) + 1) / float64(k.Estimate)
	width := uint64(per)
	if gap > 1 {
		width = uint64(per) << uint(math.Round(math.Log2(gap)))
	}
	if width == 0 || width-1 > spanM1 || float64(width)*float64(ranges) > float64(spanM1)/2 {
		return nil // the windows would cover much of the table: windows of rows instead
	}
	// stratified: one span starts at a random point of each of ranges
	// equal parts of the key space, so that the sample is spread over the
	// whole table however few the spans
	offMax := spanM1 - (width - 1)
	offs := make([]uint64, ranges)
	part := float64(offMax) / float64(ranges)
	for i := range offs {
		offs[i] = min(uint64((float64(i)+k.Rng.Float64())*part), offMax)
	}
	slices.Sort(offs) // already in order, but for rounding
	spans := make([]Span, 0, ranges)
	ends := make([][2]uint64, 0, ranges)
	var next uint64 // the first offset not in a span yet
	for i, off := range offs {
		if i > 0 && off < next {
			off = next
		}
		if off > offMax || i > 0 && next == 0 {
			break // pushed past the largest key (or wrapped)
		}
		from := k.Space.loOrd + off
		spans = append(spans, Span{From: k.Space.arg(from), To: k.Space.arg(from + width - 1), N: per})
		ends = append(ends, [2]uint64{from, from + width - 1})
		next = off + width
	}
	// every row of the spans is kept: they may be read in any order
	anyOrder := k.ReadSpansAnyOrder != nil && width <= uint64(per) && uint64(len(spans))*width <= uint64(k.Size-res.Taken)
	for len(spans) > 0 && res.Taken < k.Size {
		n := min(len(spans), perQuery)
		chunk, bounds := spans[:n], ends[:n]
		spans, ends = spans[n:], ends[n:]
		res.Spans += n
		res.SpanRows = per
		if anyOrder {
			if err := k.readAnyOrder(chunk, bounds, kept, res); err != nil {
				return err
			}
			continue
		}
		cur, taken := 0, 0
		keep := func(key []byte) bool {
			o, ok := k.Space.ordBytes(key)
			if !ok || res.Taken >= k.Size {
				return false
			}
			for cur < len(bounds) && o > bounds[cur][1] {
				cur, taken = cur+1, 0
			}
			if cur == len(bounds) || o < bounds[cur][0] || taken >= per {
				return false
			}
			// the spans are disjoint and read in key order: a key is
			// never met twice, and those a span keeps follow each other
			if taken == 0 {
				kept.add(o)
			} else {
				kept.extend(o)
			}
			taken++
			res.Taken++
			return true
		}
		if err := k.ReadSpans(chunk, keep); err != nil {
			return err
		}
	}
	return nil
}

// readAnyOrder reads spans whose every row is kept (spanRound) through
// ReadSpansAnyOrder: each span is kept whole, so that the keys kept are
// its bounds, and a row is kept when its key lies in one of the spans,
// whatever the order the rows come in.
func (k KeyRanges) readAnyOrder(spans []Span, bounds [][2]uint64, kept *keyIntervals, res *KeyRangesResult) error {
	for _, b := range bounds {
		kept.add(b[0])
		kept.extend(b[1])
	}
	return k.ReadSpansAnyOrder(spans, func(key []byte) bool {
		o, ok := k.Space.ordBytes(key)
		if !ok || res.Taken >= k.Size {
			return false
		}
		if !keyIntervals(bounds).contains(o) {
			return false // not a key of the spans
		}
		res.Taken++
		return true
	})
}

// keyIntervals are disjoint intervals of key ordinals, added in
// increasing order.
type keyIntervals [][2]uint64

// add starts an interval of one key, above every interval before.
func (ki *keyIntervals) add(o uint64) { *ki = append(*ki, [2]uint64{o, o}) }

// extend moves the end of the last interval to o.
func (ki keyIntervals) extend(o uint64) { ki[len(ki)-1][1] = o }

// contains says whether o lies in one of the intervals.
func (ki keyIntervals) contains(o uint64) bool {
	i, _ := slices.BinarySearchFunc(ki, o, func(iv [2]uint64, o uint64) int {
		switch {
		case iv[1] < o:
			return -1
		case iv[0] > o:
			return 1
		}
		return 0
	})
	return i < len(ki) && ki[i][0] <= o && o <= ki[i][1]
}
