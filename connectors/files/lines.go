package files

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
)

// record is one raw record read from a file. Its slices are only valid until
// the next call of the reader that returned it.
type record struct {
	raw   []byte   // JSON formats: the bytes of one value
	row   []string // CSV formats: the fields
	line  int64    // line where the record starts (1-based)
	depth int      // nesting depth when the reader measured it, else -1
	bad   string   // a skip reason found while reading, or ""
	seq   int64    // the record's number in the file (1-based), set by the sampler
}

// recordReader reads the records of one file. next returns io.EOF at the
// end; a *stopError when the rest of the file cannot be read; any other
// error is an I/O error.
type recordReader interface {
	next(rec *record) error
}

// stopError ends the reading of a file that is broken from some point on:
// the reason is counted once as a skipped record and the note says where.
type stopError struct {
	reason string
	line   int64
	detail string
}

func (e *stopError) Error() string { return e.detail }

// stripBOM drops a UTF-8 byte-order mark at the start of br.
func stripBOM(br *bufio.Reader) {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, bomUTF8) {
		_, _ = br.Discard(3)
	}
}

// lineReader reads NDJSON: one record per non-blank line. A line longer than
// max is not kept in memory: it is read through and reported too large.
type lineReader struct {
	br   *bufio.Reader
	max  int
	buf  []byte
	line int64
	eof  bool
}

func newLineReader(br *bufio.Reader, max int) *lineReader {
	return &lineReader{br: br, max: max}
}

func (r *lineReader) next(rec *record) error {
	for {
		if r.eof {
			return io.EOF
		}
		r.line++
		var line []byte
		n := 0
		over := false
		pieces := 0
		for {
			chunk, err := r.br.ReadSlice('\n')
			n += len(chunk)
			if !over {
				if n > r.max+2 { // +2: the line end is not part of the document
					over = true
					r.buf = r.buf[:0]
					line = nil
				} else if pieces == 0 && err != bufio.ErrBufferFull {
					line = chunk // the whole line is in the reader's buffer
				} else {
					if pieces == 0 {
						r.buf = r.buf[:0]
					}
					r.buf = append(r.buf, chunk...)
					line = r.buf
				}
			}
			pieces++
			if err == nil {
				break
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if err == io.EOF {
				r.eof = true
				break
			}
			var gz *gzipError
			if errors.As(err, &gz) {
				return &stopError{reason: ReasonCorruptGzip, line: r.line,
					detail: "line " + strconv.FormatInt(r.line, 10) + ": " + gz.Error() + "; the rest of the file was not read"}
			}
			return err
		}
		line = trimLineEnd(line)
		if over || len(line) > r.max {
			*rec = record{line: r.line, depth: -1, bad: ReasonTooLarge}
			return nil
		}
		if isBlank(line) {
			continue
		}
		*rec = record{raw: line, line: r.line, depth: -1}
		return nil
	}
}

func trimLineEnd(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}
