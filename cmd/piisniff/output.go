package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// reportFile is the destination of -o FILE, checked before any work is
// done so that a scan never runs only to find it cannot write its report.
//
//   - A new file, or an existing regular file, is written to a temporary
//     file (mode 0600) in the same directory which then replaces it: a
//     reader never sees half a report, a failed write leaves the old
//     report, and the report is readable by its owner only.
//   - A device or a pipe (/dev/null, /dev/stdout, a FIFO) is opened for
//     writing as it is: its mode is never changed.
type reportFile struct {
	path    string   // as given
	final   string   // path with symbolic links resolved (a regular file)
	tmp     *os.File // regular: the temporary file written
	special bool     // a device, pipe or socket, written in place
	out     *os.File // special: open for writing
}

// openReportFile checks that path can receive a report and prepares it.
// Call Abort (always safe) unless Commit succeeded.
func openReportFile(path string) (*reportFile, error) {
	r := &reportFile{path: path, final: path}
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return nil, fmt.Errorf("cannot write the report to %s: it is a directory", path)
	case err == nil && !st.Mode().IsRegular():
		// written as it is, opened when the report is ready (a FIFO
		// blocks until it has a reader): no O_CREATE, no O_TRUNC, no chmod
		if err := unix.Access(path, unix.W_OK); err != nil {
			return nil, fmt.Errorf("cannot write the report to %s: %w", path, err)
		}
		r.special = true
		return r, nil
	case err == nil:
		if real, err := filepath.EvalSymlinks(path); err == nil {
			r.final = real
		}
		// an existing report must be ours to replace: open it for writing
		// without truncating it
		f, err := os.OpenFile(r.final, os.O_WRONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("cannot write the report to %s: %w", path, unwrapPath(err))
		}
		f.Close()
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("cannot write the report to %s: %w", path, unwrapPath(err))
	}
	dir := filepath.Dir(r.final)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(r.final)+".*.tmp") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("cannot write the report to %s: %w", path, unwrapPath(err))
	}
	r.tmp = tmp
	return r, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Writer is where the report is written.
func (r *reportFile) Writer() (io.Writer, error) {
	if r.tmp != nil {
		return r.tmp, nil
	}
	if r.out == nil {
		f, err := os.OpenFile(r.path, os.O_WRONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("cannot write the report to %s: %w", r.path, unwrapPath(err))
		}
		r.out = f
	}
	return r.out, nil
}

// Commit finishes the report: a temporary file is flushed and replaces
// the destination.
func (r *reportFile) Commit() error {
	if r.special {
		if r.out == nil {
			return nil
		}
		err := r.out.Close()
		r.out = nil
		if err != nil {
			return fmt.Errorf("writing %s: %w", r.path, err)
		}
		return nil
	}
	tmp := r.tmp
	r.tmp = nil
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", r.path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", r.path, err)
	}
	if err := os.Rename(tmp.Name(), r.final); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", r.path, err)
	}
	return nil
}

// Abort removes the temporary file, if any; safe after Commit.
func (r *reportFile) Abort() {
	if r == nil {
		return
	}
	if r.tmp != nil {
		r.tmp.Close()
		os.Remove(r.tmp.Name())
		r.tmp = nil
	}
	if r.out != nil {
		r.out.Close()
		r.out = nil
	}
}
