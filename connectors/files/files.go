package files

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redact"
)

// MaxDepth is the deepest nesting of objects and arrays a document may have.
const MaxDepth = 1000

// MaxValues is the largest number of values (scalars, arrays and objects)
// a JSON document may hold. Decoded values take some 50 times the bytes of
// their text ("7," is two bytes), so this bounds the memory a document
// within MaxDocumentBytes can take.
const MaxValues = 1 << 20

// Skip reasons.
const (
	ReasonInvalidJSON   = "invalid JSON"
	ReasonInvalidUTF8   = "invalid UTF-8"
	ReasonNUL           = "NUL byte"
	ReasonTooLarge      = "document too large"
	ReasonTooDeep       = "nesting too deep"
	ReasonTooManyValues = "too many values"
	ReasonNotObject     = "not a JSON object"
	ReasonRaggedCSV     = "ragged CSV row"
	ReasonCorruptGzip   = "corrupt gzip"
)

func init() {
	connectors.Register(connectors.Descriptor{
		Name:    "files",
		Schemes: []string{"file"},
		Kinds:   []string{"file"},
		Targets: []connectors.TargetForm{{
			Form:        "PATH or file://PATH",
			Description: "a file or a directory of exports (NDJSON, JSON, CSV/TSV, gzip, mongoexport, elasticdump)",
		}},
		Check: check,
		Open:  Open,
	})
}

var _ connectors.Connector = (*Conn)(nil)

// check is the descriptor's Check: the path must exist. A path that exists
// but cannot be read is not a usage error: the scan reports it.
func check(target string, _ connectors.Options) error {
	root, err := pathOf(target)
	if err != nil {
		return err
	}
	if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: no such file or directory", redact.URI(target))
	}
	return nil
}

// Format is how a file is read.
type Format int

// Formats.
const (
	FormatUnknown Format = iota
	FormatNDJSON         // one JSON value per line
	FormatJSON           // a top-level array of values, or a sequence of values
	FormatCSV
	FormatTSV
)

func (f Format) String() string {
	switch f {
	case FormatNDJSON:
		return "ndjson"
	case FormatJSON:
		return "json"
	case FormatCSV:
		return "csv"
	case FormatTSV:
		return "tsv"
	}
	return "unknown"
}

// SkippedFile is a file that is not scanned, with the reason.
type SkippedFile = connectors.SkippedContainer

// Conn is an open files target.
type Conn struct {
	target string // as typed
	root   string // file system path
	isDir  bool
	opts   connectors.Options

	mu      sync.Mutex
	skipped []SkippedFile
}

// handle is the private state of a container.
type handle struct {
	path   string
	format Format
	gzip   bool
	comma  byte // CSV delimiter
	sepRow bool // the CSV file starts with a "sep=X" line
	// unreadable is why a file or directory that exists could not be
	// read: it is a container that fails, so the scan is incomplete.
	unreadable error
}

// Open opens a plain path or a file:// URI. The path must exist.
func Open(_ context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
	root, err := pathOf(target)
	if err != nil {
		return nil, err
	}
	opts = opts.WithDefaults()
	if err := opts.Containers.Validate(); err != nil {
		return nil, err
	}
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", redact.URI(target), unwrapPathError(err))
	}
	if !st.IsDir() && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file or directory", redact.URI(target))
	}
	return &Conn{target: target, root: root, isDir: st.IsDir(), opts: opts}, nil
}

// pathOf turns a target into a file system path.
func pathOf(target string) (string, error) {
	if connectors.Scheme(target) != "file" || !strings.Contains(target, "://") {
		if target == "" {
			return "", errors.New("empty path")
		}
		return filepath.Clean(target), nil
	}
	u, err := url.Parse(target)
	if err != nil {
		return "", fmt.Errorf("%s: not a valid file URI: %w", redact.URI(target), err)
	}
	p := u.Path
	switch u.Host {
	case "", "localhost":
	default: // file://relative/dir: read the host as the first path element
		p = u.Host + p
	}
	if p == "" {
		return "", fmt.Errorf("%s: file URI without a path", redact.URI(target))
	}
	return filepath.Clean(filepath.FromSlash(p)), nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Kind is "file".
func (c *Conn) Kind() string { return "file" }

// URI is the target as typed (a path has no credentials; a URI is redacted).
func (c *Conn) URI() string { return redact.URI(c.target) }

// Exposure describes the local target: it is reachable, and the notes say
// whether other users of the machine can read it.
func (c *Conn) Exposure(context.Context) connectors.Exposure {
	e := connectors.Exposure{Server: "local file system", Notes: []string{}}
	st, err := os.Stat(c.root)
	if err != nil {
		e.Notes = append(e.Notes, "cannot stat the target: "+unwrapPathError(err).Error())
		return e
	}
	e.Reachable = true
	if st.Mode().Perm()&0o004 != 0 {
		e.Notes = append(e.Notes, "the target is readable by every user of the machine")
	}
	return e
}

// Close does nothing; it is safe to call more than once.
func (c *Conn) Close() error { return nil }

// SkippedContainers lists the files passed over by the last Containers call.
func (c *Conn) SkippedContainers() []connectors.SkippedContainer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]connectors.SkippedContainer(nil), c.skipped...)
}

