package classifiers

import (
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/net/publicsuffix"
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
	"imei":               func(s string, _ bool) bool { return ValidIMEI(s) },
	"phonenumber":        validPhone,
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
	"national_id_digits": func(s string, _ bool) bool {
		return ValidBSN(s) || ValidSteuerID(s) || ValidNIFPT(s) || ValidSSN(s)
	},
}

// regionValidators are the validators that can use the document's region.
var regionValidators = map[string]func(s string, named bool, region string) bool{
	"phonenumber": validPhoneIn,
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

func luhnDigits(d []byte) bool {
	return len(d) >= 2 && luhnSum(d, false)%10 == 0
}

// luhnSum adds the digits of d, doubling every second one from the right,
// from the last one when doubleLast is set (as for a payload still missing
// its check digit).
func luhnSum[T string | []byte](d T, doubleLast bool) int {
	sum, dbl := 0, doubleLast
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if dbl {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		dbl = !dbl
	}
	return sum
}

// LuhnCheckDigit is the digit that, appended to payload (digits only), makes
// it pass the Luhn checksum, as card numbers and IMEIs end.
func LuhnCheckDigit(payload string) byte {
	return byte('0' + (10-luhnSum(payload, true)%10)%10)
}

// Luhn reports whether the digits of s (spaces and dashes allowed) pass the
// Luhn checksum.
func Luhn(s string) bool {
	var a [32]byte
	d, ok := digitsOf(a[:0], s)
	return ok && len(d) <= 32 && luhnDigits(d)
}

func allSame(d []byte) bool {
	for i := 1; i < len(d); i++ {
		if d[i] != d[0] {
			return false
		}
	}
	return true
}

func prefixIn(d []byte, n int, lo, hi int) bool {
	if len(d) < n {
		return false
	}
	v := 0
	for _, c := range d[:n] {
		v = v*10 + int(c-'0')
	}
	return v >= lo && v <= hi
}

// CardIssuer names the card scheme whose number ranges and lengths the
// digits fit, or "".
func CardIssuer(d []byte) string {
	n := len(d)
	switch {
	case d[0] == '4' && (n == 16 || n == 19): // 13-digit Visa numbers are no longer issued
		return "visa"
	case (prefixIn(d, 2, 51, 55) || prefixIn(d, 4, 2221, 2720)) && n == 16:
		return "mastercard"
	case (prefixIn(d, 2, 34, 34) || prefixIn(d, 2, 37, 37)) && n == 15:
		return "amex"
	case (prefixIn(d, 4, 6011, 6011) || prefixIn(d, 2, 65, 65) || prefixIn(d, 3, 644, 649) || prefixIn(d, 6, 622126, 622925)) && n >= 16 && n <= 19:
		return "discover"
	case prefixIn(d, 4, 3528, 3589) && n >= 16 && n <= 19:
		return "jcb"
	case prefixIn(d, 2, 62, 62) && n >= 16 && n <= 19:
		return "unionpay"
	case (prefixIn(d, 3, 300, 305) || prefixIn(d, 2, 36, 36) || prefixIn(d, 2, 38, 39)) && n >= 14 && n <= 16:
		return "diners"
	case (prefixIn(d, 4, 5018, 5018) || prefixIn(d, 4, 5020, 5020) || prefixIn(d, 4, 5038, 5038) || prefixIn(d, 4, 6304, 6304) || prefixIn(d, 4, 6759, 6763)) && n >= 12 && n <= 19:
		return "maestro"
	}
	return ""
}

// ValidCard reports whether s is a payment card number: a known issuer's
// range and length, the Luhn checksum, consistent separators, and not a
// run of one digit.
func ValidCard(s string) bool {
	var a [32]byte
	if len(s) > 32 {
		return false
	}
	d, ok := digitsOf(a[:0], s)
	if !ok || len(d) < 12 || len(d) > 19 || allSame(d) {
		return false
	}
	if strings.IndexByte(s, ' ') >= 0 && strings.IndexByte(s, '-') >= 0 || strings.IndexByte(s, '.') >= 0 {
		return false
	}
	return CardIssuer(d) != "" && luhnDigits(d)
}

// ibanLengths is the IBAN length of each country of the registry.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
	"BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
	"ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
	"HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
	"LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
	"MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
	"RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "LY": 25, "SD": 18, "BI": 27,
	"DJ": 27, "RU": 33, "SO": 23, "NI": 28, "MN": 20, "FK": 18, "OM": 23, "YE": 30, "HN": 28,
}

