package classifiers_test

import (
	"testing"

	"github.com/piisniff/piisniff/classifiers"
)

// Matches found inside free text count whatever their share once there are
// two of them, and carry context evidence; one alone is discounted; value
// matches of whole values keep the share discount.
func TestFieldConfidenceFreeText(t *testing.T) {
	text := classifiers.EvValue | classifiers.EvValidator
	tests := []struct {
		name    string
		st      classifiers.FieldStats
		min     float64
		max     float64
		context bool
	}{
		{"2% of log messages hold an e-mail", classifiers.FieldStats{MeanConfidence: 0.9, MatchedValues: 4, TextValues: 4, Values: 200, Evidence: text}, 0.89, 0.91, true},
		{"one message alone", classifiers.FieldStats{MeanConfidence: 0.9, MatchedValues: 1, TextValues: 1, Values: 200, Evidence: text}, 0.44, 0.46, true},
		{"whole values at 2% stay discounted", classifiers.FieldStats{MeanConfidence: 0.9, MatchedValues: 4, Values: 200, Evidence: text}, 0, 0.5, false},
		{"mixed text and whole values: the share counts", classifiers.FieldStats{MeanConfidence: 0.9, MatchedValues: 4, TextValues: 2, Values: 200, Evidence: text}, 0, 0.5, false},
	}
	for _, tc := range tests {
		c := classifiers.FieldConfidence(tc.st)
		if c < tc.min || c > tc.max {
			t.Errorf("%s: confidence %.3f, want in [%.2f, %.2f]", tc.name, c, tc.min, tc.max)
		}
		if got := classifiers.FieldEvidence(tc.st)&classifiers.EvContext != 0; got != tc.context {
			t.Errorf("%s: context evidence %v, want %v", tc.name, got, tc.context)
		}
	}
}

// Report paths of key/value pairs and decoded data read as the names they
// carry.
func TestFieldNamesOfShapes(t *testing.T) {
	e := defaultEngine(t)
	tests := map[string]string{
		"attributes[name=billing_phone].value": "billing phone value",
		"[meta_key=first_name].meta_value":     "first name meta value",
		"payload<json>.email":                  "email",
		"api_key<jwt>.name":                    "name",
		"a.b<base64><json>.c":                  "c",
		"contacts[].phone":                     "contacts phone",
	}
	for path, want := range tests {
		if got := e.Field(path, "").Name(); got != want {
			t.Errorf("%s: name %q, want %q", path, got, want)
		}
	}
}
