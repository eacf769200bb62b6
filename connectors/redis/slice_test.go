package redis

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redistest"
)

// TestKeySliceBalance: keys are dealt to the slices of a sharded full scan
// evenly: over 200,000 keys of the shapes apps use, every slice holds
// within 5% of 1/N of them.
func TestKeySliceBalance(t *testing.T) {
	const total = 200_000
	shapes := []func(i int) string{
		func(i int) string { return fmt.Sprintf("user:%d", i) },
		func(i int) string { return fmt.Sprintf("session:%016x", uint64(i)*0x9e3779b97f4a7c15) },
		func(i int) string { return fmt.Sprintf("cart:u%d@example.com:items", i) },
		func(i int) string { return fmt.Sprintf("order:2026-11-%02d:%d", i%28+1, i) },
	}
	for _, n := range []int{2, 3, 4, 7, 16} {
		t.Run(fmt.Sprintf("%d slices", n), func(t *testing.T) {
			counts := make([]int, n)
			for i := 0; i < total; i++ {
				s := KeySlice(shapes[i%len(shapes)](i), n)
				if s < 0 || s >= n {
					t.Fatalf("slice %d of %d", s, n)
				}
				counts[s]++
			}
			want := float64(total) / float64(n)
			for i, c := range counts {
				if math.Abs(float64(c)-want) > 0.05*want {
					t.Errorf("slice %d holds %d keys, want %.0f ± 5%% (counts %v)", i, c, want, counts)
				}
			}
		})
	}
	if KeySlice("user:1", 1) != 0 || KeySlice("user:1", 0) != 0 {
		t.Error("a whole container is slice 0")
	}
}

// TestSlicedFullScan: a full scan cut into N slices reads every key of a
// pattern exactly once, whether its keys were all kept while listing (a
// small database) or are listed again with SCAN MATCH (a large one); the
// slices' totals add up to the pattern's count and every slice writes the
// whole's TTL note (so that the merged report is the full run's).
func TestSlicedFullScan(t *testing.T) {
	db := redistest.Claim(t)
	ctx := context.Background()
	p := db.Client.Pipeline()
	for i := 0; i < 900; i++ {
		p.HSet(ctx, fmt.Sprintf("user:%d", i), "email", fmt.Sprintf("u%d@example.com", i))
		if i%3 == 0 {
			p.Set(ctx, fmt.Sprintf("otp:%d", i), "123456", time.Duration(2+i%5)*time.Hour) // hours: the note is the same seconds later
		}
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		own  *Options
	}{
		{"every key listed", nil},
		{"keys listed again with SCAN MATCH", &Options{KeysPerPattern: 50}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := openT(t, db.URI(), connectors.Options{}, tc.own)
			if c.CanSlice(connectors.Container{Handle: &pattern{Other: true}}) {
				t.Error("(other keys) can be sliced")
			}
			for _, pat := range []string{"user:*", "otp:*"} {
				ct := containers(t, c)[fmt.Sprintf("db%d/%s", db.N, pat)]
				if !c.CanSlice(ct) {
					t.Fatalf("%s cannot be sliced", ct.Name)
				}
				read := func(s connectors.Slice) ([]string, connectors.SampleResult) {
					docs, res, err := sampleWith(c, ct, connectors.SampleOptions{Seed: 1, Slice: s})
					if err != nil {
						t.Fatal(err)
					}
					keys := make([]string, len(docs))
					for i, d := range docs {
						keys[i] = fmt.Sprint(d[FieldKey])
					}
					return keys, res
				}
				whole, wres := read(connectors.Slice{})
				for _, n := range []int{2, 3} {
					var all []string
					var total int64
					for i := 0; i < n; i++ {
						keys, res := read(connectors.Slice{Index: i, Count: n})
						if len(keys) == len(whole) {
							t.Errorf("%s slice %d/%d read every key", pat, i, n)
						}
						all = append(all, keys...)
						total += res.TotalDocuments
						if !slices.Equal(res.Notes, wres.Notes) || res.Method != wres.Method {
							t.Errorf("%s slice %d/%d: notes %q method %q; whole: %q %q", pat, i, n, res.Notes, res.Method, wres.Notes, wres.Method)
						}
					}
					slices.Sort(all)
					w := slices.Sorted(slices.Values(whole))
					if !slices.Equal(all, w) {
						t.Errorf("%s: %d slices read %d keys, the whole %d (or other keys)", pat, n, len(all), len(w))
					}
					if wres.TotalDocuments >= 0 && total != wres.TotalDocuments {
						t.Errorf("%s: slice totals add up to %d, the whole %d", pat, total, wres.TotalDocuments)
					}
				}
				if pat == "otp:*" && !strings.Contains(strings.Join(wres.Notes, ";"), "keys expire") {
					t.Errorf("notes %q", wres.Notes)
				}
			}
		})
	}
}
