package classifiers_test

import (
	"testing"

	"github.com/piisniff/piisniff/classifiers"
)

func TestDocumentRegion(t *testing.T) {
	e := defaultEngine(t)
	for _, tc := range []struct {
		doc  map[string]any
		want string
	}{
		{map[string]any{"country": "DE", "phone": "030 1234567"}, "DE"},
		{map[string]any{"address": map[string]any{"land": "Deutschland"}}, "DE"},
		{map[string]any{"locale": "fr_FR"}, "FR"},
		{map[string]any{"billingCountry": "España"}, "ES"},
		{map[string]any{"country_code": "uk"}, "GB"},
		{map[string]any{"country": "Atlantis"}, ""},
		{map[string]any{"currency": "EUR"}, ""},
	} {
		if got := e.DocumentRegion(tc.doc); got != tc.want {
			t.Errorf("DocumentRegion(%v) = %q, want %q", tc.doc, got, tc.want)
		}
	}
}

func TestClassifyInRegion(t *testing.T) {
	e := defaultEngine(t)
	has := func(hits []classifiers.Hit) bool {
		for _, h := range hits {
			if h.Category == "phone" {
				return true
			}
		}
		return false
	}
	v := classifiers.Value{S: "030 1234567"}
	if !has(e.Field("f2", "").ClassifyIn(v, "DE", nil)) {
		t.Error("national German number with separators in a German document not found")
	}
	if has(e.Field("f2", "").ClassifyIn(v, "", nil)) {
		t.Error("national number under a meaningless name found without a region")
	}
	if has(e.Field("f2", "").ClassifyIn(classifiers.Value{S: "0301234567"}, "DE", nil)) {
		t.Error("unformatted digits under a meaningless name should stay unknown")
	}
	if !has(e.Field("telefon", "").ClassifyIn(classifiers.Value{S: "0301234567"}, "DE", nil)) {
		t.Error("national number under a phone field name not found")
	}
	if !has(e.Field("phone", "").ClassifyIn(classifiers.Value{S: "+1 415-555-2671"}, "DE", nil)) {
		t.Error("international number not found in a German document")
	}
}
