package mongodb

import (
	"bytes"
	"context"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/piisniff/piisniff/connectors"
)

// TestSampleIDRanges draws samples from random _id ranges, the fallback for
// MongoDB servers without $sample, on FerretDB (where the connector would
// scan instead, its range queries not using an index).
func TestSampleIDRanges(t *testing.T) {
	tests := []struct {
		coll   string
		total  int64
		size   int
		method string
		// minPerQuarter is the fewest sampled documents each quarter of
		// the collection (by n) must hold; -1 skips the check.
		minPerQuarter int
	}{
		{"fixtures.ints", rangeDocs, 200, MethodIDRanges, 20},           // int64 _id
		{"fixtures.oids", rangeDocs, 200, MethodIDRanges, 20},           // ObjectId _id
		{"fixtures.clusters", 2 * clusterDocs, 150, MethodIDRanges, -1}, // two runs far apart
		{"fixtures.strids", 300, 100, MethodScan, 20},                   // strings: not interpolated
	}
	for _, tt := range tests {
		t.Run(tt.coll, func(t *testing.T) {
			rec := &recorder{}
			c := openTest(t, connectors.Options{}, rec)
			c.fallback = MethodIDRanges
			// 25 ranges of 8 documents: FerretDB reads the whole
			// collection for each range.
			c.ranges = 25
			ct := containerByName(t, c, tt.coll)
			docs, res := sampleAll(t, c, ct, tt.size, 42)
			if res.Method != tt.method {
				t.Fatalf("method %q, want %q (notes %v)", res.Method, tt.method, res.Notes)
			}
			if len(docs) != tt.size {
				t.Fatalf("%d documents, want %d (notes %v)", len(docs), tt.size, res.Notes)
			}
			ns := sampledNs(t, docs)
			if tt.minPerQuarter >= 0 {
				for q, cnt := range quarters(ns, tt.total) {
					if cnt < tt.minPerQuarter {
						t.Errorf("quarter %d holds %d documents, want at least %d: %v", q, cnt, tt.minPerQuarter, quarters(ns, tt.total))
					}
				}
			}
			again, _ := sampleAll(t, c, ct, tt.size, 42)
			if !reflect.DeepEqual(ns, sampledNs(t, again)) {
				t.Error("seed 42 drew different samples")
			}
			other, _ := sampleAll(t, c, ct, tt.size, 43)
			if tt.method == MethodIDRanges && tt.minPerQuarter >= 0 && reflect.DeepEqual(ns, sampledNs(t, other)) {
				t.Error("seeds 42 and 43 drew the same sample")
			}
			if tt.method != MethodIDRanges {
				return
			}
			if len(res.Notes) == 0 || !strings.Contains(res.Notes[0], "random ranges of _id") {
				t.Errorf("notes do not say how: %v", res.Notes)
			}
			ranges := 0
			for _, cmd := range rec.all() {
				if cmd.Name != "find" {
					continue
				}
				if cmd.Cmd.Lookup("maxTimeMS").Type == 0 {
					t.Errorf("find without maxTimeMS: %v", cmd.Cmd)
				}
				if cmd.Cmd.Lookup("filter", "_id", "$gte").Type != 0 {
					ranges++
					if cmd.Cmd.Lookup("sort", "_id").Type == 0 || cmd.Cmd.Lookup("limit").Type == 0 {
						t.Errorf("range without sort or limit: %v", cmd.Cmd)
					}
				}
			}
			if ranges == 0 || ranges > 3*(c.ranges*maxRangeRounds+1) {
				t.Errorf("%d range queries for three samples", ranges)
			}
		})
	}
}

// TestSampleIDRangesClusters: ranges that keep landing after the gap still
// fill the sample, and the run before the gap is reached.
func TestSampleIDRangesClusters(t *testing.T) {
	c := openTest(t, connectors.Options{}, nil)
	c.fallback = MethodIDRanges
	docs, res := sampleAll(t, c, containerByName(t, c, "fixtures.clusters"), 150, 7)
	ns := sampledNs(t, docs)
	low := 0
	for _, n := range ns {
		if n < clusterDocs {
			low++
		}
	}
	if len(ns) != 150 || low == 0 || low == 150 {
		t.Errorf("%d documents, %d from the first run (notes %v)", len(ns), low, res.Notes)
	}
}

// TestSampleIDRangesStaleCount: a count that says more documents than the
// collection holds gives every document, once, and a note.
func TestSampleIDRangesStaleCount(t *testing.T) {
	c := openTest(t, connectors.Options{}, nil)
	c.fallback = MethodIDRanges
	ct := containerByName(t, c, "fixtures.clusters")
	ct.EstimatedDocuments = 10_000
	docs, res := sampleAll(t, c, ct, 500, 3)
	if ns := sampledNs(t, docs); len(ns) != 2*clusterDocs {
		t.Errorf("%d documents, want all %d", len(ns), 2*clusterDocs)
	}
	if !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, "only 200 distinct") }) {
		t.Errorf("notes %v", res.Notes)
	}
}

// TestSampleNoRangesOnFerretDB: by default the connector knows FerretDB
// filters _id ranges in memory and scans once instead.
func TestSampleNoRangesOnFerretDB(t *testing.T) {
	c := openTest(t, connectors.Options{}, nil)
	_, res := sampleAll(t, c, containerByName(t, c, "fixtures.oids"), 50, 1)
	if res.Method != MethodScan {
		t.Errorf("method %q, want %q", res.Method, MethodScan)
	}
}

