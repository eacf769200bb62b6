package sqlrows

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"testing"
)

// memTable is an in-memory table of sorted int64 keys: the oracle the
// window reads are checked against.
type memTable []int64

// seqTable is a table of n keys, f(0) to f(n-1), in order.
func seqTable(n int, f func(int) int64) memTable {
	m := make(memTable, n)
	for i := range m {
		m[i] = f(i)
	}
	return m
}

// space is the key space of the table's keys, and its smallest key.
func (m memTable) space(t *testing.T) (KeySpace, int64) {
	t.Helper()
	lo, hi := m[0], m[len(m)-1]
	space, ok := NewKeySpace(strconv.FormatInt(lo, 10), strconv.FormatInt(hi, 10), false)
	if !ok {
		t.Fatal("no key space")
	}
	return space, lo
}

// readInto is the table's read of windows, the kept keys collected by
// collect (collectInto).
func (m memTable) readInto(collect func(keep func([]byte) bool) func([]byte) bool) func([]Window, func(string) bool) error {
	return func(ws []Window, keep func(string) bool) error {
		k := collect(func(b []byte) bool { return keep(string(b)) })
		return m.read(ws, func(s string) bool { return k([]byte(s)) })
	}
}

// collectInto wraps a keep function so that the keys it keeps are
// appended to got.
func collectInto(got *[]int64) func(keep func([]byte) bool) func([]byte) bool {
	return func(keep func([]byte) bool) func([]byte) bool {
		return func(k []byte) bool {
			if !keep(k) {
				return false
			}
			v, _ := strconv.ParseInt(string(k), 10, 64)
			*got = append(*got, v)
			return true
		}
	}
}

func (m memTable) read(ws []Window, keep func(string) bool) error {
	for _, w := range ws {
		from := w.From.(int64)
		i := sort.Search(len(m), func(i int) bool { return m[i] >= from })
		for j := i; j < len(m) && j < i+w.N; j++ {
			keep(strconv.FormatInt(m[j], 10))
		}
	}
	return nil
}

func TestKeyRanges(t *testing.T) {
	tests := []struct {
		name  string
		table memTable
		size  int
	}{
		{"dense", seqTable(10000, func(i int) int64 { return int64(i) }), 1000},
		{"gaps", seqTable(5000, func(i int) int64 { return int64(i) * 97 }), 1000},
		{"two clusters", seqTable(1200, func(i int) int64 {
			if i < 600 {
				return int64(i)
			}
			return 1e15 + int64(i)
		}), 1000},
		{"fewer rows than the sample", seqTable(50, func(i int) int64 { return int64(i) * 3 }), 100},
		{"extremes", memTable{math.MinInt64, -1, 0, 1, math.MaxInt64}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			space, lo := tc.table.space(t)
			run := func(seed uint64) []string {
				var got []string
				kr := KeyRanges{Size: tc.size, Space: space, Lo: lo, Rng: rand.New(rand.NewPCG(seed, 1))}
				res, err := kr.Run(func(ws []Window, keep func(string) bool) error {
					return tc.table.read(ws, func(k string) bool {
						if keep(k) {
							got = append(got, k)
							return true
						}
						return false
					})
				})
				if err != nil {
					t.Fatal(err)
				}
				if res.Taken != len(got) {
					t.Errorf("Taken %d, %d kept", res.Taken, len(got))
				}
				return got
			}
			got := run(1)
			if want := min(tc.size, len(tc.table)); len(got) != want {
				t.Errorf("%d rows, want %d", len(got), want)
			}
			if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
				t.Error("a row kept twice")
			}
			if !slices.Equal(run(1), got) {
				t.Error("same seed, different sample")
			}
		})
	}
}

