package classifiers

import "testing"

// TestPhoneLookalikes: values with the shape of an IPv4 address, a version,
// a date or a coordinate are never phone numbers, in whatever region the
// document says it is (issue 16's error classes), while real numbers
// written with the same separators keep their shape.
func TestPhoneLookalikes(t *testing.T) {
	for s, lookalike := range map[string]bool{
		"192.168.1.10": true, "10.2.3.4": true, "01.02.2019": true, "1/2/19": true, "2019-02-01": true,
		"52.520008": true, "-73.98": true, "17.01.1940": true, "4.2.17.3": true,
		"030 1234567": false, "030/1234567": false, "06.12.34.56.78": false, "+49 30 1234567": false,
		"(415) 555-2671": false, "415-555-2671": false, "0151 12345678": false, "030-12345678": false,
	} {
		if !lookalike {
			if notPhoneShape(s) {
				t.Errorf("notPhoneShape(%q) = true for a phone number", s)
			}
			continue
		}
		if validPhone(s, true) {
			t.Errorf("validPhone(%q) accepted a lookalike", s)
		}
		for _, region := range []string{"DE", "FR", "US", "GB", "IT", "BR"} {
			if validPhoneIn(s, true, region) {
				t.Errorf("validPhoneIn(%q, %s) accepted a lookalike", s, region)
			}
		}
	}
}
