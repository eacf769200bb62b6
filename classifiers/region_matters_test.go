package classifiers

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestRegionMattersExact: where RegionMatters says no, the findings of
// every region equal those without one; where the region changes the
// findings, it says yes.
func TestRegionMattersExact(t *testing.T) {
	e := builtinEngine(t)
	fields := []*Field{e.Field("phone", ""), e.Field("telefon", ""), e.Field("notes", ""), e.Field("status", ""), e.Field("kunde_seit", "")}
	values := []string{"030 901820", "06-12345678", "+49 30 901820", "active", "17.01.1940", "call 030 901820 today", "Berlin",
		"(415) 555-2671", "0151 23456789", "12345", "DE", "rue de la Paix 12"}
	r := rand.New(rand.NewPCG(7, 8))
	changed := 0
	for i := 0; i < scaled(3000); i++ {
		f := fields[r.IntN(len(fields))]
		v := Value{Kind: KindString, S: values[r.IntN(len(values))]}
		if r.IntN(3) == 0 {
			v.S += " " + values[r.IntN(len(values))]
		}
		region := phoneRegions[r.IntN(len(phoneRegions))]
		with, without := f.ClassifyIn(v, region, nil), f.Classify(v, nil)
		if !reflect.DeepEqual(with, without) {
			changed++
			if !f.RegionMatters(v) {
				t.Fatalf("%s %q: region %s changes the findings (%v, %v) but RegionMatters is false", f.Path(), v.S, region, with, without)
			}
		}
	}
	if changed == 0 {
		t.Fatal("no value whose findings depend on the region: the test proves nothing")
	}
	if e.Field("status", "").RegionMatters(Value{Kind: KindString, S: "active"}) {
		t.Error("a word without digits depends on the region")
	}
}
