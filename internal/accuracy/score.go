package accuracy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/report"
)

// Counts are field-level outcomes for one category.
type Counts struct{ TP, FP, FN int }

// Precision is TP/(TP+FP), 1 when nothing was reported.
func (c Counts) Precision() float64 {
	if c.TP+c.FP == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FP)
}

// Recall is TP/(TP+FN), 1 when nothing was to be found.
func (c Counts) Recall() float64 {
	if c.TP+c.FN == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FN)
}

// F1 is the harmonic mean of precision and recall.
func (c Counts) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Result is the score of one report against the ground truth.
type Result struct {
	Categories map[string]Counts
	// Mistakes lists every false positive and false negative as
	// "FP|FN container › path › category".
	Mistakes []string
}

// Micro sums the counts of every category.
func (r Result) Micro() Counts {
	var m Counts
	for _, c := range r.Categories {
		m.TP += c.TP
		m.FP += c.FP
		m.FN += c.FN
	}
	return m
}

// Score compares the findings of a scan of the collections (as written by
// Write into one directory) with their ground truth, field by field.
func Score(cols []Collection, r *report.Report) Result {
	res := Result{Categories: map[string]Counts{}}
	for _, t := range classifiers.Taxonomy {
		res.Categories[t.Category] = Counts{}
	}
	found := map[string]map[string]bool{} // container → "path\x00category"
	for _, t := range r.Targets {
		for _, c := range t.Containers {
			m := found[c.Name]
			if m == nil {
				m = map[string]bool{}
				found[c.Name] = m
			}
			for _, fl := range c.Fields {
				for _, x := range fl.Findings {
					m[fl.Path+"\x00"+x.Category] = true
				}
			}
		}
	}
	add := func(cat string, fn func(*Counts)) {
		c := res.Categories[cat]
		fn(&c)
		res.Categories[cat] = c
	}
	for _, col := range cols {
		got := found[col.Name]
		want := map[string]bool{}
		for p, cats := range col.Truth {
			for _, c := range cats {
				want[p+"\x00"+c] = true
			}
		}
		for k := range want {
			path, cat, _ := strings.Cut(k, "\x00")
			if got[k] {
				add(cat, func(c *Counts) { c.TP++ })
			} else {
				add(cat, func(c *Counts) { c.FN++ })
				res.Mistakes = append(res.Mistakes, fmt.Sprintf("FN %s › %s › %s", col.Name, path, cat))
			}
		}
		for k := range got {
			if !want[k] {
				path, cat, _ := strings.Cut(k, "\x00")
				add(cat, func(c *Counts) { c.FP++ })
				res.Mistakes = append(res.Mistakes, fmt.Sprintf("FP %s › %s › %s", col.Name, path, cat))
			}
		}
	}
	sort.Strings(res.Mistakes)
	return res
}

// Table renders the result as a Markdown table in taxonomy order, with the
// micro average last.
func (r Result) Table() string {
	var b strings.Builder
	b.WriteString("| category | fields | TP | FP | FN | precision | recall | F1 |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, t := range classifiers.Taxonomy {
		c := r.Categories[t.Category]
		fmt.Fprintf(&b, "| `%s` | %d | %d | %d | %d | %.3f | %.3f | %.3f |\n", t.Category, c.TP+c.FN, c.TP, c.FP, c.FN, c.Precision(), c.Recall(), c.F1())
	}
	m := r.Micro()
	fmt.Fprintf(&b, "| **micro** | %d | %d | %d | %d | %.3f | %.3f | **%.3f** |\n", m.TP+m.FN, m.TP, m.FP, m.FN, m.Precision(), m.Recall(), m.F1())
	return b.String()
}

// ScoreShapes scores the collections of each shape on their own, so a
// regression in one shape does not hide in the average.
func ScoreShapes(cols []Collection, r *report.Report) (shapes []string, results map[string]Result) {
	by := map[string][]Collection{}
	for _, c := range cols {
		if _, ok := by[c.Shape]; !ok {
			shapes = append(shapes, c.Shape)
		}
		by[c.Shape] = append(by[c.Shape], c)
	}
	results = map[string]Result{}
	for s, cs := range by {
		results[s] = Score(cs, r)
	}
	return shapes, results
}

// ShapeTable renders per-shape micro figures as a Markdown table.
func ShapeTable(shapes []string, results map[string]Result, cols []Collection) string {
	n := map[string]int{}
	for _, c := range cols {
		n[c.Shape]++
	}
	var b strings.Builder
	b.WriteString("| shape | collections | labelled fields | TP | FP | FN | precision | recall | F1 |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, s := range shapes {
		m := results[s].Micro()
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %.3f | %.3f | %.3f |\n", s, n[s], m.TP+m.FN, m.TP, m.FP, m.FN, m.Precision(), m.Recall(), m.F1())
	}
	return b.String()
}

// CleanShare counts, over the no-personal-data corpus, the fields written
// and those the report holds any finding for (findings in the report are
// at or above the scan's minimum confidence). flagged lists them.
func CleanShare(cols []Collection, r *report.Report) (fields int, flagged []string) {
	clean := map[string]bool{}
	for _, c := range cols {
		if c.Clean {
			clean[c.Name] = true
			fields += len(c.Negatives)
		}
	}
	for _, t := range r.Targets {
		for _, c := range t.Containers {
			if !clean[c.Name] {
				continue
			}
			for _, fl := range c.Fields {
				if len(fl.Findings) > 0 {
					flagged = append(flagged, c.Name+" › "+fl.Path)
				}
			}
		}
	}
	sort.Strings(flagged)
	return fields, flagged
}

// Cases lists the collections that are in the benchmark because users hit
// what they hold, with what they hit.
func Cases(cols []Collection) string {
	var b strings.Builder
	for _, c := range cols {
		if c.Why != "" {
			fmt.Fprintf(&b, "- `%s` (%s): %s\n", c.Name, c.Shape, c.Why)
		}
	}
	return b.String()
}
