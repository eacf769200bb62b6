package files

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/piisniff/piisniff/connectors"
)

// maxSkipNotes is how many skipped records a sample names in its notes.
const maxSkipNotes = 10

// maxIndexNotes is how many elasticdump indices a sample names in its notes.
const maxIndexNotes = 20

// Sample reads the container's file: every document with opts.Size 0,
// otherwise a uniform reservoir sample of opts.Size documents, emitted in
// file order.
func (c *Conn) Sample(ctx context.Context, ct connectors.Container, opts connectors.SampleOptions, emit func(connectors.Document) error) (connectors.SampleResult, error) {
	if eh, ok := ct.Handle.(*embeddedHandle); ok {
		return c.sampleEmbedded(ctx, eh, opts, emit)
	}
	res := connectors.SampleResult{Method: "all"}
	h, ok := ct.Handle.(*handle)
	if !ok || h == nil {
		return res, fmt.Errorf("%s: not a container of this connector", ct.Name)
	}
	if h.unreadable != nil {
		return res, h.unreadable // the report shows it with the container's name
	}
	max := int(min(c.opts.MaxDocumentBytes, math.MaxInt32))
	if max <= 0 {
		max = 16 << 20
	}
	logf := c.opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	s := &sampler{name: ct.Name, res: &res, st: newDecodeState(ct.Name, MaxDepth, logf)}
	s.w.st = s.st

	var src io.Reader
	var closeFile func() error
	var err error
	var header []string
	sliced := !opts.Slice.Whole()
	switch {
	case sliced && c.CanSlice(ct):
		var note string
		src, header, note, closeFile, err = sliceReader(h, opts.Slice)
		if err == nil {
			res.Notes = append(res.Notes, note)
		}
	case sliced && opts.Slice.Index != 0:
		// a file that is not cut is read by slice 0 alone
		res.TotalDocuments = 0
		res.Notes = append(res.Notes, fmt.Sprintf("slice %d of %d: the file is not cut; slice 0 reads it", opts.Slice.Index, opts.Slice.Count))
		return res, nil
	default:
		src, closeFile, err = openFile(h)
	}
	if err != nil {
		var gz *gzipError
		if errors.As(err, &gz) {
			res.Skip(ReasonCorruptGzip)
			res.Notes = append(res.Notes, gz.Error()+"; the file was not read")
			return res, nil
		}
		return res, fmt.Errorf("%s: %w", ct.Name, unwrapPathError(err))
	}
	defer closeFile()
	br := bufio.NewReaderSize(src, 64<<10)
	stripBOM(br)
	switch h.format {
	case FormatNDJSON:
		s.rr = newLineReader(br, max)
	case FormatJSON:
		s.rr = newJSONStreamReader(br, max, MaxDepth)
	case FormatCSV, FormatTSV:
		comma := h.comma
		if comma == 0 {
			comma = ','
			if h.format == FormatTSV {
				comma = '\t'
			}
		}
		if h.sepRow && header == nil {
			if _, err := br.ReadSlice('\n'); err != nil && err != io.EOF {
				return res, fmt.Errorf("%s: line 1: %w", ct.Name, err)
			}
		}
		s.csv = newCSVReader(br, comma, max)
		s.csv.header = header
		if h.sepRow {
			s.csv.line = 1
		}
		s.rr = s.csv
	default:
		return res, fmt.Errorf("%s: unknown format", ct.Name)
	}

	// the notes of skipped records and the count of documents are
	// complete once every record handed over has been decoded
	res.DecodeNotes, res.DecodeFailed = s.st.notes, s.st.decodeFailed
	if opts.Size <= 0 {
		err = s.all(ctx, emit)
	} else {
		err = s.reservoir(ctx, opts, emit)
	}
	s.w.close()
	return res, err
}

type sampler struct {
	name string
	rr   recordReader
	csv  *csvReader
	res  *connectors.SampleResult
	st   *decodeState // shared with the records' decoding
	w    arenaWriter  // the arenas of JSON records handed over
	seq  int64        // records read
}

// skip counts a skipped record read and names the first ones in the notes.
func (s *sampler) skip(rec *record, reason string) {
	s.res.Skip(reason)
	s.st.skip(rec.seq, rec.line, reason)
}