// Containers walks the target and returns the files it can read, in
// lexical order.
func (c *Conn) Containers(ctx context.Context) ([]connectors.Container, error) {
	var out []connectors.Container
	var skipped []SkippedFile
	skip := func(name, reason string) { skipped = append(skipped, SkippedFile{Name: name, Reason: reason}) }

	if !c.isDir {
		name := filepath.Base(c.root)
		if c.opts.Containers.Match(name) {
			ct, reason := c.inspect(c.root, name)
			if reason != "" {
				// a database file of a registered format (SQLite) is read
				// through its connector
				if inner, still := c.embedded(ctx, nil, []SkippedFile{{Name: name, Reason: reason}}); len(inner) > 0 || len(still) == 0 || still[0].Reason != reason {
					if len(inner) == 0 && len(still) > 0 {
						return nil, errors.New(still[0].Reason)
					}
					c.mu.Lock()
					c.skipped = still
					c.mu.Unlock()
					return inner, nil
				}
				// a file the user named is read or the target fails
				// (the report shows the error with the target's URI)
				return nil, errors.New(reason + formatHint(name))
			}
			if h := ct.Handle.(*handle); h.unreadable != nil {
				return nil, h.unreadable
			}
			out = append(out, ct)
		}
	} else {
		err := filepath.WalkDir(c.root, func(p string, d fs.DirEntry, err error) error {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			rel, rerr := filepath.Rel(c.root, p)
			if rerr != nil {
				return rerr
			}
			name := filepath.ToSlash(rel)
			if err != nil {
				if p == c.root {
					return err
				}
				// what exists but cannot be read fails as a container
				if d != nil && d.IsDir() {
					out = append(out, unreadableContainer(p, name+"/", fmt.Errorf("directory not read: %w", unwrapPathError(err))))
					return fs.SkipDir
				}
				out = append(out, unreadableContainer(p, name, unwrapPathError(err)))
				return nil
			}
			if p == c.root {
				return nil
			}
			hidden := strings.HasPrefix(d.Name(), ".")
			if d.IsDir() {
				if hidden && !c.opts.IncludeHidden {
					skip(name+"/", "hidden directory")
					return fs.SkipDir
				}
				return nil
			}
			if !c.opts.Containers.Match(name) {
				return nil
			}
			if hidden && !c.opts.IncludeHidden {
				skip(name, "hidden file")
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				st, err := os.Stat(p)
				switch {
				case err != nil:
					skip(name, "broken symbolic link")
					return nil
				case st.IsDir():
					skip(name, "symbolic link to a directory (not followed)")
					return nil
				}
			}
			ct, reason := c.inspect(p, name)
			if reason != "" {
				skip(name, reason)
				return nil
			}
			out = append(out, ct)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.URI(), unwrapPathError(err))
		}
	}
	out, skipped = c.embedded(ctx, out, skipped) // SQLite databases and other registered formats
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	c.mu.Lock()
	c.skipped = skipped
	c.mu.Unlock()
	for _, s := range skipped {
		c.opts.Logf("files: skipping %s: %s", s.Name, s.Reason)
	}
	return out, nil
}

// sniffSize is how much of a file (decompressed) is looked at to tell its format.
const sniffSize = 64 << 10

var (
	ndjsonExt = map[string]bool{".ndjson": true, ".jsonl": true, ".ldjson": true, ".ndj": true, ".jsonlines": true}
	bomUTF8   = []byte{0xEF, 0xBB, 0xBF}
)

