package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	gojson "github.com/goccy/go-json"
)

// A merged report holds each container once, finished, risk and all: the
// containers are written, as they will stand in the JSON report, to a
// temporary file as soon as they are final, and only a small entry per
// container stays in memory (its name, where it is in the file, its risk).
// Memory grows with the number of containers of the result at about a
// hundred bytes each, not with the size of the inputs or of the findings;
// the JSON report is written by copying the file in order.

// containerIndent is the indentation of a container in the JSON report:
// report → targets → target → containers → container.
const containerIndent = "        "

// containerEncoder writes a container as it stands in the JSON report.
type containerEncoder interface{ Encode(v any) error }

// newContainerEncoder is goccy/go-json's encoder, which indents as it
// writes (encoding/json's writes, then indents again): the same bytes as
// WriteJSON's encoding/json (TestContainerEncodersAgree,
// FuzzContainerEncoders), in about half the time.
var newContainerEncoder = func(w io.Writer) containerEncoder {
	enc := gojson.NewEncoder(w)
	enc.SetIndent(containerIndent, "  ")
	enc.SetEscapeHTML(false)
	return enc
}

// stdContainerEncoder is encoding/json's: the oracle.
func stdContainerEncoder(w io.Writer) containerEncoder {
	enc := json.NewEncoder(w)
	enc.SetIndent(containerIndent, "  ")
	enc.SetEscapeHTML(false)
	return enc
}

// spilled is a finished container in the spill file.
type spilled struct {
	name  string
	off   int64
	n     int32
	shard int32
	exp   int8 // exposure level its risk was computed at
	level int8
	pos   float64
}

// spillFile is the temporary file of a merge.
type spillFile struct {
	f   *os.File
	w   *bufio.Writer
	off int64
	buf bytes.Buffer
	enc containerEncoder
	// r reads on from rpos
	r    *bufio.Reader
	rpos int64
}

// newSpillFile creates the temporary file in dir, else in the system's
// temporary directory (a container with a read-only root file system has
// none: the report's directory is writable).
func newSpillFile(dir string) (*spillFile, error) {
	f, err := os.CreateTemp(dir, ".piisniff-merge-*.tmp")
	if err != nil && dir != "" {
		f, err = os.CreateTemp("", ".piisniff-merge-*.tmp")
	}
	if err != nil {
		return nil, fmt.Errorf("report merge needs a temporary file: %w", err)
	}
	// the file is gone when the merge ends, however it ends
	_ = os.Remove(f.Name())
	s := &spillFile{f: f, w: bufio.NewWriterSize(f, 1<<20)}
	s.enc = newContainerEncoder(&s.buf)
	return s, nil
}

// put writes c and returns where.
func (s *spillFile) put(c *Container) (int64, int32, error) {
	s.buf.Reset()
	if err := s.enc.Encode(c); err != nil {
		return 0, 0, err
	}
	b := bytes.TrimSuffix(s.buf.Bytes(), []byte("\n"))
	off := s.off
	s.rpos = -1
	if _, err := s.w.Write(b); err != nil {
		return 0, 0, fmt.Errorf("report merge: writing the temporary file: %w", err)
	}
	s.off += int64(len(b))
	return off, int32(len(b)), nil
}

// get reads the bytes of a container back: in order of the file, through
// a buffer.
func (s *spillFile) get(e spilled, buf []byte) ([]byte, error) {
	if err := s.w.Flush(); err != nil {
		return nil, err
	}
	buf = slices.Grow(buf[:0], int(e.n))[:e.n]
	if s.r != nil && e.off == s.rpos {
		if _, err := io.ReadFull(s.r, buf); err != nil {
			return nil, fmt.Errorf("report merge: reading the temporary file: %w", err)
		}
	} else {
		if _, err := s.f.ReadAt(buf, e.off); err != nil {
			return nil, fmt.Errorf("report merge: reading the temporary file: %w", err)
		}
		// the next container is most often the one after this one
		sec := io.NewSectionReader(s.f, e.off+int64(e.n), s.off-e.off-int64(e.n))
		if s.r == nil {
			s.r = bufio.NewReaderSize(sec, 1<<20)
		} else {
			s.r.Reset(sec)
		}
	}
	s.rpos = e.off + int64(e.n)
	return buf, nil
}

func (s *spillFile) close() error {
	if s == nil || s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

// Merged is the result of MergeStream: the report without its containers,
// which wait in a temporary file to be written. Close removes the file.
type Merged struct {
	// Head is the merged report, every field set but the containers of
	// its targets (empty).
	Head    *Report
	spill   *spillFile
	entries [][]spilled // of each target, sorted by name
	ignore  RiskModel   // an ignore file to apply: the report is finished again whole
}

// Close releases the temporary file.
func (m *Merged) Close() error { return m.spill.close() }

// Containers is the number of containers of the merged report.
func (m *Merged) Containers() int {
	n := 0
	for _, es := range m.entries {
		n += len(es)
	}
	return n
}

// Report reads the containers back and returns the whole merged report:
// memory then holds all of it (the formats other than JSON need it).
func (m *Merged) Report() (*Report, error) {
	r := *m.Head
	r.Targets = slices.Clone(m.Head.Targets)
	var buf []byte
	for ti := range r.Targets {
		t := &r.Targets[ti]
		t.Containers = make([]Container, len(m.entries[ti]))
		for i, e := range m.entries[ti] {
			b, err := m.spill.get(e, buf)
			if err != nil {
				return nil, err
			}
			buf = b
			if err := json.Unmarshal(b, &t.Containers[i]); err != nil {
				return nil, fmt.Errorf("report merge: reading the temporary file: %w", err)
			}
		}
	}
	if m.ignore.Ignore != nil {
		Finish(&r, m.ignore, r.Settings != nil && r.Settings.Interrupted)
		if r.Merge != nil && len(r.Merge.Notes) > 0 {
			r.Complete = false
		}
	}
	return &r, nil
}

// WriteJSON writes the merged report as WriteJSON writes a report, the
// containers copied from the temporary file one by one.
func (m *Merged) WriteJSON(w io.Writer) error {
	if m.ignore.Ignore != nil {
		r, err := m.Report()
		if err != nil {
			return err
		}
		return WriteJSON(w, r)
	}
	var head bytes.Buffer
	if err := WriteJSON(&head, m.Head); err != nil {
		return err
	}
	const mark = `"containers": []`
	rest := head.Bytes()
	if bytes.Count(rest, []byte(mark)) != len(m.Head.Targets) {
		// a target's field holds the mark: no place to be sure of
		r, err := m.Report()
		if err != nil {
			return err
		}
		return WriteJSON(w, r)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var buf []byte
	for ti := range m.Head.Targets {
		i := bytes.Index(rest, []byte(mark))
		if _, err := bw.Write(rest[:i+len(mark)-1]); err != nil {
			return err
		}
		rest = rest[i+len(mark)-1:] // "]" and on
		es := m.entries[ti]
		if len(es) == 0 {
			continue
		}
		for k, e := range es {
			b, err := m.spill.get(e, buf)
			if err != nil {
				return err
			}
			buf = b
			sep := ",\n"
			if k == 0 {
				sep = "\n"
			}
			bw.WriteString(sep)
			bw.WriteString(containerIndent)
			if _, err := bw.Write(b); err != nil {
				return err
			}
		}
		bw.WriteString("\n" + strings.Repeat(" ", len(containerIndent)-2))
	}
	if _, err := bw.Write(rest); err != nil {
		return err
	}
	return bw.Flush()
}