// FuzzKeySpace checks At against big-integer arithmetic: the key lies
// between lo and hi, at lo + floor((hi-lo) * f) to within one step, and
// grows with f.
func FuzzKeySpace(f *testing.F) {
	f.Add(int64(0), int64(100), 0.5, 0.25, false)
	f.Add(int64(math.MinInt64), int64(math.MaxInt64), 0.999999, 0.1, false)
	f.Add(int64(-1), int64(-2), 0.0, 0.9, true)
	f.Fuzz(func(t *testing.T, a, b int64, f1, f2 float64, unsigned bool) {
		if math.IsNaN(f1) || math.IsNaN(f2) || f1 < 0 || f1 >= 1 || f2 < 0 || f2 >= 1 {
			return
		}
		var lo, hi *big.Int
		var slo, shi string
		if unsigned {
			lo, hi = new(big.Int).SetUint64(uint64(a)), new(big.Int).SetUint64(uint64(b))
			slo, shi = strconv.FormatUint(uint64(a), 10), strconv.FormatUint(uint64(b), 10)
		} else {
			lo, hi = big.NewInt(a), big.NewInt(b)
			slo, shi = strconv.FormatInt(a, 10), strconv.FormatInt(b, 10)
		}
		s, ok := NewKeySpace(slo, shi, unsigned)
		if ok != (lo.Cmp(hi) < 0) {
			t.Fatalf("NewKeySpace(%s, %s) ok %v", slo, shi, ok)
		}
		if !ok {
			return
		}
		val := func(f float64) *big.Int {
			switch v := s.At(f).(type) {
			case int64:
				return big.NewInt(v)
			case uint64:
				return new(big.Int).SetUint64(v)
			default:
				t.Fatalf("At returned %T", v)
				return nil
			}
		}
		v1, v2 := val(f1), val(f2)
		for _, v := range []*big.Int{v1, v2} {
			if v.Cmp(lo) < 0 || v.Cmp(hi) > 0 {
				t.Fatalf("At outside [%s, %s]: %s", lo, hi, v)
			}
		}
		if (f1 < f2 && v1.Cmp(v2) > 0) || (f1 > f2 && v1.Cmp(v2) < 0) {
			t.Fatalf("At not monotonic: At(%v)=%s At(%v)=%s", f1, v1, f2, v2)
		}
		// oracle: lo + span*f computed with exact rationals
		span := new(big.Int).Sub(hi, lo)
		want := new(big.Rat).Mul(new(big.Rat).SetInt(span), new(big.Rat).SetFloat64(f1))
		wantInt := new(big.Int).Quo(want.Num(), want.Denom())
		wantInt.Add(wantInt, lo)
		diff := new(big.Int).Sub(wantInt, v1)
		diff.Abs(diff)
		// f is used in 2^-53 steps: the error is at most span/2^53 + 1.
		tol := new(big.Int).Rsh(span, 53)
		tol.Add(tol, big.NewInt(1))
		if diff.Cmp(tol) > 0 {
			t.Fatalf("At(%v) = %s, want %s (±%s)", f1, v1, wantInt, tol)
		}
	})
}

// spans reads the rows of the spans of m, in key order.
func (m memTable) spans(sp []Span, keep func([]byte) bool) error {
	prev := int64(math.MinInt64)
	for i, s := range sp {
		from, to := s.From.(int64), s.To.(int64)
		if from > to || i > 0 && from <= prev {
			return fmt.Errorf("span %d [%d, %d] not sorted or overlapping", i, from, to)
		}
		prev = to
		for j := sort.Search(len(m), func(i int) bool { return m[i] >= from }); j < len(m) && m[j] <= to; j++ {
			keep([]byte(strconv.FormatInt(m[j], 10)))
		}
	}
	return nil
}

