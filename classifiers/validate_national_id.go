package classifiers

import (
	"strconv"
	"strings"
)

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
