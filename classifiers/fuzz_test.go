package classifiers_test

import (
	"strings"
	"testing"

	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/classifiers"
)

// fuzzValidator checks that a validator never panics and is deterministic.
func fuzzValidator(f *testing.F, names string, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, name := range strings.Split(names, ",") {
			a, ok := classifiers.Validate(name, s, false)
			if !ok {
				t.Fatalf("unknown validator %s", name)
			}
			b, _ := classifiers.Validate(name, s, false)
			if a != b {
				t.Fatalf("%s(%q) not deterministic", name, s)
			}
			classifiers.Validate(name, s, true)
		}
	})
}

func FuzzPhone(f *testing.F) {
	fuzzValidator(f, "phonenumber", "+1 415-555-2671", "030 12345678", "0049301234567", "+")
}
func FuzzJWT(f *testing.F) {
	fuzzValidator(f, "jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", "a.b.c", "..")
}
func FuzzSSN(f *testing.F) {
	fuzzValidator(f, "ssn", "123-45-6780", "666-12-3456", "123456789", "12-345-6789")
}
func FuzzBcrypt(f *testing.F) {
	fuzzValidator(f, "bcrypt", "$2b$12$KIXQJ0yq8F7Fh3r2Sx8eUe3hX9h1uQ6bYb3cJrGQ0W8K3XJ6lN4yW", "$2$")
}
func FuzzEmail(f *testing.F) { fuzzValidator(f, "email", "a@b.com", "@", "a@b.", "x@y.zz") }
func FuzzIP(f *testing.F) {
	fuzzValidator(f, "ipv4,ipv6", "192.168.1.1", "1.2.3", "256.1.1.1", "2001:db8::1", "::")
}
func FuzzMAC(f *testing.F)    { fuzzValidator(f, "mac", "00:1a:2b:3c:4d:5e", "00:00:00:00:00:00") }
func FuzzLatLon(f *testing.F) { fuzzValidator(f, "latlon", "48.8584, 2.2945", "91.0,0.0", ",") }
func FuzzCoord(f *testing.F) {
	fuzzValidator(f, "latitude,longitude", "48.85", "-90.00", "1e5", ".")
}
func FuzzExpiry(f *testing.F)  { fuzzValidator(f, "card_expiry", "12/27", "0926", "2028-03", "1/2") }
func FuzzGeohash(f *testing.F) { fuzzValidator(f, "geohash", "u09tunquc", "aaaaa") }
func FuzzPersonName(f *testing.F) {
	fuzzValidator(f, "person_name", "Maria Schmidt", "Jean-Pierre de la Fontaine", "ÉLODIE", "x")
}
func FuzzConnURI(f *testing.F) {
	fuzzValidator(f, "connection_uri", "postgres://u:p@h/db", "mongodb+srv://a:b@c", "://@", "http://[::1")
}
func FuzzOtherValidators(f *testing.F) {
	f.Add("550e8400-e29b-41d4-a716-446655440000")
	f.Add("2201234567890")
	f.Add("12 Main Street")
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range []string{"uuid", "hex_digest", "eticket", "street_address", "not_placeholder"} {
			classifiers.Validate(v, s, false)
		}
	})
}

// FuzzLoad feeds arbitrary rule files to the loader: it must return an
// engine or an error, never panic, and errors name the source.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(piisniff.DefaultRules))
	f.Add([]byte("version: 1\nrules:\n  - id: x\n    category: email\n    patterns: ['a+']\n"))
	f.Add([]byte("rules: [{id: y, category: phone, field_name_only: true, field_names: [tel]}]"))
	f.Add([]byte("risk: {groups: {contact: 2}}"))
	f.Add([]byte("- a\n- b"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := classifiers.Load(classifiers.Source{Name: "fuzz.yaml", Data: data})
		if err != nil {
			if e != nil {
				t.Fatal("engine and error")
			}
			return
		}
		fl := e.Field("a.b[].c", "")
		fl.Classify(classifiers.Value{S: "test@example.com 4242424242424242"}, nil)
	})
}

// FuzzClassify runs the default rules on arbitrary values and paths: hits
// must have valid categories, confidences and spans.
func FuzzClassify(f *testing.F) {
	e, err := classifiers.Load(classifiers.Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("email", "jane@example.com")
	f.Add("message", "call +1 415 555 2671 or mail a@b.de, card 4242 4242 4242 4242")
	f.Add("password", "x")
	f.Add("user.address", "Hauptstraße 5")
	f.Fuzz(func(t *testing.T, path, value string) {
		for _, h := range e.Field(path, "").Classify(classifiers.Value{S: value}, nil) {
			if classifiers.GroupOf(h.Category) == "" || h.Confidence < 0 || h.Confidence > 1 ||
				h.Start < 0 || h.End < h.Start || h.End > len(value) {
				t.Fatalf("bad hit %+v for %q", h, value)
			}
			_ = classifiers.Mask(h.Category, value[h.Start:h.End])
		}
	})
}

// FuzzRegion checks DocumentRegion and ClassifyIn on arbitrary input.
func FuzzRegion(f *testing.F) {
	e, err := classifiers.Load(classifiers.Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("country", "DE", "030 1234567")
	f.Add("locale", "pt_BR", "(11) 91234-5678")
	f.Add("land", "Österreich", "+43 1 234567")
	f.Fuzz(func(t *testing.T, key, country, phone string) {
		r := e.DocumentRegion(map[string]any{key: country, "x": map[string]any{key: country}})
		if r != "" && len(r) != 2 {
			t.Fatalf("region %q", r)
		}
		e.Field("phone", "").ClassifyIn(classifiers.Value{S: phone}, r, nil)
		e.Field("f1", "").ClassifyIn(classifiers.Value{S: phone}, country, nil)
	})
}
