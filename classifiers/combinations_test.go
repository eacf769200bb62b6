package classifiers

import (
	"os"
	"strings"
	"testing"
)

func TestCombinationsFromRules(t *testing.T) {
	defaults, err := os.ReadFile("../rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	base := Source{Name: "rules.yaml", Data: defaults}
	tests := []struct {
		name    string
		user    string
		want    map[string]float64 // id → boost of the combinations in force
		wantErr string
	}{
		{"built in", ``, map[string]float64{"account_takeover_kit": 1, "identity_theft_kit": 0.9, "usable_card": 1}, ""},
		{"change a boost", "version: 1\nrisk:\n  combinations:\n    identity_theft_kit: {boost: 0.5}\n",
			map[string]float64{"account_takeover_kit": 1, "identity_theft_kit": 0.5, "usable_card": 1}, ""},
		{"disable one", "version: 1\nrisk:\n  combinations:\n    usable_card: {disabled: true}\n",
			map[string]float64{"account_takeover_kit": 1, "identity_theft_kit": 0.9}, ""},
		{"add one", "version: 1\nrisk:\n  combinations:\n    tracking_kit: {name: tracking kit, requires: [[device_id], [geo_coordinates]]}\n",
			map[string]float64{"account_takeover_kit": 1, "identity_theft_kit": 0.9, "usable_card": 1, "tracking_kit": 1}, ""},
		{"unknown category", "version: 1\nrisk:\n  combinations:\n    x: {requires: [[email], [shoe_size]]}\n", nil, "user.yaml:4:30: unknown category \"shoe_size\" in combination \"x\" (valid categories: email, phone,"},
		{"one part", "version: 1\nrisk:\n  combinations:\n    x: {requires: [[email]]}\n", nil, "at least two parts"},
		{"bad boost", "version: 1\nrisk:\n  combinations:\n    x: {boost: 3, requires: [[email], [phone]]}\n", nil, "[0, 1]"},
		{"unknown key", "version: 1\nrisk:\n  combinations:\n    x: {weight: 1}\n", nil, "unknown key \"weight\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sources := []Source{base}
			if tc.user != "" {
				sources = append(sources, Source{Name: "user.yaml", Data: []byte(tc.user)})
			}
			e, err := Load(sources...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{}
			for _, c := range e.Combinations() {
				got[c.ID] = c.Boost
				if c.Name == "" || len(c.Requires) < 2 {
					t.Errorf("combination %+v is incomplete", c)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("combinations %v, want %v", got, tc.want)
			}
			for id, b := range tc.want {
				if got[id] != b {
					t.Errorf("%s boost %v, want %v", id, got[id], b)
				}
			}
			r, err := e.Restrict([]string{"contact"}, nil)
			if err != nil || len(r.Combinations()) != len(tc.want) {
				t.Errorf("Restrict lost the combinations: %v", err)
			}
		})
	}
}
