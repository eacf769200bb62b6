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

func newExplainCmd(getenv env) *cobra.Command {
	var (
		path, container string
		rules           []string
		values          int
		sampleSize      int
		seed            int64
		maxDepth        int
		showData        bool
		all             bool
	)
	cf := newConnFlags(getenv)
	cmd := &cobra.Command{
		Use:   "explain TARGET --path PATH",
		Short: "Show which rules matched which sampled values of one field",
		Long: `explain samples TARGET like scan does and shows, for the field at PATH
(in the report's path convention, e.g. contacts[].phone), which rules matched
each sampled value and where the others stopped, so a verdict can be checked.
It takes scan's connector flags (TLS, credentials, timeouts, store options)
and classifies each value in the region of its document, as scan does.
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
			if err := cf.validate(); err != nil {
				return err
			}
			if sampleSize < 0 {
				return usageErr("--sample-size must be 0 (every document) or more, not %d", sampleSize)
			}
			if maxDepth < 1 {
				return usageErr("--max-depth must be at least 1")
			}
			engine, err := loadEngine(rules)
			if err != nil {
				return usageErr("%v", err)
			}
			opts := cf.options()
			if err := checkTargets(args, opts); err != nil {
				return err
			}
			warnInsecure(cmd.ErrOrStderr(), cf.tlsInsecure, showData)
			ctx, sig, stop := interruptContext(cmd.Context(), func() {})
			defer stop()
			res, err := pipeline.Explain(ctx, pipeline.ExplainRequest{Target: args[0], Container: container, Path: path, MaxValues: values},
				pipeline.Config{Engine: engine, SampleSize: sampleSize, Seed: seed, ShowData: showData, MaxDepth: maxDepth, Connector: opts})
			if ctx.Err() != nil && cmd.Context().Err() == nil {
				return &exitError{code: sig.exitCode(), err: fmt.Errorf("explain %s", sig.verb())}
			}
			if err != nil {
				return failErr(fmt.Errorf("explain: %w", redact.Error(err, connectors.Secrets(args[0], opts)...)))
			}
			return printExplanations(cmd.OutOrStdout(), res, path, all)
		},
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.StringVar(&path, "path", "", "field `PATH` to explain (e.g. contacts[].phone)")
	fl.StringVar(&container, "container", "", "container `NAME` (default: every container holding the field)")
	fl.IntVar(&values, "values", 5, "distinct values explained per container")
	fl.IntVar(&sampleSize, "sample-size", 10000, "documents sampled per container; 0 reads every document")
	fl.Int64Var(&seed, "seed", 1, "seed of the random sample")
	fl.BoolVar(&showData, "show-data", false, "show values unmasked (credentials are always masked)")
	fl.BoolVar(&all, "all", false, "also list rules that did not match")
	fl.StringArrayVar(&rules, "rules", nil, "extra rules `FILE` merged over the built-in rules (repeatable)")
	cf.register(fl)
	fl.IntVar(&maxDepth, "max-depth", pipeline.DefaultMaxDepth, "documents nested deeper than this are skipped")
	return cmd
}

func printExplanations(out io.Writer, res []pipeline.ContainerExplanation, path string, all bool) error {
	w := &stickyWriter{w: out}
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
			if v.Region != "" {
				fmt.Fprintf(w, "  value %q (%s, document region %s)\n", v.Value, kindName(v.Kind), v.Region)
			} else {
				fmt.Fprintf(w, "  value %q (%s)\n", v.Value, kindName(v.Kind))
			}
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
	return w.err
}

// stickyWriter keeps the first write error, so that a sequence of prints
// can be checked once.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	if err != nil {
		s.err = failErr(fmt.Errorf("writing the explanation: %w", err))
	}
	return n, err
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
