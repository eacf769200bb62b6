package classifiers_test

import (
	"os"
	"strings"
	"testing"

	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/classifiers"
)

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"unknown_key.yaml", `unknown_key.yaml:5: unknown key "patrens" in rule`},
		{"bad_pattern.yaml", `bad_pattern.yaml:7: rule "customer-number": bad pattern`},
		{"unknown_category.yaml", `unknown_category.yaml:4: rule "customer-number": unknown category "customer_id"`},
		{"unknown_validator.yaml", `unknown_validator.yaml:6: rule "customer-number": unknown validator "mod11"`},
		{"bad_risk.yaml", `bad_risk.yaml:4: risk weight of "payment" must be a number in [0, 1]`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			name := "testdata/rules/" + tc.file
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			_, err = classifiers.Check(classifiers.Source{Name: tc.file, Data: data}, piisniff.DefaultRules)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestNestedQuantifierWarning(t *testing.T) {
	data, err := os.ReadFile("testdata/rules/nested.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ws, err := classifiers.Check(classifiers.Source{Name: "nested.yaml", Data: data}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 1 || ws[0].Line != 6 || !strings.Contains(ws[0].Message, "nests quantifiers") {
		t.Fatalf("warnings = %v", ws)
	}
}

func TestUserRulesMerge(t *testing.T) {
	data, err := os.ReadFile("testdata/rules/company.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e, err := classifiers.Load(classifiers.Source{Name: "rules.yaml", Data: piisniff.DefaultRules},
		classifiers.Source{Name: "company.yaml", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if w := e.RiskWeight("national_id"); w != 0.9 {
		t.Errorf("risk weight = %v, want 0.9", w)
	}
	for _, r := range e.Rules() {
		if r.ID == "ipv4" {
			t.Error("disabled rule ipv4 still loaded")
		}
	}
	hits := e.Field("customer_no", "").Classify(classifiers.Value{S: "CUST-00012345"}, nil)
	if len(hits) != 1 || hits[0].Rule != "acme-customer-number" || hits[0].Confidence != 0.95 {
		t.Fatalf("hits = %+v", hits)
	}
	hits = e.Field("notes", "").Classify(classifiers.Value{S: "customer CUST-00012345 called"}, nil)
	if len(hits) != 1 || hits[0].Start != 9 || hits[0].End != 22 {
		t.Fatalf("text hits = %+v", hits)
	}
	if hits := e.Field("ip", "").Classify(classifiers.Value{S: "192.168.1.1"}, nil); len(hits) != 0 {
		t.Fatalf("disabled rule fired: %+v", hits)
	}
}

func TestRestrict(t *testing.T) {
	e := defaultEngine(t)
	r, err := e.Restrict([]string{"payment"}, []string{"iban"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ri := range r.Rules() {
		if ri.Group != "payment" || ri.Category == "iban" {
			t.Errorf("rule %s (%s) kept", ri.ID, ri.Category)
		}
	}
	if _, err := e.Restrict([]string{"paymnet"}, nil); err == nil {
		t.Error("unknown group accepted")
	}
	if h := r.Field("email", "").Classify(classifiers.Value{S: "a@example.com"}, nil); len(h) != 0 {
		t.Errorf("restricted engine found %+v", h)
	}
}

func TestOverrideKeepsOtherKeys(t *testing.T) {
	data, err := os.ReadFile("testdata/rules/override.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e, err := classifiers.Load(classifiers.Source{Name: "rules.yaml", Data: piisniff.DefaultRules},
		classifiers.Source{Name: "override.yaml", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	h := e.Field("f1", "").Classify(classifiers.Value{S: "jane@example.com"}, nil)
	if len(h) != 1 || h[0].Confidence != 0.6 {
		t.Fatalf("email hits %+v, want confidence 0.6 with the default patterns", h)
	}
	if h := e.Field("fax", "").Classify(classifiers.Value{S: "+44 20 7946 0958"}, nil); len(h) != 0 {
		t.Fatalf("fax excluded but found %+v", h)
	}
	if h := e.Field("phone", "").Classify(classifiers.Value{S: "+44 20 7946 0958"}, nil); len(h) != 1 {
		t.Fatalf("phone hits %+v", h)
	}
}