// inspect decides whether a file can be read and how. It returns the
// container, or a reason to skip the file.
func (c *Conn) inspect(p, name string) (connectors.Container, string) {
	st, err := os.Stat(p)
	if err != nil {
		return connectors.Container{}, "unreadable: " + unwrapPathError(err).Error()
	}
	if !st.Mode().IsRegular() {
		return connectors.Container{}, "not a regular file"
	}
	f, err := openRead(p)
	if err != nil {
		return unreadableContainer(p, name, unwrapPathError(err)), ""
	}
	defer f.Close()

	h := &handle{path: p}
	var notes []string
	inner := name
	lower := strings.ToLower(name)
	br := bufio.NewReaderSize(f, sniffSize)
	var src *bufio.Reader = br
	magic, _ := br.Peek(2)
	gzErr := ""
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		h.gzip = true
		zr, err := gzip.NewReader(br)
		if err != nil {
			gzErr = err.Error()
		} else {
			defer zr.Close()
			src = bufio.NewReaderSize(zr, sniffSize)
		}
	} else if strings.HasSuffix(lower, ".gz") {
		return connectors.Container{}, ReasonCorruptGzip + ": not gzip data"
	}
	if strings.HasSuffix(lower, ".gz") {
		inner = name[:len(name)-3]
	}
	ext := strings.ToLower(filepath.Ext(inner))

	var head []byte
	if gzErr == "" {
		head, _ = src.Peek(sniffSize) // what there is; a read error shows when sampling
	}
	head = bytes.TrimPrefix(head, bomUTF8)
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return connectors.Container{}, "unknown format (UTF-16 text)"
	}

	switch {
	case ndjsonExt[ext]:
		h.format = FormatNDJSON
	case ext == ".csv":
		h.format = FormatCSV
		h.comma, h.sepRow = csvDelimiter(head)
		if h.comma != ',' {
			notes = append(notes, fmt.Sprintf("delimiter %q", h.comma))
		}
	case ext == ".tsv" || ext == ".tab":
		h.format = FormatTSV
		h.comma = '\t'
	case ext == ".json":
		h.format = sniffJSON(head, true)
		if h.format == FormatUnknown {
			return connectors.Container{}, "not JSON (a .json file that holds no objects)"
		}
	default:
		if gzErr != "" {
			return connectors.Container{}, ReasonCorruptGzip + ": " + gzErr
		}
		h.format = sniffJSON(head, false)
		if h.format == FormatUnknown {
			if ext == "" {
				return connectors.Container{}, "unknown format"
			}
			return connectors.Container{}, "unknown format (" + ext + ")"
		}
		notes = append(notes, "format detected from the content")
	}
	if gzErr != "" {
		notes = append(notes, ReasonCorruptGzip+": "+gzErr)
	}
	desc := "format: " + h.format.String()
	if h.gzip {
		desc += " (gzip)"
	}
	notes = append([]string{desc}, notes...)
	if h.format == FormatNDJSON || h.format == FormatJSON {
		notes = append(notes, dialectNotes(head, h.format)...)
	}
	est := int64(-1)
	if !h.gzip && (h.format == FormatNDJSON || h.format == FormatCSV || h.format == FormatTSV) {
		est = estimateLines(head, st.Size(), h.format != FormatNDJSON)
	}
	return connectors.Container{Name: name, EstimatedDocuments: est, Notes: notes, Handle: h}, ""
}

// unreadableContainer is a file or directory that exists but cannot be
// read (permission denied): sampling it fails with err, so the report
// shows it and is not complete.
func unreadableContainer(p, name string, err error) connectors.Container {
	return connectors.Container{Name: name, EstimatedDocuments: -1, Notes: []string{"not readable"},
		Handle: &handle{path: p, unreadable: err}}
}

// formatHint is what to do with a file named on the command line that
// piisniff cannot read.
func formatHint(name string) string {
	const formats = "NDJSON, JSON, CSV or TSV, optionally gzipped"
	switch filepath.Ext(strings.TrimSuffix(strings.ToLower(name), ".gz")) {
	case ".sql":
		return "; piisniff does not read SQL dumps: load the dump into a database and scan that (postgres://, mysql://), or export the tables as CSV or NDJSON and scan the files"
	case ".bson":
		return "; piisniff does not read BSON dumps: mongorestore them into a MongoDB and scan that, or convert them with bsondump to NDJSON"
	}
	return "; piisniff reads " + formats + ": export the data in one of these formats"
}

