package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/estate"
	"github.com/piisniff/piisniff/pipeline"
	"github.com/piisniff/piisniff/report"
)

// estateFlags are the scan flags of an estate scan: the inventory, the
// shard of a sharded scan and the tag the report groups by.
type estateFlags struct {
	targetsFile string
	shard       string
	groupBy     string
}

func (e *estateFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&e.targetsFile, "targets", "", "scan the targets of an inventory `FILE` (YAML: names, tags, credentials by variable or file, per-target options; see piisniff targets check)")
	fl.StringVar(&e.shard, "shard", "", "scan shard `I/N` of the work only (0 <= I < N), for N machines; report merge joins the N reports")
	fl.StringVar(&e.groupBy, "group-by", "", "group the table, Markdown and HTML reports by a target `TAG` (owner, application, environment, region)")
}

func (e *estateFlags) validate() error {
	if e.groupBy != "" && !contains(estate.TagKeys, e.groupBy) {
		return usageErr("--group-by %q is not a tag (one of %s)", e.groupBy, strings.Join(estate.TagKeys, ", "))
	}
	if e.shard != "" {
		if _, err := pipeline.ParseShard(e.shard); err != nil {
			return usageErr("%v", err)
		}
	}
	return nil
}

// targetFlags are the scan flags one target of an inventory may set: the
// connector flags and --sample-size, on a flag set of their own.
type targetFlags struct {
	fs         *pflag.FlagSet
	conn       *connFlags
	sampleSize int
}

func newTargetFlags(getenv env) *targetFlags {
	t := &targetFlags{fs: pflag.NewFlagSet("target", pflag.ContinueOnError), conn: newConnFlags(getenv)}
	t.fs.IntVar(&t.sampleSize, "sample-size", 10000, "documents sampled per container; 0 reads every document")
	t.conn.register(t.fs)
	return t
}

// copyFlags sets on dst the flags of src given on the command line that dst
// has too, so that a target starts from the command line's settings.
func copyFlags(dst, src *pflag.FlagSet) error {
	var err error
	src.Visit(func(f *pflag.Flag) {
		if err != nil || dst.Lookup(f.Name) == nil {
			return
		}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				if e := dst.Set(f.Name, v); e != nil {
					err = e
				}
			}
			return
		}
		err = dst.Set(f.Name, f.Value.String())
	})
	return err
}

// storeSecrets are the credentials the connectors' own options hold.
func storeSecrets(stores map[string]connectors.StoreOptions) string {
	var out []string
	for _, d := range connectors.Descriptors() {
		if so, ok := stores[d.Name]; ok && so != nil {
			for _, s := range so.Secrets() {
				if s != "" {
					out = append(out, s)
				}
			}
		}
	}
	return strings.Join(out, "\x00")
}

// targetSettings applies one inventory target's options over the command
// line's: its connector options and sample size. Wrong options are usage
// errors with the inventory's file:line; an option that would carry a
// credential is refused (credentials go in credentials:).
func targetSettings(cmdFlags *pflag.FlagSet, getenv env, t estate.Target) (connectors.Options, int, error) {
	tf := newTargetFlags(getenv)
	if err := copyFlags(tf.fs, cmdFlags); err != nil {
		return connectors.Options{}, 0, err
	}
	for _, o := range t.Options {
		before := storeSecrets(tf.conn.stores)
		if err := estate.Apply(tf.fs, estate.Target{Name: t.Name, Options: []estate.Option{o}}); err != nil {
			return connectors.Options{}, 0, err
		}
		if storeSecrets(tf.conn.stores) != before {
			return connectors.Options{}, 0, &estate.Error{Pos: o.Pos, Msg: fmt.Sprintf("option %s holds a credential: name it in credentials.secrets as {env: VAR} or {file: PATH}", o.Name)}
		}
	}
	if err := tf.conn.validate(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			err = ee.err
		}
		return connectors.Options{}, 0, fmt.Errorf("%s: target %s: %w", t.Pos, t.Name, err)
	}
	if tf.sampleSize < 0 {
		return connectors.Options{}, 0, fmt.Errorf("%s: target %s: sample-size must be 0 or more", t.Pos, t.Name)
	}
	return tf.conn.options(), tf.sampleSize, nil
}

// estateSpecs reads the inventory into the targets of a scan. A wrong file
// or option is a usage error; a credential that cannot be read fails that
// target only, when it is scanned.
func estateSpecs(cmdFlags *pflag.FlagSet, getenv env, file string) ([]pipeline.TargetSpec, *estate.File, error) {
	f, err := estate.ParseFile(file, getenv)
	if err != nil {
		return nil, nil, usageErr("%v", err)
	}
	specs := make([]pipeline.TargetSpec, 0, len(f.Targets))
	var errs []error
	for _, t := range f.Targets {
		opts, sampleSize, err := targetSettings(cmdFlags, getenv, t)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := connectors.CheckTarget(t.URI, opts); err != nil {
			errs = append(errs, fmt.Errorf("%s: target %s: %v", t.Pos, t.Name, err))
			continue
		}
		spec := pipeline.TargetSpec{Target: t.URI, Name: t.Name, Tags: t.Tags.Map(), SampleSize: &sampleSize}
		withCreds, err := t.Connector(opts)
		if err != nil {
			spec.Err = err
		}
		spec.Connector = &withCreds
		if len(spec.Tags) == 0 {
			spec.Tags = nil
		}
		specs = append(specs, spec)
	}
	if len(errs) > 0 {
		return nil, nil, usageErr("%v", errors.Join(errs...))
	}
	return specs, f, nil
}

