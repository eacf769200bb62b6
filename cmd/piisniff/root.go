package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "piisniff",
		Short: "Find the personal data an exposed or about-to-launch data store would leak",
		Long: `piisniff connects to a data store (a directory of exported files, MongoDB,
Elasticsearch or OpenSearch), samples documents, classifies every field with
the rules in rules.yaml, checks how exposed the store is, and writes a
risk-weighted inventory: per store, container and field, the categories of
personal data found, confidence, masked examples and estimated affected
documents.

Exit codes: 0 scan completed, 1 a target or container failed (the report is
still written, with "complete": false), 2 usage error, 3 --fail-on policy
breached, 130 interrupted (the partial report is written).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildVersion(),
	}
	root.SetVersionTemplate("piisniff {{.Version}}\n")
	root.AddCommand(newScanCmd(), newExplainCmd(), newRulesCmd(), newReportCmd(), newDiffCmd(), newIgnoreCmd(), newConfigCmd(), newVersionCmd())
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
