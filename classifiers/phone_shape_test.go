package classifiers

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestNotPhoneShape(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"17.01.1940", true},
		{"1.1.2001", true},
		{"01/17/1940", true},
		{"1940-01-17", true},
		{"2024.12.31", true},
		{"192.168.10.20", true},
		{"4.2.17.3", true},
		{"123-45-6789", true},
		{"52.520008", true},
		{"0.123456", true},
		{"030 901820", false},
		{"030.1234567", false},
		{"01.23.45.67.89", false},
		{"+49 30 901820", false},
		{"415-555-2671", false},
		{"32.13.1940", false}, // no such day and month
		{"17.01.3940", false}, // no such year
		{"0151 23456789", false},
	} {
		if got := notPhoneShape(c.s); got != c.want {
			t.Errorf("notPhoneShape(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}

// TestPhoneRejectsOtherShapes: values of a document of a region that
// libphonenumber would read as national numbers are not phone numbers
// when they have the shape of a date, an IPv4 address or an SSN.
func TestPhoneRejectsOtherShapes(t *testing.T) {
	for _, s := range []string{"17.01.1940", "192.168.10.20", "123-45-6789", "13.404954"} {
		if validPhoneIn(s, false, "DE") || validPhoneIn(s, true, "DE") || validPhone(s, true) {
			t.Errorf("%q accepted as a phone number", s)
		}
	}
	for _, c := range []struct{ s, region string }{{"030 901820", "DE"}, {"01 23 45 67 89", "FR"}, {"+49 30 901820", ""}} {
		if !validPhoneIn(c.s, true, c.region) {
			t.Errorf("%q (%s) rejected", c.s, c.region)
		}
	}
}

func FuzzNotPhoneShape(f *testing.F) {
	for _, s := range []string{"17.01.1940", "192.168.0.1", "123-45-6789", "030 901820", "52.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !notPhoneShape(s) {
			return
		}
		// a rejected value has no '+' and three or fewer separators,
		// all of '.', '/' or '-'
		seps := 0
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c >= '0' && c <= '9':
			case c == '.' || c == '/' || c == '-':
				seps++
			default:
				t.Fatalf("%q rejected with byte %q", s, c)
			}
		}
		if seps == 0 || seps > 3 {
			t.Fatalf("%q rejected with %d separators", s, seps)
		}
	})
}

// slowPhone is validPhone and validPhoneIn as they were before the
// precompiled region patterns: one full libphonenumber parse per region.
// It is the oracle of the fast path.
func slowPhone(s string, named bool, region string) bool {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "tel:"), "TEL:")
	if notPhoneShape(t) {
		return false
	}
	if region != "" && !strings.HasPrefix(t, "+") && !strings.HasPrefix(t, "00") && phonenumbers.GetCountryCodeForRegion(region) != 0 {
		if !named && !strings.ContainsAny(t, " -()./") {
			return false
		}
		digits := 0
		for i := 0; i < len(t); i++ {
			if t[i] >= '0' && t[i] <= '9' {
				digits++
			}
		}
		if digits < 6 || digits > 15 {
			return false
		}
		if parseValid(t, region) {
			return true
		}
		if !named {
			return false
		}
	}
	digits := 0
	for i := 0; i < len(t); i++ {
		if t[i] >= '0' && t[i] <= '9' {
			digits++
		}
	}
	if digits < 7 || digits > 15 {
		return false
	}
	if strings.HasPrefix(t, "+") || strings.HasPrefix(t, "00") {
		if strings.HasPrefix(t, "00") && !named && isDigits(t) {
			return false
		}
		return validIntlPhone(t)
	}
	if !named {
		return false
	}
	for _, r := range phoneRegions {
		if parseValid(t, r) {
			return true
		}
	}
	return false
}

// parseValid is the library's own answer: a full parse for the region.
func parseValid(s, region string) bool {
	n, err := phonenumbers.Parse(s, region)
	return err == nil && phonenumbers.IsValidNumberForRegion(n, region)
}

func fastPhone(s string, named bool, region string) bool {
	if region != "" {
		return validPhoneIn(s, named, region)
	}
	return validPhone(s, named)
}

// TestPhoneRegionPatternsAgree compares the fast national path with full
// parses: on the library's example numbers of every type of every region
// tried, written in national notation with digits changed at random, and
// on random digit groups.
func TestPhoneRegionPatternsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	valid := 0
	regions := append(slices.Clone(phoneRegions), "JP", "IN", "AR", "PL", "SE", "RU", "CN", "ZA")
	for _, region := range regions {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE,
			phonenumbers.PREMIUM_RATE, phonenumbers.VOIP, phonenumbers.SHARED_COST, phonenumbers.PERSONAL_NUMBER, phonenumbers.UAN} {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			nat := phonenumbers.Format(ex, phonenumbers.NATIONAL)
			for i := 0; i < scaled(200); i++ {
				b := []byte(nat)
				for k := 0; k < r.IntN(3); k++ {
					if j := r.IntN(len(b)); b[j] >= '0' && b[j] <= '9' {
						b[j] = byte('0' + r.IntN(10))
					}
				}
				s := string(b)
				if r.IntN(8) == 0 {
					s = strings.ReplaceAll(s, " ", "")
				}
				for _, rg := range []string{region, regions[r.IntN(len(regions))]} {
					got, want := validForRegion(s, rg), parseValid(s, rg)
					if got != want {
						t.Fatalf("%q for %s: fast %v, full parse %v", s, rg, got, want)
					}
					if want {
						valid++
					}
				}
			}
		}
	}
	if valid < scaled(1000) {
		t.Fatalf("only %d valid numbers among the cases: the comparison proves little", valid)
	}
	seps := []string{"", " ", "-", ".", "/"}
	for i := 0; i < scaled(20000); i++ {
		var b strings.Builder
		if r.IntN(3) == 0 {
			b.WriteString("0")
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
		s := b.String()
		region := ""
		if r.IntN(2) == 0 {
			region = phoneRegions[r.IntN(len(phoneRegions))]
		}
		named := r.IntN(4) != 0
		if got, want := fastPhone(s, named, region), slowPhone(s, named, region); got != want {
			t.Fatalf("%q named=%v region=%q: fast %v, full parse %v", s, named, region, got, want)
		}
	}
}

func FuzzPhoneRegionPatterns(f *testing.F) {
	for _, s := range []string{"030 901820", "06-12345678", "(11) 91234-5678", "07700 900123", "612 345 678"} {
		f.Add(s, true, "DE")
	}
	f.Fuzz(func(t *testing.T, s string, named bool, region string) {
		if len(region) > 3 || len(s) > 40 {
			return
		}
		if got, want := fastPhone(s, named, region), slowPhone(s, named, region); got != want {
			t.Fatalf("%q named=%v region=%q: fast %v, full parse %v", s, named, region, got, want)
		}
		if len(region) == 2 {
			if got, want := validForRegion(s, region), parseValid(s, region); got != want {
				t.Fatalf("%q for %s: fast %v, full parse %v", s, region, got, want)
			}
		}
	})
}
