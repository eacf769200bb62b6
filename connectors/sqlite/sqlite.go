// Package sqlite is the connector for SQLite database files, read with the
// pure Go driver modernc.org/sqlite.
//
// The file is opened read-only (mode=ro), and immutable (immutable=1: no
// locks, no journal) when no -wal or -journal file lies beside it, that is
// when no process is writing it. A missing file is an error, never
// created. Every statement is a SELECT. Containers are named FILE.TABLE,
// FILE being the file's base name (or, for a database met in a directory
// scan, its path relative to the scanned directory).
package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/piisniff/piisniff/connectors"
)

func init() {
	connectors.Register(connectors.Descriptor{
		Name:    Name,
		Schemes: []string{"sqlite"},
		Kinds:   []string{"file"},
		Targets: []connectors.TargetForm{{
			Form:        "sqlite://PATH",
			Description: "a SQLite database file, opened read-only (a relative or absolute path)",
		}},
		Check: check,
		Open: func(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
			path, err := PathOf(target)
			if err != nil {
				return nil, err
			}
			return OpenFile(ctx, path, filepath.Base(path), opts)
		},
	})
	connectors.RegisterFileFormat(connectors.FileFormat{
		Name:  "SQLite",
		Magic: Magic,
		Open: func(ctx context.Context, path, name string, opts connectors.Options) (connectors.Connector, error) {
			return OpenFile(ctx, path, name, opts)
		},
	})
}

// Name is the connector's name in the registry.
const Name = "sqlite"

// Magic is the first 16 bytes of every SQLite 3 database file.
var Magic = []byte("SQLite format 3\x00")

var _ connectors.Connector = (*Connector)(nil)

// PathOf returns the file path of a sqlite:// target: sqlite:///abs/path or
// sqlite://relative/path.
func PathOf(target string) (string, error) {
	i := strings.Index(target, "://")
	if i < 0 || !strings.EqualFold(target[:i], "sqlite") {
		return "", fmt.Errorf("%s: not a sqlite:// target", target)
	}
	p := target[i+3:]
	if p == "" {
		return "", &connectors.TargetError{Target: target, Err: errors.New("sqlite:// needs a file path: sqlite://PATH")}
	}
	return filepath.FromSlash(p), nil
}

