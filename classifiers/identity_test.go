package classifiers

import "testing"

// TestNormaliseIdentifier: two writings of one identifier give one value,
// two identifiers two.
func TestNormaliseIdentifier(t *testing.T) {
	for _, tc := range []struct {
		category, value, region, want string
	}{
		{"email", " Jane.Doe@Example.COM ", "", "jane.doe@example.com"},
		{"email", "mailto:jane@example.org", "", "jane@example.org"},
		{"phone", "+44 20 7946 0018", "", "+442079460018"},
		{"phone", "0044 20 7946 0018", "", "+442079460018"},
		{"phone", "020 7946 0018", "GB", "+442079460018"},
		{"phone", "tel:+1-202-555-0173", "", "+12025550173"},
		{"phone", "(202) 555-0173", "", "+12025550173"}, // the first common region where it is valid
		{"credit_card", "4111 1111 1111 1111", "", "4111111111111111"},
		{"national_id", "123-45-6789", "", "123456789"},
		{"passport_number", "x1234567 ", "", "X1234567"},
		{"national_id", "rssmra85t10a562s", "", "RSSMRA85T10A562S"},
	} {
		if got := NormaliseIdentifier(tc.category, tc.value, tc.region); got != tc.want {
			t.Errorf("NormaliseIdentifier(%s, %q, %q) = %q, want %q", tc.category, tc.value, tc.region, got, tc.want)
		}
	}
}

// TestEvidenceOf: the names Strings writes read back to the same evidence.
func TestEvidenceOf(t *testing.T) {
	for e := Evidence(0); e < 1<<len(evidenceNames); e++ {
		if got := EvidenceOf(e.Strings()); got != e {
			t.Errorf("EvidenceOf(%v) = %v, want %v", e.Strings(), got, e)
		}
	}
}
