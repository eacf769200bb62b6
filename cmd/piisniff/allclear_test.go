package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/piisniff/piisniff/report"
)

// The tests of this file prove that piisniff never reports "no personal
// data" for data it did not read: each case shows in the report and in the
// exit code, and --fail-on incomplete fires.

const personNDJSON = `{"email":"ann@example.com","phone":"+49 30 2111 4511"}` + "\n"

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// scanJSON runs scan in process with a JSON report and returns the result
// and the parsed report (nil when stdout is not a report).
func scanJSON(t *testing.T, args ...string) (result, *report.Report) {
	t.Helper()
	res := runCLI(t, nil, append([]string{"scan", "-f", "json"}, args...)...)
	if res.stdout == "" {
		return res, nil
	}
	if err := report.Validate([]byte(res.stdout)); err != nil {
		t.Fatalf("the report does not validate: %v\n%s", err, res.stdout)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatal(err)
	}
	return res, &r
}

// asUnprivileged runs the piisniff binary so that file permissions apply:
// as user nobody when the tests run as root, as the current user otherwise.
func asUnprivileged(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		// nobody must reach the binary and the data
		for _, d := range []string{filepath.Dir(binary), dir, filepath.Dir(dir)} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	return execute(t, cmd)
}

func TestUnreadableFilesAreNotAnAllClear(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"data/people.ndjson":        personNDJSON,
		"data/secret.ndjson":        personNDJSON,
		"data/locked/inside.ndjson": personNDJSON,
	})
	data := filepath.Join(dir, "data")
	if err := os.Chmod(filepath.Join(data, "secret.ndjson"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(data, "locked"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(data, "locked"), 0o755) })
	if f, err := os.Open(filepath.Join(data, "secret.ndjson")); err == nil && os.Geteuid() != 0 {
		f.Close()
		t.Fatal("a file of mode 000 can be read: the test cannot prove anything here")
	}

	parse := func(t *testing.T, res result) *report.Report {
		t.Helper()
		var r report.Report
		if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
			t.Fatalf("no report (exit %d): %v\nstderr: %s", res.code, err, res.stderr)
		}
		return &r
	}

	t.Run("directory", func(t *testing.T) {
		res := asUnprivileged(t, dir, "scan", "data", "-f", "json", "-q")
		if res.code != exitScanError {
			t.Errorf("exit %d, want %d; stderr: %s", res.code, exitScanError, res.stderr)
		}
		r := parse(t, res)
		if r.Complete {
			t.Error("complete: true although files could not be read")
		}
		errs := map[string]string{}
		for _, c := range r.Targets[0].Containers {
			if c.Error != nil {
				errs[c.Name] = *c.Error
			}
		}
		for _, name := range []string{"secret.ndjson", "locked/"} {
			if !strings.Contains(errs[name], "permission denied") {
				t.Errorf("container %s: error %q, want permission denied (errors: %v)", name, errs[name], errs)
			}
		}
		if r.Summary.ContainersFailed != 2 || r.Summary.ContainersScanned != 1 {
			t.Errorf("summary %+v, want 2 failed and 1 scanned", r.Summary)
		}
		if !strings.Contains(res.stderr, "permission denied") {
			t.Errorf("stderr does not say what could not be read: %s", res.stderr)
		}
		res = asUnprivileged(t, dir, "scan", "data", "-f", "json", "-q", "--fail-on", "incomplete")
		if res.code != exitPolicy || !strings.Contains(res.stderr, "incomplete") {
			t.Errorf("--fail-on incomplete: exit %d, want %d; stderr: %s", res.code, exitPolicy, res.stderr)
		}
	})
	t.Run("file named on the command line", func(t *testing.T) {
		res := asUnprivileged(t, dir, "scan", "data/secret.ndjson", "-f", "json", "-q")
		if res.code != exitScanError {
			t.Errorf("exit %d, want %d; stderr: %s", res.code, exitScanError, res.stderr)
		}
		r := parse(t, res)
		if r.Complete || r.Targets[0].Error == nil || !strings.Contains(*r.Targets[0].Error, "permission denied") {
			t.Errorf("complete=%v target %+v", r.Complete, r.Targets[0])
		}
	})
	t.Run("unreadable directory", func(t *testing.T) {
		res := asUnprivileged(t, dir, "scan", "data/locked", "-f", "json", "-q")
		if res.code != exitScanError {
			t.Errorf("exit %d, want %d; stderr: %s", res.code, exitScanError, res.stderr)
		}
		if r := parse(t, res); r.Complete || r.Targets[0].Error == nil {
			t.Errorf("complete=%v target %+v", r.Complete, r.Targets[0])
		}
	})
}

func TestUnreadableFormatNamedOnTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"dump.sql":  "INSERT INTO users VALUES ('ann@example.com');\n",
		"notes.txt": "call ann on +49 30 2111 4511\n",
		"data.bin":  "\x00\x01\x02\xff\xfe binary",
	})
	tests := []struct {
		file string
		hint []string
	}{
		{"dump.sql", []string{"load the dump into a database", "export the tables as CSV or NDJSON"}},
		{"notes.txt", []string{"unknown format (.txt)", "NDJSON, JSON, CSV or TSV"}},
		{"data.bin", []string{"unknown format (.bin)", "NDJSON, JSON, CSV or TSV"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res, r := scanJSON(t, filepath.Join(dir, tc.file), "-q")
			if res.code != exitScanError {
				t.Errorf("exit %d, want %d; stderr: %s", res.code, exitScanError, res.stderr)
			}
			for _, h := range tc.hint {
				if !strings.Contains(res.stderr, h) {
					t.Errorf("stderr lacks %q: %s", h, res.stderr)
				}
			}
			if r == nil || r.Complete || r.Targets[0].Error == nil {
				t.Fatalf("report: %+v", r)
			}
			res, _ = scanJSON(t, filepath.Join(dir, tc.file), "-q", "--fail-on", "incomplete")
			if res.code != exitPolicy {
				t.Errorf("--fail-on incomplete: exit %d, want %d", res.code, exitPolicy)
			}
		})
	}
	t.Run("in a directory they are skipped and counted", func(t *testing.T) {
		writeFiles(t, dir, map[string]string{"people.ndjson": personNDJSON})
		res, r := scanJSON(t, dir, "-q")
		if res.code != exitOK {
			t.Errorf("exit %d; stderr: %s", res.code, res.stderr)
		}
		if len(r.Targets[0].Skipped) != 3 || r.Summary.ContainersSkipped != 3 {
			t.Errorf("skipped %+v, summary.containers_skipped %d; want the 3 files", r.Targets[0].Skipped, r.Summary.ContainersSkipped)
		}
		table := runCLI(t, nil, "scan", dir, "-q", "-f", "table")
		if !strings.Contains(table.stdout, "3 not read (skipped)") {
			t.Errorf("the table's summary does not count the skipped files:\n%s", table.stdout)
		}
	})
}

func TestNothingScannedIsNotAnAllClear(t *testing.T) {
	empty := t.TempDir()
	unreadable := t.TempDir()
	writeFiles(t, unreadable, map[string]string{"notes.txt": "nothing here", "image.png": "\x89PNG\r\n"})
	for name, dir := range map[string]string{"empty directory": empty, "no readable data": unreadable} {
		t.Run(name, func(t *testing.T) {
			res, r := scanJSON(t, dir)
			if res.code != exitScanError {
				t.Errorf("exit %d, want %d; stderr: %s", res.code, exitScanError, res.stderr)
			}
			if r.Complete || r.Summary.TargetsEmpty != 1 || r.Summary.ContainersScanned != 0 {
				t.Errorf("complete=%v summary %+v", r.Complete, r.Summary)
			}
			if len(r.Notes) == 0 || !strings.Contains(r.Notes[0], "nothing was scanned") {
				t.Errorf("report notes %q", r.Notes)
			}
			if !strings.Contains(res.stderr, "nothing was scanned") {
				t.Errorf("stderr: %s", res.stderr)
			}
			for _, format := range []string{"table", "markdown", "html"} {
				out := runCLI(t, nil, "scan", dir, "-q", "-f", format).stdout
				if !strings.Contains(out, "Nothing was scanned") || strings.Contains(out, "No personal data found") {
					t.Errorf("%s does not say nothing was scanned:\n%s", format, out)
				}
			}
			res, _ = scanJSON(t, dir, "-q", "--fail-on", "incomplete")
			if res.code != exitPolicy {
				t.Errorf("--fail-on incomplete: exit %d, want %d", res.code, exitPolicy)
			}
		})
	}
}

