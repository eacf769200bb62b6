package classifiers

import "testing"

func TestPhoneLookalike(t *testing.T) {
	for s, want := range map[string]bool{
		"192.168.1.10": true, "10.2.3.4": true, "01.02.2019": true, "1/2/19": true, "2019-02-01": true,
		"52.520008": true, "-73.98": true,
		"030 1234567": false, "030/1234567": false, "06.12.34.56.78": false, "+49 30 1234567": false,
		"(415) 555-2671": false, "415-555-2671": false, "0151 12345678": false, "030-12345678": false,
	} {
		if got := phoneLookalike(s); got != want {
			t.Errorf("phoneLookalike(%q) = %v, want %v", s, got, want)
		}
	}
}