// sniffJSON tells NDJSON from a JSON stream by the first bytes of a file.
// lenient accepts any JSON-looking start (the extension said JSON).
func sniffJSON(head []byte, lenient bool) Format {
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 {
		if lenient {
			return FormatJSON
		}
		return FormatUnknown
	}
	switch t[0] {
	case '[':
		u := bytes.TrimLeft(t[1:], " \t\r\n")
		if lenient || len(u) == 0 || u[0] == '{' || u[0] == ']' {
			return FormatJSON
		}
		return FormatUnknown
	case '{':
		line := t
		if i := bytes.IndexByte(t, '\n'); i >= 0 {
			line = t[:i]
		}
		if json.Valid(line) {
			return FormatNDJSON
		}
		if lenient {
			return FormatJSON
		}
		// Another extension: a JSON document must at least open with a key.
		u := bytes.TrimLeft(t[1:], " \t\r\n")
		if len(u) > 0 && (u[0] == '"' || u[0] == '}') {
			return FormatJSON
		}
		return FormatUnknown
	}
	return FormatUnknown
}

// csvDelimiter picks the delimiter of a .csv file from its first line: an
// Excel "sep=X" line says it; otherwise the most frequent of , ; TAB and |
// outside quotes, a comma when none is there.
func csvDelimiter(head []byte) (comma byte, sepRow bool) {
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimRight(line, "\r")
	if len(line) == 5 && bytes.HasPrefix(bytes.ToLower(line), []byte("sep=")) && line[4] != '"' {
		return line[4], true
	}
	var counts [256]int
	inQuote := false
	for _, c := range line {
		if c == '"' {
			inQuote = !inQuote
		} else if !inQuote {
			counts[c]++
		}
	}
	comma = ','
	for _, c := range []byte{';', '\t', '|'} {
		if counts[c] > counts[comma] {
			comma = c
		}
	}
	return comma, false
}

// dialectNotes looks at the first record for elasticdump and mongoexport output.
func dialectNotes(head []byte, f Format) []string {
	t := bytes.TrimLeft(head, " \t\r\n")
	if f == FormatJSON && len(t) > 0 && t[0] == '[' {
		t = bytes.TrimLeft(t[1:], " \t\r\n")
	}
	first := t
	if f == FormatNDJSON {
		if i := bytes.IndexByte(t, '\n'); i >= 0 {
			first = t[:i]
		}
	} else if n := valueEnd(t); n > 0 {
		first = t[:n]
	}
	var notes []string
	var hit struct {
		Index  *string         `json:"_index"`
		Source json.RawMessage `json:"_source"`
	}
	if json.Unmarshal(first, &hit) == nil && hit.Index != nil && len(hit.Source) > 0 && hit.Source[0] == '{' {
		notes = append(notes, "elasticdump output of index "+quoteNote(*hit.Index))
	}
	for _, k := range []string{`"$oid"`, `"$date"`, `"$numberLong"`, `"$numberInt"`, `"$numberDecimal"`, `"$binary"`} {
		if bytes.Contains(first, []byte(k)) {
			notes = append(notes, "mongoexport output (MongoDB Extended JSON)")
			break
		}
	}
	return notes
}

// valueEnd returns the length of the JSON object or array at the start of
// b, or 0 when it does not end within b.
func valueEnd(b []byte) int {
	depth := 0
	inStr, esc := false, false
	for i, c := range b {
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return 0
}

// quoteNote keeps a name from the data short and printable in a note.
func quoteNote(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// estimateLines estimates the number of records of a line format from the
// average line length of the first bytes.
func estimateLines(head []byte, size int64, header bool) int64 {
	lines := int64(bytes.Count(head, []byte{'\n'}))
	if lines == 0 {
		if len(head) == 0 {
			return 0
		}
		if int64(len(head)) >= size {
			return 1
		}
		return -1
	}
	if int64(len(head)) >= size {
		if head[len(head)-1] != '\n' {
			lines++
		}
	} else {
		lines = size * lines / int64(len(head))
	}
	if header && lines > 0 {
		lines--
	}
	return lines
}

// openFile opens a container's file for reading, decompressing gzip. A
// decompression error is reported as a *gzipError.
func openFile(h *handle) (io.Reader, func() error, error) {
	f, err := openRead(h.path)
	if err != nil {
		return nil, nil, err
	}
	if !h.gzip {
		return f, f.Close, nil
	}
	br := bufio.NewReaderSize(f, 64<<10)
	zr, err := gzip.NewReader(br)
	if err != nil {
		f.Close()
		return nil, nil, &gzipError{err}
	}
	return &gzipErrReader{zr}, func() error { zr.Close(); return f.Close() }, nil
}

type gzipError struct{ err error }

func (e *gzipError) Error() string { return ReasonCorruptGzip + ": " + e.err.Error() }
func (e *gzipError) Unwrap() error { return e.err }

type gzipErrReader struct{ r io.Reader }

func (g *gzipErrReader) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = &gzipError{err}
	}
	return n, err
}
