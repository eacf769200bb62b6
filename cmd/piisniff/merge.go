package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/piisniff/piisniff/pipeline"
	"github.com/piisniff/piisniff/report"
)

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

Each report is streamed: memory grows with the merged report, not with the
number of shards. The rules files the reports name are read again to
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
			r, err := report.Merge(srcs, report.MergeOptions{
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
			})
			if err != nil {
				return usageErr("%v", err)
			}
			w, format, opt, done, err := o.open(cmd, report.Formats)
			if err != nil {
				return err
			}
			if err := report.Write(w, r, format, opt); err != nil {
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
