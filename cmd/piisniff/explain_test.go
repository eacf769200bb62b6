package main

import (
	"strings"
	"testing"
)

func TestExplain(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		want     []string
		notWant  []string
		inStderr string
	}{
		{"phone values", []string{"explain", example, "--container", "users.ndjson", "--path", "contacts[].phone"}, 0,
			[]string{"users.ndjson › contacts[].phone", "phone: matched phone", "validator"}, nil, ""},
		{"password masked even with --show-data", []string{"explain", example, "--path", "password", "--show-data", "--values", "2"}, 0,
			[]string{"password-field: matched password", `"********"`}, []string{"Welcome", "letmein"}, ""},
		{"structure", []string{"explain", example, "--container", "checkins.ndjson", "--path", "location.coordinates"}, 0,
			[]string{"structure: geo_coordinates"}, nil, ""},
		{"all lists rules that stopped", []string{"explain", example, "--container", "users.ndjson", "--path", "email", "--all", "--values", "1"}, 0,
			[]string{"matched email", "no match, stopped at"}, nil, ""},
		{"unknown path", []string{"explain", example, "--path", "no.such.field"}, 1, nil, nil, `no sampled document holds the field "no.such.field"`},
		{"mistyped path lists the closest", []string{"explain", example, "--container", "users.ndjson", "--path", "emial"}, 1, nil, nil, "closest paths are: email"},
		{"mistyped target", []string{"explain", "mongdb://127.0.0.1:1", "--path", "email"}, 2, nil, nil, "did you mean mongodb://"},
		{"scan's connector flags", []string{"explain", example, "--path", "email", "--tls-insecure", "--connect-timeout", "1s", "--containers", "users*"}, 0,
			[]string{"users.ndjson › email"}, []string{"orders"}, "--tls-insecure"},
		{"unknown container", []string{"explain", example, "--container", "nope.ndjson", "--path", "email"}, 1, nil, nil, "no container \"nope.ndjson\""},
		{"no path", []string{"explain", example}, 2, nil, nil, "--path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runCLI(t, nil, tc.args...)
			if res.code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %s", res.code, tc.code, res.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, res.stdout)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(res.stdout, w) {
					t.Errorf("output holds %q:\n%s", w, res.stdout)
				}
			}
			if tc.inStderr != "" && !strings.Contains(res.stderr, tc.inStderr) {
				t.Errorf("stderr lacks %q: %s", tc.inStderr, res.stderr)
			}
		})
	}
}

// explain says how a key/value or decoded path was reached.
func TestExplainShapes(t *testing.T) {
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"attributes[name=billing_phone].value", []string{`reached: key/value pair in attributes: the sibling key "name" holds "billing_phone"`,
			`read as the field name "billing phone value"`, "phone: matched phone"}},
		{"payload<json>.email", []string{"reached: payload<json>: JSON serialised in the string at payload", "email: matched email"}},
	} {
		res := runCLI(t, nil, "explain", "testdata/shapes", "--path", tc.path)
		if res.code != 0 {
			t.Fatalf("%s: exit %d; stderr %s", tc.path, res.code, res.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(res.stdout, w) {
				t.Errorf("%s: output lacks %q:\n%s", tc.path, w, res.stdout)
			}
		}
	}
}
