package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redact"
	"github.com/piisniff/piisniff/pipeline"
)

func newExplainCmd() *cobra.Command {
	var (
		path, container string
		rules           []string
		values          int
		sampleSize      int
		seed            int64
		showData        bool
		all             bool
	)
	cmd := &cobra.Command{
		Use:   "explain TARGET --path PATH",
		Short: "Show which rules matched which sampled values of one field",
		Long: `explain samples TARGET like scan does and shows, for the field at PATH
(in the report's path convention, e.g. contacts[].phone), which rules matched
each sampled value and where the others stopped, so a verdict can be checked.
Values are masked unless --show-data is given (credentials always are).`,
		Example: `  piisniff explain examples/leaky-app --container users.ndjson --path contacts[].phone
  piisniff explain mongodb://127.0.0.1:27017 --container shop.users --path password --all`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("explain needs exactly one TARGET")
			}
			if path == "" {
				return usageErr("explain needs --path, the field to explain")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			engine, err := loadEngine(rules)
			if err != nil {
				return usageErr("%v", err)
			}
			ctx, stop := interruptContext(cmd.Context(), func() {})
			defer stop()
			res, err := pipeline.Explain(ctx, pipeline.ExplainRequest{Target: args[0], Container: container, Path: path, MaxValues: values},
				pipeline.Config{Engine: engine, SampleSize: sampleSize, Seed: seed, ShowData: showData})
			if err != nil {
				return &exitError{code: exitScanError, err: fmt.Errorf("explain: %w", redactedErr(err, args[0]))}
			}
			return printExplanations(cmd.OutOrStdout(), res, path, all)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&path, "path", "", "field `PATH` to explain (e.g. contacts[].phone)")
	fl.StringVar(&container, "container", "", "container `NAME` (default: every container holding the field)")
	fl.IntVar(&values, "values", 5, "distinct values explained per container")
	fl.IntVar(&sampleSize, "sample-size", 10000, "documents sampled per container; 0 reads every document")
	fl.Int64Var(&seed, "seed", 1, "seed of the random sample")
	fl.BoolVar(&showData, "show-data", false, "show values unmasked (credentials are always masked)")
	fl.BoolVar(&all, "all", false, "also list rules that did not match")
	fl.StringArrayVar(&rules, "rules", nil, "extra rules `FILE` merged over the built-in rules (repeatable)")
	return cmd
}

func printExplanations(w io.Writer, res []pipeline.ContainerExplanation, path string, all bool) error {
	if len(res) == 0 {
		_, err := fmt.Fprintf(w, "No sampled document holds the field %q.\n", path)
		return err
	}
	for _, ce := range res {
		fmt.Fprintf(w, "%s › %s: %d sampled documents hold the field", ce.Container, path, ce.Documents)
		if ce.StoreType != "" {
			fmt.Fprintf(w, " (store type %s)", ce.StoreType)
		}
		fmt.Fprintln(w)
		for _, r := range ce.Reached {
			fmt.Fprintf(w, "  reached: %s\n", r)
		}
		if len(ce.Reached) > 0 {
			fmt.Fprintf(w, "  read as the field name %q\n", ce.Name)
		}
		for _, h := range ce.Structure {
			fmt.Fprintf(w, "  structure: %s (%s) %.2f by rule %s\n", h.Category, h.Evidence, h.Confidence, h.Rule)
		}
		for _, v := range ce.Values {
			fmt.Fprintf(w, "  value %q (%s)\n", v.Value, kindName(v.Kind))
			shown := 0
			for _, x := range v.Rules {
				if x.Matched || all || x.FieldName {
					fmt.Fprintf(w, "    %s\n", x)
					shown++
				}
			}
			if shown == 0 {
				fmt.Fprintln(w, "    no rule matched (--all lists where each rule stopped)")
			}
		}
	}
	return nil
}

func kindName(k classifiers.Kind) string {
	switch k {
	case classifiers.KindNumber:
		return "number"
	case classifiers.KindBool:
		return "bool"
	case classifiers.KindDate:
		return "date"
	case classifiers.KindBinary:
		return "binary"
	}
	return "string"
}

// redactedErr removes the target's credentials and the secrets of the
// environment from an error message.
func redactedErr(err error, target string) error {
	return redact.Error(err, connectors.Secrets(target, connectors.Options{})...)
}
