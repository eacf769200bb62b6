package classifiers_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/classifiers"
)

var update = flag.Bool("update", false, "rewrite the expected errors in testdata/rules/*.errors")

// TestCheckErrors checks each broken rules file in testdata/rules against
// the errors it must produce, listed one a line in the .errors file next to
// it (go test -run TestCheckErrors -update rewrites them; review the diff).
// Every error of every rule is reported, each at file:line:column.
func TestCheckErrors(t *testing.T) {
	for _, file := range []string{
		"unknown_key.yaml",        // a typo in a key: the closest key is suggested
		"bad_pattern.yaml",        // an unbalanced parenthesis, shown without the anchors added to compile it
		"unknown_category.yaml",   // the valid category ids are listed
		"unknown_validator.yaml",  // the known validators are listed
		"bad_risk.yaml",           // a weight out of range
		"many_errors.yaml",        // eleven errors in one file, all reported, in line order; look-arounds and backreferences suggest regexp2
		"examples_fail.yaml",      // examples the rules do not judge as they say, and malformed examples
		"yaml_syntax.yaml",        // YAML that does not parse: the line, column 1
		"examples_bad_field.yaml", // examples under a field name the rule does not accept
	} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/rules", file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = classifiers.Check(classifiers.Source{Name: file, Data: data}, piisniff.DefaultRules)
			var list classifiers.LoadErrors
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error = %v, want LoadErrors", err)
			}
			for _, e := range list {
				if e.Source != file || e.Line < 1 || e.Column < 1 || e.Msg == "" {
					t.Errorf("error without a position in %s: %+v", file, e)
				}
			}
			golden := filepath.Join("testdata/rules", strings.TrimSuffix(file, ".yaml")+".errors")
			got := err.Error() + "\n"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("errors of %s:\n%s\nwant (%s):\n%s", file, got, golden, want)
			}
		})
	}
}

// TestLoadSkipsExamples: Load checks the form of examples but does not run
// them; Check does.
func TestLoadSkipsExamples(t *testing.T) {
	data, err := os.ReadFile("testdata/rules/examples_fail.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = classifiers.Load(classifiers.Source{Name: "rules.yaml", Data: piisniff.DefaultRules},
		classifiers.Source{Name: "examples_fail.yaml", Data: data})
	var list classifiers.LoadErrors
	if !errors.As(err, &list) {
		t.Fatalf("error = %v, want LoadErrors", err)
	}
	var got []string
	for _, e := range list {
		got = append(got, fmt.Sprintf("%d:%d", e.Line, e.Column))
	}
	if want := []string{"26:81", "26:82"}; !slices.Equal(got, want) {
		t.Errorf("Load errors at %v, want only the malformed example at %v:\n%v", got, want, err)
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
	if len(ws) != 1 || ws[0].Line != 6 || ws[0].Column != 16 || !strings.Contains(ws[0].Message, "nests quantifiers") {
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
