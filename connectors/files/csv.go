package files

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// csvReader reads CSV (RFC 4180, leniently) and TSV with a header row. It
// keeps at most max bytes of one record: a longer record (an unclosed quote
// included) is read through and reported too large. Quotes are honoured at
// the start of a field; a quote anywhere else is data.
type csvReader struct {
	br     *bufio.Reader
	comma  byte
	max    int
	header []string
	line   int64 // lines consumed

	special [256]bool // bytes that end a run of data in an unquoted field

	data []byte
	ends []int
	row  []string
	eof  bool
}

func newCSVReader(br *bufio.Reader, comma byte, max int) *csvReader {
	r := &csvReader{br: br, comma: comma, max: max}
	r.special[comma], r.special['\n'], r.special['\r'] = true, true, true
	return r
}

// quotedSpecial are the bytes that end a run of data in a quoted field.
var quotedSpecial = [256]bool{'"': true, '\n': true, '\r': true}

const (
	csvFieldStart = iota
	csvUnquoted
	csvQuoted
	csvQuoteInQuoted
)

// readRecord reads one physical record into r.data/r.ends. It returns the
// line where the record starts, whether it was too large, and io.EOF when
// there is no record left.
func (r *csvReader) readRecord() (start int64, over bool, err error) {
	r.data = r.data[:0]
	r.ends = r.ends[:0]
	if r.eof {
		return 0, false, io.EOF
	}
	start = r.line + 1
	state := csvFieldStart
	n := 0
	add := func(c byte) {
		if over {
			return
		}
		if len(r.data) >= r.max {
			over = true
			return
		}
		r.data = append(r.data, c)
	}
	endField := func() {
		if len(r.ends) < r.max { // bounded like the data
			r.ends = append(r.ends, len(r.data))
		} else {
			over = true
		}
	}
	for {
		// Copy a run of ordinary bytes at once.
		if state == csvUnquoted || state == csvQuoted {
			special := &r.special
			if state == csvQuoted {
				special = &quotedSpecial
			}
			buf, _ := r.br.Peek(r.br.Buffered())
			j := 0
			for j < len(buf) && !special[buf[j]] {
				j++
			}
			if j > 0 {
				if !over {
					if len(r.data)+j > r.max {
						over = true
					} else {
						r.data = append(r.data, buf[:j]...)
					}
				}
				n += j
				_, _ = r.br.Discard(j)
			}
		}
		c, rerr := r.br.ReadByte()
		if rerr != nil {
			var gz *gzipError
			switch {
			case rerr == io.EOF:
				r.eof = true
				r.line++
				if n == 0 || (state == csvFieldStart && len(r.ends) == 0) {
					return 0, false, io.EOF
				}
				endField()
				return start, over, nil
			case errors.As(rerr, &gz):
				return start, over, &stopError{reason: ReasonCorruptGzip, line: start, detail: "line " + strconv.FormatInt(start, 10) + ": " + gz.Error() + "; the rest of the file was not read"}
			default:
				return start, over, rerr
			}
		}
		n++
		if c == '\r' {
			if next, err := r.br.Peek(1); err == nil && next[0] == '\n' {
				continue // CRLF: the \n ends the line
			}
		}
		switch state {
		case csvFieldStart, csvUnquoted:
			switch {
			case c == '"' && state == csvFieldStart:
				state = csvQuoted
			case c == r.comma:
				endField()
				state = csvFieldStart
			case c == '\n':
				r.line++
				if state == csvFieldStart && len(r.ends) == 0 { // an empty line is no record
					start = r.line + 1
					n = 0
					continue
				}
				endField()
				return start, over, nil
			default:
				add(c)
				state = csvUnquoted
			}
		case csvQuoted:
			if c == '"' {
				state = csvQuoteInQuoted
				continue
			}
			if c == '\n' {
				r.line++
			}
			add(c)
		case csvQuoteInQuoted:
			switch c {
			case '"':
				add('"')
				state = csvQuoted
			case r.comma:
				endField()
				state = csvFieldStart
			case '\n':
				r.line++
				endField()
				return start, over, nil
			default: // a quote inside a quoted field: keep it as data
				add('"')
				add(c)
				state = csvUnquoted
			}
		}
	}
}

// fields turns the last record into strings, with one allocation.
func (r *csvReader) fields() []string {
	s := string(r.data)
	r.row = r.row[:0]
	prev := 0
	for _, e := range r.ends {
		r.row = append(r.row, s[prev:e])
		prev = e
	}
	return r.row
}

// readHeader reads the header row. Empty names become column_N and repeated
// names get a _N suffix, so every column keeps its own field path.
func (r *csvReader) readHeader() error {
	_, over, err := r.readRecord()
	if err != nil {
		return err
	}
	if over {
		return &stopError{reason: ReasonTooLarge, line: r.line, detail: "the header row is too large; the file was not read"}
	}
	seen := map[string]int{}
	for i, h := range r.fields() {
		h = string(bytes.ToValidUTF8(bytes.ReplaceAll([]byte(h), []byte{0}, nil), []byte("?")))
		if h == "" {
			h = "column_" + strconv.Itoa(i+1)
		}
		for seen[h] > 0 {
			seen[h]++
			h += "_" + strconv.Itoa(seen[h])
		}
		seen[h] = 1
		r.header = append(r.header, h)
	}
	return nil
}

func (r *csvReader) next(rec *record) error {
	if r.header == nil {
		if err := r.readHeader(); err != nil {
			return err
		}
	}
	start, over, err := r.readRecord()
	if err != nil {
		return err
	}
	*rec = record{line: start, depth: -1}
	switch {
	case over:
		rec.bad = ReasonTooLarge
	case bytes.IndexByte(r.data, 0) >= 0:
		rec.bad = ReasonNUL
	case !utf8.Valid(r.data):
		rec.bad = ReasonInvalidUTF8
	case len(r.ends) != len(r.header):
		rec.bad = ReasonRaggedCSV
	default:
		rec.row = r.fields()
	}
	return nil
}
