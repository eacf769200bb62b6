package files

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/piisniff/piisniff/connectors"
)

// SliceThreshold is the size above which an NDJSON, CSV or TSV file is cut
// into byte ranges in a sharded full scan; smaller files are read whole by
// one shard. A variable so that tests can lower it.
var SliceThreshold int64 = 64 << 20

var _ connectors.Slicer = (*Conn)(nil)

// CanSlice reports whether a sharded full scan may cut c into byte ranges:
// an uncompressed NDJSON, CSV or TSV file larger than SliceThreshold whose
// records are one line each (a CSV whose first 64 KiB hold a quoted line
// break is read whole: a cut could fall inside a record).
func (c *Conn) CanSlice(ct connectors.Container) bool {
	h, ok := ct.Handle.(*handle)
	return ok && h != nil && h.lineRecords && h.size > SliceThreshold
}

// lineBoundaries cuts the bytes [from, size) of r into n ranges that each
// start at the start of a line: it returns n+1 offsets, the first from and
// the last size, offset i being the first line start at or after
// from + (size-from)*i/n. The ranges are contiguous, so every line is in
// exactly one of them.
func lineBoundaries(r io.ReaderAt, from, size int64, n int) ([]int64, error) {
	if n < 1 {
		return nil, errors.New("lineBoundaries: n must be at least 1")
	}
	out := make([]int64, n+1)
	out[0], out[n] = from, size
	buf := make([]byte, 32<<10)
	prev := from
	for i := 1; i < n; i++ {
		t := from + (size-from)*int64(i)/int64(n)
		if t <= prev {
			out[i] = prev
			continue
		}
		// the first line start at or after t: t itself when the byte
		// before it ends a line, else just after the next newline
		pos, found := t-1, int64(-1)
		for pos < size && found < 0 {
			k, err := r.ReadAt(buf[:min(int64(len(buf)), size-pos)], pos)
			if j := bytes.IndexByte(buf[:k], '\n'); j >= 0 {
				found = pos + int64(j) + 1
			}
			pos += int64(k)
			if err != nil && err != io.EOF {
				return nil, err
			}
			if k == 0 {
				break
			}
		}
		if found < 0 {
			found = size
		}
		out[i] = found
		prev = found
	}
	return out, nil
}

// headerEnd is the offset after the rows that open a CSV file (a
// "sep=X" line, the header row), which belong to no slice.
func headerEnd(f *os.File, h *handle) (int64, error) {
	br := bufio.NewReaderSize(io.NewSectionReader(f, 0, h.size), 64<<10)
	var off int64
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, bomUTF8) {
		_, _ = br.Discard(3)
		off = 3
	}
	lines := 1
	if h.sepRow {
		lines = 2
	}
	for range lines {
		line, err := br.ReadSlice('\n')
		for errors.Is(err, bufio.ErrBufferFull) {
			off += int64(len(line))
			line, err = br.ReadSlice('\n')
		}
		off += int64(len(line))
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	return off, nil
}

// sliceReader opens slice s of the container's file: the reader of its byte
// range, the CSV header read from the start of the file when the slice is
// not the first, and a note saying which bytes were read.
func sliceReader(h *handle, s connectors.Slice) (io.Reader, []string, string, func() error, error) {
	f, err := openRead(h.path)
	if err != nil {
		return nil, nil, "", nil, err
	}
	var from int64
	var header []string
	if h.format == FormatCSV || h.format == FormatTSV {
		if from, err = headerEnd(f, h); err != nil {
			f.Close()
			return nil, nil, "", nil, err
		}
		if s.Index > 0 {
			// the header, read as slice 0 reads it
			comma := h.comma
			if comma == 0 {
				comma = ','
				if h.format == FormatTSV {
					comma = '\t'
				}
			}
			br := bufio.NewReaderSize(io.NewSectionReader(f, 0, from), 64<<10)
			stripBOM(br)
			if h.sepRow {
				_, _ = br.ReadSlice('\n')
			}
			cr := newCSVReader(br, comma, 16<<20)
			if err := cr.readHeader(); err != nil && err != io.EOF {
				f.Close()
				return nil, nil, "", nil, fmt.Errorf("reading the header row: %w", err)
			}
			header = cr.header
		}
	}
	b, err := lineBoundaries(f, from, h.size, s.Count)
	if err != nil {
		f.Close()
		return nil, nil, "", nil, err
	}
	start, end := b[s.Index], b[s.Index+1]
	if s.Index == 0 {
		start = 0 // slice 0 reads the header (and a byte order mark) itself
	}
	note := fmt.Sprintf("slice %d of %d: bytes %d to %d of %d (line numbers count from the slice's start)", s.Index, s.Count, start, end, h.size)
	return io.NewSectionReader(f, start, end-start), header, note, f.Close, nil
}

// lineRecordsOnly reports whether head, the start of a CSV file, holds no
// quoted line break, so that its records can be taken to be one line each.
func lineRecordsOnly(head []byte, comma byte) bool {
	const (
		fieldStart = iota
		unquoted
		quoted
		quoteInQuoted
	)
	state := fieldStart
	for _, c := range head {
		switch state {
		case quoted:
			switch c {
			case '"':
				state = quoteInQuoted
			case '\n', '\r':
				return false
			}
			continue
		case quoteInQuoted:
			if c == '"' { // a doubled quote: still in the quoted field
				state = quoted
				continue
			}
		case fieldStart:
			if c == '"' {
				state = quoted
				continue
			}
		}
		if c == comma || c == '\n' || c == '\r' {
			state = fieldStart
		} else {
			state = unquoted
		}
	}
	return true
}
