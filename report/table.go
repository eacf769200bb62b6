package report

import (
	"fmt"
	"io"
	"sort"
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
	width := opt.Width
	for _, t := range r.Targets {
		p.wrapped(width, "", "    ", p.bold("Target")+" "+t.URI+" ("+t.Kind+")")
		if t.Error != nil {
			p.wrapped(width, "  ", "    ", p.red("error:")+" "+*t.Error)
			continue
		}
		v := ExposureVerdict(t)
		level := strings.ToUpper(v.Level)
		if v.Level == "critical" || v.Level == "high" {
			level = p.red(level)
		}
		p.wrapped(width, "  ", "    ", "exposure: "+level+" "+v.Text)
		e := t.Exposure
		if t.Kind != "file" {
			anon := "no"
			if e.AnonymousAccess {
				anon = p.red("YES")
			}
			tls := p.red("no")
			if e.TLS {
				tls = "yes"
			}
			p.line("  reachable: %s  anonymous: %s  TLS: %s  server: %s", yesNo(e.Reachable), anon, tls, clip(orDash(e.Server), max(width-50, 10)))
		}
		for _, n := range e.Notes {
			p.wrapped(width, "  - ", "    ", n)
		}
		for _, s := range t.Skipped {
			p.wrapped(width, "  ", "    ", "skipped "+s.Name+": "+s.Reason)
		}
		for _, c := range t.Containers {
			if c.Error != nil {
				p.wrapped(width, "  ", "    ", p.red("container error")+" "+c.Name+": "+*c.Error)
			}
		}
		p.line("  risk score: %s", p.risk(t.RiskScore))
		p.line("")
	}

	rows := Flatten(r)
	switch {
	case NothingScanned(r):
		p.wrapped(width, "", "  ", p.red(sentence(NothingScannedNote(r))))
	case len(rows) == 0:
		p.line("No personal data found.")
	default:
		// column widths: risk 5, category 15, affected 8, conf 4 (dropped
		// below 90 columns); the rest split between where and example
		conf := width >= 90
		fixed := 5 + 1 + 15 + 1 + 8 + 1
		if conf {
			fixed += 4 + 1
		}
		rest := max(width-fixed, 30)
		where := rest * 3 / 5
		ex := rest - where - 1
		confHead := ""
		if conf {
			confHead = "CONF "
		}
		p.line("%s", p.bold(fmt.Sprintf("%5s %-15s %8s %s%-*s %s", "RISK", "CATEGORY", "AFFECTED", confHead, where, "WHERE", "EXAMPLE")))
		for _, f := range rows {
			loc := clipWhere(f.Container, f.Path, where)
			example := ""
			if len(f.Examples) > 0 {
				example = f.Examples[0]
			}
			confCell := ""
			if conf {
				confCell = strconv.FormatFloat(f.Confidence, 'f', 2, 64)[1:] + " "
			}
			p.line("%s %-15s %8s %s%s %s", p.risk5(f.Risk), clip(f.Category, 15), human(f.EstimatedAffectedDocuments),
				confCell, pad(clip(loc, where), where), clip(example, ex))
		}
	}

	type combo struct {
		k         Combination
		container string
	}
	var combos []combo
	for _, t := range r.Targets {
		for _, c := range t.Containers {
			for _, k := range c.Combinations {
				combos = append(combos, combo{k, c.Name})
			}
		}
	}
	sort.SliceStable(combos, func(i, j int) bool { return combos[i].k.Risk > combos[j].k.Risk })
	if len(combos) > 0 {
		p.line("")
		p.line("%s", p.bold("Harmful combinations"))
		for _, c := range combos {
			p.wrapped(width, "", "      ", fmt.Sprintf("%s %s in %s (%s), ~%s records", p.risk5(c.k.Risk), c.k.Name, c.container,
				strings.Join(c.k.Categories, " + "), human(c.k.EstimatedAffectedDocuments)))
		}
	}

	if g := guidanceOf(r); len(g) > 0 {
		p.line("")
		p.line("%s", p.bold("Notification guidance (not legal advice)"))
		for _, x := range g {
			verdict := "usually not notifiable to individuals on its own"
			if x.UsuallyNotifiable {
				verdict = p.red("usually notifiable to individuals")
			}
			p.wrapped(width, "  ", "    ", fmt.Sprintf("%s: %s, ~%s records (%s)", x.Group, verdict,
				human(x.EstimatedAffectedDocuments), strings.Join(x.Categories, ", ")))
		}
		p.wrapped(width, "  ", "  ", GuidanceDisclaimer)
	}

	s := r.Summary
	p.line("")
	status := "complete"
	if !r.Complete {
		status = p.red("INCOMPLETE")
	}
	skipped := ""
	if s.ContainersSkipped > 0 {
		skipped = fmt.Sprintf(", %d not read (skipped)", s.ContainersSkipped)
	}
	p.wrapped(width, "", "  ", fmt.Sprintf("%s %s · %d containers scanned, %d with findings, %d failed%s · %d documents sampled, %d skipped · scan %s",
		p.bold("Overall risk"), p.risk(s.RiskScore), s.ContainersScanned, s.ContainersWithFindings, s.ContainersFailed, skipped,
		s.DocumentsSampled, s.DocumentsSkipped, status))
	return p.err
}