// ValidIBAN reports whether s (spaces allowed, any case) is an IBAN of the
// right length for its country with a valid mod-97 check.
func ValidIBAN(s string) bool {
	var a [40]byte
	b := a[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			return false
		}
		if len(b) == cap(b) {
			return false
		}
		b = append(b, c)
	}
	if len(b) < 15 {
		return false
	}
	want, ok := ibanLengths[string(b[:2])]
	if !ok || want != len(b) || b[2] < '0' || b[2] > '9' || b[3] < '0' || b[3] > '9' {
		return false
	}
	rem := 0
	for i := 0; i < len(b); i++ {
		c := b[(i+4)%len(b)]
		if c >= 'A' {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return rem == 1
}

// ValidABA reports whether s is a US bank routing number (ABA checksum).
func ValidABA(s string) bool {
	var a [16]byte
	d, ok := digitsOf(a[:0], s)
	if !ok || len(d) != 9 || allSame(d) {
		return false
	}
	w := [3]int{3, 7, 1}
	sum := 0
	for i, c := range d {
		sum += int(c-'0') * w[i%3]
	}
	if sum%10 != 0 {
		return false
	}
	p := int(d[0]-'0')*10 + int(d[1]-'0')
	return p <= 12 || (p >= 21 && p <= 32) || (p >= 61 && p <= 72) || p == 80
}

// ValidIMEI reports whether s is a 15-digit IMEI with a valid Luhn check
// digit and a plausible reporting body.
func ValidIMEI(s string) bool {
	var a [24]byte
	d, ok := digitsOf(a[:0], s)
	if !ok || len(d) != 15 || allSame(d) || (d[0] == '0' && d[1] == '0') {
		return false
	}
	return luhnDigits(d)
}

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

// ValidPhone reports whether s is a valid phone number; region is a CLDR
// region code used for national numbers ("" to require + or 00).
func ValidPhone(s, region string) bool {
	if region == "" {
		return validPhone(s, false)
	}
	n, err := phonenumbers.Parse(s, strings.ToUpper(region))
	return err == nil && phonenumbers.IsValidNumber(n)
}

// ValidJWT reports whether s is a JSON Web Token: three base64url parts (the
// signature may be empty for alg none) whose header decodes to a JSON
// object with an "alg".
func ValidJWT(s string) bool {
	h, rest, ok := strings.Cut(s, ".")
	if !ok {
		return false
	}
	p, sig, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(sig, ".") || len(p) < 4 {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(h, "="))
	if err != nil {
		return false
	}
	var hdr map[string]any
	if json.Unmarshal(raw, &hdr) != nil {
		return false
	}
	alg, ok := hdr["alg"].(string)
	if !ok || alg == "" {
		return false
	}
	raw, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(p, "="))
	if err != nil {
		return false
	}
	var claims map[string]any
	if json.Unmarshal(raw, &claims) != nil {
		return false
	}
	return sig != "" || strings.EqualFold(alg, "none")
}

// ValidSSN reports whether s is a US Social Security number that the SSA
// could issue: area not 000, 666 or 900-999, group not 00, serial not 0000,
// and not one of the numbers known from advertising.
func ValidSSN(s string) bool {
	var a [16]byte
	d, ok := digitsOf(a[:0], s)
	if !ok || len(d) != 9 {
		return false
	}
	if strings.Count(s, "-") != 0 && !(len(s) == 11 && s[3] == '-' && s[6] == '-') {
		return false
	}
	if strings.Count(s, " ") != 0 && !(len(s) == 11 && s[3] == ' ' && s[6] == ' ') {
		return false
	}
	area := string(d[:3])
	if area == "000" || area == "666" || d[0] == '9' || string(d[3:5]) == "00" || string(d[5:]) == "0000" {
		return false
	}
	switch string(d) {
	case "078051120", "219099999", "123456789":
		return false
	}
	return !allSame(d)
}

