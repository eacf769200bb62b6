package classifiers_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/piisniff/piisniff/classifiers"
)

// Check-digit round trips. Each target takes the payload of a number from
// the fuzz input, completes it with its check digit(s), and asserts that
// the validator accepts the result; then it changes one character to
// another of the same class (a digit for a digit, a letter for a letter)
// and asserts that the validator rejects it, for the schemes that detect
// every such substitution:
//
//   - Luhn (cards, IMEI): doubling maps the digits 0-9 to a permutation of
//     them, so one changed digit always changes the sum mod 10.
//   - ISO 7064 mod 97-10 (IBAN) and the NIR's mod 97: a substitution adds
//     δ·10^k with 0 < |δ| < 97 (a letter stands for two digits, 10-35, so a
//     letter for a letter also keeps every other digit in place); 97 is
//     prime, so the remainder changes.
//   - ABA: weights 3, 7, 1 are prime to 10.
//   - DNI/NIE: 23 is prime and does not divide δ·10^k; a changed letter is
//     another letter.
//   - BSN (11-test): weights 9…2 and -1 are not 0 mod 11, which is prime.
//   - Steuer-ID (ISO 7064 MOD 11,10): detects every single substitution.
//   - Codice fiscale: the odd-position table maps the 26 letters to a
//     permutation of 0-25 and the 10 digits to distinct values; so does the
//     even-position one. A digit swapped for a letter is not always caught
//     (0 and A count alike), hence same-class substitutions only.
//
// The Portuguese NIF (mod 11, a remainder of 0 or 1 both give check digit
// 0) does not catch every substitution: only its round trip is asserted.

// digitsFrom turns fuzz input into n decimal digits, cycling through the
// input (zeros when it is empty).
func digitsFrom(s string, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		if len(s) > 0 {
			out[i] = '0' + s[i%len(s)]%10
		} else {
			out[i] = '0'
		}
	}
	return out
}

// alnumFrom turns fuzz input into n characters of 0-9A-Z.
func alnumFrom(s string, n int) []byte {
	const set = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	out := make([]byte, n)
	for i := range out {
		c := byte(i)
		if len(s) > 0 {
			c = s[i%len(s)] + byte(i/len(s))
		}
		out[i] = set[int(c)%len(set)]
	}
	return out
}

// substitute returns a copy of b with the character at i replaced by a
// different one of the same class: digit by digit, upper-case letter by
// letter. delta picks which.
func substitute(b []byte, i int, delta uint8) []byte {
	out := append([]byte(nil), b...)
	c := out[i]
	switch {
	case c >= '0' && c <= '9':
		out[i] = '0' + (c-'0'+1+delta%9)%10
	case c >= 'A' && c <= 'Z':
		out[i] = 'A' + (c-'A'+1+delta%25)%26
	default:
		panic(fmt.Sprintf("substitute %q", c))
	}
	return out
}

func allSame(b []byte) bool {
	for _, c := range b {
		if c != b[0] {
			return false
		}
	}
	return true
}

// checkRoundTrip asserts that valid accepts good and rejects good with the
// character at pos (mod its length, from the first changeable index)
// substituted, when mutate is set.
func checkRoundTrip(t *testing.T, scheme string, valid func(string) bool, good []byte, from int, pos, delta uint8, mutate bool) {
	t.Helper()
	if !valid(string(good)) {
		t.Fatalf("%s: generated %q (check digit computed from the payload) is rejected", scheme, good)
	}
	if !mutate {
		return
	}
	i := from + int(pos)%(len(good)-from)
	bad := substitute(good, i, delta)
	if valid(string(bad)) {
		t.Fatalf("%s: %q with position %d changed (%q) is still accepted", scheme, good, i, bad)
	}
}

func addSeeds(f *testing.F, seeds ...string) {
	for i, s := range seeds {
		f.Add(s, uint8(i*7), uint8(i))
	}
}

// FuzzLuhn: any digits completed with LuhnCheckDigit pass Luhn; as a
// Visa-range 16-digit number also ValidCard; one changed digit fails both.
// Arbitrary input never panics.
func FuzzLuhn(f *testing.F) {
	addSeeds(f, "4242424242424242", "79927398713", "", "-", "\xff9")
	f.Fuzz(func(t *testing.T, s string, pos, delta uint8) {
		classifiers.Luhn(s) // arbitrary input: no panic
		classifiers.ValidCard(s)
		n := 1 + len(s)%24
		payload := digitsFrom(s, n)
		good := append(payload, classifiers.LuhnCheckDigit(string(payload)))
		checkRoundTrip(t, "luhn", classifiers.Luhn, good, 0, pos, delta, true)

		card := append([]byte{'4'}, digitsFrom(s, 14)...)
		card = append(card, classifiers.LuhnCheckDigit(string(card)))
		if !allSame(card) {
			checkRoundTrip(t, "card", classifiers.ValidCard, card, 0, pos, delta, true)
		}
	})
}

