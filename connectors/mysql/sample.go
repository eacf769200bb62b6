package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/sqlrows"
)

// Sampling methods, as reported in SampleResult.Method.
const (
	MethodAll        = "all"        // every row (small tables, Size 0)
	MethodKeyRanges  = "key-ranges" // random windows of the primary (or a unique) key
	MethodReservoir  = "reservoir"  // one pass, uniform reservoir (no usable key)
	maxRanges        = 100          // windows per sample: 10,000 rows are 100 windows of 100
	maxRangeRounds   = 4            // rounds of windows drawn to fill a sample whose windows overlapped
	rangesPerQuery   = 100          // windows read by one UNION ALL statement
	maxReservoirNote = "the table has no single-column integer primary key or unique NOT NULL index: every row was read and a uniform random sample kept"
)

// keysetPageRows is the number of rows per statement of a full read in key
// order (a variable for tests).
var keysetPageRows = 10000

// Sample implements connectors.Connector.
func (c *Connector) Sample(ctx context.Context, ct connectors.Container, opts connectors.SampleOptions,
	emit func(connectors.Document) error) (connectors.SampleResult, error) {
	res := connectors.SampleResult{TotalDocuments: -1}
	t, ok := ct.Handle.(*table)
	if !ok {
		return res, fmt.Errorf("%s: not a container of this connector", ct.Name)
	}
	select {
	case c.sem <- struct{}{}:
		defer func() { <-c.sem }()
	case <-ctx.Done():
		return res, ctx.Err()
	}
	conv := sqlrows.NewConverter(columns(t), c.opts.MaxDocumentBytes)
	size := opts.Size
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), nameHash(ct.Name)))
	err := c.withSession(ctx, func(s *session) error {
		switch {
		case size <= 0:
			res.Method = MethodAll
			if t.Key != "" {
				return c.keyset(ctx, s, t, &res, conv, emit)
			}
			return c.scanAll(ctx, s, t, &res, conv, emit)
		case ct.EstimatedDocuments >= 0 && ct.EstimatedDocuments <= int64(size) || t.Key == "":
			// A small table (by the catalogue's estimate, which may be
			// off) or one without a usable key: one pass with a
			// reservoir, which keeps every row when there are at most size.
			return c.reservoir(ctx, s, t, size, rng, &res, conv, emit)
		default:
			res.Method = MethodKeyRanges
			return c.keyRanges(ctx, s, t, size, rng, &res, conv, emit)
		}
	})
	res.Notes = append(res.Notes, conv.Notes()...)
	var ee errEmit
	if errors.As(err, &ee) {
		return res, ee.err
	}
	if err != nil {
		return res, c.containerError(ctx, ct.Name, err)
	}
	return res, nil
}

func nameHash(name string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return h.Sum64()
}

// errEmit marks an error returned by emit, passed back unchanged.
type errEmit struct{ err error }

func (e errEmit) Error() string { return e.err.Error() }
func (e errEmit) Unwrap() error { return e.err }

// scanAll reads every row in one statement.
func (c *Connector) scanAll(ctx context.Context, s *session, t *table, res *connectors.SampleResult,
	conv *sqlrows.Converter, emit func(connectors.Document) error) error {
	r := newRowReader(t, conv)
	var n int64
	err := s.each(ctx, func(rows *sql.Rows) error {
		if err := r.scan(rows); err != nil {
			return err
		}
		n++
		if doc, ok := r.document(res); ok {
			if err := emit(connectors.Document{Fields: doc}); err != nil {
				return errEmit{err}
			}
		}
		return nil
	}, "SELECT "+t.selectList()+" FROM "+t.from())
	if err == nil {
		res.TotalDocuments = n
	}
	return err
}

// keyset reads every row in key order, keysetPageRows rows per statement,
// so that no statement runs longer than a page takes.
func (c *Connector) keyset(ctx context.Context, s *session, t *table, res *connectors.SampleResult,
	conv *sqlrows.Converter, emit func(connectors.Document) error) error {
	r := newRowReader(t, conv)
	var n int64
	var after any
	for {
		stmt := "SELECT " + t.selectList() + " FROM " + t.from()
		var args []any
		if after != nil {
			stmt += " WHERE " + quoteIdent(t.Key) + " > ?"
			args = append(args, after)
		}
		stmt += fmt.Sprintf(" ORDER BY %s LIMIT %d", quoteIdent(t.Key), keysetPageRows)
		page, last := 0, ""
		err := s.each(ctx, func(rows *sql.Rows) error {
			if err := r.scan(rows); err != nil {
				return err
			}
			page++
			n++
			last = r.key()
			if doc, ok := r.document(res); ok {
				if err := emit(connectors.Document{Fields: doc}); err != nil {
					return errEmit{err}
				}
			}
			return nil
		}, stmt, args...)
		if err != nil {
			return err
		}
		if page < keysetPageRows {
			res.TotalDocuments = n
			return nil
		}
		a, err := keyArg(last, t.KeyUnsigned)
		if err != nil {
			return err
		}
		after = a
	}
}

