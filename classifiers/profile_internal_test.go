package classifiers

import (
	"testing"
	"unicode/utf8"
)

// computeRef is profile.compute as it was written first, byte by byte on
// the profile's fields: the oracle of FuzzProfile.
func (p *profile) computeRef(s string) {
	p.n = len(s)
	run, seps, lrun, wrun := 0, 0, 0, 0
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b == ' ' || b == '\t' || b == '\n' || b == '\r' {
			wrun = 0
		} else {
			wrun++
			if wrun > p.wordRun {
				p.wordRun = wrun
			}
		}
		if b|0x20 >= 'a' && b|0x20 <= 'z' {
			lrun++
			if lrun > p.letterRun {
				p.letterRun = lrun
			}
		} else {
			lrun = 0
		}
		if b >= '0' && b <= '9' {
			run++
			seps = 0
			if run > p.digitRun {
				p.digitRun = run
			}
		} else if seps == 0 && run > 0 && (b == ' ' || b == '-' || b == '.' || b == '/' || b == '(' || b == ')') {
			seps++
		} else if !(b == '(' && seps == 1) {
			run, seps = 0, 0
		}
		switch {
		case b >= utf8.RuneSelf:
			p.nonASCII = true
			continue
		case b >= '0' && b <= '9':
			p.digits++
		case b|0x20 >= 'a' && b|0x20 <= 'z':
			p.letters++
		case b == ' ' || b == '\t' || b == '\n' || b == '\r':
			p.spaces++
		}
		p.set.add(b)
	}
}

// FuzzProfile checks the table-driven profile.compute against computeRef.
func FuzzProfile(f *testing.F) {
	for _, s := range []string{"", "+1 (415) 555-2671", "ann@example.com", "Straße 12\tb", "12.(3", "1 (2", "\xff\x00 a1-", "aaa bbb ccc 0123-456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want profile
		got.compute(s)
		want.computeRef(s)
		if got != want {
			t.Fatalf("compute(%q) = %+v, want %+v", s, got, want)
		}
	})
}

var profileBenchValues = []string{"ann.smith@example.com", "+49 30 1234567", "2025-02-20T05:12:15.238Z", "Hauptstraße 19",
	"The Rechnung of a morgen danke shipped Lieferung Bestellung stock of morgen morgen Paket wants shipped about Paket heute.",
	"03e50b738f5f64f700fd8b52", "active", "DE89370400440532013000"}

// BenchmarkProfile compares compute with its oracle on values like the
// benchmark corpus's.
func BenchmarkProfile(b *testing.B) {
	for _, bc := range []struct {
		name string
		fn   func(*profile, string)
	}{{"table", (*profile).compute}, {"bytewise", (*profile).computeRef}} {
		b.Run(bc.name, func(b *testing.B) {
			for i := range b.N {
				var p profile
				bc.fn(&p, profileBenchValues[i%len(profileBenchValues)])
			}
		})
	}
}
