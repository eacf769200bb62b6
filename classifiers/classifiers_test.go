package classifiers_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/classifiers"
)

type valueCase struct {
	line     int
	want     bool
	category string
	path     string
	value    classifiers.Value
}

func readCases(t *testing.T, name string) []valueCase {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []valueCase
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, " | ", 5)
		if len(parts) != 5 {
			t.Fatalf("%s:%d: want 5 fields separated by ' | '", name, n)
		}
		c := valueCase{line: n, want: parts[0] == "+", category: parts[1], path: parts[2]}
		switch parts[3] {
		case "s":
			c.value.Kind = classifiers.KindString
		case "n":
			c.value.Kind = classifiers.KindNumber
		case "d":
			c.value.Kind = classifiers.KindDate
		default:
			t.Fatalf("%s:%d: unknown kind %q", name, n, parts[3])
		}
		c.value.S = strings.ReplaceAll(parts[4], `\n`, "\n")
		out = append(out, c)
	}
	return out
}

// TestCategories checks clear positives and negatives for every category.
func TestCategories(t *testing.T) {
	e := defaultEngine(t)
	cases := readCases(t, "testdata/cases.txt")
	pos, neg := map[string]int{}, map[string]int{}
	for _, c := range cases {
		hits := e.Field(c.path, "").Classify(c.value, nil)
		got := false
		for _, h := range hits {
			if h.Category == c.category && h.Confidence >= 0.5 {
				got = true
			}
			if h.Confidence < 0 || h.Confidence > 1 {
				t.Errorf("line %d: confidence %v out of range", c.line, h.Confidence)
			}
		}
		if got != c.want {
			t.Errorf("line %d: %s %q = %q: found %v, want %v (hits %+v)", c.line, c.category, c.path, c.value.S, got, c.want, hits)
		}
		if c.want {
			pos[c.category]++
		} else {
			neg[c.category]++
		}
	}
	for _, tc := range classifiers.Taxonomy {
		if pos[tc.Category] == 0 || neg[tc.Category] == 0 {
			t.Errorf("category %s needs positive and negative cases", tc.Category)
		}
	}
}

func TestExplain(t *testing.T) {
	e := defaultEngine(t)
	f := e.Field("contact.phone", "")
	var matched, stopped bool
	for _, x := range f.Explain(classifiers.Value{S: "+1 415-555-2671"}) {
		if x.Rule == "phone" {
			matched = x.Matched && x.FieldName && x.Evidence&classifiers.EvValidator != 0
			if !strings.Contains(x.String(), "matched phone") {
				t.Errorf("String() = %q", x.String())
			}
		}
	}
	for _, x := range f.Explain(classifiers.Value{S: "+1 000-000-0000"}) {
		if x.Rule == "phone" {
			stopped = !x.Matched && x.Stage == "validator"
		}
	}
	if !matched || !stopped {
		t.Errorf("phone rule: matched=%v stopped at validator=%v", matched, stopped)
	}
	found := false
	for _, id := range f.ExcludedRules() {
		if id == "card-cvv" {
			found = true
		}
	}
	if !found {
		t.Error("card-cvv should be listed as excluded by the field name")
	}
}

// TestFreeTextSpans checks that values found inside free text are reported
// with the span of the match, so that examples show only the match.
func TestFreeTextSpans(t *testing.T) {
	e := defaultEngine(t)
	f := e.Field("message", "")
	for _, tc := range []struct{ text, category, match string }{
		{"Hi, please write to jane.doe@example.com about my order.", "email", "jane.doe@example.com"},
		{"Kunde bittet um Rückruf: +49 30 1234567 danke", "phone", "+49 30 1234567"},
		{"my card is 4111 1111 1111 1111, exp 12/27", "credit_card", "4111 1111 1111 1111"},
		{"deploy failed, token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 rejected", "api_secret", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"},
		{"please transfer to NL91ABNA0417164300 today", "iban", "NL91ABNA0417164300"},
		{"his SSN is 536-90-4399 apparently", "national_id", "536-90-4399"},
		{"connect with postgres://app:s3cr3t@db.internal:5432/shop now", "api_secret", "postgres://app:s3cr3t@db.internal:5432/shop"},
	} {
		var got string
		for _, h := range f.Classify(classifiers.Value{S: tc.text}, nil) {
			if h.Category == tc.category {
				got = tc.text[h.Start:h.End]
			}
		}
		if got != tc.match {
			t.Errorf("%q: %s span %q, want %q", tc.text, tc.category, got, tc.match)
		}
	}
	for _, neg := range []string{
		"Order 1234567890123456 shipped on 2024-03-12 for 12.50 EUR.",
		"Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
		"Version 10.2.3.4 deployed to 3 nodes at 10:42.",
	} {
		if h := f.Classify(classifiers.Value{S: neg}, nil); len(h) != 0 {
			t.Errorf("%q: unexpected %+v", neg, h)
		}
	}
}
