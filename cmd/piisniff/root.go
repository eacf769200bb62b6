package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newRootCmd(getenv env) *cobra.Command {
	root := &cobra.Command{
		Use:   "piisniff",
		Short: "Find the personal data an exposed or about-to-launch data store would leak",
		Long: `piisniff connects to a data store (a directory of exported files, MongoDB,
Elasticsearch or OpenSearch), samples documents, classifies every field with
the rules in rules.yaml, checks how exposed the store is, and writes a
risk-weighted inventory: per store, container and field, the categories of
personal data found, confidence, masked examples and estimated affected
documents.

Exit codes:
  0    the scan completed and read what it was asked to read
  1    a target, container or file could not be read, nothing was scanned, or
       another error that is not a usage error (a report that could be
       written says "complete": false)
  2    usage error: bad flag or argument, mistyped or missing target; no
       report is written
  3    the --fail-on policy was breached (the report is written first)
  130  interrupted by SIGINT (the partial report is written)
  143  terminated by SIGTERM (the partial report is written)`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildVersion(),
	}
	root.SetVersionTemplate("piisniff {{.Version}}\n")
	root.AddCommand(newScanCmd(getenv), newExplainCmd(getenv), newRulesCmd(), newReportCmd(getenv), newDiffCmd(getenv), newVersionCmd())
	return root
}

func buildVersion() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "piisniff %s\n", buildVersion())
			return err
		},
	}
}
