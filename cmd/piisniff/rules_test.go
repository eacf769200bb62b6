package main

import (
	"strings"
	"testing"
)

// TestRulesCheckReportsEveryError: rules check writes every error of every
// file, one a line as file:line:column: message, says ok for the good
// files, and exits with 1 when any file has errors.
func TestRulesCheckReportsEveryError(t *testing.T) {
	for _, tc := range []struct {
		name       string
		files      []string
		code       int
		stdout     []string // lines, in order
		errorLines []string // stderr lines before the summary, in order
	}{
		{"good file", []string{"testdata/good-rules.yaml"}, 0, []string{"testdata/good-rules.yaml: ok"}, nil},
		{"every error of every file", []string{"testdata/bad-rules.yaml", "testdata/good-rules.yaml", "testdata/bad-rules-many.yaml"}, 1,
			[]string{"testdata/good-rules.yaml: ok"},
			[]string{
				"testdata/bad-rules.yaml:7:9: rule \"broken\": bad pattern \"([a-z]+\": missing closing ): `([a-z]+`",
				"testdata/bad-rules-many.yaml:5:15: rule \"order-number\": unknown category \"order_id\" (valid categories: email, phone, street_address, postal_code, person_name, date_of_birth, national_id, passport_number, password, password_hash, api_secret, credit_card, card_cvv, card_expiry, iban, bank_account, geo_coordinates, ip_address, mac_address, device_id, travel_booking)",
				"testdata/bad-rules-many.yaml:9:16: rule \"api-key-after-label\": bad pattern \"(?<=key=)[A-Za-z0-9]{32}\": invalid named capture: `(?<=key=)[A-Za-z0-9]{32}`; Go's regexp has no look-arounds: set engine: regexp2 on the rule",
				"testdata/bad-rules-many.yaml:15:27: rule \"acme-badge\": match example \"B-12345\" (field \"sample\") is not matched: stopped at pattern",
			}},
		{"missing file", []string{"testdata/no-such-rules.yaml"}, 1, nil, []string{"testdata/no-such-rules.yaml: open testdata/no-such-rules.yaml: no such file or directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runCLI(t, nil, append([]string{"rules", "check"}, tc.files...)...)
			if res.code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", res.code, tc.code, res.stderr)
			}
			if got := lines(res.stdout); strings.Join(got, "\n") != strings.Join(tc.stdout, "\n") {
				t.Errorf("stdout:\n%s\nwant:\n%s", res.stdout, strings.Join(tc.stdout, "\n"))
			}
			got := lines(res.stderr)
			if tc.code != 0 {
				// the last line is the summary
				if len(got) == 0 || !strings.Contains(got[len(got)-1], "rule files have errors") {
					t.Fatalf("no summary line in stderr:\n%s", res.stderr)
				}
				got = got[:len(got)-1]
			}
			if strings.Join(got, "\n") != strings.Join(tc.errorLines, "\n") {
				t.Errorf("stderr:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.errorLines, "\n"))
			}
		})
	}
}

func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
