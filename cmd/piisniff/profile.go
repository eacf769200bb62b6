package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/pflag"
)

// profileFlags are --cpuprofile and --memprofile: a user can send the
// profiles of a slow or large scan (they hold function names and sizes,
// never data).
type profileFlags struct {
	cpu, mem string
}

func (p *profileFlags) addFlags(fl *pflag.FlagSet) {
	fl.StringVar(&p.cpu, "cpuprofile", "", "write a CPU profile of the scan to `FILE` (read it with go tool pprof)")
	fl.StringVar(&p.mem, "memprofile", "", "write a heap profile at the end of the scan to `FILE` (go tool pprof)")
}

// run runs fn under the requested profiles. A profile that cannot be
// started is a usage error and nothing is scanned; one that cannot be
// written at the end fails the command (exit 1) unless fn failed first.
func (p *profileFlags) run(fn func() error) (err error) {
	if p.cpu != "" {
		f, err := os.OpenFile(p.cpu, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return usageErr("--cpuprofile: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return usageErr("--cpuprofile: %v", err)
		}
		defer func() {
			pprof.StopCPUProfile()
			err = keepFirst(err, f.Close(), "--cpuprofile")
		}()
	}
	if p.mem != "" {
		// fail before the scan, not after it, when the file cannot be created
		f, err := os.OpenFile(p.mem, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return usageErr("--memprofile: %v", err)
		}
		defer func() {
			runtime.GC() // the heap profile shows live memory as of the last GC
			werr := pprof.Lookup("heap").WriteTo(f, 0)
			err = keepFirst(err, errors.Join(werr, f.Close()), "--memprofile")
		}()
	}
	return fn()
}

// keepFirst returns err, or the profile's error as a scan error when err is nil.
func keepFirst(err, perr error, flag string) error {
	if err != nil || perr == nil {
		return err
	}
	return &exitError{code: exitScanError, err: fmt.Errorf("%s: %v", flag, perr)}
}
