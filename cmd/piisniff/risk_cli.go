package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/piisniff/piisniff/internal/config"
	"github.com/piisniff/piisniff/report"
)

// configSkip are the flags a configuration file or the environment cannot
// set.
var configSkip = []string{"help", "config", "version"}

// riskFlags are the scan flags of the risk workflow: settings file,
// baseline, ignore file.
type riskFlags struct {
	config     string
	baseline   string
	ignoreFile string
}

func (r *riskFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&r.config, "config", "", "settings file (default: "+config.DefaultFile+" in the working directory, if present); see 'piisniff config show'")
	fs.StringVar(&r.baseline, "baseline", "", "JSON report of an earlier scan: findings already in it are marked baseline and do not count for --fail-on (unless new-only=false)")
	fs.StringVar(&r.ignoreFile, "ignore-file", "", "ignore file of accepted findings, each with its reason (default: "+report.IgnoreFileName+" in the working directory, if present)")
}

// applyConfig sets every flag of fs the command line left unset from the
// environment (PIISNIFF_<FLAG>) and the settings file: --config, else
// $PIISNIFF_CONFIG, else piisniff.yaml when present.
func applyConfig(fs *pflag.FlagSet, getenv func(string) string) ([]config.Setting, error) {
	name, optional := config.DefaultFile, true
	if fl := fs.Lookup("config"); fl != nil && fl.Value.String() != "" {
		name, optional = fl.Value.String(), false
	} else if v := getenv(config.EnvName("config")); v != "" {
		name, optional = v, false
	}
	file, err := config.Load(name, optional)
	if err != nil {
		return nil, usageErr("settings file: %v", err)
	}
	settings, err := config.Apply(fs, file, config.Options{Getenv: getenv, Skip: configSkip, Secret: secretFlag})
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return settings, nil
}

// secretFlag says a flag holds a credential and must be masked.
func secretFlag(name string) bool {
	return config.IsSecretName(name) || name == "cloud-id"
}

// loadIgnore reads the ignore file: --ignore-file, else .piisniffignore when
// present.
func (r *riskFlags) loadIgnore() (*report.IgnoreFile, error) {
	name, optional := r.ignoreFile, false
	if name == "" {
		name, optional = report.IgnoreFileName, true
	}
	f, err := report.LoadIgnore(name, optional)
	if err != nil {
		return nil, usageErr("ignore file: %v", err)
	}
	return f, nil
}

// markBaseline compares rep with the --baseline report, if any.
func (r *riskFlags) markBaseline(rep *report.Report) error {
	if r.baseline == "" {
		return nil
	}
	old, err := report.ReadReport(r.baseline)
	if err != nil {
		return usageErr("--baseline: %v", err)
	}
	report.MarkBaseline(rep, old, r.baseline)
	return nil
}

func newIgnoreCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ignore",
		Short: "Manage the ignore file of accepted findings (" + report.IgnoreFileName + ")",
	}
	var file, reason, expires string
	add := &cobra.Command{
		Use:   "add FINGERPRINT",
		Short: "Accept one finding, by the fingerprint a report gives it, with a reason",
		Long: `Append an entry to the ignore file (` + report.IgnoreFileName + ` in the working
directory unless --file says otherwise), creating the file. The finding stays
in every report, in its own "ignored" section with the reason, but no longer
counts in the scores and for --fail-on. An entry with --expires stops
applying after that day, and the report says so.`,
		Example: `  piisniff ignore add 3f2a9c0d1e2b4a5f6c7d8e9f --reason "synthetic customers of the load test"
  piisniff ignore add 3f2a9c0d1e2b4a5f6c7d8e9f --reason "migration ticket DATA-142" --expires 2027-03-31`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("ignore add takes one fingerprint (the fingerprint field of a finding in a JSON report)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return usageErr("--reason is mandatory: say why this finding is accepted")
			}
			var until time.Time
			if expires != "" {
				t, err := time.Parse(time.DateOnly, expires)
				if err != nil {
					return usageErr("--expires %q is not a date (YYYY-MM-DD)", expires)
				}
				until = t
			}
			if err := report.AppendIgnore(file, args[0], reason, until); err != nil {
				return usageErr("%v", err)
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "%s: %s accepted: %s\n", file, args[0], reason)
			return err
		},
	}
	add.Flags().StringVar(&file, "file", report.IgnoreFileName, "ignore file to write")
	add.Flags().StringVar(&reason, "reason", "", "why the finding is accepted (mandatory)")
	add.Flags().StringVar(&expires, "expires", "", "last day the entry applies (YYYY-MM-DD)")
	cmd.AddCommand(add)
	return cmd
}

func newConfigCmd(getenv env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the effective settings of a scan",
	}
	show := &cobra.Command{
		Use:   "show [scan flags]",
		Short: "Print every scan setting with its value and source (flag, environment, file, default)",
		Long: `Print the settings a 'piisniff scan' with the same flags would use, each with
its source: a flag, an environment variable PIISNIFF_<FLAG>, the settings file
(` + config.DefaultFile + ` or --config, with its line) or the default.
Precedence: flags > environment > file > defaults. Credentials are masked.`,
		Example: `  piisniff config show
  piisniff config show --config ci.yaml --sample-size 500`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			scan := newScanCmd(getenv)
			fs := scan.Flags()
			fs.SetOutput(cmd.ErrOrStderr())
			for _, a := range args {
				if a == "-h" || a == "--help" {
					return cmd.Help()
				}
			}
			if err := fs.Parse(args); err != nil {
				return usageErr("%v (see 'piisniff config show --help')", err)
			}
			if getenv == nil {
				getenv = os.Getenv
			}
			settings, err := applyConfig(fs, getenv)
			if err != nil {
				return err
			}
			return config.Write(cmd.OutOrStdout(), settings)
		},
	}
	cmd.AddCommand(show)
	return cmd
}