// howNotWhat are per-target flags that say how a store is read, not what
// is read: shards may differ in them and still merge.
var howNotWhat = map[string]bool{"concurrency": true, "connect-timeout": true, "request-timeout": true}

// fingerprint is the merge fingerprint of a sharded scan: what must agree
// between its shards.
func fingerprint(cmdFlags *pflag.FlagSet, f *scanFlags, specs []pipeline.TargetSpec, inv *estate.File, settings report.Settings) (string, error) {
	in := report.FingerprintInput{Tool: report.Tool{Name: "piisniff", Version: version}, Settings: settings, ShowData: f.showData}
	for _, r := range f.rules {
		b, err := os.ReadFile(r)
		if err != nil {
			return "", fmt.Errorf("reading rules: %w", err)
		}
		in.Rules = append(in.Rules, b)
	}
	for _, s := range specs {
		in.Targets = append(in.Targets, pipeline.Identity(s))
	}
	// the command line's flags that decide what is read (never a value
	// that is a credential: only the flag's name for those)
	perTarget := newTargetFlags(f.getenv).fs
	cmdFlags.Visit(func(fl *pflag.Flag) {
		if perTarget.Lookup(fl.Name) != nil && !howNotWhat[fl.Name] {
			in.Filters = append(in.Filters, "--"+fl.Name+"="+fl.Value.String())
		}
	})
	if inv != nil {
		for _, t := range inv.Targets {
			for _, o := range t.Options {
				in.Filters = append(in.Filters, t.Name+": "+o.Name+"="+strings.Join(o.Values, ","))
			}
		}
	}
	secrets := storeSecrets(f.stores)
	for i, s := range in.Filters {
		for _, sec := range strings.Split(secrets, "\x00") {
			if sec != "" && strings.Contains(s, sec) {
				in.Filters[i] = strings.SplitN(s, "=", 2)[0] + "=(credential)"
			}
		}
	}
	sort.Strings(in.Filters)
	return report.MergeFingerprint(in), nil
}

// newTargetsCmd is "targets": working with a targets inventory.
func newTargetsCmd(getenv env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "targets",
		Short: "Check a targets inventory or print its JSON Schema",
	}
	check := &cobra.Command{
		Use:   "check FILE",
		Short: "Check a targets inventory without contacting any store",
		Long: `Check a targets inventory (scan --targets FILE) without contacting any store:
the YAML is read strictly (an unknown key is an error with file:line), ${VAR}
is expanded, every target's options are applied as scan would apply them,
every URI is checked, and every credential the file names must be readable
(an environment variable that is set, a file that can be read).

Exit status 0 when the file is good, 2 otherwise.`,
		Example: `  piisniff targets check estate.yaml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("targets check needs exactly one FILE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			specs, _, err := estateSpecs(pflag.NewFlagSet("none", pflag.ContinueOnError), getenv, args[0])
			if err != nil {
				return err
			}
			var errs []string
			tags := map[string]map[string]bool{}
			for _, s := range specs {
				if s.Err != nil {
					errs = append(errs, s.Err.Error())
				}
				for k, v := range s.Tags {
					if tags[k] == nil {
						tags[k] = map[string]bool{}
					}
					tags[k][v] = true
				}
			}
			if len(errs) > 0 {
				return usageErr("%s", strings.Join(errs, "\n"))
			}
			var parts []string
			for _, k := range estate.TagKeys {
				if n := len(tags[k]); n > 0 {
					parts = append(parts, fmt.Sprintf("%d %s", n, plural(k, n)))
				}
			}
			msg := fmt.Sprintf("%s: %d targets", args[0], len(specs))
			if len(parts) > 0 {
				msg += " (" + strings.Join(parts, ", ") + ")"
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), msg+": OK")
			return err
		},
	}
	schema := &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of targets inventories, for editors",
		Long: `Print the JSON Schema (draft 2020-12) of targets inventories, with the options
of the connectors built in. docs/estate.schema.json is its output; point an
editor at it, for example with a "# yaml-language-server: $schema=..." line.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := estate.Schema(newTargetFlags(getenv).fs)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(b)
			return err
		},
	}
	cmd.AddCommand(check, schema)
	return cmd
}

func plural(word string, n int) string {
	if n == 1 {
		return word
	}
	if strings.HasSuffix(word, "y") {
		return word[:len(word)-1] + "ies"
	}
	return word + "s"
}
