package classifiers

import (
	"strconv"
	"strings"
)

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