func check(target string, _ connectors.Options) error {
	path, err := PathOf(target)
	if err != nil {
		return err
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return &connectors.TargetError{Target: target, Err: fmt.Errorf("SQLite database %s: %w", path, unwrapPath(err))}
	case st.IsDir():
		return &connectors.TargetError{Target: target, Err: fmt.Errorf("SQLite database %s is a directory", path),
			Hint: "give the directory as a path (without sqlite://) to scan the files in it"}
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Connector scans one SQLite database file.
type Connector struct {
	path      string // as given
	name      string // container name prefix
	opts      connectors.Options
	db        *sql.DB
	immutable bool
	version   string

	// logStmt, when set, receives every statement (tests).
	logStmt func(string)

	mu        sync.Mutex
	skipped   []connectors.SkippedContainer
	closeOnce sync.Once
	closeErr  error
}

// OpenFile opens the SQLite database at path read-only; its containers are
// named name.TABLE.
func OpenFile(ctx context.Context, path, name string, opts connectors.Options) (*Connector, error) {
	return open(ctx, path, name, opts, nil)
}

func open(ctx context.Context, path, name string, opts connectors.Options, logStmt func(string)) (*Connector, error) {
	opts = opts.WithDefaults()
	if err := opts.Containers.Validate(); err != nil {
		return nil, err
	}
	c := &Connector{path: path, name: name, opts: opts, logStmt: logStmt}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("SQLite database %s is a directory", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("SQLite database %s: %w", path, unwrapPath(err))
	}
	head := make([]byte, len(Magic))
	_, err = io.ReadFull(f, head)
	_ = f.Close()
	if err != nil || !bytes.Equal(head, Magic) {
		return nil, fmt.Errorf("SQLite database %s: not a SQLite 3 database (its header is not \"SQLite format 3\")", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	// Immutable only when nothing is being written: a -wal or -journal
	// file beside the database means a writer has (or had) it open.
	c.immutable = true
	for _, suffix := range []string{"-wal", "-journal"} {
		if _, err := os.Stat(abs + suffix); err == nil {
			c.immutable = false
		}
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	q := "mode=ro"
	if c.immutable {
		q += "&immutable=1"
	}
	dsn := u.String() + "?" + q
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("SQLite database %s: %w", path, err)
	}
	db.SetMaxOpenConns(opts.Concurrency + 1)
	c.db = db
	if err := c.queryRow(ctx, "SELECT sqlite_version()", nil, &c.version); err != nil {
		_ = db.Close()
		return nil, c.fileError(err)
	}
	// Reading the schema proves the file is a readable database.
	var n int
	if err := c.queryRow(ctx, "SELECT count(*) FROM sqlite_master", nil, &n); err != nil {
		_ = db.Close()
		return nil, c.fileError(err)
	}
	return c, nil
}

// fileError describes a failure of the whole file.
func (c *Connector) fileError(err error) error {
	return fmt.Errorf("SQLite database %s: %s (%w)", c.path, reason(err, c.opts), err)
}

// reason names the kind of failure.
func reason(err error, opts connectors.Options) string {
	lower := strings.ToLower(err.Error())
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("statement timeout: no answer within %s (raise --request-timeout)", opts.RequestTimeout)
	case strings.Contains(lower, "malformed") || strings.Contains(lower, "not a database") || strings.Contains(lower, "corrupt"):
		return "the file is corrupt"
	case strings.Contains(lower, "locked") || strings.Contains(lower, "busy"):
		return "the database is locked by another process; try again when it is not being written"
	case strings.Contains(lower, "no such table"):
		return "the table no longer exists (dropped after it was listed)"
	case strings.Contains(lower, "unable to open") || strings.Contains(lower, "cannot open"):
		return "cannot open the file"
	case strings.Contains(lower, "interrupted"):
		return "interrupted"
	}
	return "read failed"
}

// Kind implements connectors.Connector: a SQLite database is a file.
func (c *Connector) Kind() string { return "file" }

// URI implements connectors.Connector.
func (c *Connector) URI() string { return "sqlite://" + filepath.ToSlash(c.path) }

// Close implements connectors.Connector.
func (c *Connector) Close() error {
	c.closeOnce.Do(func() { c.closeErr = c.db.Close() })
	return c.closeErr
}

// SkippedContainers implements connectors.SkipLister.
func (c *Connector) SkippedContainers() []connectors.SkippedContainer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]connectors.SkippedContainer(nil), c.skipped...)
}

// Exposure implements connectors.Connector.
func (c *Connector) Exposure(context.Context) connectors.Exposure {
	ex := connectors.Exposure{Reachable: true, Server: "SQLite " + c.version, Notes: []string{}}
	st, err := os.Stat(c.path)
	if err != nil {
		ex.Notes = append(ex.Notes, "cannot stat the database file: "+unwrapPath(err).Error())
		return ex
	}
	if st.Mode().Perm()&0o004 != 0 {
		ex.Notes = append(ex.Notes, fmt.Sprintf("the database file is readable by every user of the machine (mode %04o): restrict it (chmod o-r)", st.Mode().Perm()))
	}
	if !c.immutable {
		ex.Notes = append(ex.Notes, "a -wal or -journal file lies beside the database: it was read read-only while another process may be writing it")
	}
	return ex
}

func (c *Connector) log(stmt string) {
	if c.logStmt != nil {
		c.logStmt(stmt)
	}
}

func (c *Connector) queryRow(ctx context.Context, stmt string, args []any, dest ...any) error {
	c.log(stmt)
	ctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	return c.db.QueryRowContext(ctx, stmt, args...).Scan(dest...)
}

// each runs a query and calls fn for every row, under the request timeout.
func (c *Connector) each(ctx context.Context, fn func(*sql.Rows) error, stmt string, args ...any) error {
	c.log(stmt)
	qctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	rows, err := c.db.QueryContext(qctx, stmt, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		if n&255 == 0 && qctx.Err() != nil {
			return qctx.Err()
		}
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := qctx.Err(); err != nil {
		return err
	}
	return rows.Err()
}