const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// ValidBcrypt reports whether s is a bcrypt hash ($2a$, $2b$, $2x$, $2y$
// with a cost of 04 to 31 and 53 characters of salt and digest).
func ValidBcrypt(s string) bool {
	if len(s) != 60 || s[0] != '$' || s[1] != '2' || s[3] != '$' || s[6] != '$' {
		return false
	}
	switch s[2] {
	case 'a', 'b', 'x', 'y':
	default:
		return false
	}
	cost, err := strconv.Atoi(s[4:6])
	if err != nil || cost < 4 || cost > 31 {
		return false
	}
	for i := 7; i < len(s); i++ {
		if strings.IndexByte(bcryptAlphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

// ValidEmail checks the parts regular expressions do not: the lengths and a
// top-level domain that exists (the ICANN section of the public suffix
// list).
func ValidEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at > 64 || len(s)-at-1 > 253 || strings.Contains(s, "..") {
		return false
	}
	dom := s[at+1:]
	dot := strings.LastIndexByte(dom, '.')
	if dot < 1 || len(dom)-dot-1 > 63 {
		return false
	}
	tld := strings.ToLower(dom[dot+1:])
	suffix, icann := publicsuffix.PublicSuffix(tld)
	return icann && suffix == tld
}

func validIP(s string, v int) bool {
	if v == 4 {
		if i := strings.IndexByte(s, ':'); i > 0 {
			port, err := strconv.Atoi(s[i+1:])
			if err != nil || port < 1 || port > 65535 {
				return false
			}
			s = s[:i]
		}
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	if v == 4 {
		return a.Is4()
	}
	return a.Is6() && !a.Is4In6() && a.IsValid() && strings.Count(s, ":") >= 2 && !a.IsUnspecified()
}

func validMAC(s string) bool {
	z, f := true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ':' || c == '-' || c == '.' {
			continue
		}
		if c != '0' {
			z = false
		}
		if c != 'f' && c != 'F' {
			f = false
		}
	}
	return !z && !f
}

func parseCoord(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.IndexByte(s, '.') < 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func validCoord(s string, limit float64) bool {
	f, ok := parseCoord(s)
	if !ok || f < -limit || f > limit {
		return false
	}
	// at least two decimals: a coordinate, not a price or a version
	i := strings.IndexByte(s, '.')
	return len(strings.TrimSpace(s))-i-1 >= 2
}

func validLatLon(s string) bool {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		a, b, ok = strings.Cut(s, ";")
		if !ok {
			return false
		}
	}
	lat, ok1 := parseCoord(a)
	lon, ok2 := parseCoord(b)
	return ok1 && ok2 && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && (lat != 0 || lon != 0)
}

var dobLayouts = []string{
	"2006-01-02", "2006/01/02", "02.01.2006", "2.1.2006", "02/01/2006", "01/02/2006", "02-01-2006", "01-02-2006",
	"20060102", "2 January 2006", "January 2, 2006", "Jan 2, 2006", "2 Jan 2006", "02 Jan 2006",
	time.RFC3339, time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04:05.000Z",
}

// ValidBirthDate reports whether s is a date in a common format giving an
// age between 0 and 120 years at now.
func ValidBirthDate(s string, now time.Time) bool {
	for _, l := range dobLayouts {
		if len(l) > 12 && len(s) < 10 {
			continue
		}
		t, err := time.Parse(l, s)
		if err != nil {
			continue
		}
		age := now.Sub(t).Hours() / 24 / 365.25
		return age >= 0 && age <= 120
	}
	return false
}

func validExpiry(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	var m, y string
	switch {
	case len(s) == 4 && isDigits(s): // MMYY
		m, y = s[:2], s[2:]
	case len(s) >= 4 && (s[2] == '/' || s[2] == '-' || s[2] == '.'):
		m, y = s[:2], s[3:]
	case len(s) >= 3 && (s[1] == '/' || s[1] == '-'):
		m, y = s[:1], s[2:]
	case len(s) == 7 && s[4] == '-': // YYYY-MM
		m, y = s[5:], s[:4]
	default:
		return false
	}
	mm, err1 := strconv.Atoi(m)
	yy, err2 := strconv.Atoi(y)
	if err1 != nil || err2 != nil || mm < 1 || mm > 12 {
		return false
	}
	if len(y) == 2 {
		yy += 2000
	}
	return len(y) == 2 || len(y) == 4 && yy >= 1990 && yy <= 2060
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func validGeohash(s string) bool {
	if len(s) < 5 || len(s) > 12 {
		return false
	}
	letters := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte("0123456789bcdefghjkmnpqrstuvwxyz", s[i]) < 0 {
			return false
		}
		if s[i] > '9' {
			letters++
		}
	}
	return letters > 0 && letters < len(s)
}

//go:embed data/first_names.txt
var firstNamesTxt string

//go:embed data/surnames.txt
var surnamesTxt string

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		for _, w := range strings.Fields(l) {
			m[w] = true
		}
	}
	return m
}

