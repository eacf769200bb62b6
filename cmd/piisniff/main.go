// Command piisniff tells what personal data a data store would leak.
//
// Exit codes:
//
//	0    the scan completed and read what it was asked to read
//	1    an error that is not a usage error: a target or container failed,
//	     a file could not be read, nothing was scanned, the report could not
//	     be written (a report that could be written says "complete": false)
//	2    usage error: bad flag or argument, mistyped or missing target, bad
//	     rules file; nothing is scanned and no report is written
//	3    the --fail-on policy was breached (the report is written first)
//	130  interrupted by SIGINT (a partial report is still written)
//	143  terminated by SIGTERM (a partial report is still written)
//
// Every error carries its exit code (the exitCoder interface); an error
// without one exits 1, except cobra's own errors before a command runs
// (unknown flag or command, bad argument count), which are usage errors.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK          = 0
	exitScanError   = 1
	exitUsage       = 2
	exitPolicy      = 3
	exitInterrupted = 130 // 128 + SIGINT
	exitTerminated  = 143 // 128 + SIGTERM
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// exitCoder is an error that says which exit code it ends the program with.
type exitCoder interface {
	error
	ExitCode() int
}

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// ExitCode implements exitCoder.
func (e *exitError) ExitCode() int { return e.code }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// failErr is an error that is not a usage error: exit 1.
func failErr(err error) error {
	return &exitError{code: exitScanError, err: err}
}

// DefaultMemoryLimit is the Go runtime's soft memory limit unless
// GOMEMLIMIT sets another. A scan's working set is small (some 50 MiB) but
// one document at the size limits takes some 150 MiB decoded; without a
// limit the collector lets the heap grow to twice what is live before it
// runs, so two such documents met in a row could take 300 MiB. The limit
// makes it collect sooner instead; it never fails a scan.
const DefaultMemoryLimit = 224 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(DefaultMemoryLimit)
	}
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs piisniff with args (without the program name) and returns the
// exit code. It reads the environment with os.Getenv.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runEnv(ctx, args, stdin, stdout, stderr, os.Getenv)
}

// env is how the commands read the environment; tests pass a lookup of
// their own so that they can run in parallel.
type env func(name string) string

// runEnv is run with the environment read through getenv.
func runEnv(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv env) int {
	if getenv == nil {
		getenv = os.Getenv
	}
	started := false // a command's RunE was reached
	root := newRootCmd(getenv)
	root.PersistentPreRun = func(*cobra.Command, []string) { started = true }
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	var ec exitCoder
	if errors.As(err, &ec) {
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(stderr, "piisniff:", msg)
		}
		return ec.ExitCode()
	}
	fmt.Fprintln(stderr, "piisniff:", err)
	if started {
		return exitScanError
	}
	// cobra's own errors before any command ran (unknown flag or command,
	// bad argument count) are usage errors
	help := "piisniff --help"
	if cmd != nil && cmd.HasParent() {
		help = cmd.CommandPath() + " --help"
	}
	fmt.Fprintf(stderr, "Run '%s' for usage.\n", help)
	return exitUsage
}