// reservoir reads every row once and keeps a uniform sample of size.
func (c *Connector) reservoir(ctx context.Context, s *session, t *table, size int, rng *rand.Rand, res *connectors.SampleResult,
	conv *sqlrows.Converter, emit func(connectors.Document) error) error {
	r := newRowReader(t, conv)
	rv := sqlrows.NewReservoir[map[string]any](size, rng)
	err := s.each(ctx, func(rows *sql.Rows) error {
		slot, take := rv.Next()
		if !take {
			return nil // passed over: not even scanned
		}
		if err := r.scan(rows); err != nil {
			return err
		}
		doc, ok := r.document(res)
		if !ok {
			rv.Reject()
			return nil
		}
		rv.Set(slot, doc)
		return nil
	}, "SELECT "+t.selectList()+" FROM "+t.from())
	if err != nil {
		return err
	}
	res.TotalDocuments = rv.Seen() + res.Skipped
	res.Method = MethodAll
	if rv.Seen() > int64(size) {
		res.Method = MethodReservoir
		if t.Key == "" {
			res.Notes = append(res.Notes, maxReservoirNote)
		} else {
			res.Notes = append(res.Notes, "the catalogue's row estimate was below the sample size: every row was read and a uniform random sample kept")
		}
	}
	for _, doc := range rv.Items() {
		if err := emit(connectors.Document{Fields: doc}); err != nil {
			return errEmit{err}
		}
	}
	return nil
}

// window is one key range: up to n rows in key order from the first key at
// or above from.
type window struct {
	from any
	n    int
}

// windowsStatement reads several windows in one statement.
func windowsStatement(t *table, ws []window) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, len(ws))
	for i, w := range ws {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&b, "(SELECT %s FROM %s WHERE %s >= ? ORDER BY %s LIMIT %d)",
			t.selectList(), t.from(), quoteIdent(t.Key), quoteIdent(t.Key), w.n)
		args = append(args, w.from)
	}
	return b.String(), args
}

// keyRanges draws the sample as random windows of the range key read
// through its index: each window starts at a random point between the
// smallest and largest key. A row drawn twice is kept once; when windows
// overlapped, more rounds are drawn, and a sample still short is filled
// from the start of the key order. No ORDER BY RAND().
func (c *Connector) keyRanges(ctx context.Context, s *session, t *table, size int, rng *rand.Rand, res *connectors.SampleResult,
	conv *sqlrows.Converter, emit func(connectors.Document) error) error {
	var lo, hi sql.NullString
	err := s.each(ctx, func(rows *sql.Rows) error { return rows.Scan(&lo, &hi) },
		fmt.Sprintf("SELECT MIN(%s), MAX(%s) FROM %s", quoteIdent(t.Key), quoteIdent(t.Key), t.from()))
	if err != nil {
		return err
	}
	if !lo.Valid {
		res.Method = MethodAll
		res.TotalDocuments = 0
		return nil // empty table
	}
	space, ok := newKeySpace(lo.String, hi.String, t.KeyUnsigned)
	if !ok {
		return c.reservoir(ctx, s, t, size, rng, res, conv, emit)
	}
	ranges := min(size, maxRanges)
	per := (size + ranges - 1) / ranges
	seen := make(map[string]struct{}, size)
	r := newRowReader(t, conv)
	taken, asked := 0, 0
	read := func(ws []window) (int, error) {
		before := taken
		stmt, args := windowsStatement(t, ws)
		asked += len(ws)
		err := s.each(ctx, func(rows *sql.Rows) error {
			if taken >= size {
				return nil
			}
			if err := r.scan(rows); err != nil {
				return err
			}
			k := r.key()
			if _, dup := seen[k]; dup {
				return nil
			}
			seen[k] = struct{}{}
			taken++
			if doc, ok := r.document(res); ok {
				if err := emit(connectors.Document{Fields: doc}); err != nil {
					return errEmit{err}
				}
			}
			return nil
		}, stmt, args...)
		return taken - before, err
	}
	for round := 0; round < maxRangeRounds && taken < size; round++ {
		points := make([]float64, (size-taken+per-1)/per)
		for i := range points {
			points[i] = rng.Float64()
		}
		slices.Sort(points)
		got := 0
		for len(points) > 0 {
			n := min(len(points), rangesPerQuery)
			ws := make([]window, n)
			for i, p := range points[:n] {
				ws[i] = window{from: space.at(p), n: per}
			}
			points = points[n:]
			g, err := read(ws)
			got += g
			if err != nil {
				return err
			}
		}
		if got == 0 {
			break
		}
	}
	if taken < size {
		// The windows kept landing on the same rows (keys in a few
		// clusters far apart, or fewer rows than the estimate): fill
		// from the start of the key order.
		lo, _ := keyArg(lo.String, t.KeyUnsigned)
		if _, err := read([]window{{from: lo, n: size - taken + len(seen)}}); err != nil {
			return err
		}
	}
	res.Notes = append(res.Notes, fmt.Sprintf("the sample was read from %d random windows of key %q through its index, "+
		"up to %d rows each; rows that follow long gaps between key values are more likely to be drawn", asked, t.Key, per))
	if taken < size {
		res.Notes = append(res.Notes, fmt.Sprintf("only %d distinct rows could be drawn from random key windows", taken))
	}
	return nil
}