var (
	firstNames = wordSet(firstNamesTxt)
	surnames   = wordSet(surnamesTxt)
)

// nameParticles may appear in lower case inside a person's name.
var nameParticles = map[string]bool{"van": true, "von": true, "der": true, "den": true, "de": true, "da": true,
	"del": true, "della": true, "di": true, "du": true, "la": true, "le": true, "dos": true, "das": true, "do": true,
	"y": true, "e": true, "ten": true, "ter": true, "zu": true, "al": true, "bin": true, "st": true}

func foldWord(w string) string {
	if isASCIILower(w) {
		return w
	}
	var b strings.Builder
	for _, r := range w {
		if r == '\'' || r == '’' {
			continue
		}
		b.WriteString(fold(unicode.ToLower(r)))
	}
	return b.String()
}

func isASCIILower(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// validPersonName checks the shape of a person's name: one to five words of
// letters (hyphens, apostrophes and particles allowed), capitalised or all
// upper case. Without the field's name, it also needs two or more words and
// a known first name or surname among them.
func validPersonName(s string, named bool) bool {
	if len(s) < 2 || len(s) > 80 {
		return false
	}
	words := 0
	known := 0
	lowerWords := 0
	first := true
	for w := range strings.FieldsSeq(s) {
		words++
		if words > 5 {
			return false
		}
		w = strings.TrimSuffix(strings.TrimSuffix(w, ","), ".")
		if w == "" {
			return false
		}
		lw := foldWord(strings.ToLower(w))
		if nameParticles[lw] && !first {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) {
			if !named {
				return false
			}
			lowerWords++
		}
		for _, c := range w {
			if !unicode.IsLetter(c) && c != '-' && c != '\'' && c != '’' && c != '.' {
				return false
			}
		}
		if first && firstNames[lw] || surnames[lw] {
			known++
		} else if !first {
			for part := range strings.SplitSeq(lw, "-") {
				if surnames[part] || firstNames[part] {
					known++
					break
				}
			}
		}
		first = false
	}
	if words == 0 {
		return false
	}
	if named {
		// a name written in lower case needs one known word
		return lowerWords == 0 || known > 0
	}
	return words >= 2 && known >= 1 && (known >= 2 || words == 2)
}

// hasKnownName reports whether a word of s is a known first name or surname.
func hasKnownName(s string) bool {
	for w := range strings.FieldsSeq(s) {
		lw := foldWord(strings.ToLower(strings.Trim(w, ",.")))
		if firstNames[lw] || surnames[lw] {
			return true
		}
		for part := range strings.SplitSeq(lw, "-") {
			if firstNames[part] || surnames[part] {
				return true
			}
		}
	}
	return false
}

// ValidPersonName reports whether s looks like a person's name; named tells
// whether the field's name says so.
func ValidPersonName(s string, named bool) bool { return validPersonName(s, named) }

// ValidDNI checks a Spanish DNI (8 digits and a letter) or NIE (X, Y or Z,
// 7 digits and a letter).
func ValidDNI(s string) bool {
	s = strings.ToUpper(strings.ReplaceAll(strings.ReplaceAll(s, "-", ""), " ", ""))
	if len(s) != 9 {
		return false
	}
	num := s[:8]
	switch num[0] {
	case 'X':
		num = "0" + num[1:]
	case 'Y':
		num = "1" + num[1:]
	case 'Z':
		num = "2" + num[1:]
	}
	n, err := strconv.Atoi(num)
	if err != nil || !isDigits(num) {
		return false
	}
	return "TRWAGMYFPDXBNJZSQVHLCKE"[n%23] == s[8]
}

// ValidNIR checks a French social security number (13 digits and a 2-digit
// key, Corsica's 2A/2B included).
func ValidNIR(s string) bool {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if len(s) != 15 || (s[0] != '1' && s[0] != '2') {
		return false
	}
	body := s[:13]
	body = strings.Replace(strings.Replace(body, "2A", "19", 1), "2B", "18", 1)
	if !isDigits(body) || !isDigits(s[13:]) {
		return false
	}
	n, _ := strconv.ParseUint(body, 10, 64)
	k, _ := strconv.Atoi(s[13:])
	return int(97-n%97) == k
}

// ValidCodiceFiscale checks an Italian tax code (16 characters, check letter).
func ValidCodiceFiscale(s string) bool {
	s = strings.ToUpper(s)
	if len(s) != 16 {
		return false
	}
	for i := 0; i < 6; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	check, ok := CodiceFiscaleCheckLetter(s[:15])
	return ok && s[15] == check
}

// CodiceFiscaleCheckLetter is the letter that ends an Italian tax code
// whose first 15 characters (upper-case letters and digits) are body.
func CodiceFiscaleCheckLetter(body string) (byte, bool) {
	if len(body) != 15 {
		return 0, false
	}
	odd := [36]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}
	sum := 0
	for i := 0; i < len(body); i++ {
		c := body[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return 0, false
		}
		if i%2 == 0 {
			sum += odd[v]
		} else {
			if v >= 10 {
				v -= 10
			}
			sum += v
		}
	}
	return byte('A' + sum%26), true
}

