package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/piisniff/piisniff/report"
)

// outputFlags are the output flags shared by report render and diff.
type outputFlags struct {
	format  string
	output  string
	noColor bool
	failOn  []string
	getenv  env
}

func (o *outputFlags) register(cmd *cobra.Command, formats []string, def string) {
	fl := cmd.Flags()
	fl.StringVarP(&o.format, "format", "f", "", "output format: "+strings.Join(formats, ", ")+" (default: "+def+")")
	fl.StringVarP(&o.output, "output", "o", "", "write to `FILE` (created with mode 0600) instead of standard output")
	fl.BoolVar(&o.noColor, "no-color", false, "no colours in the table (NO_COLOR is respected too)")
	fl.StringArrayVar(&o.failOn, "fail-on", nil, failOnUsage)
}

// open returns where to write, the format chosen and the table options.
// The returned function finishes the output file, if any: commit false
// (after an error writing) removes what was written.
func (o *outputFlags) open(cmd *cobra.Command, formats []string) (io.Writer, string, report.TableOptions, func(commit bool) error, error) {
	stdout := cmd.OutOrStdout()
	format := (&scanFlags{format: o.format, output: o.output}).chooseFormat(o.output == "" && isTerminal(stdout))
	if !contains(formats, format) {
		return nil, "", report.TableOptions{}, nil, usageErr("--format %q is not one of %s", format, strings.Join(formats, ", "))
	}
	color := format == "table" && o.output == "" && isTerminal(stdout) && !o.noColor && o.getenv("NO_COLOR") == ""
	opt := report.TableOptions{Width: terminalWidth(stdout), Color: color}
	if o.output == "" {
		return stdout, format, opt, func(bool) error { return nil }, nil
	}
	dest, err := openReportFile(o.output)
	if err != nil {
		return nil, "", opt, nil, failErr(err)
	}
	w, err := dest.Writer()
	if err != nil {
		dest.Abort()
		return nil, "", opt, nil, failErr(err)
	}
	return w, format, opt, func(commit bool) error {
		if !commit {
			dest.Abort()
			return nil
		}
		if err := dest.Commit(); err != nil {
			return failErr(err)
		}
		return nil
	}, nil
}

// loadReport reads and validates a JSON report written by scan; "-" reads
// standard input. Errors name the file.
func loadReport(cmd *cobra.Command, path string) (*report.Report, error) {
	var data []byte
	var err error
	name := path
	if path == "-" {
		name = "standard input"
		data, err = io.ReadAll(cmd.InOrStdin())
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, usageErr("cannot read the report %s: %v", name, err)
	}
	if err := report.Validate(data); err != nil {
		return nil, usageErr("%s is not a valid piisniff JSON report (schema version %d): %v", name, report.SchemaVersion, err)
	}
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, usageErr("%s: %v", name, err)
	}
	if r.Summary.NotificationGuidance == nil {
		// reports written before the guidance existed
		r.Summary.NotificationGuidance = report.Guidance(&r)
	}
	return &r, nil
}

func newReportCmd(getenv env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Work with saved reports",
	}
	o := &outputFlags{getenv: getenv}
	render := &cobra.Command{
		Use:   "render REPORT.json",
		Short: "Render a saved JSON report in another format",
		Long: `Render a JSON report written by 'piisniff scan --format json' as a table, an
HTML page, a Markdown summary, CSV, NDJSON or JSON again. The report is
validated first. "-" reads the report from standard input.

With --fail-on, the policy is checked against the saved report, as scan would
have checked it.

` + report.PolicyHelp,
		Example: `  piisniff report render report.json --format html -o report.html
  piisniff report render report.json --format markdown | xclip
  piisniff report render report.json --fail-on 'risk>=70,exposure:anonymous' -f table`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("report render needs exactly one REPORT.json")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			policy, err := parseFailOn(o.failOn)
			if err != nil {
				return err
			}
			r, err := loadReport(cmd, args[0])
			if err != nil {
				return err
			}
			w, format, opt, done, err := o.open(cmd, report.Formats)
			if err != nil {
				return err
			}
			if err := report.Write(w, r, format, opt); err != nil {
				done(false)
				return &exitError{code: exitScanError, err: fmt.Errorf("writing the report: %w", err)}
			}
			if err := done(true); err != nil {
				return err
			}
			return checkPolicy(cmd.ErrOrStderr(), policy, r)
		},
	}
	o.register(render, report.Formats, "table on a terminal, json otherwise")
	cmd.AddCommand(render)
	return cmd
}
