package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

//go:embed html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"f1":       f1,
	"affected": affectedLabel,
	"conf":     func(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) },
	"join":     strings.Join,
	"level":    RiskLevel,
}).Parse(htmlSource))

// HTMLChartRows caps the containers drawn in the per-container charts.
const HTMLChartRows = 30

// WriteHTML writes the report as one self-contained HTML page: no external
// assets, no network requests (a Content-Security-Policy forbids them),
// charts drawn as inline SVG, a findings table sorted and filtered by a small
// inline script. Every value from the report is escaped.
func WriteHTML(w io.Writer, r *Report) error {
	return htmlTemplate.Execute(w, newHTMLView(r))
}

type htmlView struct {
	R          *Report
	Level      string
	Started    string
	Targets    []htmlTarget
	Combos     []htmlCombo
	Guidance   []GroupGuidance
	Disclaimer string
	Rows       []htmlRow
	Groups     []string
	RiskChart  barChart
	GroupChart barChart
	Heat       heatMap
	Errors     []string
	// Nothing says that nothing was scanned, instead of "no personal data".
	Nothing string
}

type htmlTarget struct {
	Target
	Verdict Verdict
	Level   string
}

type htmlCombo struct {
	Combination
	Container, Target string
	Estimate          string
}

type htmlRow struct {
	FlatFinding
	Level    string
	Estimate string
}

type bar struct {
	Y, ValueX   int
	Width       float64
	Label, Full string
	Value       string
	Color       string
}

type barChart struct {
	Width, Height int
	LabelWidth    int
	Bars          []bar
	More          int
}

type heatCell struct {
	X, Y  int
	Color string
	Title string
	Text  string
}

type heatLabel struct {
	X, Y        int
	Label, Full string
}

type heatMap struct {
	Width, Height int
	Rows          []heatLabel
	Cols          []heatLabel
	Cells         []heatCell
	More          int
}

var levelColors = map[string]string{"critical": "#b42318", "high": "#e8590c", "medium": "#d4a106", "low": "#5a8f4e", "unknown": "#6b7280"}

