package classifiers

import (
	"regexp"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

var phoneRegions = []string{"US", "GB", "DE", "FR", "ES", "IT", "PT", "NL", "BE", "CH", "AT", "IE", "CA", "BR", "MX", "AU"}

// validPhone validates with libphonenumber. An international number (+ or
// 00) must be valid for its country; a national one is accepted only when
// the field's name says phone and some common region validates it.
func validPhone(s string, named bool) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "tel:"), "TEL:")
	digits := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits++
		}
	}
	if digits < 7 || digits > 15 {
		return false
	}
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "00") {
		if strings.HasPrefix(s, "00") && !named && isDigits(s) {
			return false // an unformatted number starting with 00 is more often an id
		}
		return validIntlPhone(s)
	}
	if !named {
		return false
	}
	for _, r := range phoneRegions {
		n, err := phonenumbers.Parse(s, r)
		if err == nil && phonenumbers.IsValidNumberForRegion(n, r) {
			return true
		}
	}
	return false
}

// validPhoneIn validates a phone number found in a document of a known
// region: a national number valid there is accepted, under a phone-like
// field name or, written with separators ("030 1234567"), under any name.
func validPhoneIn(s string, named bool, region string) bool {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "tel:"), "TEL:")
	if strings.HasPrefix(t, "+") || strings.HasPrefix(t, "00") || phonenumbers.GetCountryCodeForRegion(region) == 0 {
		return validPhone(s, named)
	}
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
	n, err := phonenumbers.Parse(t, region)
	if err == nil && phonenumbers.IsValidNumberForRegion(n, region) {
		return true
	}
	return named && validPhone(s, named)
}

// validIntlPhone validates a number written with + or 00 against the
// libphonenumber metadata without the cost of a full parse: the country
// calling code is the shortest prefix of the digits that names a country
// (calling codes are prefix-free), the rest is the national number.
func validIntlPhone(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if strings.HasPrefix(s, "00") {
		s = s[2:]
	}
	// digits only; a "(0)" trunk prefix written inside the number is dropped
	var a [24]byte
	d := a[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if len(d) == len(a) {
				return false
			}
			d = append(d, c)
		case c == '(' && i+2 < len(s) && s[i+1] == '0' && s[i+2] == ')':
			i += 2
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		default:
			return false
		}
	}
	for l := 1; l <= 3 && l < len(d); l++ {
		cc := 0
		for _, c := range d[:l] {
			cc = cc*10 + int(c-'0')
		}
		if phonenumbers.GetRegionCodeForCountryCode(cc) == phonenumbers.UNKNOWN_REGION {
			continue
		}
		nat := d[l:]
		if len(nat) < 4 || len(nat) > 17 {
			return false
		}
		re := nationalPatterns()[cc]
		return re != nil && re.Match(nat)
	}
	return false
}

// nationalPatterns maps each country calling code to the union of the
// general national-number patterns of its regions in the libphonenumber
// metadata: what IsValidNumber checks, without parsing and per-type
// pattern compilation on every call.
var nationalPatterns = sync.OnceValue(func() map[int]*regexp.Regexp {
	out := map[int]*regexp.Regexp{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return out
	}
	pats := map[int][]string{}
	for _, md := range coll.GetMetadata() {
		p := md.GetGeneralDesc().GetNationalNumberPattern()
		if p != "" {
			cc := int(md.GetCountryCode())
			pats[cc] = append(pats[cc], p)
		}
	}
	for cc, ps := range pats {
		if re, err := regexp.Compile("^(?:" + strings.Join(ps, "|") + ")$"); err == nil {
			out[cc] = re
		}
	}
	return out
})
