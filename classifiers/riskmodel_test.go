package classifiers

import (
	"strings"
	"testing"

	"github.com/piisniff/piisniff"
)

var builtIn = Source{Name: "rules.yaml", Data: piisniff.DefaultRules}

func TestRiskModelFromRules(t *testing.T) {
	e, err := Load(builtIn)
	if err != nil {
		t.Fatal(err)
	}
	m := e.RiskModel()
	if m.Matrix["very_high"]["anonymous"] != "critical" || m.Bands["critical"].Min != 80 || m.Damping != 0.1 {
		t.Errorf("built-in model = %+v", m)
	}
	for cat, want := range map[string]string{"password": "very_high", "credit_card": "very_high", "card_expiry": "moderate",
		"national_id": "high", "email": "moderate", "device_id": "low", "ip_address": "low"} {
		if got := e.Sensitivity(cat); got != want {
			t.Errorf("sensitivity of %s = %q, want %q", cat, got, want)
		}
	}
	over, err := Load(builtIn, Source{Name: "mine.yaml", Data: []byte("version: 1\nrisk:\n  sensitivity:\n    categories:\n      email: high\n  bands:\n    low: {min: 0, max: 29, means: fine}\n")})
	if err != nil {
		t.Fatal(err)
	}
	if over.Sensitivity("email") != "high" || over.Sensitivity("phone") != "moderate" || over.RiskModel().Bands["low"].Max != 29 ||
		over.RiskModel().Bands["moderate"].Min != 40 {
		t.Errorf("a later file does not lay its keys over the built-in ones: %+v", over.RiskModel())
	}
}

func TestRiskModelErrors(t *testing.T) {
	tests := []struct{ name, risk, want string }{
		{"unknown level", "  sensitivity:\n    groups:\n      contact: extreme\n", "mine.yaml:5:16: the sensitivity of \"contact\" must be one of low, moderate, high, very_high"},
		{"unknown category", "  sensitivity:\n    categories:\n      shoe_size: low\n", "mine.yaml:5:7: unknown category \"shoe_size\""},
		{"unknown exposure", "  matrix:\n    low: {public: low}\n", "mine.yaml:4:11: an exposure of risk.matrix.low"},
		{"unknown risk level", "  matrix:\n    low: {anonymous: severe}\n", "mine.yaml:4:22: risk.matrix.low.anonymous must be one of low, moderate, high, critical"},
		{"anonymous below no tls", "  matrix:\n    low: {no_tls: high}\n", "mine.yaml: risk.matrix: low × anonymous is lower than low × no_tls"},
		{"credentials anonymous not critical", "  matrix:\n    very_high: {anonymous: high}\n", "very_high × anonymous"},
		{"overlapping bands", "  bands:\n    high: {min: 50}\n", "risk.bands: high starts at 50, inside moderate"},
		{"band above 100", "  bands:\n    critical: {max: 101}\n", "mine.yaml:4:21: risk.bands.critical.max must be a number from 0 to 100"},
		{"band without meaning", "  bands:\n    low: {means: \"\"}\n", "risk.bands.low.means"},
		{"band unknown key", "  bands:\n    low: {colour: green}\n", "unknown key \"colour\" in risk.bands.low"},
		{"damping zero", "  damping: 0\n", "mine.yaml:3:12: risk.damping must be a number in (0, 1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(builtIn, Source{Name: "mine.yaml", Data: []byte("version: 1\nrisk:\n" + tc.risk)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
