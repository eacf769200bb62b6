package mongodb

import (
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/piisniff/piisniff/connectors"
)

// TestSliceBounds: the _id bounds of the slices meet end to end, the first
// open below and the last open above, so every _id is in exactly one.
func TestSliceBounds(t *testing.T) {
	tests := []struct {
		name  string
		space idSpace
		count int
		want  []string
	}{
		{"ints", numberSpace{lo: 0, hi: 100, ints: true}, 4, []string{
			`{"$lt": {"$numberLong":"25"}}`,
			`{"$gte": {"$numberLong":"25"},"$lt": {"$numberLong":"50"}}`,
			`{"$gte": {"$numberLong":"50"},"$lt": {"$numberLong":"75"}}`,
			`{"$gte": {"$numberLong":"75"}}`,
		}},
		{"doubles", numberSpace{lo: -1, hi: 1}, 2, []string{
			`{"$lt": {"$numberDouble":"0.0"}}`,
			`{"$gte": {"$numberDouble":"0.0"}}`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.count {
				cond := sliceBounds(tt.space, connectors.Slice{Index: i, Count: tt.count})
				b, err := bson.MarshalExtJSON(cond, true, false)
				if err != nil {
					t.Fatal(err)
				}
				got := string(b)
				var want bson.D
				if err := bson.UnmarshalExtJSON([]byte(tt.want[i]), true, &want); err != nil {
					t.Fatal(err)
				}
				wb, _ := bson.MarshalExtJSON(want, true, false)
				if got != string(wb) {
					t.Errorf("slice %d of %d: %s, want %s", i, tt.count, got, wb)
				}
			}
		})
	}
	if cond := sliceBounds(numberSpace{lo: 0, hi: 9, ints: true}, connectors.Slice{Index: 0, Count: 1}); len(cond) != 0 {
		t.Errorf("one slice has bounds %v", cond)
	}
	// ObjectIds: each slice's upper bound is the next one's lower bound
	lo, _ := bson.ObjectIDFromHex("650000000000000000000000")
	hi, _ := bson.ObjectIDFromHex("670000000000000000000000")
	space, ok := newIDSpace(bson.RawValue{Type: bson.TypeObjectID, Value: lo[:]}, bson.RawValue{Type: bson.TypeObjectID, Value: hi[:]})
	if !ok {
		t.Fatal("ObjectIds not interpolated")
	}
	const n = 5
	var prev any
	for i := range n {
		cond := sliceBounds(space, connectors.Slice{Index: i, Count: n})
		m := map[string]any{}
		for _, e := range cond {
			m[e.Key] = e.Value
		}
		if i == 0 && m["$gte"] != nil || i == n-1 && m["$lt"] != nil {
			t.Errorf("slice %d: the outer slices are open: %v", i, cond)
		}
		if i > 0 && fmt.Sprint(m["$gte"]) != fmt.Sprint(prev) {
			t.Errorf("slice %d starts at %v, the previous ends at %v", i, m["$gte"], prev)
		}
		prev = m["$lt"]
	}
}