// read returns the next record; done is true at the end of the file or when
// the rest of it cannot be read.
func (s *sampler) read(rec *record) (done bool, err error) {
	err = s.rr.next(rec)
	if err == nil {
		s.seq++
		rec.seq = s.seq
		return false, nil
	}
	if err == io.EOF {
		return true, nil
	}
	var stop *stopError
	if errors.As(err, &stop) {
		s.res.Skip(stop.reason)
		s.st.stopped(stop.detail)
		return true, nil
	}
	return true, fmt.Errorf("%s: line %d: %w", s.name, rec.line, err)
}

// decode turns a good raw record into a document, or returns a skip reason.
func (s *sampler) decode(rec *record) (map[string]any, string) {
	if rec.bad != "" {
		return nil, rec.bad
	}
	if s.csv != nil {
		return csvDoc(s.csv.header, rec.row), ""
	}
	return s.st.parse(rec.raw, rec.seq, rec.depth)
}

// handOver emits a good record read: a JSON record undecoded (its
// consumer decodes it), a CSV row as a document.
func (s *sampler) handOver(rec *record, emit func(connectors.Document) error) error {
	if s.csv != nil {
		return emit(connectors.Document{Fields: csvDoc(s.csv.header, rec.row)})
	}
	return emit(s.w.add(rec, rec.seq))
}

// cheapCheck is what is checked on records a reservoir sample does not draw.
func (s *sampler) cheapCheck(rec *record) string {
	if rec.bad != "" || s.csv != nil {
		return rec.bad
	}
	return checkRaw(rec.raw)
}

func (s *sampler) all(ctx context.Context, emit func(connectors.Document) error) error {
	var rec record
	for n := 0; ; n++ {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		done, err := s.read(&rec)
		if done {
			return err
		}
		if rec.bad != "" {
			s.skip(&rec, rec.bad)
			continue
		}
		// a JSON record that turns out not to be a document is counted
		// by its decoding and taken off TotalDocuments (DecodeFailed)
		s.res.TotalDocuments++
		if err := s.handOver(&rec, emit); err != nil {
			return err
		}
	}
}

// kept is a record held in the reservoir: its raw bytes, not its decoded form.
type kept struct {
	index int64
	rec   record
}

// reservoir draws a uniform sample of opts.Size records with Algorithm L
// (Li, 1994): after the reservoir is full, the number of records to pass
// over before the next one enters is drawn directly, so records that are
// passed over are never decoded.
func (s *sampler) reservoir(ctx context.Context, opts connectors.SampleOptions, emit func(connectors.Document) error) error {
	k := int64(opts.Size)
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), nameHash(s.name)))
	u := func() float64 { return 1 - rng.Float64() } // in (0, 1]
	var (
		items []kept
		w     float64
		next  int64 // index of the next record to enter once the reservoir is full
		i     int64 // good records so far
		rec   record
	)
	advance := func() {
		w *= math.Exp(math.Log(u()) / float64(k))
		gap := math.Floor(math.Log(u()) / math.Log1p(-w))
		if math.IsNaN(gap) || gap < 0 {
			gap = 0
		}
		if gap > math.MaxInt64/4 {
			gap = math.MaxInt64 / 4
		}
		next = i + int64(gap) + 1
	}
	for n := 0; ; n++ {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		done, err := s.read(&rec)
		if done {
			if err != nil {
				return err
			}
			break
		}
		if reason := s.cheapCheck(&rec); reason != "" {
			s.skip(&rec, reason)
			continue
		}
		if i < k || i == next {
			if _, reason := s.decode(&rec); reason != "" {
				s.skip(&rec, reason)
				continue // not a document: the next good record is drawn instead
			}
			it := kept{index: i, rec: cloneRecord(&rec)}
			if i < k {
				items = append(items, it)
				if i == k-1 {
					w = 1
					advance()
				}
			} else {
				items[rng.IntN(int(k))] = it
				advance()
			}
		}
		i++
	}
	s.res.TotalDocuments = i
	if i > k {
		s.res.Method = "reservoir"
	}
	sort.Slice(items, func(a, b int) bool { return items[a].index < items[b].index })
	for j := range items {
		// the record decoded when it entered: it is decoded again by the
		// consumer, from its copy in an arena
		err := s.handOver(&items[j].rec, emit)
		items[j].rec = record{} // let it go once emitted
		if err != nil {
			return err
		}
	}
	return nil
}

func cloneRecord(r *record) record {
	c := *r
	if r.raw != nil {
		c.raw = append([]byte(nil), r.raw...)
	}
	if r.row != nil {
		c.row = append([]string(nil), r.row...)
	}
	return c
}

func nameHash(name string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return h.Sum64()
}
