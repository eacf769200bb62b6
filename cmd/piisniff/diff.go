package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/piisniff/piisniff/report"
)

var diffFormats = []string{"table", "json", "markdown"}

func newDiffCmd(getenv env) *cobra.Command {
	o := &outputFlags{getenv: getenv}
	cmd := &cobra.Command{
		Use:   "diff OLD.json NEW.json",
		Short: "Show the findings that appeared, disappeared or changed risk between two reports",
		Long: `Compare two JSON reports written by 'piisniff scan --format json': the findings
that appeared, disappeared or changed risk (a finding is identified by its
target URI, container, field path and category), the harmful combinations that
appeared or disappeared, and the exposure changes of each target: a table,
JSON, or Markdown for a pull request or ticket.

With --fail-on, the policy is checked against what got worse: finding and
combination conditions against the findings that appeared or whose risk rose
and the combinations that appeared; exposure, score and incomplete against the
new report. A change already accepted in OLD does not fail the build again.

` + report.PolicyHelp,
		Example: `  piisniff diff before.json after.json
  piisniff diff baseline.json current.json --format json
  piisniff diff baseline.json current.json --fail-on 'group:credentials,risk>=60'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usageErr("diff needs two reports: OLD.json NEW.json")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			policy, err := parseFailOn(o.failOn)
			if err != nil {
				return err
			}
			old, err := loadReport(cmd, args[0])
			if err != nil {
				return err
			}
			cur, err := loadReport(cmd, args[1])
			if err != nil {
				return err
			}
			if ext := strings.ToLower(filepath.Ext(o.output)); o.format == "" && ext != ".json" && ext != ".md" && ext != ".markdown" {
				o.format = "table" // the table is the default, even in a pipe
			}
			w, format, opt, done, err := o.open(cmd, diffFormats)
			if err != nil {
				return err
			}
			d := report.Compare(old, cur)
			switch format {
			case "json":
				err = report.WriteDiffJSON(w, d)
			case "markdown":
				err = report.WriteDiffMarkdown(w, d)
			default:
				err = report.WriteDiffTable(w, d, opt)
			}
			if err != nil {
				done(false)
				return &exitError{code: exitScanError, err: fmt.Errorf("writing the diff: %w", err)}
			}
			if err := done(true); err != nil {
				return err
			}
			return checkPolicy(cmd.ErrOrStderr(), policy, d.Worse(cur))
		},
	}
	o.register(cmd, diffFormats, "table")
	return cmd
}
