package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MarkdownTopFindings is how many findings the Markdown summary lists.
const MarkdownTopFindings = 20

// WriteMarkdown writes a summary to paste into a ticket: the verdict per
// target, the harmful combinations, the notification guidance and the
// riskiest findings.
func WriteMarkdown(w io.Writer, r *Report) error {
	p := &printer{w: w}
	s := r.Summary
	p.line("# Personal data inventory: risk %s/100 (%s)", f1(s.RiskScore), RiskLevel(s.RiskScore))
	p.line("")
	status := "complete"
	if !r.Complete {
		status = "**incomplete**"
	}
	skipped := ""
	if s.ContainersSkipped > 0 {
		skipped = fmt.Sprintf(", %d not read (skipped)", s.ContainersSkipped)
	}
	p.line("Scanned by %s %s on %s; scan %s. %d containers scanned, %d with findings, %d failed%s; %d documents sampled.",
		md(r.Tool.Name), md(r.Tool.Version), r.StartedAt.UTC().Format("2006-01-02 15:04 MST"), status,
		s.ContainersScanned, s.ContainersWithFindings, s.ContainersFailed, skipped, s.DocumentsSampled)
	p.line("")
	p.line("## Targets")
	p.line("")
	p.line("| target | kind | exposure | risk |")
	p.line("| --- | --- | --- | ---: |")
	for _, t := range r.Targets {
		v := ExposureVerdict(t)
		p.line("| %s | %s | **%s**: %s | %s |", code(t.URI), md(t.Kind), v.Level, md(v.Text), f1(t.RiskScore))
	}
	p.line("")

	var combos []string
	for _, t := range r.Targets {
		for _, c := range t.Containers {
			for _, k := range c.Combinations {
				combos = append(combos, fmt.Sprintf("- **%s** in %s (%s): %s records, risk %s",
					md(k.Name), code(c.Name), md(strings.Join(k.Categories, " + ")), estimate(k.EstimatedAffectedDocuments, &c), f1(k.Risk)))
			}
		}
	}
	if len(combos) > 0 {
		p.line("## Harmful combinations")
		p.line("")
		for _, c := range combos {
			p.line("%s", c)
		}
		p.line("")
	}

	if g := guidanceOf(r); len(g) > 0 {
		p.line("## Notification guidance")
		p.line("")
		p.line("| group | found | usually notifiable to individuals | est. records | why |")
		p.line("| --- | --- | --- | ---: | --- |")
		for _, x := range g {
			yes := "no"
			if x.UsuallyNotifiable {
				yes = "**yes**"
			}
			p.line("| %s | %s | %s | %s | %s |", md(x.Group), md(strings.Join(x.Categories, ", ")), yes,
				affectedLabel(x.EstimatedAffectedDocuments), md(x.Reason))
		}
		p.line("")
		p.line("_%s_", md(GuidanceDisclaimer))
		p.line("")
	}

	rows := Flatten(r)
	p.line("## Findings")
	p.line("")
	p.line("Estimated records are exact where every document was read, else marked ~ with the sample's 95%% margin of error.")
	p.line("")
	switch {
	case NothingScanned(r):
		p.line("**%s**", md(sentence(NothingScannedNote(r))))
	case len(rows) == 0:
		p.line("No personal data found.")
	default:
		if len(rows) > MarkdownTopFindings {
			p.line("The %d riskiest of %d findings (the JSON or HTML report has all):", MarkdownTopFindings, len(rows))
			p.line("")
			rows = rows[:MarkdownTopFindings]
		}
		ix := indexContainers(r)
		p.line("| risk | category | where | est. records | confidence | example |")
		p.line("| ---: | --- | --- | ---: | ---: | --- |")
		for _, f := range rows {
			ex := ""
			if len(f.Examples) > 0 {
				ex = f.Examples[0]
			}
			p.line("| %s | %s | %s › %s | %s | %s | %s |", f1(f.Risk), md(f.Category), code(f.Container), code(f.Path),
				estimate(f.EstimatedAffectedDocuments, ix.of(f.Target, f.Container)), strconv.FormatFloat(f.Confidence, 'f', 2, 64), code(ex))
		}
	}
	var errs []string
	for _, t := range r.Targets {
		if t.Error != nil {
			errs = append(errs, fmt.Sprintf("- %s: %s", md(t.URI), md(*t.Error)))
		}
		for _, c := range t.Containers {
			if c.Error != nil {
				errs = append(errs, fmt.Sprintf("- %s %s: %s", md(t.URI), md(c.Name), md(*c.Error)))
			}
		}
	}
	if len(errs) > 0 {
		p.line("")
		p.line("## Errors")
		p.line("")
		for _, e := range errs {
			p.line("%s", e)
		}
	}
	return p.err
}

// guidanceOf returns the report's notification guidance, working it out
// from the findings for reports written without it.
func guidanceOf(r *Report) []GroupGuidance {
	if r.Summary.NotificationGuidance != nil {
		return r.Summary.NotificationGuidance
	}
	return Guidance(r)
}

func f1(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "#", `\#`, "\r\n", " ", "\n", " ", "\r", " ",
)

// code writes s as a Markdown code span for a table cell.
func code(s string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("`", "'", "|", `\|`, "\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	return "`" + s + "`"
}

// md escapes text for a Markdown table cell or paragraph: no markup, links,
// HTML or line breaks from data get through.
func md(s string) string { return mdEscaper.Replace(s) }
