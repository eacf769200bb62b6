package classifiers

import (
	"strings"
	"testing"
)

// Every name countryKey accepts ends with one of countryLastWords, or
// mayBeCountryKey would turn it away.
func TestCountryLastWordsCoverNames(t *testing.T) {
	for _, w := range countryNameWords {
		last := w[strings.LastIndexByte(w, ' ')+1:]
		found := false
		for _, l := range countryLastWords {
			if strings.HasSuffix(last, l) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: its last word %q ends with none of countryLastWords", w, last)
		}
	}
}

func TestMayBeCountryKey(t *testing.T) {
	for _, tc := range []struct {
		key       string
		may, name bool // mayBeCountryKey, namesCountry
	}{
		{"country", true, true},
		{"Country", true, true},
		{"billingCountry", true, true},
		{"country_code", true, true},
		{"countryCODE", true, true},
		{"COUNTRY_ISO_CODE", true, true},
		{"country__", true, true},
		{"country-", true, true},
		{"Land", true, true},
		{"code_pays", true, true},
		{"codigoPais", true, true},
		{"countryOfResidence", true, true},
		{"locale", true, true},
		{"zipcode", true, false},      // ends with code, not a country
		{"postcode", true, false},     // idem
		{"island", true, false},       // ends with land, one word
		{"country2", false, false},    // the last word is "2"
		{"countries", false, false},   // not a name of the list
		{"email", false, false},       // no last word of a name
		{"phone", false, false},       // idem
		{"", false, false},            // idem
		{"__", false, false},          // idem
		{"país", true, true},          // not ASCII: left to the full check
		{"landé", true, false},        // idem
		{"country\u00a0", true, true}, // a trailing non-ASCII separator
		{"pays\u200b", true, true},    // idem
		{"homeland", true, false},     // ends with land
		{"nazione", true, true},
		{"iso", true, false}, // "iso" alone is not a name
		{"country iso", true, true},
	} {
		if got := mayBeCountryKey(tc.key); got != tc.may {
			t.Errorf("mayBeCountryKey(%q) = %v, want %v", tc.key, got, tc.may)
		}
		if got := namesCountry(tc.key); got != tc.name {
			t.Errorf("namesCountry(%q) = %v, want %v", tc.key, got, tc.name)
		}
		if got := countryKey(tc.key); got != tc.name {
			t.Errorf("countryKey(%q) = %v, want %v", tc.key, got, tc.name)
		}
	}
}

// FuzzCountryKey compares countryKey (filter and cache) with the full
// check of the key's normalised name.
func FuzzCountryKey(f *testing.F) {
	for _, s := range []string{"country", "billingCountry", "zipCode", "country2", "país", "Land_", "x.LOCALE", "shippingCountryCode", "HTTPCountry"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, k string) {
		if len(k) > 32 {
			return
		}
		if !mayBeCountryKey(k) && namesCountry(k) {
			t.Fatalf("mayBeCountryKey(%q) is false but the name is a country's", k)
		}
		if got, want := countryKey(k), namesCountry(k); got != want {
			t.Fatalf("countryKey(%q) = %v, namesCountry %v", k, got, want)
		}
	})
}
