// Command piisniff tells what personal data a data store would leak.
//
// Exit codes: 0 the scan completed; 1 the scan ran but a target or
// container failed, or the report could not be written; 2 usage error;
// 3 the --fail-on policy was breached; 130 interrupted (a partial report is
// still written).
package main

import (
	"errors"
	"fmt"
	"os"
)

// Exit codes.
const (
	exitOK          = 0
	exitScanError   = 1
	exitUsage       = 2
	exitPolicy      = 3
	exitInterrupted = 130
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

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

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	root := newRootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(os.Stderr, "piisniff:", ee.err)
		}
		return ee.code
	}
	// cobra's own errors (unknown flag, bad argument count) are usage errors
	fmt.Fprintln(os.Stderr, "piisniff:", err)
	fmt.Fprintln(os.Stderr, "Run 'piisniff --help' for usage.")
	return exitUsage
}
