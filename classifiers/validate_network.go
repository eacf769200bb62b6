package classifiers

import (
	"net/netip"
	"strconv"
	"strings"
)

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

// validIMEINamed accepts an IMEI; without a device field name its first two
// digits must also be a reporting body identifier GSMA allocates, which
// leaves about one random 15-digit Luhn number in six.
func validIMEINamed(s string, named bool) bool {
	if !ValidIMEI(s) {
		return false
	}
	if named {
		return true
	}
	var a [24]byte
	d, _ := digitsOf(a[:0], s)
	switch string(d[:2]) {
	case "01", "10", "30", "33", "35", "44", "45", "49", "50", "51", "52", "53", "54", "86", "91", "98", "99":
		return true
	}
	return false
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
