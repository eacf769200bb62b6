package classifiers

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// NormaliseIdentifier writes a value found for an identifier category in
// the one form two writings of the same identifier share, so that distinct
// values count distinct people: e-mail addresses case-folded, phone numbers
// in E.164 (national numbers read in the document's region, else the first
// common region where they are valid), national ids and passport numbers
// upper-cased without separators, card numbers as their digits. It returns
// "" for a value that holds no identifier.
func NormaliseIdentifier(category, value, region string) string {
	v := strings.TrimSpace(value)
	switch category {
	case "email":
		v = strings.TrimPrefix(strings.TrimPrefix(v, "mailto:"), "MAILTO:")
		return strings.ToLower(v)
	case "phone":
		return phoneE164(v, region)
	case "credit_card":
		return identDigits(v)
	case "national_id", "passport_number":
		var b strings.Builder
		for _, r := range strings.ToUpper(v) {
			if r == ' ' || r == '-' || r == '.' || r == '/' {
				continue
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	return v
}

func identDigits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// phoneE164 formats a phone number in E.164; a number it cannot place in a
// country is kept as its digits.
func phoneE164(s, region string) string {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "tel:"), "TEL:")
	if strings.HasPrefix(t, "00") {
		t = "+" + t[2:]
	}
	try := func(r string) string {
		n, err := parsePhone(t, r)
		if err != nil || !phonenumbers.IsValidNumber(n) {
			return ""
		}
		return phonenumbers.Format(n, phonenumbers.E164)
	}
	if strings.HasPrefix(t, "+") {
		e, ok := intlE164(t)
		if !ok {
			e = try("ZZ")
		}
		if e != "" {
			return e
		}
		return "+" + identDigits(t)
	}
	// a number in national notation is placed without parsing where the
	// metadata decide (nationalE164)
	national := func(r string) string {
		if e, ok := nationalE164(t, r); ok {
			return e
		}
		return try(r)
	}
	if region != "" && phonenumbers.GetCountryCodeForRegion(region) != 0 {
		if e := national(strings.ToUpper(region)); e != "" {
			return e
		}
	}
	for _, r := range phoneRegions {
		if e := national(r); e != "" {
			return e
		}
	}
	return identDigits(t)
}

// EvidenceOf reads evidence names (as Evidence.Strings writes them).
func EvidenceOf(names []string) Evidence {
	var e Evidence
	for _, n := range names {
		for i, x := range evidenceNames {
			if x == n {
				e |= 1 << i
			}
		}
	}
	return e
}