// FuzzIMEI: 14 digits (not starting 00) and their Luhn digit are an IMEI;
// one changed digit is not.
func FuzzIMEI(f *testing.F) {
	addSeeds(f, "490154203237518", "35-209900-176148-1", "")
	f.Fuzz(func(t *testing.T, s string, pos, delta uint8) {
		classifiers.ValidIMEI(s) // arbitrary input: no panic
		body := digitsFrom(s, 14)
		body[0] = '3' // reporting bodies 01-99; 00 is rejected
		good := append(body, classifiers.LuhnCheckDigit(string(body)))
		if allSame(good) {
			return
		}
		checkRoundTrip(t, "imei", classifiers.ValidIMEI, good, 0, pos, delta, true)
	})
}

// ibanCheckDigits computes the two check digits of an IBAN from its country
// and BBAN (ISO 13616: BBAN, country, "00" as digits, 98 minus mod 97).
func ibanCheckDigits(country string, bban []byte) string {
	rem := 0
	for _, c := range string(bban) + country + "00" {
		if c >= 'A' {
			rem = (rem*100 + int(c-'A'+10)) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return fmt.Sprintf("%02d", 98-rem)
}

// FuzzIBAN: a BBAN of the country's length with computed check digits is
// an IBAN; one character changed (digit for digit, letter for letter, the
// country code and check digits included) is not.
func FuzzIBAN(f *testing.F) {
	addSeeds(f, "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "XX00", "")
	countries := []struct {
		cc string
		n  int
	}{{"DE", 22}, {"GB", 22}, {"FR", 27}, {"NL", 18}, {"IT", 27}, {"NO", 15}, {"MT", 31}, {"LC", 32}, {"RU", 33}}
	f.Fuzz(func(t *testing.T, s string, pos, delta uint8) {
		classifiers.ValidIBAN(s) // arbitrary input: no panic
		c := countries[int(pos^delta)%len(countries)]
		bban := alnumFrom(s, c.n-4)
		good := []byte(c.cc + ibanCheckDigits(c.cc, bban) + string(bban))
		checkRoundTrip(t, "iban", classifiers.ValidIBAN, good, 0, pos, delta, true)
	})
}

// FuzzABA: eight digits behind a valid Federal Reserve prefix, with the
// 3-7-1 check digit, are a routing number; one changed digit is not.
func FuzzABA(f *testing.F) {
	addSeeds(f, "021000021", "011000015", "12345678", "")
	prefixes := []string{"01", "07", "12", "21", "26", "32", "61", "67", "72", "80", "00"}
	f.Fuzz(func(t *testing.T, s string, pos, delta uint8) {
		classifiers.ValidABA(s) // arbitrary input: no panic
		d := append([]byte(prefixes[int(delta)%len(prefixes)]), digitsFrom(s, 6)...)
		w := [3]int{3, 7, 1}
		sum := 0
		for i, c := range d {
			sum += int(c-'0') * w[i%3]
		}
		good := append(d, byte('0'+(10-sum%10)%10))
		if allSame(good) {
			return
		}
		checkRoundTrip(t, "aba", classifiers.ValidABA, good, 0, pos, delta, true)
	})
}

// FuzzNationalIDs: national numbers completed with their check digits or
// letters validate; one changed character does not (except for the NIF,
// see above). Arbitrary input never panics.
func FuzzNationalIDs(f *testing.F) {
	addSeeds(f, "12345678Z", "X1234567L", "RSSMRA85T10A562S", "1 85 05 78 006 084 36", "111222333", "86095742719", "123456789", "")
	f.Fuzz(func(t *testing.T, s string, pos, delta uint8) {
		for _, v := range []string{"dni", "nir", "codice_fiscale", "bsn", "steuer_id", "nif_pt", "national_id_eu", "national_id_digits"} {
			if _, ok := classifiers.Validate(v, s, false); !ok { // arbitrary input: no panic
				t.Fatalf("validator %s unknown", v)
			}
		}

		// Spanish DNI: 8 digits and the letter of their value mod 23
		dni := digitsFrom(s, 8)
		n, _ := strconv.Atoi(string(dni))
		dni = append(dni, "TRWAGMYFPDXBNJZSQVHLCKE"[n%23])
		checkRoundTrip(t, "dni", classifiers.ValidDNI, dni, 0, pos, delta, true)

		// French NIR: sex 1 or 2, 12 digits, key 97 - n mod 97
		body := append([]byte{'1' + s2b(s)%2}, digitsFrom(s, 12)...)
		nb, _ := strconv.ParseUint(string(body), 10, 64)
		nir := append(body, fmt.Sprintf("%02d", 97-nb%97)...)
		checkRoundTrip(t, "nir", classifiers.ValidNIR, nir, 1, pos, delta, true)

		// Italian codice fiscale: 6 letters, 9 letters or digits, check letter
		cf := append(lettersOf(alnumFrom(s, 6)), alnumFrom(s+"x", 9)...)
		check, ok := classifiers.CodiceFiscaleCheckLetter(string(cf))
		if !ok {
			t.Fatalf("no check letter for %q", cf)
		}
		cf = append(cf, check)
		checkRoundTrip(t, "codice fiscale", classifiers.ValidCodiceFiscale, cf, 0, pos, delta, true)

		// Dutch BSN: 8 digits and the digit that makes the 11-test hold
		bsn := digitsFrom(s, 8)
		sum := 0
		for i, c := range bsn {
			sum += int(c-'0') * (9 - i)
		}
		if c := sum % 11; c < 10 {
			bsn = append(bsn, byte('0'+c))
			if !allSame(bsn) {
				checkRoundTrip(t, "bsn", classifiers.ValidBSN, bsn, 0, pos, delta, true)
			}
		}

		// German Steuer-ID: 10 digits (not starting 0), ISO 7064 MOD 11,10
		st := digitsFrom(s, 10)
		st[0] = '1' + st[0]%9
		p := 10
		for _, c := range st {
			x := (int(c-'0') + p) % 10
			if x == 0 {
				x = 10
			}
			p = x * 2 % 11
		}
		st = append(st, byte('0'+(11-p)%10))
		if !allSame(st) {
			checkRoundTrip(t, "steuer-id", classifiers.ValidSteuerID, st, 1, pos, delta, true)
		}

		// Portuguese NIF: 8 digits (not starting 0), mod 11; round trip only
		nif := digitsFrom(s, 8)
		nif[0] = '1' + nif[0]%9
		sum = 0
		for i, c := range nif {
			sum += int(c-'0') * (9 - i)
		}
		c := 11 - sum%11
		if c >= 10 {
			c = 0
		}
		nif = append(nif, byte('0'+c))
		checkRoundTrip(t, "nif", classifiers.ValidNIFPT, nif, 0, pos, delta, false)
	})
}

func s2b(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}

// lettersOf maps 0-9A-Z characters to A-Z.
func lettersOf(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c <= '9' {
			c = 'A' + (c - '0')
		}
		out[i] = c
	}
	return out
}

// parsedBirthDate is ValidBirthDate's answer as time.Parse gives it: the
// first layout that parses s decides.
func parsedBirthDate(s string, now time.Time) bool {
	for _, l := range classifiers.DOBLayouts() {
		if t, err := time.Parse(l, s); err == nil {
			age := now.Sub(t).Hours() / 24 / 365.25
			return age >= 0 && age <= 120
		}
	}
	return false
}

// FuzzBirthDate: a date 1 day to 119 years before now, written in any
// supported layout, is a birth date; a date after now, written as
// 2006-01-02, is not. (A day-month order the first matching layout reads
// the other way round stays in the same year, so still in range.)
func FuzzBirthDate(f *testing.F) {
	f.Add("1985-03-12", uint16(1), uint8(0))
	f.Add("12.03.1985", uint16(43000), uint8(5))
	f.Add("March 12, 1985", uint16(365), uint8(10))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	layouts := []string{"2006-01-02", "2006/01/02", "02.01.2006", "2.1.2006", "02/01/2006", "01/02/2006", "02-01-2006",
		"01-02-2006", "20060102", "2 January 2006", "January 2, 2006", "Jan 2, 2006", "2 Jan 2006", "02 Jan 2006",
		time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05"}
	f.Add("2.1.1985", uint16(7), uint8(3))
	f.Add("1985-03-12T10:00:00.000Z", uint16(9), uint8(14))
	f.Add("Mar 12, 1985", uint16(9), uint8(11))
	f.Add("012.3.1985", uint16(9), uint8(3))
	f.Add("19850312", uint16(9), uint8(8))
	f.Fuzz(func(t *testing.T, s string, days uint16, layout uint8) {
		// arbitrary input: no panic, and the answer of time.Parse tried
		// with every layout in turn (the layouts' lead test only skips
		// parses that fail)
		if got, want := classifiers.ValidBirthDate(s, now), parsedBirthDate(s, now); got != want {
			t.Fatalf("ValidBirthDate(%q) = %v, time.Parse with each layout says %v", s, got, want)
		}
		back := 1 + int(days)%(119*365)
		l := layouts[int(layout)%len(layouts)]
		born := now.AddDate(0, 0, -back).Format(l)
		if !classifiers.ValidBirthDate(born, now) {
			t.Fatalf("%q (%d days before %s, layout %q) is not a birth date", born, back, now.Format(time.DateOnly), l)
		}
		future := now.AddDate(0, 0, 1+int(days)%3650).Format("2006-01-02")
		if classifiers.ValidBirthDate(future, now) {
			t.Fatalf("%q, after %s, is a birth date", future, now.Format(time.DateOnly))
		}
	})
}
