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
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/estate"
	"github.com/piisniff/piisniff/pipeline"
	"github.com/piisniff/piisniff/report"
)

// connFlags are the connector settings shared by scan and explain, so
// that explain reads a store exactly as scan does.
type connFlags struct {
	connectTimeout time.Duration
	requestTimeout time.Duration
	tlsCA          string
	tlsCert        string
	tlsKey         string
	tlsInsecure    bool
	containers     connectors.Filter
	databases      connectors.Filter
	stores         map[string]connectors.StoreOptions
	includeHidden  bool
	includeViews   bool
	noAnonCheck    bool
	username       string
	maxDocBytes    int64
	concurrency    int
	getenv         env
}

func newConnFlags(getenv env) *connFlags {
	if getenv == nil {
		getenv = os.Getenv
	}
	return &connFlags{stores: connectors.NewStoreOptions(), getenv: getenv}
}

// register adds the connector flags: the common ones and every
// connector's own (connectors.AddFlags).
func (c *connFlags) register(fl *pflag.FlagSet) {
	fl.IntVar(&c.concurrency, "concurrency", 4, "containers sampled at once per target (bounds connections)")
	fl.DurationVar(&c.connectTimeout, "connect-timeout", 10*time.Second, "timeout to connect to a store")
	fl.DurationVar(&c.requestTimeout, "request-timeout", 30*time.Second, "timeout of one query or request")
	fl.StringVar(&c.tlsCA, "tls-ca", "", "CA certificates `FILE` (PEM) to verify servers with")
	fl.StringVar(&c.tlsCert, "tls-cert", "", "client certificate `FILE` (PEM)")
	fl.StringVar(&c.tlsKey, "tls-key", "", "client key `FILE` (PEM)")
	fl.BoolVar(&c.tlsInsecure, "tls-insecure", false, "do not verify server certificates (prints a warning)")
	fl.Var(connectors.FilterFlag{F: &c.containers}, "containers", "container name globs to scan; prefix ! to exclude (e.g. 'users*,!*_tmp')")
	fl.Var(connectors.FilterFlag{F: &c.databases}, "databases", "database globs (stores with databases); prefix ! to exclude")
	fl.BoolVar(&c.includeHidden, "include-hidden", false, "also scan hidden and system containers (Elasticsearch dot-indices)")
	fl.BoolVar(&c.includeViews, "include-views", false, "also scan SQL views (PostgreSQL, MySQL/MariaDB, SQLite)")
	fl.BoolVar(&c.noAnonCheck, "no-anonymous-check", false, "do not try an unauthenticated connection in the exposure check")
	fl.StringVar(&c.username, "username", "", "user name when the URI has none (password from "+connectors.EnvPassword+")")
	connectors.AddFlags(fl, c.stores)
	fl.Int64Var(&c.maxDocBytes, "max-document-bytes", 16<<20, "documents larger than this are skipped and counted")
}

// validate checks the connector flags: usage errors.
func (c *connFlags) validate() error {
	if c.concurrency < 1 {
		return usageErr("--concurrency must be at least 1")
	}
	if c.maxDocBytes < 1 {
		return usageErr("--max-document-bytes must be at least 1")
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return usageErr("--tls-cert and --tls-key go together")
	}
	if err := connectors.ValidateStores(c.stores); err != nil {
		return usageErr("%v", err)
	}
	return nil
}

// options are the connector settings the flags give.
func (c *connFlags) options() connectors.Options {
	return connectors.Options{
		ConnectTimeout:   c.connectTimeout,
		RequestTimeout:   c.requestTimeout,
		TLS:              connectors.TLSOptions{CAFile: c.tlsCA, CertFile: c.tlsCert, KeyFile: c.tlsKey, Insecure: c.tlsInsecure},
		Containers:       c.containers,
		Databases:        c.databases,
		AnonymousCheck:   !c.noAnonCheck,
		IncludeHidden:    c.includeHidden,
		IncludeViews:     c.includeViews,
		Username:         c.username,
		Concurrency:      c.concurrency,
		MaxDocumentBytes: c.maxDocBytes,
		Stores:           c.stores,
		Env:              c.getenv,
	}
}