// TestKeyRangesSpans: with an estimate, the first round reads spans of
// keys (one call for a table without gaps); gaps and clusters are filled
// by windows of rows; the sample is as large as asked, of distinct rows,
// the same for the same seed, and spread over the table.
func TestKeyRangesSpans(t *testing.T) {
	tests := []struct {
		name        string
		table       memTable
		estimate    int64
		size        int
		onlySpans   bool // no window read needed
		spreadTenth bool // every tenth of the key space holds a kept row
	}{
		{"dense", seqTable(100000, func(i int) int64 { return int64(i) + 1 }), 100000, 1000, true, true},
		{"dense, estimate off by a third", seqTable(100000, func(i int) int64 { return int64(i) + 1 }), 70000, 1000, true, true},
		{"every seventh key", seqTable(50000, func(i int) int64 { return int64(i) * 7 }), 50000, 1000, false, true},
		{"negative keys", seqTable(50000, func(i int) int64 { return int64(i) - 25000 }), 50000, 500, true, true},
		{"two clusters", seqTable(20000, func(i int) int64 {
			if i < 10000 {
				return int64(i)
			}
			return 1e15 + int64(i)
		}), 20000, 1000, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			space, lo := tc.table.space(t)
			run := func(seed uint64) ([]int64, int, int) {
				var got []int64
				spanCalls, windowCalls := 0, 0
				collect := collectInto(&got)
				kr := KeyRanges{Size: tc.size, Space: space, Lo: lo, Rng: rand.New(rand.NewPCG(seed, 1)), Estimate: tc.estimate,
					ReadSpans: func(sp []Span, keep func([]byte) bool) error {
						spanCalls++
						return tc.table.spans(sp, collect(keep))
					}}
				read := tc.table.readInto(collect)
				res, err := kr.Run(func(ws []Window, keep func(string) bool) error {
					windowCalls++
					return read(ws, keep)
				})
				if err != nil {
					t.Fatal(err)
				}
				if res.Taken != len(got) {
					t.Errorf("Taken %d, %d kept", res.Taken, len(got))
				}
				return got, spanCalls, windowCalls
			}
			got, spanCalls, windowCalls := run(1)
			if len(got) != tc.size {
				t.Errorf("%d rows, want %d", len(got), tc.size)
			}
			if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
				t.Error("a row kept twice")
			}
			if spanCalls > 1 || tc.onlySpans && (spanCalls != 1 || windowCalls != 0) {
				t.Errorf("%d span reads, %d window reads", spanCalls, windowCalls)
			}
			again, _, _ := run(1)
			if !slices.Equal(again, got) {
				t.Error("same seed, different sample")
			}
			if tc.spreadTenth {
				if other, _, _ := run(2); slices.Equal(other, got) {
					t.Error("another seed, the same sample")
				}
				tenths := map[int64]bool{}
				for _, k := range got {
					tenths[(k-lo)*10/(tc.table[len(tc.table)-1]-lo+1)] = true
				}
				if len(tenths) != 10 {
					t.Errorf("kept rows in %d tenths of the key space, want all 10", len(tenths))
				}
			}
		})
	}
}

// TestKeySpaceBounds: over the slices every key lies in exactly one, and
// keys without gaps are cut into slices of equal size to within one.
func TestKeySpaceBounds(t *testing.T) {
	for _, tc := range []struct {
		lo, hi int64
		count  int
	}{{1, 1000, 3}, {1, 1000000, 4}, {-500, 499, 7}, {0, 1, 2}, {10, 12, 5}} {
		space, ok := NewKeySpace(strconv.FormatInt(tc.lo, 10), strconv.FormatInt(tc.hi, 10), false)
		if !ok {
			t.Fatal("no key space")
		}
		counts := make([]int64, tc.count)
		for i := range tc.count {
			b := space.Bounds(i, tc.count)
			if (i == 0) != (b.Lo == nil) || (i == tc.count-1) != (b.Hi == nil) {
				t.Fatalf("slice %d of %d: bounds %v", i, tc.count, b)
			}
			from, to := tc.lo, tc.hi+1
			if b.Lo != nil {
				from = b.Lo.(int64)
			}
			if b.Hi != nil {
				to = b.Hi.(int64)
			}
			counts[i] = max(0, to-from)
			if i > 0 && space.Bounds(i-1, tc.count).Hi != b.Lo {
				t.Fatalf("slice %d starts at %v, slice %d ends at %v", i, b.Lo, i-1, space.Bounds(i-1, tc.count).Hi)
			}
		}
		var total int64
		for _, n := range counts {
			total += n
		}
		if total != tc.hi-tc.lo+1 {
			t.Errorf("[%d, %d] in %d slices: %v, total %d", tc.lo, tc.hi, tc.count, counts, total)
		}
		if tc.hi-tc.lo+1 >= int64(tc.count) && slices.Max(counts)-slices.Min(counts) > 1 {
			t.Errorf("[%d, %d] in %d slices: %v, not balanced", tc.lo, tc.hi, tc.count, counts)
		}
	}
}

// TestKeyIntervals: a key is in the intervals exactly when it lies
// between the first and last key of one of them.
func TestKeyIntervals(t *testing.T) {
	var ki keyIntervals
	ki.add(10)
	ki.extend(12)
	ki.add(20)
	ki.add(30)
	ki.extend(40)
	for _, tc := range []struct {
		o    uint64
		want bool
	}{
		{0, false}, {9, false}, {10, true}, {11, true}, {12, true}, {13, false}, {19, false}, {20, true},
		{21, false}, {29, false}, {30, true}, {35, true}, {40, true}, {41, false}, {math.MaxUint64, false},
	} {
		if got := ki.contains(tc.o); got != tc.want {
			t.Errorf("contains(%d) = %v, want %v", tc.o, got, tc.want)
		}
	}
	if (keyIntervals{}).contains(0) {
		t.Error("empty intervals contain 0")
	}
}

