package classifiers

import (
	"reflect"
	"testing"

	"github.com/piisniff/piisniff"
)

// gateFields are field paths whose names bring different rule sets.
var gateFields = []string{"email", "phone", "customer.iban", "notes", "user.name", "ssn", "dob", "misc",
	"address.street", "card_number", "payload.description", "nino", "device.mac", "lat", "password", "x"}

// classifyUngated classifies as ClassifyIn does without the field's gate:
// every rule's bounds tested in turn.
func classifyUngated(f *Field, v Value, region string) []Hit {
	u := *f
	u.gate = nil
	return u.ClassifyIn(v, region, nil)
}

func checkGate(t *testing.T, e *Engine, fields []*Field, s string) {
	t.Helper()
	for _, f := range fields {
		for k := KindString; k <= KindBinary; k++ {
			for _, region := range []string{"", "DE", "US"} {
				v := Value{S: s, Kind: k}
				got, want := f.ClassifyIn(v, region, nil), classifyUngated(f, v, region)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("field %s, kind %d, region %q, value %q: gated %+v, ungated %+v", f.path, k, region, s, got, want)
				}
			}
		}
	}
}

func gateEngine(t testing.TB) (*Engine, []*Field) {
	e, err := Load(Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	var fields []*Field
	for _, p := range gateFields {
		f := e.Field(p, "")
		if f.gate == nil {
			t.Fatalf("field %s has no gate", p)
		}
		fields = append(fields, f)
	}
	return e, fields
}

// TestGateSameAsUngated checks that the gated rule loop finds exactly what
// testing every rule's bounds finds, on the accuracy cases and generated
// documents under fields of many rule sets.
func TestGateSameAsUngated(t *testing.T) {
	e, fields := gateEngine(t)
	seen := map[string]bool{}
	var vals []string
	for _, s := range shapeCorpus(t) {
		if !seen[s] && len(vals) < 6000 {
			seen[s] = true
			vals = append(vals, s)
		}
	}
	hits := 0
	for _, s := range vals {
		checkGate(t, e, fields, s)
		hits += len(fields[0].ClassifyIn(Value{S: s}, "", nil))
	}
	if hits == 0 {
		t.Error("no value hit: the test compares nothing")
	}
}

func TestGateTables(t *testing.T) {
	e, _ := gateEngine(t)
	f := e.Field("email", "")
	var p profile
	for _, tc := range []struct {
		value string
		kind  Kind
		ok    bool // inside the tables
		rule  string
		in    bool // rule is a candidate
	}{
		{"jane.doe@example.com", KindString, true, "email", true},
		{"jane", KindString, true, "email", false},
		{"jane.doe@example.com", KindBool, true, "email", false},
		{"an email address far longer than the sixty four bytes the gate tables hold", KindString, false, "", false},
		{"12345678901234567890123456789012345678901234567890123456789012345", KindString, false, "", false},
	} {
		p = profile{}
		p.compute(tc.value)
		text := p.spaces > 0 && p.n >= minTextLen && p.letterRun >= 3
		m, ok := f.gate.candidates(tc.kind, &p, text)
		if ok != tc.ok {
			t.Errorf("%q: ok = %v", tc.value, ok)
			continue
		}
		if !ok {
			continue
		}
		in := false
		for i := range f.rules {
			if f.rules[i].r.id == tc.rule && m&(1<<i) != 0 {
				in = true
			}
		}
		if in != tc.in {
			t.Errorf("%q: rule %s candidate = %v", tc.value, tc.rule, in)
		}
	}
	if g1, g2 := e.Field("email", "").gate, e.Field("user.email", "").gate; g1 != g2 && reflect.DeepEqual(e.Field("email", "").rules, e.Field("user.email", "").rules) {
		t.Error("fields with the same rules do not share a gate")
	}
}

// FuzzGate checks the gated rule loop against testing every rule's bounds.
func FuzzGate(f *testing.F) {
	e, fields := gateEngine(f)
	for _, s := range []string{"jane.doe@example.com", "+49 30 1234567", "DE89 3704 0044 0532 0130 00", "call me at 030 1234567 tomorrow",
		"123-45-6789", "1985-04-12", "12.5", "true", "AB 12 34 56 C", "4111111111111111"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkGate(t, e, fields, s) })
}
