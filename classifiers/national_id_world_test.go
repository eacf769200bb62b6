package classifiers_test

import (
	"testing"

	"github.com/piisniff/piisniff/classifiers"
)

// Numbers from the issuers' own descriptions of their schemes, and the same
// numbers with one digit changed.
func TestNationalIDsWorld(t *testing.T) {
	tests := []struct {
		scheme string
		valid  func(string) bool
		good   []string
		bad    []string
	}{
		// Bundeszentralamt für Steuern sample tax id; ISO 7064 MOD 11,10
		{"steuer-id", classifiers.ValidSteuerID, []string{"86095742719", "86 095 742 719"}, []string{"86095742718", "06095742719"}},
		// Polish Ministry of Digital Affairs sample PESEL (born 14 May 1944); one
		// born 8 July 2002 (month + 20)
		{"pesel", classifiers.ValidPESEL, []string{"44051401359", "02270803624"}, []string{"44051401358", "44151401359", "4405140135"}},
		// Skatteverket SKV 704 sample personnummer; a samordningsnummer (day + 60)
		{"personnummer", classifiers.ValidPersonnummer, []string{"811218-9876", "198112189876", "8112189876", "701063-2391"}, []string{"811218-9875", "811318-9876", "178112189876"}},
		// Receita Federal examples of the two mod 11 check digits
		{"cpf", classifiers.ValidCPF, []string{"111.444.777-35", "52998224725"}, []string{"111.444.777-36", "111.111.111-11", "1114447773"}},
		// UIDAI: 12 digits, first not 0 or 1, Verhoeff
		{"aadhaar", classifiers.ValidAadhaar, []string{"2341 2341 2346", "499118665246"}, []string{"2341 2341 2345", "1341 2341 2346", "2341-2341-2346x"}},
		// Employment and Social Development Canada's sample SIN
		{"sin", classifiers.ValidSIN, []string{"046 454 286", "046-454-286"}, []string{"046 454 287", "846 454 286"}},
		// IRS: ITINs are 9XX-GG-XXXX with GG in 50-65, 70-88, 90-92, 94-99
		{"itin", classifiers.ValidITIN, []string{"912-70-1234", "900501234", "999 94 0000"}, []string{"912-69-1234", "912-93-1234", "812-70-1234", "912-70-12345"}},
		// existing schemes the issue lists, for the record
		{"bsn", classifiers.ValidBSN, []string{"111222333", "123456782"}, []string{"111222334"}},
		{"dni", classifiers.ValidDNI, []string{"12345678Z", "X1234567L"}, []string{"12345678A"}},
		{"nir", classifiers.ValidNIR, []string{"255081416802538"}, []string{"255081416802539"}},
		{"codice fiscale", classifiers.ValidCodiceFiscale, []string{"RSSMRA85T10A562S"}, []string{"RSSMRA85T10A562T"}},
		{"ssn", classifiers.ValidSSN, []string{"536-22-1234"}, []string{"666-12-3456", "900-70-1234"}},
	}
	for _, tc := range tests {
		for _, s := range tc.good {
			if !tc.valid(s) {
				t.Errorf("%s: %q rejected", tc.scheme, s)
			}
		}
		for _, s := range tc.bad {
			if tc.valid(s) {
				t.Errorf("%s: %q accepted", tc.scheme, s)
			}
		}
	}
	// Verhoeff's own example: the check digit of 236 is 3.
	if c, ok := classifiers.VerhoeffCheckDigit("236"); !ok || c != '3' {
		t.Errorf("Verhoeff check digit of 236 = %q, want 3", c)
	}
}

// FuzzNationalIDsWorld: a payload completed with its check digit(s) is
// accepted; one substituted digit is rejected where the scheme guarantees
// it: PESEL (weights 1, 3, 7, 9 are prime to 10), personnummer and SIN
// (Luhn), Aadhaar (Verhoeff detects every single substitution). CPF's mod
// 11 maps the remainders 0 and 1 to the same digit: round trip only.
func FuzzNationalIDsWorld(f *testing.F) {
	addSeeds(f, "4405140135", "811218987", "111444777", "23412341234", "04645428", "", "\xff")
	f.Fuzz(func(t *testing.T, s string, pos, delta uint8) {
		for _, v := range []func(string) bool{classifiers.ValidPESEL, classifiers.ValidPersonnummer, classifiers.ValidCPF,
			classifiers.ValidAadhaar, classifiers.ValidSIN, classifiers.ValidITIN} {
			v(s) // arbitrary input: no panic
		}
		d := digitsFrom(s, 12)

		// PESEL: YYMMDD with a valid month (century offset kept) and day
		p := append([]byte(nil), d[:10]...)
		p[2], p[3] = '0'+p[2]%2*2, '1'+p[3]%9 // months 01-09 or 21-29
		p[4], p[5] = '0'+p[4]%3, '1'+p[5]%9
		if c, ok := classifiers.PESELCheckDigit(string(p)); ok {
			good := append(p, c)
			if !allSame(good) {
				checkRoundTrip(t, "pesel", classifiers.ValidPESEL, good, 0, pos, delta, true)
			}
		} else {
			t.Fatalf("PESELCheckDigit(%q) failed", p)
		}

		// personnummer: YYMMDD NNN and the Luhn digit; a changed digit may
		// also make the date invalid, which rejects it too
		pn := append([]byte(nil), d[:9]...)
		pn[2], pn[3] = '0', '1'+pn[3]%9
		pn[4], pn[5] = '0'+pn[4]%3, '1'+pn[5]%9
		good := append(pn, classifiers.LuhnCheckDigit(string(pn)))
		checkRoundTrip(t, "personnummer", classifiers.ValidPersonnummer, good, 0, pos, delta, true)

		// CPF
		if c, ok := classifiers.CPFCheckDigits(string(d[:9])); ok {
			cpf := append(append([]byte(nil), d[:9]...), c...)
			if !allSame(cpf) {
				checkRoundTrip(t, "cpf", classifiers.ValidCPF, cpf, 0, pos, delta, false)
			}
		}

		// Aadhaar: first digit 2-9
		a := append([]byte(nil), d[:11]...)
		a[0] = '2' + a[0]%8
		if c, ok := classifiers.VerhoeffCheckDigit(string(a)); ok {
			good := append(a, c)
			if !allSame(good) {
				// the first digit may become 0 or 1, which is rejected too
				checkRoundTrip(t, "aadhaar", classifiers.ValidAadhaar, good, 0, pos, delta, true)
			}
		}

		// SIN: first digit not 8
		sin := append([]byte(nil), d[:8]...)
		if sin[0] == '8' {
			sin[0] = '1'
		}
		good = append(sin, classifiers.LuhnCheckDigit(string(sin)))
		if !allSame(good) {
			checkRoundTrip(t, "sin", classifiers.ValidSIN, good, 0, pos, delta, true)
		}
	})
}
