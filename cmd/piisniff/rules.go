package main

import (
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/classifiers"
)

// loadEngine compiles the built-in rules and the user's rule files.
func loadEngine(files []string) (*classifiers.Engine, error) {
	sources := []classifiers.Source{{Name: "rules.yaml (built in)", Data: piisniff.DefaultRules}}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading rules: %w", err)
		}
		sources = append(sources, classifiers.Source{Name: f, Data: data})
	}
	return classifiers.Load(sources...)
}

func newRulesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List or check classification rules",
	}
	var extra []string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the rules in force (built-in rules merged with --rules files)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := loadEngine(extra)
			if err != nil {
				return usageErr("%v", err)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCATEGORY\tGROUP\tCONFIDENCE\tDESCRIPTION")
			for _, r := range e.Rules() {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%s\n", r.ID, r.Category, r.Group, r.Confidence, r.Description)
			}
			return tw.Flush()
		},
	}
	list.Flags().StringArrayVar(&extra, "rules", nil, "extra rules `FILE` merged over the built-in rules (repeatable)")
	check := &cobra.Command{
		Use:   "check FILE...",
		Short: "Compile rule files, run their examples, report every error (file:line:column) and warning",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("rules check needs at least one FILE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runRulesCheck(cmd, args) },
	}
	cmd.AddCommand(list, check)
	return cmd
}

// exitRulesInvalid is the exit code of `rules check` when a file has
// errors.
const exitRulesInvalid = 1

// runRulesCheck checks each file merged over the built-in rules and runs
// its examples. Every error of every file is written to stderr, one a line
// as file:line:column: message, warnings as "warning: file:line:column:
// ..."; a file without errors gets "file: ok" on stdout.
func runRulesCheck(cmd *cobra.Command, files []string) error {
	failed, nerr := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v\n", f, err)
			failed++
			nerr++
			continue
		}
		warnings, err := classifiers.Check(classifiers.Source{Name: f, Data: data}, piisniff.DefaultRules)
		for _, w := range warnings {
			fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s\n", w)
		}
		if err != nil {
			var list classifiers.LoadErrors
			if errors.As(err, &list) {
				for _, e := range list {
					fmt.Fprintln(cmd.ErrOrStderr(), e)
				}
				nerr += len(list)
			} else {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				nerr++
			}
			failed++
			continue
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", f)
	}
	if failed > 0 {
		return &exitError{code: exitRulesInvalid, err: fmt.Errorf("%d of %d rule files have errors (%d in all)", failed, len(files), nerr)}
	}
	return nil
}
