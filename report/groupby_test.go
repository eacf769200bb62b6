package report

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

func groupedReport() *Report {
	errMsg := "connection refused"
	f := func(cat string) []Field {
		return []Field{{Path: "x", Findings: []Finding{{Category: cat, Group: "contact", Confidence: 0.9, MatchedDocuments: 1, Examples: []string{}, Evidence: []string{}}}}}
	}
	return &Report{SchemaVersion: 1, Complete: true, Targets: []Target{
		{URI: "a", Kind: "file", Name: "shop", Tags: map[string]string{"owner": "payments", "region": "eu"}, RiskScore: 40,
			Containers: []Container{{Name: "users", SampledDocuments: 10, Fields: f("email")}, {Name: "logs", SampledDocuments: 5, Fields: []Field{}}}},
		{URI: "b", Kind: "file", Name: "cards", Tags: map[string]string{"owner": "payments"}, RiskScore: 70,
			Containers: []Container{{Name: "cards", SampledDocuments: 3, Fields: f("credit_card")}}},
		{URI: "c", Kind: "file", Name: "blog", Tags: map[string]string{"owner": "growth"}, RiskScore: 10, Error: &errMsg, Containers: []Container{}},
		{URI: "/srv/untagged", Kind: "file", RiskScore: 90, Containers: []Container{{Name: "dump", SampledDocuments: 1, Fields: f("phone")}}},
	}}
}

func TestGroupByTag(t *testing.T) {
	tests := []struct {
		tag  string
		want []string // label:targets:containers:with findings:documents:failed:categories
	}{
		{"owner", []string{ // riskiest first: the untagged target has 90
			"(no owner):/srv/untagged:1:1:1:0:phone",
			"payments:shop,cards:3:2:18:0:credit_card,email",
			"growth:blog:0:0:0:1:",
		}},
		{"region", []string{
			"(no region):cards,blog,/srv/untagged:2:2:4:1:credit_card,phone",
			"eu:shop:2:1:15:0:email",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			gs := GroupByTag(groupedReport(), tt.tag)
			var got []string
			for _, g := range gs {
				got = append(got, strings.Join([]string{g.Label(), strings.Join(g.Targets, ","), itoa(g.Containers), itoa(g.ContainersWithFindings),
					itoa(int(g.Documents)), itoa(g.TargetsFailed), strings.Join(g.Categories, ",")}, ":"))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestGroupByWriters(t *testing.T) {
	r := groupedReport()
	Finish(r, RiskModel{}, false)
	for _, format := range []string{"table", "markdown", "html"} {
		var with, without bytes.Buffer
		if err := Write(&with, r, format, TableOptions{GroupBy: "owner"}); err != nil {
			t.Fatal(err)
		}
		if err := Write(&without, r, format, TableOptions{}); err != nil {
			t.Fatal(err)
		}
		out := with.String()
		if !strings.Contains(out, "By owner") || strings.Contains(without.String(), "By owner") {
			t.Errorf("%s: the group section is missing or always there", format)
		}
		// every target is shown by its inventory name and tags
		if !strings.Contains(without.String(), "shop") || !strings.Contains(without.String(), "owner: payments") {
			t.Errorf("%s: the target's name or tags are not shown", format)
		}
		for _, label := range []string{"payments", "growth", "(no owner)"} {
			if !strings.Contains(out, label) {
				t.Errorf("%s: no group %s", format, label)
			}
		}
	}
}