// sampledNs returns the sorted n fields of docs, failing on a duplicate.
func sampledNs(t *testing.T, docs []map[string]any) []int64 {
	t.Helper()
	var ns []int64
	for _, d := range docs {
		ns = append(ns, d["n"].(int64))
	}
	slices.Sort(ns)
	for i := 1; i < len(ns); i++ {
		if ns[i] == ns[i-1] {
			t.Fatalf("document %d sampled twice", ns[i])
		}
	}
	return ns
}

func quarters(ns []int64, total int64) [4]int {
	var out [4]int
	for _, n := range ns {
		out[min(3, n*4/total)]++
	}
	return out
}

func rawOf(t testing.TB, v any) bson.RawValue {
	t.Helper()
	typ, data, err := bson.MarshalValue(v)
	if err != nil {
		t.Fatal(err)
	}
	return bson.RawValue{Type: typ, Value: data}
}

func TestIDSpace(t *testing.T) {
	oid := func(b byte) bson.ObjectID {
		var o bson.ObjectID
		o[0], o[11] = b, b
		return o
	}
	tests := []struct {
		name   string
		lo, hi any
		ok     bool
		at0    any // the value at 0, when ok
		atHalf any
	}{
		{"object ids", oid(1), oid(3), true, oid(1), func() bson.ObjectID {
			o := oid(2)
			o[11] = 2 // (0x01..01 + 0x03..03) / 2
			return o
		}()},
		{"int64", int64(10), int64(20), true, int64(10), int64(15)},
		{"int32 and int64", int32(-10), int64(10), true, int64(-10), int64(0)},
		{"doubles", 0.5, 1.5, true, 0.5, 1.0},
		{"int and double", int32(0), 4.0, true, 0.0, 2.0},
		{"largest int64", int64(0), int64(math.MaxInt64), true, int64(0), int64(1 << 62)},
		{"near the largest int64", int64(1 << 62), int64(math.MaxInt64), true, int64(1 << 62), int64(3 << 61)},
		{"one value", int64(5), int64(5), false, nil, nil},
		{"reversed", int64(6), int64(5), false, nil, nil},
		{"strings", "a", "b", false, nil, nil},
		{"object id and number", oid(1), int64(5), false, nil, nil},
		{"number and object id", int64(5), oid(1), false, nil, nil},
		{"NaN", math.NaN(), 1.0, false, nil, nil},
		{"infinite span", -math.MaxFloat64, math.MaxFloat64, false, nil, nil},
		{"booleans", false, true, false, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := newIDSpace(rawOf(t, tt.lo), rawOf(t, tt.hi))
			if ok != tt.ok {
				t.Fatalf("ok %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if got := s.at(0); !reflect.DeepEqual(got, tt.at0) {
				t.Errorf("at(0) = %v, want %v", got, tt.at0)
			}
			if got := s.at(0.5); !reflect.DeepEqual(got, tt.atHalf) {
				t.Errorf("at(0.5) = %v, want %v", got, tt.atHalf)
			}
			// The last point below 1 stays within the range.
			if got, ok := s.at(math.Nextafter(1, 0)).(int64); ok && got < tt.at0.(int64) {
				t.Errorf("at(1-ε) = %d, below the range", got)
			}
		})
	}
}

// FuzzIDSpace: for any two _id values the space accepts, every point lies
// between them in the order MongoDB sorts them.
func FuzzIDSpace(f *testing.F) {
	f.Add(byte(bson.TypeObjectID), []byte("aaaaaaaaaaaa"), byte(bson.TypeObjectID), []byte("zzzzzzzzzzzz"), 0.3)
	f.Add(byte(bson.TypeInt64), []byte{1, 0, 0, 0, 0, 0, 0, 0}, byte(bson.TypeDouble), []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x7f}, 0.9)
	f.Add(byte(bson.TypeInt32), []byte{0, 0, 0, 0x80}, byte(bson.TypeInt32), []byte{0xff, 0xff, 0xff, 0x7f}, 0.999999)
	f.Add(byte(bson.TypeInt64), []byte{0, 0, 0, 0, 0, 0, 0, 0x40}, byte(bson.TypeInt64), []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, 0.9999999999999999)
	f.Fuzz(func(t *testing.T, loType byte, lo []byte, hiType byte, hi []byte, frac float64) {
		l := bson.RawValue{Type: bson.Type(loType), Value: lo}
		h := bson.RawValue{Type: bson.Type(hiType), Value: hi}
		if l.Validate() != nil || h.Validate() != nil {
			return
		}
		s, ok := newIDSpace(l, h)
		if !ok {
			return
		}
		if math.IsNaN(frac) || frac < 0 || frac >= 1 {
			return
		}
		switch v := s.at(frac).(type) {
		case bson.ObjectID:
			lo, hi := l.ObjectID(), h.ObjectID()
			if bytes.Compare(v[:], lo[:]) < 0 || bytes.Compare(v[:], hi[:]) > 0 {
				t.Fatalf("%x outside [%x, %x]", v, lo, hi)
			}
		case int64:
			a, _, _ := number(l)
			b, _, _ := number(h)
			if float64(v) < math.Floor(a) || float64(v) > b {
				t.Fatalf("%d outside [%v, %v]", v, a, b)
			}
		case float64:
			a, _, _ := number(l)
			b, _, _ := number(h)
			if v < a || v > b {
				t.Fatalf("%v outside [%v, %v]", v, a, b)
			}
		default:
			t.Fatalf("point of type %T", v)
		}
	})
}

func TestHasIDIndex(t *testing.T) {
	c := openTest(t, connectors.Options{}, nil)
	db := c.client.Database(fixturesDB)
	for coll, want := range map[string]bool{"oids": true, "ints": true, "no-such-collection": false} {
		if got := c.hasIDIndex(context.Background(), db, coll); got != want {
			t.Errorf("%s: %v, want %v", coll, got, want)
		}
	}
}
