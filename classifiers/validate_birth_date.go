package classifiers

import (
	"time"
)

var dobLayouts = []string{
	"2006-01-02", "2006/01/02", "02.01.2006", "2.1.2006", "02/01/2006", "01/02/2006", "02-01-2006", "01-02-2006",
	"20060102", "2 January 2006", "January 2, 2006", "Jan 2, 2006", "2 Jan 2006", "02 Jan 2006",
	time.RFC3339, time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04:05.000Z",
}

// dobLead is what the start of a value must look like for time.Parse to
// read it with a layout: the layout's first element (a year of 4 digits,
// a month or day of 2, a day of 1 or 2, or a month's name) and the
// character that follows it. A value that does not start so fails the
// parse, which ValidBirthDate then skips: most values meet several
// layouts before the one they are written in, and each failed parse
// allocates its error.
type dobLead struct {
	name     bool // a month's name: the value starts with a letter
	min, max int  // the digits of the first element
	sep      byte // the character after them; 0: a digit (20060102)
}

var dobLeads = func() []dobLead {
	out := make([]dobLead, len(dobLayouts))
	for i, l := range dobLayouts {
		var d dobLead
		switch {
		case l[0] >= 'A' && l[0] <= 'Z':
			d.name = true
		case len(l) >= 4 && l[:4] == "2006":
			d.min, d.max = 4, 4
		case l[:2] == "01" || l[:2] == "02":
			d.min, d.max = 2, 2
		default: // "2": the day, one digit or two
			d.min, d.max = 1, 2
		}
		if !d.name && d.min < len(l) && (l[d.min] < '0' || l[d.min] > '9') {
			d.sep = l[d.min]
		}
		out[i] = d
	}
	return out
}()

// may reports whether s starts as the layout requires (a necessary
// condition of time.Parse's success, not a sufficient one).
func (d dobLead) may(s string) bool {
	if s == "" {
		return false
	}
	if d.name {
		c := s[0] | 0x20
		return c >= 'a' && c <= 'z'
	}
	n := 0
	for n < len(s) && n < d.max && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n < d.min {
		return false
	}
	if d.sep == 0 {
		return true
	}
	return n < len(s) && s[n] == d.sep
}

// ValidBirthDate reports whether s is a date in a common format giving an
// age between 0 and 120 years at now.
func ValidBirthDate(s string, now time.Time) bool {
	for i, l := range dobLayouts {
		if len(l) > 12 && len(s) < 10 || !dobLeads[i].may(s) {
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