// checkTargets validates every target before anything is contacted: a
// mistyped scheme or a path that does not exist is a usage error, with a
// "did you mean" hint where one fits.
func checkTargets(targets []string, opts connectors.Options) error {
	for _, t := range targets {
		if err := connectors.CheckTarget(t, opts); err != nil {
			return usageErr("%v", err)
		}
	}
	return nil
}

// warnInsecure prints the security warnings of the flags; they are
// printed even with --quiet.
func warnInsecure(stderr io.Writer, tlsInsecure, showData bool) {
	if tlsInsecure {
		fmt.Fprintln(stderr, "piisniff: WARNING: --tls-insecure: server certificates are not verified; anyone on the path can read the data and credentials")
	}
	if showData {
		fmt.Fprintln(stderr, "piisniff: WARNING: --show-data: the output holds personal data unmasked (credentials stay masked); protect it like the data itself")
	}
}

type scanFlags struct {
	*connFlags
	estateFlags
	rules           []string
	sampleSize      int
	seed            int64
	only, except    []string
	minConfidence   float64
	format          string
	output          string
	showData        bool
	workers         int
	quiet           bool
	maxDepth        int
	maxExamples     int
	noColor         bool
	targetsParallel int
	failOn          []string
	policy          report.Policy
	risk            riskFlags
	profile         profileFlags
}