// ValidBSN checks a Dutch citizen service number (9 digits, 11-test).
func ValidBSN(s string) bool {
	var a [16]byte
	d, ok := digitsOf(a[:0], s)
	if !ok || len(d) != 9 || allSame(d) {
		return false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(d[i]-'0') * (9 - i)
	}
	sum -= int(d[8] - '0')
	return sum%11 == 0
}

// ValidSteuerID checks a German tax identification number (11 digits,
// ISO 7064 MOD 11,10).
func ValidSteuerID(s string) bool {
	var a [16]byte
	d, ok := digitsOf(a[:0], s)
	if !ok || len(d) != 11 || d[0] == '0' || allSame(d) {
		return false
	}
	p := 10
	for i := 0; i < 10; i++ {
		sum := (int(d[i]-'0') + p) % 10
		if sum == 0 {
			sum = 10
		}
		p = (sum * 2) % 11
	}
	c := 11 - p
	if c == 10 {
		c = 0
	}
	return c == int(d[10]-'0')
}

// ValidNIFPT checks a Portuguese tax number (9 digits, mod 11).
func ValidNIFPT(s string) bool {
	var a [16]byte
	d, ok := digitsOf(a[:0], s)
	if !ok || len(d) != 9 || strings.IndexByte("123456789", d[0]) < 0 {
		return false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(d[i]-'0') * (9 - i)
	}
	c := 11 - sum%11
	if c >= 10 {
		c = 0
	}
	return c == int(d[8]-'0')
}

// validConnURI accepts a URI whose user info carries a real password.
func validConnURI(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.User == nil || u.Host == "" {
		return false
	}
	p, ok := u.User.Password()
	return ok && p != "" && !isPlaceholder(p)
}

func isPlaceholder(p string) bool {
	if p == "" {
		return true
	}
	if strings.Trim(p, "*xX•.#?") == "" {
		return true
	}
	switch strings.ToLower(p) {
	case "password", "pass", "secret", "changeme", "<password>", "${password}", "redacted", "[redacted]", "<redacted>",
		"null", "none", "nil", "undefined", "true", "false", "n/a", "na", "-", "hidden", "masked", "{password}", "$password":
		return true
	}
	return strings.HasPrefix(p, "${") || strings.HasPrefix(p, "{{") || strings.HasPrefix(p, "%(")
}

func validUUID(s string) bool {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	zero := true
	for i := 0; i < len(s); i++ {
		if s[i] != '-' && s[i] != '0' {
			zero = false
		}
	}
	return !zero
}

func validHexDigest(s string) bool {
	switch len(s) {
	case 32, 40, 56, 64, 96, 128:
	default:
		return false
	}
	return !allSame([]byte(s))
}

func validETicket(s string) bool {
	var a [24]byte
	d, ok := digitsOf(a[:0], s)
	if !ok || len(d) != 13 || allSame(d) || (d[0] == '0' && d[1] == '0' && d[2] == '0') {
		return false
	}
	return true
}

func validStreet(s string) bool {
	letters, digits := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			digits++
		}
	}
	return letters >= 3 && digits >= 1 && digits <= 12 && strings.IndexByte(s, ' ') > 0 && !strings.Contains(s, "@") &&
		!strings.Contains(s, "://")
}
