package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/piisniff/piisniff/pipeline"
	"github.com/piisniff/piisniff/report"
)

// tempDirFor is the directory of the report file, "" for stdout.
func tempDirFor(output string) string {
	if output == "" || output == "-" {
		return ""
	}
	return filepath.Dir(output)
}

// newReportMergeCmd is "report merge": shard reports into one.
func newReportMergeCmd(getenv env) *cobra.Command {
	o := &outputFlags{getenv: getenv}
	var rules []string
	cmd := &cobra.Command{
		Use:   "merge REPORT.json...",
		Short: "Merge the reports of a sharded scan (--shard I/N) into one",
		Long: `Merge the JSON reports written by the N shards of one scan (scan --shard I/N)
into the report one machine would have written: the same counts, examples,
estimates and people, with risk and combinations recomputed. Reports of
different scans (their fingerprints differ: version, rules, seed, sample size,
targets or filters) are refused. A missing or repeated shard gives a report
with complete: false and a note naming it, and exit status 1.

Each report is streamed, and the containers of the merged report wait in a
temporary file until it is written: memory grows with the number of
containers of the merged report (about a hundred bytes each), not with the
number of shards or the size of the findings, for the JSON format without
--fail-on; the other formats and --fail-on read the merged report whole. The rules files the reports name are read again to
recompute risk; --rules gives them when they are elsewhere on this machine.`,
		Example: `  piisniff report merge shard-*.json -o report.json
  piisniff report merge /reports/shard-*.json --format html -o report.html`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("report merge needs at least one REPORT.json")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			policy, err := parseFailOn(o.failOn)
			if err != nil {
				return err
			}
			var srcs []report.MergeSource
			for _, a := range args {
				srcs = append(srcs, report.MergeSource{Name: a, Open: func() (io.ReadCloser, error) { return os.Open(a) }})
			}
			m, err := report.MergeStream(srcs, report.MergeOptions{
				Confidence: pipeline.BuildOptions(0).Confidence,
				Evidence:   pipeline.BuildOptions(0).Evidence,
				Model: func(s *report.Settings) (report.RiskModel, error) {
					files := rules
					if files == nil && s != nil {
						files = s.RulesFiles
					}
					e, err := loadEngine(files)
					if err != nil {
						return report.RiskModel{}, fmt.Errorf("%v (the reports were written with the rules files %s; give them with --rules)", err, strings.Join(files, ", "))
					}
					return pipeline.RiskModel(e), nil
				},
				// next to the report: a read-only root file system (the
				// merge Job's) has no writable temporary directory
				TempDir: tempDirFor(o.output),
			})
			if err != nil {
				return usageErr("%v", err)
			}
			defer m.Close()
			w, format, opt, done, err := o.open(cmd, report.Formats)
			if err != nil {
				return err
			}
			// the JSON report is written container by container from the
			// merge's temporary file; the other formats (and --fail-on)
			// need the whole report in memory
			r, streamed := m.Head, format == "json" && len(policy) == 0
			if streamed {
				err = m.WriteJSON(w)
			} else if r, err = m.Report(); err == nil {
				err = report.Write(w, r, format, opt)
			}
			if err != nil {
				_ = done(false)
				return &exitError{code: exitScanError, err: fmt.Errorf("writing the report: %w", err)}
			}
			if err := done(true); err != nil {
				return err
			}
			if !r.Complete {
				msg := "the merged report is incomplete"
				if r.Merge != nil && len(r.Merge.Notes) > 0 {
					msg += ":\n  " + strings.Join(r.Merge.Notes, "\n  ")
				} else {
					if streamed {
						if whole, err := m.Report(); err == nil {
							r = whole
						}
					}
					msg = incompleteReason(r)
				}
				return &exitError{code: exitScanError, err: fmt.Errorf("%s", msg)}
			}
			return checkPolicy(cmd.ErrOrStderr(), policy, r)
		},
	}
	o.register(cmd, report.Formats, "table on a terminal, json otherwise")
	cmd.Flags().StringArrayVar(&rules, "rules", nil, "the extra rules `FILE`s the shards were run with, when not where the reports say (repeatable)")
	return cmd
}