func newHTMLView(r *Report) htmlView {
	v := htmlView{R: r, Level: RiskLevel(r.Summary.RiskScore), Started: r.StartedAt.UTC().Format("2006-01-02 15:04:05 MST"),
		Disclaimer: GuidanceDisclaimer, Guidance: guidanceOf(r)}
	if NothingScanned(r) {
		v.Nothing = sentence(NothingScannedNote(r))
	}
	type cref struct {
		c      *Container
		target string
	}
	var containers []cref
	for ti := range r.Targets {
		t := r.Targets[ti]
		v.Targets = append(v.Targets, htmlTarget{Target: t, Verdict: ExposureVerdict(t), Level: RiskLevel(t.RiskScore)})
		if t.Error != nil {
			v.Errors = append(v.Errors, t.URI+": "+*t.Error)
		}
		for ci := range t.Containers {
			c := &r.Targets[ti].Containers[ci]
			if c.Error != nil {
				v.Errors = append(v.Errors, t.URI+" "+c.Name+": "+*c.Error)
			}
			for _, k := range c.Combinations {
				v.Combos = append(v.Combos, htmlCombo{Combination: k, Container: c.Name, Target: t.URI, Estimate: estimate(k.EstimatedAffectedDocuments, c)})
			}
			if hasFindings(c) {
				containers = append(containers, cref{c, t.URI})
			}
		}
	}
	sort.SliceStable(v.Combos, func(i, j int) bool { return v.Combos[i].Risk > v.Combos[j].Risk })
	groups := map[string]bool{}
	ix := indexContainers(r)
	for _, f := range Flatten(r) {
		v.Rows = append(v.Rows, htmlRow{FlatFinding: f, Level: RiskLevel(f.Risk), Estimate: estimate(f.EstimatedAffectedDocuments, ix.of(f.Target, f.Container))})
		groups[f.Group] = true
	}
	for g := range groups {
		v.Groups = append(v.Groups, g)
	}
	sort.Slice(v.Groups, func(i, j int) bool { return GroupRank(v.Groups[i]) < GroupRank(v.Groups[j]) })

	sort.SliceStable(containers, func(i, j int) bool { return containers[i].c.RiskScore > containers[j].c.RiskScore })
	// several targets may hold containers of the same name: label with the
	// target then
	multi := len(r.Targets) > 1
	label := func(c cref) string {
		if multi {
			return c.c.Name + " (" + c.target + ")"
		}
		return c.c.Name
	}
	shown := containers
	more := 0
	if len(shown) > HTMLChartRows {
		more = len(shown) - HTMLChartRows
		shown = shown[:HTMLChartRows]
	}

	// risk by container
	const labelW, barW, rowH = 220, 240, 22
	rc := barChart{Width: labelW + barW + 50, LabelWidth: labelW, More: more}
	for i, c := range shown {
		w := barW * c.c.RiskScore / 100
		rc.Bars = append(rc.Bars, bar{Y: i * rowH, Width: w, ValueX: labelW + int(w) + 5, Label: clip(label(c), 32), Full: label(c),
			Value: f1(c.c.RiskScore), Color: levelColors[RiskLevel(c.c.RiskScore)]})
	}
	rc.Height = max(len(rc.Bars), 1) * rowH
	v.RiskChart = rc

	// affected records by group
	gc := barChart{Width: labelW + barW + 50, LabelWidth: labelW}
	var most int64 = 1
	for _, g := range v.Guidance {
		most = max(most, g.EstimatedAffectedDocuments)
	}
	for i, g := range v.Guidance {
		color := "#6b7280"
		if g.UsuallyNotifiable {
			color = "#b42318"
		}
		w := barW * float64(g.EstimatedAffectedDocuments) / float64(most)
		gc.Bars = append(gc.Bars, bar{Y: i * rowH, Width: w, ValueX: labelW + int(w) + 5,
			Label: g.Group, Full: g.Group + ": " + strings.Join(g.Categories, ", "), Value: affectedLabel(g.EstimatedAffectedDocuments), Color: color})
	}
	gc.Height = max(len(gc.Bars), 1) * rowH
	v.GroupChart = gc

	// container × category heat map
	catSet := map[string]bool{}
	for _, c := range shown {
		for _, f := range c.c.Fields {
			for _, x := range f.Findings {
				catSet[x.Category] = true
			}
		}
	}
	var cats []string
	for c := range catSet {
		cats = append(cats, c)
	}
	sort.Slice(cats, func(i, j int) bool {
		gi, gj := GroupRank(Categories[cats[i]]), GroupRank(Categories[cats[j]])
		if gi != gj {
			return gi < gj
		}
		return cats[i] < cats[j]
	})
	const cell, top = 24, 120
	hm := heatMap{More: more, Width: labelW + len(cats)*cell + 100, Height: top + len(shown)*cell + 4}
	for j, cat := range cats {
		hm.Cols = append(hm.Cols, heatLabel{X: labelW + j*cell + cell/2, Y: top - 6, Label: cat, Full: cat + " (" + Categories[cat] + ")"})
	}
	for i, c := range shown {
		y := top + i*cell
		hm.Rows = append(hm.Rows, heatLabel{X: labelW - 6, Y: y + cell/2 + 4, Label: clip(label(c), 32), Full: label(c)})
		worst := map[string]float64{}
		for _, f := range c.c.Fields {
			for _, x := range f.Findings {
				worst[x.Category] = math.Max(worst[x.Category], x.Risk)
			}
		}
		for j, cat := range cats {
			risk, ok := worst[cat]
			hc := heatCell{X: labelW + j*cell, Y: y, Color: "#f3f4f6", Title: fmt.Sprintf("%s › %s: not found", label(c), cat)}
			if ok {
				hc.Color = heatColor(risk)
				hc.Title = fmt.Sprintf("%s › %s: highest risk %s", label(c), cat, f1(risk))
				hc.Text = strconv.Itoa(int(math.Round(risk)))
			}
			hm.Cells = append(hm.Cells, hc)
		}
	}
	v.Heat = hm
	return v
}

func hasFindings(c *Container) bool {
	for _, f := range c.Fields {
		if len(f.Findings) > 0 {
			return true
		}
	}
	return false
}

// heatColor maps a risk in [0, 100] from pale yellow to dark red.
func heatColor(risk float64) string {
	t := math.Min(1, math.Max(0, risk/100))
	// three stops: #fff3c4 → #f08c00 → #9b1c1c
	lerp := func(a, b [3]float64, t float64) [3]float64 {
		return [3]float64{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t, a[2] + (b[2]-a[2])*t}
	}
	lo, mid, hi := [3]float64{255, 243, 196}, [3]float64{240, 140, 0}, [3]float64{155, 28, 28}
	var c [3]float64
	if t < 0.5 {
		c = lerp(lo, mid, t*2)
	} else {
		c = lerp(mid, hi, (t-0.5)*2)
	}
	return fmt.Sprintf("rgb(%d,%d,%d)", int(c[0]), int(c[1]), int(c[2]))
}
