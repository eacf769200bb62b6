package classifiers

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// Numbers in national notation whose digits start with the region's
// calling code ("(11) 91234-5678" read for the United States, "55 11
// 91234 5678" for Brazil) are decided from the metadata, and the answer is
// libphonenumber's, for every region: valid for the region or not, and
// the E.164 form.
func TestPhoneCallingCodePrefixAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	decided, valid, total := 0, 0, 0
	check := func(s, region string) {
		total++
		if got, want := validForRegion(s, region), parseValid(s, region); got != want {
			t.Fatalf("validForRegion(%q, %s) = %v, the library %v", s, region, got, want)
		} else if got {
			valid++
		}
		want := ""
		if n, err := phonenumbers.Parse(s, region); err == nil && phonenumbers.IsValidNumber(n) {
			want = phonenumbers.Format(n, phonenumbers.E164)
		}
		got, ok := nationalE164(s, region)
		if ok {
			decided++
			if got != want {
				t.Fatalf("nationalE164(%q, %s) = %q, the library %q", s, region, got, want)
			}
		}
	}
	for region := range phonenumbers.GetSupportedRegions() {
		cc := strconv.Itoa(phonenumbers.GetCountryCodeForRegion(region))
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE} {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			nsn := phonenumbers.GetNationalSignificantNumber(ex)
			national := phonenumbers.Format(ex, phonenumbers.NATIONAL)
			for _, s := range []string{cc + nsn, cc + " " + nsn, "(" + cc + ") " + nsn, cc + " " + national,
				cc + nsn + "1", cc + nsn[:len(nsn)-1], cc + "0" + nsn, cc + "00" + nsn, cc + "0" + national, cc + "1" + nsn, cc + "8" + nsn} {
				check(s, region)
			}
			for i := 0; i < 20; i++ {
				b := []byte(cc + nsn)
				for k := 0; k < 1+r.IntN(2); k++ {
					j := len(cc) + r.IntN(len(b)-len(cc))
					b[j] = byte('0' + r.IntN(10))
				}
				check(string(b), region)
			}
		}
	}
	// Brazilian-style numbers read for the regions of the list
	for i := 0; i < 3000; i++ {
		s := "(" + strconv.Itoa(11+r.IntN(89)) + ") " + strconv.Itoa(2000+r.IntN(98000)) + "-" + strconv.Itoa(1000+r.IntN(9000))
		for _, region := range phoneRegions {
			check(s, region)
		}
	}
	if decided < total*9/10 || valid < total/20 {
		t.Fatalf("%d of %d numbers decided without parsing, %d valid: the test proves little", decided, total, valid)
	}
}

// FuzzPhoneCallingCodePrefix writes digits after a region's calling code,
// with the separators the fuzzer picks, and compares the metadata's
// answer with libphonenumber's.
func FuzzPhoneCallingCodePrefix(f *testing.F) {
	f.Add("US", " 11 91234-5678")
	f.Add("BR", " (11) 91234-5678")
	f.Add("IT", "0612345678")
	f.Add("CA", "(1) 613 555 0123")
	f.Add("GB", "0 20 7946 0018")
	f.Fuzz(func(t *testing.T, region, rest string) {
		if len(region) != 2 || len(rest) > 30 {
			return
		}
		cc := phonenumbers.GetCountryCodeForRegion(region)
		if cc == 0 {
			return
		}
		s := strconv.Itoa(cc) + rest
		if got, want := validForRegion(s, region), parseValid(s, region); got != want {
			t.Fatalf("validForRegion(%q, %s) = %v, the library %v", s, region, got, want)
		}
		want := ""
		if n, err := phonenumbers.Parse(s, region); err == nil && phonenumbers.IsValidNumber(n) {
			want = phonenumbers.Format(n, phonenumbers.E164)
		}
		if got, ok := nationalE164(s, region); ok && got != want {
			t.Fatalf("nationalE164(%q, %s) = %q, the library %q", s, region, got, want)
		}
	})
}
