package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// TagGroup is the targets of a scan that share one value of a tag (one
// owner, one application...), rolled up.
type TagGroup struct {
	Tag   string // "owner"
	Value string // "" for the targets without the tag
	// Targets are the targets' names (their URIs when they have none).
	Targets                []string
	TargetsFailed          int
	Containers             int
	ContainersWithFindings int
	Documents              int64
	// RiskScore is the highest risk score of the group's targets.
	RiskScore float64
	// Categories found in the group, sorted.
	Categories []string
}

// Label is the group's value, or "(no TAG)".
func (g TagGroup) Label() string {
	if g.Value == "" {
		return "(no " + g.Tag + ")"
	}
	return g.Value
}

// GroupByTag groups a report's targets by the value of tag, riskiest
// group first (ties by value); targets without the tag make one group.
func GroupByTag(r *Report, tag string) []TagGroup {
	idx := map[string]*TagGroup{}
	var order []string
	cats := map[string]map[string]bool{}
	for ti := range r.Targets {
		t := &r.Targets[ti]
		v := t.Tags[tag]
		g, ok := idx[v]
		if !ok {
			g = &TagGroup{Tag: tag, Value: v}
			idx[v] = g
			order = append(order, v)
			cats[v] = map[string]bool{}
		}
		name := t.Name
		if name == "" {
			name = t.URI
		}
		g.Targets = append(g.Targets, name)
		if t.Error != nil {
			g.TargetsFailed++
		}
		g.RiskScore = max(g.RiskScore, t.RiskScore)
		for _, c := range t.Containers {
			g.Containers++
			g.Documents += c.SampledDocuments
			found := false
			for _, f := range c.Fields {
				for _, fd := range f.Findings {
					cats[v][fd.Category] = true
					found = true
				}
			}
			if found {
				g.ContainersWithFindings++
			}
		}
	}
	out := make([]TagGroup, 0, len(order))
	for _, v := range order {
		g := idx[v]
		for c := range cats[v] {
			g.Categories = append(g.Categories, c)
		}
		sort.Strings(g.Categories)
		out = append(out, *g)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].RiskScore != out[j].RiskScore {
			return out[i].RiskScore > out[j].RiskScore
		}
		if (out[i].Value == "") != (out[j].Value == "") {
			return out[j].Value == ""
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// writeGroupsTable writes the groups for a terminal.
func writeGroupsTable(w io.Writer, r *Report, tag string, opt TableOptions) error {
	p := &printer{w: w, color: opt.Color}
	width := opt.Width
	if width <= 0 {
		width = 100
	}
	p.line("%s", p.bold("By "+tag))
	for _, g := range GroupByTag(r, tag) {
		line := fmt.Sprintf("  %s: risk %s, %d targets, %d containers (%d with findings), %d documents",
			g.Label(), f1(g.RiskScore), len(g.Targets), g.Containers, g.ContainersWithFindings, g.Documents)
		if g.TargetsFailed > 0 {
			line += fmt.Sprintf(", %d targets failed", g.TargetsFailed)
		}
		p.wrapped(width, "", "      ", line)
		if len(g.Categories) > 0 {
			p.wrapped(width, "    ", "      ", "found: "+strings.Join(g.Categories, ", "))
		}
		p.wrapped(width, "    ", "      ", "targets: "+strings.Join(g.Targets, ", "))
	}
	p.line("")
	return p.err
}

// writeGroupsMarkdown writes the groups as a Markdown section.
func writeGroupsMarkdown(w io.Writer, r *Report, tag string) error {
	p := &printer{w: w}
	p.line("## By %s", md(tag))
	p.line("")
	p.line("| %s | risk | targets | containers | with findings | documents | found |", md(tag))
	p.line("| --- | ---: | --- | ---: | ---: | ---: | --- |")
	for _, g := range GroupByTag(r, tag) {
		targets := md(strings.Join(g.Targets, ", "))
		if g.TargetsFailed > 0 {
			targets += fmt.Sprintf(" (%d failed)", g.TargetsFailed)
		}
		p.line("| %s | %s | %s | %d | %d | %d | %s |", md(g.Label()), f1(g.RiskScore), targets, g.Containers,
			g.ContainersWithFindings, g.Documents, md(strings.Join(g.Categories, ", ")))
	}
	p.line("")
	return p.err
}

// writeMarkdownGrouped writes the Markdown report with the groups before
// the targets.
func writeMarkdownGrouped(w io.Writer, r *Report, tag string) error {
	var b strings.Builder
	if err := WriteMarkdown(&b, r); err != nil {
		return err
	}
	var g strings.Builder
	if err := writeGroupsMarkdown(&g, r, tag); err != nil {
		return err
	}
	s := b.String()
	if i := strings.Index(s, "\n## "); i >= 0 {
		s = s[:i+1] + g.String() + s[i+1:]
	} else {
		s += "\n" + g.String()
	}
	_, err := io.WriteString(w, s)
	return err
}

// tagText is " (owner: a, region: b)" for a target's tags in a fixed
// order, "" without tags.
func tagText(tags map[string]string) string {
	var parts []string
	for _, k := range []string{"owner", "application", "environment", "region"} {
		if v := tags[k]; v != "" {
			parts = append(parts, k+": "+v)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
