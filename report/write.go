package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Formats lists the output formats the writers support.
var Formats = []string{"table", "json", "ndjson", "csv", "markdown", "html", "sarif"}

// Write renders r in the given format.
func Write(w io.Writer, r *Report, format string, opt TableOptions) error {
	switch format {
	case "json":
		return WriteJSON(w, r)
	case "ndjson":
		return WriteNDJSON(w, r)
	case "csv":
		return WriteCSV(w, r)
	case "table":
		if opt.GroupBy != "" {
			if err := writeGroupsTable(w, r, opt.GroupBy, opt); err != nil {
				return err
			}
		}
		return WriteTable(w, r, opt)
	case "markdown":
		if opt.GroupBy != "" {
			return writeMarkdownGrouped(w, r, opt.GroupBy)
		}
		return WriteMarkdown(w, r)
	case "html":
		return writeHTML(w, r, opt.GroupBy)
	case "sarif":
		return WriteSARIF(w, r)
	}
	return fmt.Errorf("unknown format %q (one of %s)", format, strings.Join(Formats, ", "))
}

// WriteJSON writes the report as one indented JSON object.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// FlatFinding is one finding with where it was found: the unit of the
// ndjson and csv formats.
type FlatFinding struct {
	Target    string `json:"target"`
	Kind      string `json:"kind"`
	Container string `json:"container"`
	Path      string `json:"path"`
	Finding
	// Anonymous says the target answers without credentials.
	AnonymousAccess bool `json:"anonymous_access"`
}

// Flatten lists every finding of r, most risky first.
func Flatten(r *Report) []FlatFinding {
	var out []FlatFinding
	for _, t := range r.Targets {
		for _, c := range t.Containers {
			for _, f := range c.Fields {
				for _, x := range f.Findings {
					out = append(out, FlatFinding{Target: t.URI, Kind: t.Kind, Container: c.Name, Path: f.Path, Finding: x, AnonymousAccess: t.Exposure.AnonymousAccess})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Risk != out[j].Risk {
			return out[i].Risk > out[j].Risk
		}
		if out[i].Container != out[j].Container {
			return out[i].Container < out[j].Container
		}
		return out[i].Path < out[j].Path
	})
	return out
}

// WriteNDJSON writes one finding per line, then one line per ignored
// finding (with "ignored": true and the reason).
func WriteNDJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, f := range Flatten(r) {
		if err := enc.Encode(f); err != nil {
			return err
		}
	}
	for _, f := range r.Ignored {
		if err := enc.Encode(f); err != nil {
			return err
		}
	}
	return nil
}

// CSVHeader is the header row of the csv format.
var CSVHeader = []string{"target", "kind", "container", "path", "category", "group", "confidence", "evidence",
	"matched_documents", "match_ratio", "estimated_affected_documents", "risk", "examples", "anonymous_access",
	"risk_level", "fingerprint", "baseline", "ignored_reason"}

// WriteCSV writes one row per finding.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	rows := Flatten(r)
	reasons := make([]string, len(rows))
	for _, x := range r.Ignored {
		rows = append(rows, x.FlatFinding)
		reasons = append(reasons, x.Reason)
	}
	for i, f := range rows {
		row := []string{f.Target, f.Kind, f.Container, f.Path, f.Category, f.Group,
			ftoa(f.Confidence), strings.Join(f.Evidence, "|"), strconv.FormatInt(f.MatchedDocuments, 10),
			ftoa(f.MatchRatio), strconv.FormatInt(f.EstimatedAffectedDocuments, 10), ftoa(f.Risk),
			strings.Join(f.Examples, " | "), strconv.FormatBool(f.AnonymousAccess),
			f.RiskLevel, f.Fingerprint, strconv.FormatBool(f.Baseline), reasons[i]}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
