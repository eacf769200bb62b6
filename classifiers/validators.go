package classifiers

import (
	"sort"
	"time"
)

// validatorFunc checks a value a pattern matched. named tells whether the
// field's name supports the rule (a phone number without a country code is
// accepted only then, for example).
type validatorFunc func(s string, named bool) bool

var validators = map[string]validatorFunc{
	"luhn":               func(s string, _ bool) bool { return Luhn(s) },
	"card":               func(s string, _ bool) bool { return ValidCard(s) },
	"iban":               func(s string, _ bool) bool { return ValidIBAN(s) },
	"aba":                func(s string, _ bool) bool { return ValidABA(s) },
	"imei":               validIMEINamed,
	"phonenumber":        func(s string, named bool) bool { return validPhone(s, named) },
	"jwt":                func(s string, _ bool) bool { return ValidJWT(s) },
	"ssn":                func(s string, _ bool) bool { return ValidSSN(s) },
	"bcrypt":             func(s string, _ bool) bool { return ValidBcrypt(s) },
	"email":              func(s string, _ bool) bool { return ValidEmail(s) },
	"ipv4":               func(s string, _ bool) bool { return validIP(s, 4) },
	"ipv6":               func(s string, _ bool) bool { return validIP(s, 6) },
	"mac":                func(s string, _ bool) bool { return validMAC(s) },
	"latlon":             func(s string, _ bool) bool { return validLatLon(s) },
	"latitude":           func(s string, _ bool) bool { return validCoord(s, 90) },
	"longitude":          func(s string, _ bool) bool { return validCoord(s, 180) },
	"date_of_birth":      func(s string, _ bool) bool { return ValidBirthDate(s, time.Now()) },
	"card_expiry":        func(s string, _ bool) bool { return validExpiry(s) },
	"geohash":            func(s string, _ bool) bool { return validGeohash(s) },
	"person_name":        validPersonName,
	"person_name_strict": func(s string, _ bool) bool { return validPersonName(s, false) },
	"person_name_known": func(s string, named bool) bool {
		return validPersonName(s, named) && hasKnownName(s)
	},
	"dni":            func(s string, _ bool) bool { return ValidDNI(s) },
	"nir":            func(s string, _ bool) bool { return ValidNIR(s) },
	"codice_fiscale": func(s string, _ bool) bool { return ValidCodiceFiscale(s) },
	"bsn":            func(s string, _ bool) bool { return ValidBSN(s) },
	"steuer_id":      func(s string, _ bool) bool { return ValidSteuerID(s) },
	"nif_pt":         func(s string, _ bool) bool { return ValidNIFPT(s) },
	"connection_uri": func(s string, _ bool) bool { return validConnURI(s) },
	"uuid":           func(s string, _ bool) bool { return validUUID(s) },
	"hex_digest":     func(s string, _ bool) bool { return validHexDigest(s) },
	"eticket":        func(s string, _ bool) bool { return validETicket(s) },
	"not_placeholder": func(s string, _ bool) bool {
		return !isPlaceholder(s)
	},
	"street_address": func(s string, _ bool) bool { return validStreet(s) },
	"national_id_eu": func(s string, _ bool) bool {
		return ValidDNI(s) || ValidNIR(s) || ValidCodiceFiscale(s)
	},
	"national_id_digits": func(s string, _ bool) bool { return validNationalDigits(s) },
	"pesel":              func(s string, _ bool) bool { return ValidPESEL(s) },
	"personnummer":       func(s string, _ bool) bool { return ValidPersonnummer(s) },
	"cpf":                func(s string, _ bool) bool { return ValidCPF(s) },
	"aadhaar":            func(s string, _ bool) bool { return ValidAadhaar(s) },
	"sin":                func(s string, _ bool) bool { return ValidSIN(s) },
	"itin":               func(s string, _ bool) bool { return ValidITIN(s) },
}

// regionValidators are the validators that can use the document's region.
var regionValidators = map[string]func(s string, named bool, region string) bool{
	"phonenumber": func(s string, named bool, region string) bool {
		return validPhoneIn(s, named, region)
	},
}

// ValidatorNames lists the validators a rule may name.
func ValidatorNames() []string {
	out := make([]string, 0, len(validators))
	for k := range validators {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Validate runs a named validator; ok is false for an unknown name.
func Validate(name, s string, named bool) (valid, ok bool) {
	v, ok := validators[name]
	if !ok {
		return false, false
	}
	return v(s, named), true
}

// digitsOf appends the ASCII digits of s to buf, skipping spaces and dashes;
// ok is false when s holds anything else.
func digitsOf(buf []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			buf = append(buf, c)
		case c == ' ' || c == '-' || c == '.':
		default:
			return buf, false
		}
	}
	return buf, true
}

func allSame(d []byte) bool {
	for i := 1; i < len(d); i++ {
		if d[i] != d[0] {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
