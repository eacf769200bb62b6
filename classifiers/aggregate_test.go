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

// A digest under a bare algorithm name is a password hash in a user's
// record, not in a file's; without the password-hash-hex rule it is
// nothing.
func TestRecordDigests(t *testing.T) {
	e := defaultEngine(t)
	const md5 = "5f4dcc3b5aa765d61d8327deb882cf99"
	tests := []struct {
		name string
		doc  map[string]any
		want []string
	}{
		{"users table", map[string]any{"email": "jane@example.com", "md5": md5}, []string{"md5"}},
		{"login and sha1", map[string]any{"login": "jdoe", "SHA1": md5 + "01234567"}, []string{"SHA1"}},
		{"build artifact", map[string]any{"download_url": "https://x.example/a.tgz", "user_id": 3, "md5": md5}, nil},
		{"no user", map[string]any{"name": "a.tgz", "md5": md5}, nil},
		{"wrong length", map[string]any{"email": "jane@example.com", "sha1": md5}, nil},
		{"not hex", map[string]any{"email": "jane@example.com", "md5": "zz4dcc3b5aa765d61d8327deb882cf99"}, nil},
	}
	for _, tc := range tests {
		var got []string
		for _, ph := range e.Record(tc.doc, nil) {
			if ph.Hit.Category != "password_hash" {
				t.Errorf("%s: category %s", tc.name, ph.Hit.Category)
			}
			got = append(got, ph.Path)
		}
		if len(got) != len(tc.want) || len(got) > 0 && got[0] != tc.want[0] {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	r, err := e.Restrict(nil, []string{"password_hash"})
	if err != nil {
		t.Fatal(err)
	}
	if hits := r.Record(map[string]any{"email": "jane@example.com", "md5": md5}, nil); len(hits) != 0 {
		t.Errorf("without password_hash rules: %v", hits)
	}
}
