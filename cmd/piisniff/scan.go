package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/pipeline"
	"github.com/piisniff/piisniff/report"
)

type scanFlags struct {
	rules           []string
	sampleSize      int
	seed            int64
	only, except    []string
	minConfidence   float64
	format          string
	output          string
	showData        bool
	workers         int
	concurrency     int
	quiet           bool
	connectTimeout  time.Duration
	requestTimeout  time.Duration
	tlsCA           string
	tlsCert         string
	tlsKey          string
	tlsInsecure     bool
	containers      connectors.Filter
	databases       connectors.Filter
	stores          map[string]connectors.StoreOptions
	includeHidden   bool
	noAnonCheck     bool
	username        string
	maxDocBytes     int64
	maxDepth        int
	maxExamples     int
	noColor         bool
	targetsParallel int
	failOn          []string
	policy          report.Policy
	profile         profileFlags
}

func newScanCmd() *cobra.Command {
	f := &scanFlags{stores: connectors.NewStoreOptions()}
	cmd := &cobra.Command{
		Use:   "scan TARGET...",
		Short: "Scan data stores and write the personal-data inventory",
		Long: `Scan one or more targets and write a risk-weighted inventory of the personal
data they hold.

A TARGET is one of:
` + connectors.TargetHelp() + `
Credentials in a URI are used to connect and never shown: every output has
them replaced by ***. Prefer the environment for secrets:
` + envHelp() + `

Examples are masked by default; --show-data unmasks them, except credentials,
which are never shown.`,
		Example: `  piisniff scan examples/leaky-app
  piisniff scan ./dump --format json --output report.json
  piisniff scan mongodb://10.0.0.5:27017 --collections 'users*,!users_tmp'
  piisniff scan https://elastic:${PASS}@search.internal:9200 --only payment,credentials
  piisniff scan --cloud-id "$ELASTIC_CLOUD_ID" --es-api-key "$KEY"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				// options alone may name a target (an Elastic Cloud id)
				implied, err := connectors.ImpliedTargets(f.connectorOptions())
				if err != nil {
					return usageErr("%v", err)
				}
				if len(implied) == 0 {
					return usageErr("scan needs at least one TARGET (%s)", targetKinds())
				}
				args = implied
			}
			return f.profile.run(func() error { return runScan(cmd, f, args) })
		},
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.StringArrayVar(&f.rules, "rules", nil, "extra rules `FILE` merged over the built-in rules by id (repeatable)")
	fl.IntVar(&f.sampleSize, "sample-size", 10000, "documents sampled per container; 0 reads every document")
	fl.Int64Var(&f.seed, "seed", 1, "seed of the random sample and of the examples chosen")
	fl.StringSliceVar(&f.only, "only", nil, "report only these categories or groups (comma-separated)")
	fl.StringSliceVar(&f.except, "except", nil, "do not report these categories or groups (comma-separated)")
	fl.Float64Var(&f.minConfidence, "min-confidence", 0.5, "findings below this confidence are not reported (0-1)")
	fl.StringVarP(&f.format, "format", "f", "", "output format: "+strings.Join(report.Formats, ", ")+" (default: table on a terminal, json otherwise)")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to `FILE` (created with mode 0600) instead of standard output")
	fl.BoolVar(&f.showData, "show-data", false, "show examples unmasked (credentials are always masked)")
	fl.IntVar(&f.workers, "workers", runtime.NumCPU(), "classifier workers")
	fl.IntVar(&f.concurrency, "concurrency", 4, "containers sampled at once per target (bounds connections)")
	fl.IntVar(&f.targetsParallel, "parallel-targets", 4, "targets scanned at once")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress and no notes on standard error")
	fl.DurationVar(&f.connectTimeout, "connect-timeout", 10*time.Second, "timeout to connect to a store")
	fl.DurationVar(&f.requestTimeout, "request-timeout", 30*time.Second, "timeout of one query or request")
	fl.StringVar(&f.tlsCA, "tls-ca", "", "CA certificates `FILE` (PEM) to verify servers with")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "client certificate `FILE` (PEM)")
	fl.StringVar(&f.tlsKey, "tls-key", "", "client key `FILE` (PEM)")
	fl.BoolVar(&f.tlsInsecure, "tls-insecure", false, "do not verify server certificates (prints a warning)")
	fl.Var(connectors.FilterFlag{F: &f.containers}, "containers", "container name globs to scan; prefix ! to exclude (e.g. 'users*,!*_tmp')")
	fl.Var(connectors.FilterFlag{F: &f.databases}, "databases", "database globs (stores with databases); prefix ! to exclude")
	fl.BoolVar(&f.includeHidden, "include-hidden", false, "also scan hidden and system containers (Elasticsearch dot-indices)")
	fl.BoolVar(&f.noAnonCheck, "no-anonymous-check", false, "do not try an unauthenticated connection in the exposure check")
	fl.StringVar(&f.username, "username", "", "user name when the URI has none (password from "+connectors.EnvPassword+")")
	connectors.AddFlags(fl, f.stores)
	fl.Int64Var(&f.maxDocBytes, "max-document-bytes", 16<<20, "documents larger than this are skipped and counted")
	fl.IntVar(&f.maxDepth, "max-depth", pipeline.DefaultMaxDepth, "documents nested deeper than this are skipped and counted")
	fl.IntVar(&f.maxExamples, "examples", 3, "examples kept per finding")
	fl.BoolVar(&f.noColor, "no-color", false, "no colours in the table (NO_COLOR is respected too)")
	fl.StringArrayVar(&f.failOn, "fail-on", nil, failOnUsage)
	f.profile.addFlags(fl)
	return cmd
}

// connectorOptions are the connector settings the flags give.
func (f *scanFlags) connectorOptions() connectors.Options {
	return connectors.Options{
		ConnectTimeout:   f.connectTimeout,
		RequestTimeout:   f.requestTimeout,
		TLS:              connectors.TLSOptions{CAFile: f.tlsCA, CertFile: f.tlsCert, KeyFile: f.tlsKey, Insecure: f.tlsInsecure},
		Containers:       f.containers,
		Databases:        f.databases,
		AnonymousCheck:   !f.noAnonCheck,
		IncludeHidden:    f.includeHidden,
		Username:         f.username,
		Concurrency:      f.concurrency,
		MaxDocumentBytes: f.maxDocBytes,
		Stores:           f.stores,
	}
}

// targetKinds names the target forms for a usage error.
func targetKinds() string {
	var forms []string
	for _, d := range connectors.Descriptors() {
		for _, t := range d.Targets {
			forms = append(forms, t.Form)
		}
	}
	return strings.Join(forms, "; ")
}

// envHelp lists the environment variables connectors read secrets from.
func envHelp() string {
	vars := []string{connectors.EnvPassword + " (password of the URI's user)"}
	for _, d := range connectors.Descriptors() {
		vars = append(vars, d.EnvSecrets...)
	}
	return strings.Join(vars, ", ") + "."
}

func (f *scanFlags) validate() error {
	if f.sampleSize < 0 {
		return usageErr("--sample-size must be 0 (every document) or more, not %d", f.sampleSize)
	}
	if f.minConfidence < 0 || f.minConfidence > 1 {
		return usageErr("--min-confidence must be between 0 and 1, not %g", f.minConfidence)
	}
	if f.workers < 1 || f.concurrency < 1 || f.targetsParallel < 1 {
		return usageErr("--workers, --concurrency and --parallel-targets must be at least 1")
	}
	if f.maxDepth < 1 || f.maxDocBytes < 1 {
		return usageErr("--max-depth and --max-document-bytes must be at least 1")
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return usageErr("--tls-cert and --tls-key go together")
	}
	if f.format != "" && !contains(report.Formats, f.format) {
		return usageErr("--format %q is not one of %s", f.format, strings.Join(report.Formats, ", "))
	}
	policy, err := parseFailOn(f.failOn)
	if err != nil {
		return err
	}
	f.policy = policy
	if err := connectors.ValidateStores(f.stores); err != nil {
		return usageErr("%v", err)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// chooseFormat picks the output format when --format is not given.
func (f *scanFlags) chooseFormat(stdoutIsTerminal bool) string {
	if f.format != "" {
		return f.format
	}
	if f.output != "" {
		switch strings.ToLower(filepath.Ext(f.output)) {
		case ".csv":
			return "csv"
		case ".ndjson", ".jsonl":
			return "ndjson"
		case ".txt":
			return "table"
		case ".html", ".htm":
			return "html"
		case ".md", ".markdown":
			return "markdown"
		}
		return "json"
	}
	if stdoutIsTerminal {
		return "table"
	}
	return "json"
}

func runScan(cmd *cobra.Command, f *scanFlags, targets []string) error {
	if err := f.validate(); err != nil {
		return err
	}
	engine, err := loadEngine(f.rules)
	if err != nil {
		return usageErr("%v", err)
	}
	if engine, err = engine.Restrict(f.only, f.except); err != nil {
		return usageErr("%v", err)
	}
	stderr := cmd.ErrOrStderr()
	stderrTTY := isTerminal(stderr)
	notef := func(format string, args ...any) {
		if !f.quiet {
			fmt.Fprintf(stderr, "piisniff: "+format+"\n", args...)
		}
	}
	if f.tlsInsecure {
		// a security warning is printed even with --quiet
		fmt.Fprintln(stderr, "piisniff: WARNING: --tls-insecure: server certificates are not verified; anyone on the path can read the data and credentials")
	}
	stdout := cmd.OutOrStdout()
	format := f.chooseFormat(f.output == "" && isTerminal(stdout))

	opts := f.connectorOptions()
	for _, t := range targets {
		if err := connectors.CheckTarget(t, opts); err != nil {
			return usageErr("%v", err)
		}
	}

	ctx, stop := interruptContext(cmd.Context(), func() {
		notef("interrupted: writing the partial report (press Ctrl-C again to quit at once)")
	})
	defer stop()

	var prog pipeline.Progress
	var bar *progressBar
	if stderrTTY && !f.quiet {
		bar = newProgressBar(stderr)
		prog = bar
	}
	cfg := pipeline.Config{
		Engine:            engine,
		Workers:           f.workers,
		SampleSize:        f.sampleSize,
		Seed:              f.seed,
		MinConfidence:     f.minConfidence,
		ShowData:          f.showData,
		MaxExamples:       f.maxExamples,
		MaxDepth:          f.maxDepth,
		TargetConcurrency: f.targetsParallel,
		Connector:         opts,
		Progress:          prog,
		Tool:              report.Tool{Name: "piisniff", Version: version},
		Settings: &report.Settings{SampleSize: f.sampleSize, Seed: f.seed, MinConfidence: f.minConfidence,
			Only: f.only, Except: f.except, RulesFiles: f.rules},
	}
	rep := pipeline.Run(ctx, targets, cfg)
	interrupted := ctx.Err() != nil
	if bar != nil {
		bar.Finish()
	}
	for _, g := range engine.GivenUp() {
		// the findings depend on it, so this is printed even with --quiet
		fmt.Fprintf(stderr, "piisniff: WARNING: rule %s: pattern %q timed out %d times and was given up: it matched nothing in the rest of the scan (piisniff rules check shows patterns that backtrack)\n",
			g.RuleID, g.Pattern, classifiers.MaxMatchTimeouts)
	}

	out := stdout
	if f.output != "" {
		file, err := createPrivate(f.output)
		if err != nil {
			return &exitError{code: exitScanError, err: err}
		}
		defer file.Close()
		out = file
	}
	color := format == "table" && f.output == "" && isTerminal(stdout) && !f.noColor && os.Getenv("NO_COLOR") == ""
	if err := report.Write(out, rep, format, report.TableOptions{Width: terminalWidth(stdout), Color: color}); err != nil {
		return &exitError{code: exitScanError, err: fmt.Errorf("writing the report: %w", err)}
	}
	if f.output != "" {
		if err := out.(*os.File).Close(); err != nil {
			return &exitError{code: exitScanError, err: fmt.Errorf("writing %s: %w", f.output, err)}
		}
		notef("report written to %s", f.output)
	}
	policyErr := checkPolicy(stderr, f.policy, rep)
	switch {
	case interrupted:
		return &exitError{code: exitInterrupted, err: fmt.Errorf("scan interrupted; the report is partial (complete: false)")}
	case policyErr != nil:
		if !rep.Complete {
			fmt.Fprintln(stderr, "piisniff:", incompleteReason(rep))
		}
		return policyErr
	case !rep.Complete:
		return &exitError{code: exitScanError, err: fmt.Errorf("%s", incompleteReason(rep))}
	}
	return nil
}

func incompleteReason(r *report.Report) string {
	var parts []string
	for _, t := range r.Targets {
		if t.Error != nil {
			parts = append(parts, fmt.Sprintf("%s: %s", t.URI, *t.Error))
		}
		for _, c := range t.Containers {
			if c.Error != nil {
				parts = append(parts, fmt.Sprintf("%s %s: %s", t.URI, c.Name, *c.Error))
			}
		}
	}
	if len(parts) > 5 {
		parts = append(parts[:5], fmt.Sprintf("and %d more", len(parts)-5))
	}
	return "the scan is incomplete:\n  " + strings.Join(parts, "\n  ")
}

// createPrivate creates (or truncates) a report file readable by its owner only.
func createPrivate(path string) (*os.File, error) {
	file, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot write the report: %w", err)
	}
	if err := file.Chmod(0o600); err != nil {
		file.Close()
		return nil, fmt.Errorf("cannot restrict the report's permissions: %w", err)
	}
	return file, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			return width
		}
	}
	return 100
}

// interruptContext is cancelled by the first SIGINT or SIGTERM, after
// onFirst runs; a second signal exits at once.
func interruptContext(parent context.Context, onFirst func()) (context.Context, func()) {
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			onFirst()
			cancel()
		case <-done:
			return
		}
		select {
		case <-sigs:
			fmt.Fprintln(os.Stderr, "piisniff: interrupted twice: exiting without a report")
			os.Exit(exitInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}
