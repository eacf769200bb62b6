package classifiers

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// validPhone gives the same answer whichever region it tries first.
func TestValidPhoneRegionHint(t *testing.T) {
	defer phoneRegionHint.Store(phoneRegionHint.Load())
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"(11) 91234-5678", true},  // Brazil, mobile
		{"(11) 3456-7890", true},   // Brazil, fixed line
		{"030 901820", true},       // Germany
		{"(202) 555-0173", true},   // valid in a region of the list
		{"(201) 555-0123", true},   // United States
		{"07700 900123", true},     // United Kingdom
		{"06-12345678", true},      // Netherlands
		{"612 345 678", true},      // Spain
		{"17.01.1940", false},      // a date
		{"123-45-6789", false},     // an SSN's shape
		{"(00) 0000-0000", false},  // no region
		{"1234567", true},          // seven digits: a local number somewhere
		{"000 000 0000", false},    // valid nowhere
		{"(99) 9999-99", false},    // idem
		{"55 11 91234 5678", true}, // Brazil with its calling code, written nationally
	} {
		for h := range phoneRegions {
			phoneRegionHint.Store(uint32(h))
			if got := validPhone(tc.s, true); got != tc.want {
				t.Errorf("validPhone(%q) with %s first = %v, want %v", tc.s, phoneRegions[h], got, tc.want)
			}
			if want := slowPhone(tc.s, true, ""); want != tc.want {
				t.Errorf("%q: the full parses say %v, the table %v", tc.s, want, tc.want)
			}
		}
	}
}

// A region's first-byte set of its leading digits never turns away a
// number the leading digits pattern matches.
func TestLeadingFirstSet(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	checked, skipped := 0, 0
	for region := range phonenumbers.GetSupportedRegions() {
		m := metaFor(region)
		if m == nil || m.leading == nil {
			continue
		}
		for i := 0; i < 2000; i++ {
			n := []byte(strconv.Itoa(r.IntN(1e9) + 1e9))[:2+r.IntN(9)]
			n[0] = byte('0' + i%10)
			match := m.leading.Match(n)
			if !m.leadFirst.accepts(n[0]) {
				skipped++
				if match {
					t.Fatalf("%s: leading digits %q match %s, but its first byte is turned away", region, m.leading, n)
				}
			} else if match {
				checked++
			}
		}
	}
	if checked == 0 || skipped == 0 {
		t.Fatalf("matched %d, turned away %d: the test proves nothing", checked, skipped)
	}
}