func TestMistypedTargets(t *testing.T) {
	const secret = "hunter2secret"
	tests := []struct {
		target string
		typed  string // the target as it must appear, once
		want   []string
	}{
		{"mongdb://admin:" + secret + "@db.internal:27017/shop", "mongdb://admin:***@db.internal:27017/shop", []string{"did you mean mongodb://admin:***@db.internal:27017/shop?"}},
		{"ftp://files.internal/export", "ftp://files.internal/export", []string{`unknown target scheme "ftp://"`}},
		{"localhost:27017", "localhost:27017", []string{"did you mean mongodb://localhost:27017?"}},
		{"localhost:9200", "localhost:9200", []string{"did you mean"}},
		{"./no/such/export", "no/such/export", []string{"no such file or directory"}},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report.json")
			res := runCLI(t, nil, "scan", tc.target, "-o", out)
			if res.code != exitUsage || res.stdout != "" {
				t.Errorf("exit %d, stdout %q; want exit %d and no report", res.code, res.stdout, exitUsage)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a report file was written: %v", err)
			}
			if strings.Contains(res.stderr, secret) {
				t.Errorf("the password shows: %s", res.stderr)
			}
			typed := res.stderr // the suggestion aside
			if i := strings.Index(typed, "did you mean"); i >= 0 {
				typed = typed[:i]
			}
			if n := strings.Count(typed, tc.typed); n != 1 {
				t.Errorf("the target %q is printed %d times, want once: %s", tc.typed, n, res.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.stderr, w) {
					t.Errorf("stderr lacks %q: %s", w, res.stderr)
				}
			}
		})
	}
}

func TestExamplesFlag(t *testing.T) {
	res, r := scanJSON(t, example, "-q", "--examples", "0")
	if res.code != exitOK {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	findings := 0
	for _, f := range report.Flatten(r) {
		findings++
		if len(f.Examples) != 0 {
			t.Errorf("--examples 0: %s › %s has examples %q", f.Container, f.Path, f.Examples)
		}
	}
	if findings == 0 {
		t.Fatal("no findings in the example")
	}
	_, r = scanJSON(t, example, "-q", "--examples", "1")
	for _, f := range report.Flatten(r) {
		if len(f.Examples) > 1 {
			t.Errorf("--examples 1: %s › %s has examples %q", f.Container, f.Path, f.Examples)
		}
	}
	res = runCLI(t, nil, "scan", example, "--examples", "-1")
	if res.code != exitUsage || !strings.Contains(res.stderr, "--examples") || res.stdout != "" {
		t.Errorf("--examples -1: exit %d, stderr %s", res.code, res.stderr)
	}
}

func TestShowDataWarns(t *testing.T) {
	for _, quiet := range []bool{false, true} {
		args := []string{"scan", example, "-f", "json", "--show-data"}
		if quiet {
			args = append(args, "-q")
		}
		res := runCLI(t, nil, args...)
		if n := strings.Count(res.stderr, "WARNING: --show-data"); res.code != exitOK || n != 1 {
			t.Errorf("quiet=%v: exit %d, %d warnings, want one; stderr: %s", quiet, res.code, n, res.stderr)
		}
	}
	if res := runCLI(t, nil, "scan", example, "-f", "json", "-q"); strings.Contains(res.stderr, "WARNING") {
		t.Errorf("a warning without --show-data: %s", res.stderr)
	}
}

func TestOutputFile(t *testing.T) {
	small := t.TempDir()
	writeFiles(t, small, map[string]string{"people.ndjson": personNDJSON})

	t.Run("a new file is 0600", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "new.json")
		if res := runCLI(t, nil, "scan", small, "-q", "-o", out); res.code != exitOK {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("stat %v, %v; want mode 0600", st, err)
		}
	})
	t.Run("an existing file is replaced, nothing else is left", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, "old.json")
		if err := os.WriteFile(out, []byte("old report"), 0o644); err != nil {
			t.Fatal(err)
		}
		if res := runCLI(t, nil, "scan", small, "-q", "-o", out); res.code != exitOK {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		data, _ := os.ReadFile(out)
		if err := report.Validate(data); err != nil {
			t.Errorf("the report: %v", err)
		}
		if st, _ := os.Stat(out); st.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", st.Mode().Perm())
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("files left in the directory: %v", entries)
		}
	})
	t.Run("a pipe keeps its mode", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "fifo")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Fatal(err)
		}
		got := make(chan []byte, 1)
		go func() {
			f, err := os.Open(fifo)
			if err != nil {
				got <- nil
				return
			}
			defer f.Close()
			var b bytes.Buffer
			_, _ = b.ReadFrom(f)
			got <- b.Bytes()
		}()
		if res := runCLI(t, nil, "scan", small, "-q", "-o", fifo, "-f", "json"); res.code != exitOK {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		if err := report.Validate(<-got); err != nil {
			t.Errorf("read from the pipe: %v", err)
		}
		if st, err := os.Stat(fifo); err != nil || st.Mode().Perm() != 0o644 || st.Mode()&os.ModeNamedPipe == 0 {
			t.Errorf("the pipe is now %v (%v); want a pipe of mode 0644", st.Mode(), err)
		}
	})
	t.Run("/dev/null keeps its mode", func(t *testing.T) {
		before, err := os.Stat(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		res := runCLI(t, nil, "scan", small, "-q", "-o", os.DevNull, "-f", "json")
		after, _ := os.Stat(os.DevNull)
		if after.Mode() != before.Mode() {
			os.Chmod(os.DevNull, before.Mode().Perm()) // repair the machine
			t.Errorf("-o %s changed its mode from %v to %v", os.DevNull, before.Mode(), after.Mode())
		}
		if res.code != exitOK {
			t.Errorf("exit %d: %s", res.code, res.stderr)
		}
	})
	t.Run("checked before the scan", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		res := runCLI(t, nil, "scan", "http://"+l.Addr().String(), "-o", filepath.Join(t.TempDir(), "missing-dir", "r.json"), "--connect-timeout", "1s")
		if res.code != exitScanError || !strings.Contains(res.stderr, "cannot write the report") {
			t.Errorf("exit %d, stderr %s", res.code, res.stderr)
		}
		// a connection the scan made would wait in the listener's backlog
		_ = l.(*net.TCPListener).SetDeadline(time.Now().Add(200 * time.Millisecond))
		if c, err := l.Accept(); err == nil {
			c.Close()
			t.Error("the store was contacted although the report could not be written")
		}
	})
}

