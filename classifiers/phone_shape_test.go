package classifiers

import "testing"

func TestNotPhoneShape(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"17.01.1940", true},
		{"1.1.2001", true},
		{"01/17/1940", true},
		{"1940-01-17", true},
		{"2024.12.31", true},
		{"192.168.10.20", true},
		{"4.2.17.3", true},
		{"123-45-6789", true},
		{"52.520008", true},
		{"0.123456", true},
		{"030 901820", false},
		{"030.1234567", false},
		{"01.23.45.67.89", false},
		{"+49 30 901820", false},
		{"415-555-2671", false},
		{"32.13.1940", false}, // no such day and month
		{"17.01.3940", false}, // no such year
		{"0151 23456789", false},
	} {
		if got := notPhoneShape(c.s); got != c.want {
			t.Errorf("notPhoneShape(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}

// TestPhoneRejectsOtherShapes: values of a document of a region that
// libphonenumber would read as national numbers are not phone numbers
// when they have the shape of a date, an IPv4 address or an SSN.
func TestPhoneRejectsOtherShapes(t *testing.T) {
	for _, s := range []string{"17.01.1940", "192.168.10.20", "123-45-6789", "13.404954"} {
		if validPhoneIn(s, false, "DE") || validPhoneIn(s, true, "DE") || validPhone(s, true) {
			t.Errorf("%q accepted as a phone number", s)
		}
	}
	for _, c := range []struct{ s, region string }{{"030 901820", "DE"}, {"01 23 45 67 89", "FR"}, {"+49 30 901820", ""}} {
		if !validPhoneIn(c.s, true, c.region) {
			t.Errorf("%q (%s) rejected", c.s, c.region)
		}
	}
}

func FuzzNotPhoneShape(f *testing.F) {
	for _, s := range []string{"17.01.1940", "192.168.0.1", "123-45-6789", "030 901820", "52.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !notPhoneShape(s) {
			return
		}
		// a rejected value has no '+' and three or fewer separators,
		// all of '.', '/' or '-'
		seps := 0
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c >= '0' && c <= '9':
			case c == '.' || c == '/' || c == '-':
				seps++
			default:
				t.Fatalf("%q rejected with byte %q", s, c)
			}
		}
		if seps == 0 || seps > 3 {
			t.Fatalf("%q rejected with %d separators", s, seps)
		}
	})
}
