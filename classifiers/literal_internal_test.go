package classifiers

import (
	"strings"
	"testing"

	"github.com/piisniff/piisniff"
)

// FuzzLiteralFilter checks that the literal prefilter of every default
// field-name pattern never rejects a name the pattern matches.
func FuzzLiteralFilter(f *testing.F) {
	e, err := Load(Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		f.Fatal(err)
	}
	for _, n := range []string{"user password", "date of birth", "card number", "pin", "e mail", "reset token",
		"billing address line 1", "telefonnummer", "n de telephone", "lat", "customer name", "x api key"} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, n := range []string{raw, normName(raw), strings.ToLower(raw)} {
			for _, r := range e.rules {
				if r.fieldNameRE != nil && !r.fieldNameLits.mayMatch(n) && r.fieldNameRE.MatchString(n) {
					t.Fatalf("rule %s: filter rejects %q that field_names match", r.id, n)
				}
				if r.exclFieldRE != nil && !r.exclFieldLits.mayMatch(n) && r.exclFieldRE.MatchString(n) {
					t.Fatalf("rule %s: filter rejects %q that exclude.field_names match", r.id, n)
				}
			}
		}
	})
}

func TestLiteralFilterSound(t *testing.T) {
	e, err := Load(Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range e.rules {
		for _, l := range append(append([]string(nil), r.fieldNameLits.lits...), r.exclFieldLits.lits...) {
			names = append(names, l, "x "+l, l+" 2", "user "+l, strings.TrimSpace(l))
		}
	}
	for _, p := range []string{"contacts[].phone", "billingAddress.line1", "Geb.-Datum", "N° de téléphone",
		"payment_method_details.card.exp_month", "user.name", "support.contact.name", "security.pin"} {
		pn := newPathNames(p)
		names = append(names, pn.names()...)
	}
	checked := 0
	for _, n := range names {
		for _, r := range e.rules {
			want := r.fieldNameRE != nil && r.fieldNameRE.MatchString(n)
			if want && !r.fieldNameLits.mayMatch(n) {
				t.Errorf("rule %s: filter rejects %q", r.id, n)
			}
			want = r.exclFieldRE != nil && r.exclFieldRE.MatchString(n)
			if want && !r.exclFieldLits.mayMatch(n) {
				t.Errorf("rule %s: exclusion filter rejects %q", r.id, n)
			}
			checked++
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d checks", checked)
	}
}
