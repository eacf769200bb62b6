package classifiers

import "strings"

// phoneLookalike reports whether s, which a phone pattern matched, has the
// shape of something that is not a phone number however libphonenumber
// reads its digits: a dotted quad (IPv4 address, version string), a date
// written day.month.year, month/day/year or year-month-day, or a decimal
// number (a coordinate). Documents of a region made libphonenumber accept
// "01.02.2019" and "192.168.1.10" as national numbers there (issue 16).
// The phone validators are registered behind it (validators.go).
func phoneLookalike(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "tel:"), "TEL:")
	var groups [8]int // lengths of the digit groups
	n := 0
	var sep byte
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			run++
			continue
		case c == '-' && i == 0:
			return true // a negative number
		case c == '.' || c == '/' || c == '-':
			if sep != 0 && c != sep || run == 0 {
				return false
			}
			sep = c
		default:
			return false
		}
		if n == len(groups) {
			return false
		}
		groups[n], n, run = run, n+1, 0
	}
	if run == 0 || n == len(groups) {
		return false
	}
	groups[n], n = run, n+1
	g := groups[:n]
	switch {
	case sep == '.' && n == 2:
		return true // 52.520008
	case sep == '.' && n == 4 && g[0] <= 3 && g[1] <= 3 && g[2] <= 3 && g[3] <= 3:
		return true // 192.168.1.10, 10.2.3.4
	case n == 3 && g[0] <= 2 && g[1] <= 2 && (g[2] == 4 || g[2] == 2):
		return true // 01.02.2019, 1/2/19
	case n == 3 && g[0] == 4 && g[1] <= 2 && g[2] <= 2:
		return true // 2019-02-01
	}
	return false
}
