package classifiers

import "strings"

// National person numbers beyond the EU ones of validate_national_id.go.
// Each check digit follows the scheme its issuer publishes; the helpers
// that compute a check digit are exported for the benchmark generator.

// PESELCheckDigit is the check digit of the first ten digits of a Polish
// PESEL: weights 1, 3, 7, 9, 1, 3, 7, 9, 1, 3; the check digit is
// (10 - sum mod 10) mod 10 (Ustawa o ewidencji ludności, art. 15, as the
// Polish Ministry of Digital Affairs describes the number).
func PESELCheckDigit(body string) (byte, bool) {
	if len(body) != 10 || !isDigits(body) {
		return 0, false
	}
	w := [10]int{1, 3, 7, 9, 1, 3, 7, 9, 1, 3}
	sum := 0
	for i := range 10 {
		sum += int(body[i]-'0') * w[i]
	}
	return byte('0' + (10-sum%10)%10), true
}

// ValidPESEL checks a Polish PESEL (11 digits: birth date with the century
// in the month, serial, check digit).
func ValidPESEL(s string) bool {
	var a [16]byte
	d, ok := digitsOf(a[:0], s)
	if !ok || len(d) != 11 || allSame(d) {
		return false
	}
	m := int(d[2]-'0')*10 + int(d[3]-'0')
	if m%20 < 1 || m%20 > 12 {
		return false
	}
	day := int(d[4]-'0')*10 + int(d[5]-'0')
	if day < 1 || day > 31 {
		return false
	}
	c, _ := PESELCheckDigit(string(d[:10]))
	return c == d[10]
}

// ValidPersonnummer checks a Swedish personnummer or samordningsnummer:
// YYMMDD-NNNC or YYYYMMDDNNNC, the check digit C being the Luhn digit of
// the ten digits YYMMDDNNN (Skatteverket, SKV 704).
func ValidPersonnummer(s string) bool {
	s = strings.Replace(strings.Replace(s, "+", "", 1), "-", "", 1)
	if !isDigits(s) || (len(s) != 10 && len(s) != 12) {
		return false
	}
	if len(s) == 12 {
		if s[:2] != "19" && s[:2] != "20" && s[:2] != "18" {
			return false
		}
		s = s[2:]
	}
	m := int(s[2]-'0')*10 + int(s[3]-'0')
	day := int(s[4]-'0')*10 + int(s[5]-'0')
	if m < 1 || m > 12 || day < 1 || day > 91 || (day > 31 && day < 61) {
		return false // day+60: samordningsnummer
	}
	return LuhnCheckDigit(s[:9]) == s[9]
}

// CPFCheckDigits are the two check digits of the nine digits of a
// Brazilian CPF: weights 10…2 then 11…2, each digit 11 - sum mod 11, or 0
// when that is 10 or 11 (Receita Federal, Instrução Normativa RFB 1548).
func CPFCheckDigits(body string) (string, bool) {
	if len(body) != 9 || !isDigits(body) {
		return "", false
	}
	d := []byte(body)
	for _, n := range []int{9, 10} {
		sum := 0
		for i := range n {
			sum += int(d[i]-'0') * (n + 1 - i)
		}
		c := 11 - sum%11
		if c >= 10 {
			c = 0
		}
		d = append(d, byte('0'+c))
	}
	return string(d[9:]), true
}

// ValidCPF checks a Brazilian CPF (11 digits, 000.000.000-00).
func ValidCPF(s string) bool {
	var a [16]byte
	d, ok := digitsOf(a[:0], s)
	if !ok || len(d) != 11 || allSame(d) {
		return false
	}
	c, _ := CPFCheckDigits(string(d[:9]))
	return c == string(d[9:])
}

// Verhoeff tables (J. Verhoeff, Error Detecting Decimal Codes, 1969): the
// dihedral group D5's multiplication, the position permutation and the
// inverse.
var (
	verhoeffD = [10][10]byte{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
		{3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
		{6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
		{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}}
	verhoeffP = [8][10]byte{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
		{8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
		{2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}}
	verhoeffInv = [10]byte{0, 4, 3, 2, 1, 5, 6, 7, 8, 9}
)

// VerhoeffCheckDigit is the Verhoeff check digit of a string of digits.
func VerhoeffCheckDigit(body string) (byte, bool) {
	if body == "" || !isDigits(body) {
		return 0, false
	}
	c := byte(0)
	for i := 0; i < len(body); i++ {
		c = verhoeffD[c][verhoeffP[(i+1)%8][body[len(body)-1-i]-'0']]
	}
	return '0' + verhoeffInv[c], true
}

// ValidAadhaar checks an Indian Aadhaar number (12 digits, not starting
// with 0 or 1, Verhoeff check digit, as UIDAI specifies).
func ValidAadhaar(s string) bool {
	var a [16]byte
	d, ok := digitsOf(a[:0], s)
	if !ok || len(d) != 12 || d[0] < '2' || allSame(d) {
		return false
	}
	c, _ := VerhoeffCheckDigit(string(d[:11]))
	return c == d[11]
}

// ValidSIN checks a Canadian Social Insurance Number (9 digits, Luhn, as
// Employment and Social Development Canada describes it; 8 is not a first
// digit in use, 0 only in the published sample 046 454 286).
func ValidSIN(s string) bool {
	var a [16]byte
	d, ok := digitsOf(a[:0], s)
	if !ok || len(d) != 9 || d[0] == '8' || allSame(d) {
		return false
	}
	return luhnDigits(d)
}

// ValidITIN checks a US Individual Taxpayer Identification Number:
// 9XX-GG-XXXX with the group GG in 50-65, 70-88, 90-92 or 94-99 (IRS). It
// has no check digit.
func ValidITIN(s string) bool {
	var a [16]byte
	d, ok := digitsOf(a[:0], s)
	if !ok || len(d) != 9 || d[0] != '9' {
		return false
	}
	if strings.ContainsAny(s, "- ") && !(len(s) == 11 && (s[3] == '-' || s[3] == ' ') && s[6] == s[3]) {
		return false
	}
	g := int(d[3]-'0')*10 + int(d[4]-'0')
	return g >= 50 && g <= 65 || g >= 70 && g <= 88 || g >= 90 && g <= 92 || g >= 94
}

// validNationalDigits accepts the digit-only person numbers a national-id
// field name may hold.
func validNationalDigits(s string) bool {
	return ValidBSN(s) || ValidSteuerID(s) || ValidNIFPT(s) || ValidSSN(s) || ValidITIN(s) || ValidPESEL(s) ||
		ValidPersonnummer(s) || ValidCPF(s) || ValidAadhaar(s) || ValidSIN(s)
}

// SteuerIDCheckDigit is the ISO 7064 MOD 11,10 check digit of the first ten
// digits of a German tax id (Bundeszentralamt für Steuern).
func SteuerIDCheckDigit(body string) (byte, bool) {
	if len(body) != 10 || !isDigits(body) {
		return 0, false
	}
	p := 10
	for i := range 10 {
		sum := (int(body[i]-'0') + p) % 10
		if sum == 0 {
			sum = 10
		}
		p = (sum * 2) % 11
	}
	c := 11 - p
	if c == 10 {
		c = 0
	}
	return byte('0' + c), true
}