// sentence capitalises a note and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
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
	_, p.err = io.WriteString(p.w, termSafe(fmt.Sprintf(format, args...), p.color)+"\n")
}

// sgr are the escape sequences the printer writes itself.
var sgr = []string{"\x1b[0m", "\x1b[1m", "\x1b[31m", "\x1b[33m"}

// termSafe replaces control characters from the data (which could move the
// cursor, rewrite the screen or set the window title) with '?'. With colour,
// the printer's own colour sequences stay.
func termSafe(s string, color bool) string {
	clean := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if color && s[i] == 0x1b {
			kept := false
			for _, q := range sgr {
				if strings.HasPrefix(s[i:], q) {
					b.WriteString(q)
					i += len(q)
					kept = true
					break
				}
			}
			if kept {
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
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

// wrapped writes s in lines of at most width visible runes, the first line
// after first and the next after indent. Words longer than a line are
// clipped; ANSI colour codes do not count.
func (p *printer) wrapped(width int, first, indent, s string) {
	prefix := first
	line := ""
	flush := func() {
		p.line("%s%s", prefix, line)
		prefix, line = indent, ""
	}
	for _, word := range strings.Fields(s) {
		room := width - visibleLen(prefix)
		switch {
		case line == "":
			line = clipVisible(word, room)
		case visibleLen(line)+1+visibleLen(word) <= room:
			line += " " + word
		default:
			flush()
			line = clipVisible(word, width-visibleLen(prefix))
		}
	}
	if line != "" || prefix == first {
		flush()
	}
}

// visibleLen counts the runes of s that show on a terminal.
func visibleLen(s string) int { return utf8.RuneCountInString(stripANSI(s)) }

func stripANSI(s string) string {
	if !strings.Contains(s, "\x1b[") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && s[j] != 'm' {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// clipVisible clips a word that carries no colour codes; coloured words are
// short and kept whole.
func clipVisible(s string, n int) string {
	if strings.Contains(s, "\x1b[") {
		return s
	}
	return clip(s, max(n, 1))
}

// clipWhere writes "container › path" in n runes, giving the path at least
// half the room and shortening the container from its start.
func clipWhere(container, path string, n int) string {
	lc, lp := utf8.RuneCountInString(container), utf8.RuneCountInString(path)
	if lc+3+lp <= n {
		return container + " › " + path
	}
	pathRoom := max(n-3-lc, min(lp, n/2))
	contRoom := n - 3 - min(lp, pathRoom)
	if contRoom < 2 {
		return clip(path, n)
	}
	if lc > contRoom {
		r := []rune(container)
		container = "…" + string(r[lc-contRoom+1:])
	}
	return container + " › " + clip(path, pathRoom)
}

// pad fills s with spaces to n runes.
func pad(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
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
