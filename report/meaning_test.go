package report

import (
	"strings"
	"testing"
)

// TestScoreMeaningAndAdvice: the table, the Markdown and the HTML say in one
// line what the score means, and a dump gets advice for a dump, a live store
// advice for a live store.
func TestScoreMeaningAndAdvice(t *testing.T) {
	dump := kitReport()
	dump.Targets[0].URI, dump.Targets[0].Kind = "./staging-dump", "file"
	dump.Targets[0].Exposure = Exposure{Notes: []string{}}
	Finish(dump, RiskModel{}, false)
	open := kitReport()
	Finish(open, RiskModel{}, false)
	tests := []struct {
		name       string
		r          *Report
		want, not  []string
		wantLevel  string
		wantExpose string
	}{
		{"dump", dump, []string{"exposure unknown: treat as leaked if it was found outside your systems", "find out where the copy came from"},
			[]string{"require authentication"}, "critical", "unknown"},
		{"open store", open, []string{"answers anyone, without credentials", "require authentication and close the port"},
			[]string{"find out where the copy came from"}, "critical", "anonymous"},
	}
	for _, tc := range tests {
		for _, format := range []string{"table", "markdown", "html"} {
			t.Run(tc.name+" "+format, func(t *testing.T) {
				var b strings.Builder
				if err := Write(&b, tc.r, format, TableOptions{Width: 400}); err != nil {
					t.Fatal(err)
				}
				out := b.String()
				sentence := RiskSentence(tc.r.Summary.RiskScore, tc.r.Summary.RiskLevel, tc.r.Summary.RiskMeaning)
				if !strings.Contains(out, sentence) || !strings.Contains(sentence, "is CRITICAL: data that enables fraud") {
					t.Errorf("no line saying what the score means (%q)", sentence)
				}
				for _, w := range tc.want {
					if !strings.Contains(out, w) {
						t.Errorf("lacks %q", w)
					}
				}
				for _, n := range tc.not {
					if strings.Contains(out, n) {
						t.Errorf("has %q", n)
					}
				}
			})
		}
		if tc.r.Summary.RiskLevel != tc.wantLevel || tc.r.Targets[0].ExposureLevel != tc.wantExpose {
			t.Errorf("%s: level %s, exposure %s", tc.name, tc.r.Summary.RiskLevel, tc.r.Targets[0].ExposureLevel)
		}
	}
	if got := RiskSentence(0, "", ""); got != "risk 0.0/100: no personal data found" {
		t.Errorf("empty = %q", got)
	}
	// a report of the version 1 model names its level from the score
	if got := RiskSentence(63, "", ""); !strings.Contains(got, "is HIGH: ") {
		t.Errorf("v1 = %q", got)
	}
}
