package classifiers

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

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

// slowPhoneE164 is phoneE164 parsing for every candidate region: the
// oracle of the regions phoneE164 skips without parsing.
func slowPhoneE164(s, region string) string {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "tel:"), "TEL:")
	if strings.HasPrefix(t, "00") {
		t = "+" + t[2:]
	}
	try := func(r string) string {
		n, err := phonenumbers.Parse(t, r)
		if err != nil || !phonenumbers.IsValidNumber(n) {
			return ""
		}
		return phonenumbers.Format(n, phonenumbers.E164)
	}
	if strings.HasPrefix(t, "+") {
		if e := try("ZZ"); e != "" {
			return e
		}
		return "+" + identDigits(t)
	}
	if region != "" && phonenumbers.GetCountryCodeForRegion(region) != 0 {
		if e := try(strings.ToUpper(region)); e != "" {
			return e
		}
	}
	for _, r := range phoneRegions {
		if e := try(r); e != "" {
			return e
		}
	}
	return identDigits(t)
}

// TestPhoneE164SkipsOnlyInvalidRegions: the normalised phone number is
// the one full parses in every candidate region give, on the library's
// example numbers of every type of the common regions in national
// notation with digits changed at random, and on random digit groups.
func TestPhoneE164SkipsOnlyInvalidRegions(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	regions := append(slices.Clone(phoneRegions), "JP", "IN", "AR", "PL", "GG", "JE", "IM", "VA", "")
	var cases []string
	for _, region := range regions[:len(regions)-1] {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE,
			phonenumbers.PREMIUM_RATE, phonenumbers.VOIP, phonenumbers.SHARED_COST, phonenumbers.PERSONAL_NUMBER, phonenumbers.UAN} {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			for i := 0; i < scaled(40); i++ {
				format := []phonenumbers.PhoneNumberFormat{phonenumbers.NATIONAL, phonenumbers.INTERNATIONAL, phonenumbers.E164}[i%3]
				b := []byte(phonenumbers.Format(ex, format))
				for k := 0; k < r.IntN(3); k++ {
					if j := r.IntN(len(b)); b[j] >= '0' && b[j] <= '9' {
						b[j] = byte('0' + r.IntN(10))
					}
				}
				cases = append(cases, string(b))
			}
		}
	}
	seps := []string{"", " ", "-", ".", "/"}
	for i := 0; i < scaled(5000); i++ {
		var b strings.Builder
		switch r.IntN(6) {
		case 0:
			b.WriteString("0")
		case 1, 2:
			b.WriteString("+")
		case 3:
			b.WriteString("00")
		}
		if r.IntN(6) == 0 {
			b.WriteString("(" + strconv.Itoa(r.IntN(1000)) + ") ")
		}
		for g := 0; g < 1+r.IntN(4); g++ {
			if g > 0 {
				b.WriteString(seps[r.IntN(len(seps))])
			}
			b.WriteString(strconv.Itoa(r.IntN(100000)))
		}
		cases = append(cases, b.String())
	}
	placed := 0
	for _, s := range cases {
		region := regions[r.IntN(len(regions))]
		got, want := phoneE164(s, region), slowPhoneE164(s, region)
		if got != want {
			t.Fatalf("phoneE164(%q, %q) = %q, full parses give %q", s, region, got, want)
		}
		if strings.HasPrefix(got, "+") {
			placed++
		}
	}
	if placed < len(cases)/10 {
		t.Fatalf("only %d of %d numbers placed in a country: the comparison proves little", placed, len(cases))
	}
}

func FuzzPhoneE164(f *testing.F) {
	for _, s := range []string{"030 901820", "06-12345678", "(202) 555-0173", "07700 900123", "01624 612345", "0044 20 7946 0018",
		"+49 (0)30 901820", "+1 242 357 1234", "+44 1624 612345"} {
		f.Add(s, "")
		f.Add(s, "GB")
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		if len(region) > 3 || len(s) > 40 {
			return
		}
		if got, want := phoneE164(s, region), slowPhoneE164(s, region); got != want {
			t.Fatalf("phoneE164(%q, %q) = %q, full parses give %q", s, region, got, want)
		}
	})
}
