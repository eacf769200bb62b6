package classifiers_test

import (
	"encoding/json"
	"testing"

	"github.com/piisniff/piisniff/classifiers"
)

func TestStructure(t *testing.T) {
	e := defaultEngine(t)
	for _, tc := range []struct {
		path, doc string
		want      []string // paths reported as geo_coordinates
	}{
		{"location", `{"type":"Point","coordinates":[2.2945,48.8584]}`, []string{"location.coordinates"}},
		{"checkins[]", `{"lat":48.8584,"lng":2.2945,"at":"2024-01-01"}`, []string{"checkins[].lat", "checkins[].lng"}},
		{"", `{"latitude":"40.7128","longitude":"-74.0060"}`, []string{"latitude", "longitude"}},
		{"geo", `{"breitengrad":52.52,"laengengrad":13.405}`, []string{"geo.breitengrad", "geo.laengengrad"}},
		{"coords", `[13.405, 52.52]`, []string{"coords"}},
		{"f1", `[13.40495, 52.52001]`, nil},
		// negatives
		{"size", `[3, 5]`, nil},
		{"prices", `[12.5, 3.99]`, nil},
		{"dims", `{"width":12.5,"height":3.99}`, nil},
		{"location", `{"type":"Point","coordinates":[200.0,48.0]}`, nil},
		{"pos", `{"lat":0,"lng":0}`, nil},
	} {
		var node any
		d := json.NewDecoder(stringReader(tc.doc))
		d.UseNumber()
		if err := d.Decode(&node); err != nil {
			t.Fatal(err)
		}
		got := e.Structure(tc.path, node, nil)
		var paths []string
		for _, ph := range got {
			if ph.Hit.Category != "geo_coordinates" || ph.Hit.Evidence&classifiers.EvStructure == 0 {
				t.Errorf("%s: unexpected hit %+v", tc.doc, ph)
			}
			paths = append(paths, ph.Path)
		}
		if !equalSets(paths, tc.want) {
			t.Errorf("%s at %q: paths %v, want %v", tc.doc, tc.path, paths, tc.want)
		}
	}
}

func TestTypeHits(t *testing.T) {
	e := defaultEngine(t)
	for _, tc := range []struct{ typ, want string }{
		{"geo_point", "geo_coordinates"}, {"geo_shape", "geo_coordinates"}, {"ip", "ip_address"}, {"keyword", ""},
	} {
		hits := e.Field("x", tc.typ).TypeHits()
		got := ""
		if len(hits) > 0 {
			got = hits[0].Category
			if hits[0].Evidence != classifiers.EvStoreType {
				t.Errorf("%s: evidence %v", tc.typ, hits[0].Evidence)
			}
		}
		if got != tc.want {
			t.Errorf("TypeHits(%s) = %q, want %q", tc.typ, got, tc.want)
		}
	}
}

func equalSets(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}
