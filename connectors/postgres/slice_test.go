package postgres

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
)

func TestSliceBounds(t *testing.T) {
	tests := []struct {
		lo, hi int64
		count  int
		want   []int64
	}{
		{1, 100, 4, []int64{1, 26, 51, 76, 101}},
		{1, 10, 3, []int64{1, 4, 7, 11}},
		{5, 5, 3, []int64{5, 5, 5, 6}},
		{-10, 9, 2, []int64{-10, 0, 10}},
		{0, 1, 4, []int64{0, 0, 1, 1, 2}},
		{math.MinInt64, math.MaxInt64, 2, []int64{math.MinInt64, 0, math.MaxInt64}},
	}
	for _, tc := range tests {
		got := sliceBounds(tc.lo, tc.hi, tc.count)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("sliceBounds(%d, %d, %d) = %v, want %v", tc.lo, tc.hi, tc.count, got, tc.want)
		}
	}
}

// FuzzSliceBounds: every key from lo to hi (and beyond both ends) falls
// in exactly one slice, and the slices of keys lo..hi differ in width by
// at most one.
func FuzzSliceBounds(f *testing.F) {
	f.Add(int64(1), int64(1000), 4)
	f.Add(int64(math.MinInt64), int64(math.MaxInt64), 7)
	f.Add(int64(-3), int64(3), 10)
	f.Fuzz(func(t *testing.T, lo, hi int64, count int) {
		if lo > hi || count < 1 || count > 64 {
			return
		}
		b := sliceBounds(lo, hi, count)
		for i := 1; i <= count; i++ {
			if b[i] < b[i-1] {
				t.Fatalf("bounds %v not ordered", b)
			}
		}
		in := func(k int64) int {
			n := 0
			for i := 0; i < count; i++ {
				if (i == 0 || k >= b[i]) && (i == count-1 || k < b[i+1]) {
					n++
				}
			}
			return n
		}
		keys := []int64{lo, hi, lo + (hi-lo)/2, math.MinInt64, math.MaxInt64}
		for _, x := range b {
			keys = append(keys, x, x-1)
		}
		for _, k := range keys {
			if n := in(k); n != 1 {
				t.Fatalf("key %d in %d slices (bounds %v)", k, n, b)
			}
		}
		if hi-lo >= 0 && hi-lo < math.MaxInt64 && hi < math.MaxInt64 {
			width := uint64(hi-lo) + 1
			for i := 0; i < count; i++ {
				w := uint64(b[i+1] - b[i])
				if w+1 < width/uint64(count) || w > width/uint64(count)+1 {
					t.Fatalf("slice %d of %v is %d keys wide, want about %d", i, b, w, width/uint64(count))
				}
			}
		}
	})
}

// TestSlices: the rows of a table with a dense integer key split over 4
// slices, each within 5% of a quarter, every row once; a table whose key
// is text is read whole by slice 0; tables without a primary key and views
// are not cut.
func TestSlices(t *testing.T) {
	f := newFixture(t)
	f.db.Exec(t,
		`CREATE TABLE dense (id bigint PRIMARY KEY, email text)`,
		`INSERT INTO dense SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 10000) g`,
		`CREATE TABLE skewed (id int PRIMARY KEY, v text)`,
		`INSERT INTO skewed SELECT g * g, 'v' FROM generate_series(1, 300) g`,
		`CREATE TABLE by_code (code text PRIMARY KEY, v text)`,
		`INSERT INTO by_code SELECT 'c' || g, 'v' FROM generate_series(1, 50) g`,
		`CREATE TABLE empty (id int PRIMARY KEY)`,
		`CREATE TABLE parts (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)`,
		`ANALYZE`)
	c := f.open(t, connectors.Options{IncludeViews: true}, nil)
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	db := f.db.Name
	for name, want := range map[string]bool{
		"public.dense": true, "public.events": true, "public.by_code": true, "public.empty": true,
		"public.never_analyzed": false, "public.people_names": false, "public.people_emails": false,
		"public.measurements": false, "public.parts": false, // no key; a key of two columns
	} {
		if got := c.CanSlice(containerNamed(t, cs, db+"."+name)); got != want {
			t.Errorf("CanSlice(%s) = %v, want %v", name, got, want)
		}
	}

	read := func(ct connectors.Container, s connectors.Slice) (map[string]int, connectors.SampleResult) {
		seen := map[string]int{}
		res, err := c.Sample(context.Background(), ct, connectors.SampleOptions{Size: 0, Seed: 1, Slice: s}, func(d connectors.Document) error {
			seen[fmt.Sprint(d.Fields["id"], d.Fields["code"])]++
			return nil
		})
		if err != nil {
			t.Fatalf("Sample %s slice %v: %v", ct.Name, s, err)
		}
		return seen, res
	}
	tests := []struct {
		table string
		rows  int
		count int
		// balanced: each slice within 5% of rows/count; else the
		// rows per slice
		balanced bool
		per      []int
		method   string
		note     string
	}{
		{table: "dense", rows: 10000, count: 4, balanced: true, method: MethodAll, note: "primary key id is"},
		{table: "dense", rows: 10000, count: 3, balanced: true, method: MethodAll},
		{table: "dense", rows: 10000, count: 7, balanced: true, method: MethodAll},
		// keys 1, 4, 9, ... 90000: even key ranges, uneven rows
		{table: "skewed", rows: 300, count: 3, per: []int{173, 71, 56}, method: MethodAll},
		{table: "by_code", rows: 50, count: 3, per: []int{50, 0, 0}, note: "is not an integer"},
		{table: "empty", rows: 0, count: 2, per: []int{0, 0}, note: "empty"},
		{table: "events", rows: 1200, count: 4, balanced: true, method: MethodAll},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s in %d", tc.table, tc.count), func(t *testing.T) {
			ct := containerNamed(t, cs, db+".public."+tc.table)
			all := map[string]int{}
			total := 0
			var notes []string
			for i := 0; i < tc.count; i++ {
				part, res := read(ct, connectors.Slice{Index: i, Count: tc.count})
				n := 0
				for k, m := range part {
					all[k] += m
					n += m
				}
				total += n
				notes = append(notes, res.Notes...)
				if res.TotalDocuments != int64(n) {
					t.Errorf("slice %d: TotalDocuments %d, %d rows read", i, res.TotalDocuments, n)
				}
				if tc.method != "" && res.Method != tc.method {
					t.Errorf("slice %d: method %q, want %q", i, res.Method, tc.method)
				}
				switch {
				case tc.balanced:
					if want := float64(tc.rows) / float64(tc.count); math.Abs(float64(n)-want) > 0.05*want {
						t.Errorf("slice %d of %d holds %d rows, want %.0f within 5%%", i, tc.count, n, want)
					}
				case n != tc.per[i]:
					t.Errorf("slice %d of %d holds %d rows, want %d", i, tc.count, n, tc.per[i])
				}
			}
			if total != tc.rows || len(all) != tc.rows {
				t.Errorf("%d slices read %d rows (%d distinct), the table holds %d", tc.count, total, len(all), tc.rows)
			}
			for k, m := range all {
				if m != 1 {
					t.Errorf("row %s read %d times", k, m)
				}
			}
			if tc.note != "" && !strings.Contains(strings.Join(notes, "\n"), tc.note) {
				t.Errorf("notes %q do not say %q", notes, tc.note)
			}
		})
	}
}
