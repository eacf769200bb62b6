package classifiers

import (
	"time"
)

var dobLayouts = []string{
	"2006-01-02", "2006/01/02", "02.01.2006", "2.1.2006", "02/01/2006", "01/02/2006", "02-01-2006", "01-02-2006",
	"20060102", "2 January 2006", "January 2, 2006", "Jan 2, 2006", "2 Jan 2006", "02 Jan 2006",
	time.RFC3339, time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04:05.000Z",
}

// ValidBirthDate reports whether s is a date in a common format giving an
// age between 0 and 120 years at now.
func ValidBirthDate(s string, now time.Time) bool {
	for _, l := range dobLayouts {
		if len(l) > 12 && len(s) < 10 {
			continue
		}
		t, err := time.Parse(l, s)
		if err != nil {
			continue
		}
		age := now.Sub(t).Hours() / 24 / 365.25
		return age >= 0 && age <= 120
	}
	return false
}
