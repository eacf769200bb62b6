package classifiers

import (
	"strings"
	"unicode"

	"golang.org/x/net/publicsuffix"
)

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
