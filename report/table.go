package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TableOptions shape the terminal table.
type TableOptions struct {
	Width int  // columns; 0 means 100
	Color bool // ANSI colours (only on a terminal, never with NO_COLOR)
}

// WriteTable writes a readable summary for a person at a terminal: the
// exposure of each target, then the findings sorted by risk.
func WriteTable(w io.Writer, r *Report, opt TableOptions) error {
	if opt.Width <= 0 {
		opt.Width = 100
	}
	p := &printer{w: w, color: opt.Color}
	for _, t := range r.Targets {
		p.line("%s %s (%s)", p.bold("Target"), t.URI, t.Kind)
		if t.Error != nil {
			p.line("  %s %s", p.red("error:"), *t.Error)
			continue
		}
		e := t.Exposure
		anon := "no"
		if e.AnonymousAccess {
			anon = p.red("YES")
		}
		if t.Kind != "file" {
			tls := p.red("no")
			if e.TLS {
				tls = "yes"
			}
			p.line("  reachable: %v  anonymous access: %s  TLS: %s  server: %s", e.Reachable, anon, tls, orDash(e.Server))
		}
		for _, n := range e.Notes {
			p.line("  - %s", n)
		}
		for _, s := range t.Skipped {
			p.line("  skipped %s: %s", s.Name, s.Reason)
		}
		for _, c := range t.Containers {
			if c.Error != nil {
				p.line("  %s %s: %s", p.red("container error"), c.Name, *c.Error)
			}
		}
		p.line("  risk score: %s", p.risk(t.RiskScore))
		p.line("")
	}

	rows := Flatten(r)
	if len(rows) == 0 {
		p.line("No personal data found.")
	} else {
		// column widths: risk 5, category 15, docs 10, conf 4; the rest split
		fixed := 5 + 1 + 15 + 1 + 10 + 1 + 4 + 1
		rest := max(opt.Width-fixed, 30)
		where := rest * 3 / 5
		ex := rest - where - 1
		p.line("%s", p.bold(fmt.Sprintf("%5s %-15s %10s %4s %-*s %s", "RISK", "CATEGORY", "AFFECTED", "CONF", where, "WHERE", "EXAMPLE")))
		for _, f := range rows {
			loc := f.Container + " › " + f.Path
			example := ""
			if len(f.Examples) > 0 {
				example = f.Examples[0]
			}
			p.line("%s %-15s %10s %4s %-*s %s", p.risk5(f.Risk), clip(f.Category, 15), human(f.EstimatedAffectedDocuments),
				strconv.FormatFloat(f.Confidence, 'f', 2, 64)[1:], where, clip(loc, where), clip(example, ex))
		}
	}
	s := r.Summary
	p.line("")
	status := "complete"
	if !r.Complete {
		status = p.red("INCOMPLETE")
	}
	p.line("%s %s · %d containers scanned, %d with findings, %d failed · %d documents sampled, %d skipped · scan %s",
		p.bold("Overall risk"), p.risk(s.RiskScore), s.ContainersScanned, s.ContainersWithFindings, s.ContainersFailed,
		s.DocumentsSampled, s.DocumentsSkipped, status)
	return p.err
}

type printer struct {
	w     io.Writer
	color bool
	err   error
}

func (p *printer) line(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
}

func (p *printer) wrap(code, s string) string {
	if !p.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p *printer) bold(s string) string { return p.wrap("1", s) }
func (p *printer) red(s string) string  { return p.wrap("31", s) }

func (p *printer) risk(x float64) string {
	s := strconv.FormatFloat(x, 'f', 1, 64) + "/100"
	return p.riskColor(x, s)
}

func (p *printer) risk5(x float64) string {
	return p.riskColor(x, fmt.Sprintf("%5.1f", x))
}

func (p *printer) riskColor(x float64, s string) string {
	switch {
	case x >= 70:
		return p.wrap("31", s)
	case x >= 40:
		return p.wrap("33", s)
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// human writes counts compactly: 950, 12.3k, 1.2M.
func human(n int64) string {
	switch {
	case n < 10000:
		return strconv.FormatInt(n, 10)
	case n < 1_000_000:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/1000, 'f', 1, 64), ".0") + "k"
	}
	return strings.TrimSuffix(strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64), ".0") + "M"
}
