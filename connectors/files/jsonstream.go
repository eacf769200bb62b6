package files

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// jsonStreamReader reads a JSON file as a stream of values: the elements of
// a top-level array, or a sequence of top-level values (one object, or
// several one after the other). It finds where each value ends by counting
// brackets outside strings, so one malformed element does not end the file;
// each value is decoded on its own later. A value larger than max is read
// through without being kept.
type jsonStreamReader struct {
	br       *bufio.Reader
	max      int
	maxDepth int
	buf      []byte
	line     int64 // current line, 1-based

	started bool
	inArray bool
	done    bool
	count   int64 // values returned
}

func newJSONStreamReader(br *bufio.Reader, max, maxDepth int) *jsonStreamReader {
	return &jsonStreamReader{br: br, max: max, maxDepth: maxDepth, line: 1}
}

func (r *jsonStreamReader) stop(reason, format string, args ...any) error {
	r.done = true
	return &stopError{reason: reason, line: r.line, detail: fmt.Sprintf("line %d: ", r.line) + fmt.Sprintf(format, args...)}
}

// readErr turns an error of the underlying reader into the error to return.
func (r *jsonStreamReader) readErr(err error, what string) error {
	var gz *gzipError
	if errors.As(err, &gz) {
		return r.stop(ReasonCorruptGzip, "%s; the rest of the file was not read", gz.Error())
	}
	if err == io.EOF {
		return r.stop(ReasonInvalidJSON, "unexpected end of file %s", what)
	}
	return err
}

// skipSpace skips white space and returns the next byte without consuming
// it; io.EOF at the end.
func (r *jsonStreamReader) skipSpace() (byte, error) {
	for {
		b, err := r.br.Peek(1)
		if err != nil {
			return 0, err
		}
		switch b[0] {
		case '\n':
			r.line++
			fallthrough
		case ' ', '\t', '\r':
			_, _ = r.br.Discard(1)
			continue
		}
		return b[0], nil
	}
}

func (r *jsonStreamReader) next(rec *record) error {
	if r.done {
		return io.EOF
	}
	if !r.started {
		r.started = true
		c, err := r.skipSpace()
		if err == io.EOF {
			r.done = true
			return io.EOF
		}
		if err != nil {
			return r.readErr(err, "")
		}
		if c == '[' {
			r.inArray = true
			_, _ = r.br.Discard(1)
		}
	}
	c, err := r.skipSpace()
	if r.inArray {
		if err != nil {
			return r.readErr(err, "inside the top-level array")
		}
		if r.count > 0 && c != ']' {
			if c != ',' {
				return r.stop(ReasonInvalidJSON, "expected , or ] after element %d; the rest of the file was not read", r.count)
			}
			_, _ = r.br.Discard(1)
			if c, err = r.skipSpace(); err != nil {
				return r.readErr(err, "inside the top-level array")
			}
		}
		if c == ']' {
			_, _ = r.br.Discard(1)
			r.done = true
			return io.EOF
		}
	} else {
		if err == io.EOF {
			r.done = true
			return io.EOF
		}
		if err != nil {
			return r.readErr(err, "")
		}
	}
	r.count++
	return r.readValue(rec, c)
}

// readValue reads the value that starts with c.
func (r *jsonStreamReader) readValue(rec *record, c byte) error {
	*rec = record{line: r.line}
	r.buf = r.buf[:0]
	total := 0
	over := false
	keep := func(b []byte) {
		total += len(b)
		if over {
			return
		}
		if total > r.max {
			over = true
			r.buf = r.buf[:0]
			return
		}
		r.buf = append(r.buf, b...)
	}

	depth, maxDepth := 0, 0
	inStr, esc := false, false
	scalar := c != '{' && c != '[' && c != '"'
	for {
		if _, err := r.br.Peek(1); err != nil {
			if err == io.EOF && scalar && total > 0 {
				break
			}
			return r.readErr(err, "inside a value")
		}
		chunk, _ := r.br.Peek(r.br.Buffered())
		i := 0
		done := false
	scan:
		for ; i < len(chunk); i++ {
			b := chunk[i]
			if b == '\n' {
				r.line++
			}
			if inStr {
				switch {
				case esc:
					esc = false
				case b == '\\':
					esc = true
				case b == '"':
					inStr = false
					if depth == 0 { // a top-level string ends here
						i++
						done = true
						break scan
					}
				}
				continue
			}
			if scalar {
				switch b {
				case ' ', '\t', '\r', '\n', ',', ']', '}', '[', '{', '"':
					if b == '\n' {
						r.line-- // counted again by skipSpace
					}
					done = true
					break scan
				}
				continue
			}
			switch b {
			case '"':
				inStr = true
			case '{', '[':
				depth++
				if depth > maxDepth {
					maxDepth = depth
				}
			case '}', ']':
				depth--
				if depth <= 0 {
					i++
					done = true
					break scan
				}
			}
		}
		keep(chunk[:i])
		_, _ = r.br.Discard(i)
		if done {
			break
		}
	}
	rec.depth = maxDepth
	switch {
	case over:
		rec.bad = ReasonTooLarge
	case maxDepth > r.maxDepth:
		rec.bad = ReasonTooDeep
	case scalar || c == '"' || c == '[':
		rec.bad = ReasonNotObject
	default:
		rec.raw = r.buf
	}
	if scalar && total == 0 { // a stray delimiter: nothing can be read after it
		return r.stop(ReasonInvalidJSON, "unexpected %q; the rest of the file was not read", c)
	}
	return nil
}