// TestKeyRangesSpansAnyOrder: when every row of the spans is kept (no
// span wider than its rows, the spans together no more than the size),
// the spans are read through ReadSpansAnyOrder, and rows that come in any
// order give the sample the ordered read gives for the same seed (the same
// rows, the later windows included); otherwise ReadSpans reads them.
func TestKeyRangesSpansAnyOrder(t *testing.T) {
	dense := seqTable(100000, func(i int) int64 { return int64(i) + 1 })
	tests := []struct {
		name     string
		table    memTable
		estimate int64
		size     int
		anyOrder bool
	}{
		{"dense", dense, 100000, 1000, true},
		{"dense, size not a multiple of the spans", dense, 100000, 1010, false},
		{"dense, estimate off by a third", dense, 70000, 1000, false},
		{"every fifth key missing (spans short, windows fill)", seqTable(80000, func(i int) int64 { return int64(i + i/4) }), 80000, 1000, true},
		{"small, every fifth key missing (windows meet the spans)", seqTable(2000, func(i int) int64 { return int64(i + i/4) }), 2000, 200, true},
		{"negative keys", seqTable(50000, func(i int) int64 { return int64(i) - 25000 }), 50000, 500, true},
		{"every seventh key", seqTable(50000, func(i int) int64 { return int64(i) * 7 }), 50000, 1000, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			space, lo := tc.table.space(t)
			run := func(seed uint64, withAnyOrder bool) ([]int64, int) {
				var got []int64
				collect := collectInto(&got)
				anyCalls := 0
				kr := KeyRanges{Size: tc.size, Space: space, Lo: lo, Rng: rand.New(rand.NewPCG(seed, 1)), Estimate: tc.estimate,
					ReadSpans: func(sp []Span, keep func([]byte) bool) error { return tc.table.spans(sp, collect(keep)) }}
				if withAnyOrder {
					kr.ReadSpansAnyOrder = func(sp []Span, keep func([]byte) bool) error {
						anyCalls++
						// the rows of the spans, and keys around them, shuffled
						var keys [][]byte
						if err := tc.table.spans(sp, func(k []byte) bool { keys = append(keys, k); return true }); err != nil {
							return err
						}
						for _, s := range sp {
							for _, v := range []int64{s.From.(int64) - 1, s.To.(int64) + 1} {
								keys = append(keys, []byte(strconv.FormatInt(v, 10)))
							}
						}
						rng := rand.New(rand.NewPCG(9, 9))
						rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
						k := collect(keep)
						for _, key := range keys {
							k(key)
						}
						return nil
					}
				}
				res, err := kr.Run(tc.table.readInto(collect))
				if err != nil {
					t.Fatal(err)
				}
				if res.Taken != len(got) {
					t.Errorf("Taken %d, %d kept", res.Taken, len(got))
				}
				return slices.Sorted(slices.Values(got)), anyCalls
			}
			for seed := range uint64(10) {
				want, _ := run(seed, false)
				got, anyCalls := run(seed, true)
				if (anyCalls > 0) != tc.anyOrder {
					t.Errorf("seed %d: %d reads in any order, want them %v", seed, anyCalls, tc.anyOrder)
				}
				if len(got) != tc.size {
					t.Errorf("seed %d: %d rows, want %d", seed, len(got), tc.size)
				}
				if len(slices.Compact(slices.Clone(got))) != len(got) {
					t.Errorf("seed %d: a row kept twice", seed)
				}
				if !slices.Equal(got, want) {
					t.Errorf("seed %d: read in any order, another sample than the ordered read's (%d rows against %d)", seed, len(got), len(want))
				}
			}
		})
	}
}

// FuzzOrdBytes checks the digit-by-digit conversion of a row's key
// against ord (strconv), signed and unsigned: the same ordinal, and a key
// taken by one is taken by the other.
func FuzzOrdBytes(f *testing.F) {
	for _, k := range []string{"0", "7", "-7", "-0", "+5", "007", "5x", "", "-", "18446744073709551615",
		"9223372036854775807", "-9223372036854775808", "999999999999999999", "-999999999999999999", "1e3", " 5"} {
		f.Add(k, false)
		f.Add(k, true)
	}
	f.Fuzz(func(t *testing.T, key string, unsigned bool) {
		s := KeySpace{unsigned: unsigned}
		want, wok := s.ord(key)
		got, ok := s.ordBytes([]byte(key))
		if ok != wok || ok && got != want {
			t.Fatalf("ordBytes(%q, unsigned %v) = %d, %v; ord: %d, %v", key, unsigned, got, ok, want, wok)
		}
	})
}
