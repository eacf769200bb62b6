package classifiers

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mask returns a masked form of a value of the given category that keeps at
// most a few characters readable:
//
//	email            j***@example.com       (first character and the domain)
//	phone            +1 ***-***-4567         (country code and last 4 digits)
//	credit_card      **** **** **** 4242     (last 4 digits)
//	iban             DE** **** **** **** **30 00 (country and last 4)
//	date_of_birth    1987-**-**              (the year)
//	geo_coordinates  48.8***, 2.3***         (one decimal, about 10 km)
//	credentials      ********                (always, whatever the length)
//	anything else    the last 2-4 characters, fewer for short values
//
// Separators and letter/digit positions are kept so the format stays
// recognisable.
func Mask(category, s string) string {
	if IsCredential(category) {
		return "********"
	}
	if len(s) > 200 {
		s = s[:200]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	switch category {
	case "email":
		at := strings.LastIndexByte(s, '@')
		if at > 0 {
			r, w := utf8.DecodeRuneInString(s)
			_ = r
			return s[:w] + "***" + s[at:]
		}
	case "phone":
		return maskDigits(s, phoneKeepLead(s), 4)
	case "credit_card", "bank_account", "national_id", "device_id", "passport_number":
		return maskDigits(s, 0, keepTail(s))
	case "iban":
		return maskAlnum(s, 2, 4)
	case "date_of_birth":
		return maskDate(s)
	case "geo_coordinates":
		return maskCoords(s)
	case "ip_address":
		if strings.Count(s, ".") == 3 {
			i := strings.IndexByte(s, '.')
			return s[:i] + maskRest(s[i:], func(r rune) bool { return r != '.' })
		}
		return maskAlnum(s, 0, 4)
	}
	return maskAlnum(s, 0, keepTail(s))
}

// keepTail is how many trailing characters stay readable: at most a quarter
// of the value and never more than 4.
func keepTail(s string) int {
	n := utf8.RuneCountInString(s)
	return min(4, n/4)
}

func phoneKeepLead(s string) int {
	if !strings.HasPrefix(s, "+") {
		return 0
	}
	// keep the country code: the digits up to the first separator, at most 3
	n := 0
	for _, r := range s[1:] {
		if r < '0' || r > '9' || n == 3 {
			break
		}
		n++
	}
	return n
}

// maskDigits replaces every digit but the first lead and the last tail ones.
func maskDigits(s string, lead, tail int) string {
	total := 0
	for _, r := range s {
		if unicode.IsDigit(r) || unicode.IsLetter(r) {
			total++
		}
	}
	if tail > total/2 {
		tail = total / 2
	}
	var b strings.Builder
	i := 0
	for _, r := range s {
		if unicode.IsDigit(r) || unicode.IsLetter(r) {
			if i < lead || i >= total-tail {
				b.WriteRune(r)
			} else {
				b.WriteByte('*')
			}
			i++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func maskAlnum(s string, lead, tail int) string { return maskDigits(s, lead, tail) }

func maskRest(s string, mask func(rune) bool) string {
	var b strings.Builder
	for _, r := range s {
		if mask(r) {
			b.WriteByte('*')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func maskDate(s string) string {
	// keep a 4-digit year, mask every other digit
	out := []byte(s)
	for i := 0; i < len(out); {
		if out[i] < '0' || out[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(out) && out[j] >= '0' && out[j] <= '9' {
			j++
		}
		if !(j-i == 4 && (out[i] == '1' || out[i] == '2')) {
			for k := i; k < j; k++ {
				out[k] = '*'
			}
		}
		i = j
	}
	return string(out)
}

func maskCoords(s string) string {
	out := []byte(s)
	afterDot := -1
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case c == '.':
			afterDot = 0
		case c >= '0' && c <= '9':
			if afterDot >= 0 {
				afterDot++
				if afterDot > 1 {
					out[i] = '*'
				}
			}
		default:
			afterDot = -1
		}
	}
	return string(out)
}
