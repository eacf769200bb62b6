package classifiers_test

import (
	"strings"
	"testing"

	"github.com/piisniff/piisniff/classifiers"
)

func TestMask(t *testing.T) {
	for _, tc := range []struct{ cat, in, want string }{
		{"email", "jane.doe@example.com", "j***@example.com"},
		{"phone", "+1 415-555-4567", "+1 ***-***-4567"},
		{"phone", "030 12345678", "*** ****5678"},
		{"credit_card", "4242 4242 4242 4242", "**** **** **** 4242"},
		{"credit_card", "4242424242424242", "************4242"},
		{"iban", "DE89 3704 0044 0532 0130 00", "DE** **** **** **** **30 00"},
		{"date_of_birth", "1985-03-12", "1985-**-**"},
		{"date_of_birth", "12.03.1985", "**.**.1985"},
		{"geo_coordinates", "48.858370, 2.294481", "48.8*****, 2.2*****"},
		{"ip_address", "192.168.1.10", "192.***.*.**"},
		{"password", "hunter2", "********"},
		{"password_hash", "$2b$12$abc", "********"},
		{"api_secret", "AKIAIOSFODNN7EXAMPLE", "********"},
		{"person_name", "Maria Schmidt", "***** ****idt"},
		{"postal_code", "94105", "****5"},
		{"card_cvv", "123", "***"},
	} {
		if got := classifiers.Mask(tc.cat, tc.in); got != tc.want {
			t.Errorf("Mask(%s, %q) = %q, want %q", tc.cat, tc.in, got, tc.want)
		}
	}
}

// TestMaskHidesMost checks that masking keeps at most a few characters of
// any value readable.
func TestMaskHidesMost(t *testing.T) {
	values := []string{"x", "ab", "secret-value-123", "Jean-Pierre Dupont", "ÄÖÜ äöü ß", strings.Repeat("9", 300)}
	for _, tc := range classifiers.Taxonomy {
		for _, v := range values {
			m := classifiers.Mask(tc.Category, v)
			if tc.Category != "email" && tc.Category != "geo_coordinates" && tc.Category != "date_of_birth" && tc.Category != "ip_address" {
				limit := 4
				if tc.Category == "iban" {
					limit = 6 // the country code and the last 4
				}
				if kept := readable(v, m); kept > limit {
					t.Errorf("Mask(%s, %q) = %q keeps %d characters", tc.Category, v, m, kept)
				}
			}
			if classifiers.IsCredential(tc.Category) && m != "********" {
				t.Errorf("credential %s not fully masked: %q", tc.Category, m)
			}
		}
	}
}

func readable(orig, masked string) int {
	n := 0
	for _, r := range masked {
		if r != '*' && r != ' ' && r != '-' && r != '.' && strings.ContainsRune(orig, r) {
			n++
		}
	}
	return n
}