// failingWriter fails every write, like /dev/full.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

func TestExitCodes(t *testing.T) {
	t.Run("a write error is not a usage error", func(t *testing.T) {
		for _, args := range [][]string{{"rules", "list"}, {"explain", example, "--path", "email"}, {"scan", example, "-f", "json", "-q"}} {
			var errb bytes.Buffer
			code := run(context.Background(), args, nil, failingWriter{}, &errb)
			if code != exitScanError || strings.Contains(errb.String(), "--help") || !strings.Contains(errb.String(), "no space") {
				t.Errorf("%v: exit %d, stderr %q; want 1 and the error without a usage hint", args, code, errb.String())
			}
		}
	})
	t.Run("an unknown flag names the command's help", func(t *testing.T) {
		res := runCLI(t, nil, "scan", example, "--no-such-flag")
		if res.code != exitUsage || !strings.Contains(res.stderr, "Run 'piisniff scan --help'") {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
		res = runCLI(t, nil, "rules", "list", "--nope")
		if res.code != exitUsage || !strings.Contains(res.stderr, "Run 'piisniff rules list --help'") {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
		res = runCLI(t, nil, "scna")
		if res.code != exitUsage || !strings.Contains(res.stderr, "Run 'piisniff --help'") {
			t.Errorf("exit %d, stderr %q", res.code, res.stderr)
		}
	})
	t.Run("the documented table", func(t *testing.T) {
		readme, err := os.ReadFile("../../README.md")
		if err != nil {
			t.Fatal(err)
		}
		help := runCLI(t, nil, "--help").stdout
		for _, code := range []int{exitOK, exitScanError, exitUsage, exitPolicy, exitInterrupted, exitTerminated} {
			row := "| " + strconv.Itoa(code) + " |"
			if !strings.Contains(string(readme), row) {
				t.Errorf("README's exit-code table has no row %q", row)
			}
			if !strings.Contains(help, "  "+strconv.Itoa(code)+" ") {
				t.Errorf("--help does not document exit code %d", code)
			}
		}
	})
}

func TestExplainClassifiesLikeScan(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"contacts.ndjson": `{"country":"DE","info":"030 2111 4511"}` + "\n"})
	res, r := scanJSON(t, dir, "-q")
	if res.code != exitOK {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	phone := false
	for _, f := range report.Flatten(r) {
		phone = phone || f.Path == "info" && f.Category == "phone"
	}
	if !phone {
		t.Fatalf("scan does not find the phone number: %s", res.stdout)
	}
	ex := runCLI(t, nil, "explain", dir, "--path", "info")
	if ex.code != exitOK || !strings.Contains(ex.stdout, "matched phone") || !strings.Contains(ex.stdout, "document region DE") {
		t.Errorf("explain (exit %d) does not match the phone as scan does:\n%s%s", ex.code, ex.stdout, ex.stderr)
	}
}