func newScanCmd(getenv env) *cobra.Command {
	f := &scanFlags{connFlags: newConnFlags(getenv)}
	cmd := &cobra.Command{
		Use:   "scan TARGET... | scan --targets FILE",
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
  piisniff scan --cloud-id "$ELASTIC_CLOUD_ID" --es-api-key "$KEY"
  piisniff scan --targets estate.yaml --group-by owner -f html -o estate.html
  piisniff scan --targets estate.yaml --sample-size 0 --shard 0/4 -o shard-0.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := applyConfig(cmd.Flags(), f.getenv); err != nil {
				return err
			}
			if f.targetsFile != "" {
				if len(args) > 0 {
					return usageErr("give the targets either as arguments or in --targets %s, not both", f.targetsFile)
				}
				return runScan(cmd, f, nil)
			}
			if len(args) == 0 {
				// options alone may name a target (an Elastic Cloud id)
				implied, err := connectors.ImpliedTargets(f.options())
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
	fl.IntVar(&f.targetsParallel, "parallel-targets", 4, "targets scanned at once")
	f.estateFlags.register(fl)
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress and no notes on standard error")
	f.connFlags.register(fl)
	fl.IntVar(&f.maxDepth, "max-depth", pipeline.DefaultMaxDepth, "documents nested deeper than this are skipped and counted")
	fl.IntVar(&f.maxExamples, "examples", 3, "examples kept per finding; 0 keeps none")
	fl.BoolVar(&f.noColor, "no-color", false, "no colours in the table (NO_COLOR is respected too)")
	fl.StringArrayVar(&f.failOn, "fail-on", nil, failOnUsage)
	f.risk.register(fl)
	f.profile.addFlags(fl)
	return cmd
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
	if f.workers < 1 || f.targetsParallel < 1 {
		return usageErr("--workers and --parallel-targets must be at least 1")
	}
	if f.maxDepth < 1 {
		return usageErr("--max-depth must be at least 1")
	}
	if f.maxExamples < 0 {
		return usageErr("--examples must be 0 (no examples) or more, not %d", f.maxExamples)
	}
	if err := f.connFlags.validate(); err != nil {
		return err
	}
	if err := f.estateFlags.validate(); err != nil {
		return err
	}
	if f.format != "" && !contains(report.Formats, f.format) {
		return usageErr("--format %q is not one of %s", f.format, strings.Join(report.Formats, ", "))
	}
	policy, err := parseFailOn(f.failOn)
	if err != nil {
		return err
	}
	f.policy = policy
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
		case ".sarif":
			return "sarif"
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
	ignore, err := f.risk.loadIgnore()
	if err != nil {
		return err
	}
	engine, err := loadEngine(f.rules)
	if err != nil {
		return usageErr("%v", err)
	}
	if engine, err = engine.Restrict(f.only, f.except); err != nil {
		return usageErr("%v", err)
	}
	opts := f.options()
	var specs []pipeline.TargetSpec
	var inv *estate.File
	if f.targetsFile != "" {
		if specs, inv, err = estateSpecs(cmd.Flags(), f.getenv, f.targetsFile); err != nil {
			return err
		}
	} else {
		if err := checkTargets(targets, opts); err != nil {
			return err
		}
		specs = pipeline.Specs(targets)
	}
	stderr := cmd.ErrOrStderr()
	stderrTTY := isTerminal(stderr)
	notef := func(format string, args ...any) {
		if !f.quiet {
			fmt.Fprintf(stderr, "piisniff: "+format+"\n", args...)
		}
	}
	stdout := cmd.OutOrStdout()
	format := f.chooseFormat(f.output == "" && isTerminal(stdout))

	// the report's destination is checked before the scan, not after it
	var dest *reportFile
	if f.output != "" {
		if dest, err = openReportFile(f.output); err != nil {
			return failErr(err)
		}
		defer dest.Abort()
	}
	warnInsecure(stderr, f.tlsInsecure, f.showData)

	ctx, sig, stop := interruptContext(cmd.Context(), func() {
		notef("interrupted: writing the partial report (press Ctrl-C again to quit at once)")
	})
	defer stop()

	var prog pipeline.Progress
	var bar *progressBar
	if stderrTTY && !f.quiet {
		bar = newProgressBar(stderr)
		prog = bar
	}
	maxExamples := f.maxExamples
	if maxExamples == 0 {
		maxExamples = pipeline.NoExamples
	}
	cfg := pipeline.Config{
		Engine:            engine,
		Workers:           f.workers,
		SampleSize:        f.sampleSize,
		Seed:              f.seed,
		MinConfidence:     f.minConfidence,
		ShowData:          f.showData,
		MaxExamples:       maxExamples,
		MaxDepth:          f.maxDepth,
		TargetConcurrency: f.targetsParallel,
		Connector:         opts,
		Progress:          prog,
		Ignore:            ignore,
		Tool:              report.Tool{Name: "piisniff", Version: version},
		Settings: &report.Settings{SampleSize: f.sampleSize, Seed: f.seed, MinConfidence: f.minConfidence,
			Only: f.only, Except: f.except, RulesFiles: f.rules, MaxExamples: f.maxExamples,
			PeopleKey: report.PeopleKeyCheck(f.seed, f.getenv("PIISNIFF_PEOPLE_KEY"))},
		PeopleSecret: f.getenv("PIISNIFF_PEOPLE_KEY"),
	}
	if f.shard != "" {
		if cfg.Shard, err = pipeline.ParseShard(f.shard); err != nil {
			return usageErr("%v", err)
		}
		if cfg.Fingerprint, err = fingerprint(cmd.Flags(), f, specs, inv, *cfg.Settings); err != nil {
			return usageErr("%v", err)
		}
	}
	rep := pipeline.RunTargets(ctx, specs, cfg)
	if err := f.risk.markBaseline(rep); err != nil {
		return err
	}
	interrupted := ctx.Err() != nil
	if bar != nil {
		bar.Finish()
	}
	for _, g := range engine.GivenUp() {
		// the findings depend on it, so this is printed even with --quiet
		fmt.Fprintf(stderr, "piisniff: WARNING: rule %s: pattern %q timed out %d times and was given up: it matched nothing in the rest of the scan (piisniff rules check shows patterns that backtrack)\n",
			g.RuleID, g.Pattern, classifiers.MaxMatchTimeouts)
	}
	for _, n := range rep.Notes {
		notef("%s", n)
	}

	out := stdout
	if dest != nil {
		if out, err = dest.Writer(); err != nil {
			return failErr(err)
		}
	}
	color := format == "table" && f.output == "" && isTerminal(stdout) && !f.noColor && f.getenv("NO_COLOR") == ""
	if err := report.Write(out, rep, format, report.TableOptions{Width: terminalWidth(stdout), Color: color, GroupBy: f.groupBy}); err != nil {
		return failErr(fmt.Errorf("writing the report: %w", err))
	}
	if dest != nil {
		if err := dest.Commit(); err != nil {
			return failErr(err)
		}
		notef("report written to %s", f.output)
	}
	policyErr := checkPolicy(stderr, f.policy, rep)
	switch {
	case interrupted:
		return &exitError{code: sig.exitCode(), err: fmt.Errorf("scan %s; the report is partial (complete: false)", sig.verb())}
	case policyErr != nil:
		if !rep.Complete {
			fmt.Fprintln(stderr, "piisniff:", incompleteReason(rep))
		}
		return policyErr
	case !rep.Complete:
		return failErr(fmt.Errorf("%s", incompleteReason(rep)))
	}
	return nil
}

func incompleteReason(r *report.Report) string {
	var parts []string
	for _, t := range r.Targets {
		if t.Error != nil {
			parts = append(parts, fmt.Sprintf("%s: %s", t.URI, *t.Error))
		}
		scanned := false
		for _, c := range t.Containers {
			if c.Error != nil {
				parts = append(parts, fmt.Sprintf("%s %s: %s", t.URI, c.Name, *c.Error))
			} else {
				scanned = true
			}
		}
		if t.Error == nil && !scanned && len(t.Containers) == 0 {
			msg := fmt.Sprintf("%s: nothing was scanned: no container could be read", t.URI)
			if len(t.Skipped) > 0 {
				msg += fmt.Sprintf(" (%d skipped, listed in the report)", len(t.Skipped))
			}
			parts = append(parts, msg)
		}
	}
	if len(parts) == 0 && r.Settings != nil && r.Settings.Interrupted {
		parts = append(parts, "the scan was interrupted")
	}
	if len(parts) > 5 {
		parts = append(parts[:5], fmt.Sprintf("and %d more", len(parts)-5))
	}
	return "the scan is incomplete:\n  " + strings.Join(parts, "\n  ")
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

// signalSeen records the signal that interrupted a command.
type signalSeen struct {
	mu  sync.Mutex
	sig os.Signal
}

func (s *signalSeen) set(sig os.Signal) {
	s.mu.Lock()
	s.sig = sig
	s.mu.Unlock()
}

func (s *signalSeen) get() os.Signal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sig
}

// exitCode is 143 after SIGTERM, 130 otherwise (SIGINT, or a cancelled
// parent context).
func (s *signalSeen) exitCode() int {
	if s.get() == syscall.SIGTERM {
		return exitTerminated
	}
	return exitInterrupted
}

func (s *signalSeen) verb() string {
	if s.get() == syscall.SIGTERM {
		return "terminated"
	}
	return "interrupted"
}

// interruptContext is cancelled by the first SIGINT or SIGTERM, after
// onFirst runs; a second signal exits at once (130 or 143).
func interruptContext(parent context.Context, onFirst func()) (context.Context, *signalSeen, func()) {
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	seen := &signalSeen{}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			seen.set(s)
			onFirst()
			cancel()
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			fmt.Fprintln(os.Stderr, "piisniff: interrupted twice: exiting without a report")
			if s == syscall.SIGTERM {
				os.Exit(exitTerminated)
			}
			os.Exit(exitInterrupted)
		case <-done:
		}
	}()
	return ctx, seen, func() {
		if seen.get() == nil {
			signal.Stop(sigs)
		} // else the scan was interrupted and is ending: a second signal that comes late must not kill it (the default action) before it exits with its code
		close(done)
		cancel()
	}
}
