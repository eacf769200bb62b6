package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/sqlrows"
)

// Sampling methods, as reported in SampleResult.Method.
const (
	MethodAll        = "all"        // every row (small tables, Size 0)
	MethodKeyRanges  = "key-ranges" // random windows of the primary (or a unique) key
	MethodReservoir  = "reservoir"  // one pass, uniform reservoir (no usable key)
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
		case size <= 0 && !opts.Slice.Whole() && c.CanSlice(ct):
			return c.slice(ctx, s, t, opts.Slice, &res, conv, emit)
		case size <= 0:
			res.Method = MethodAll
			if t.Key != "" {
				return c.keyset(ctx, s, t, sqlrows.KeyBounds{}, &res, conv, emit)
			}
			return c.scanAll(ctx, s, t, &res, conv, emit)
		case ct.EstimatedDocuments >= 0 && ct.EstimatedDocuments <= int64(size) || t.Key == "":
			// A small table (by the catalogue's estimate, which may be
			// off) or one without a usable key: one pass with a
			// reservoir, which keeps every row when there are at most size.
			return c.reservoir(ctx, s, t, size, rng, &res, conv, emit)
		default:
			res.Method = MethodKeyRanges
			return c.keyRanges(ctx, s, t, size, ct.EstimatedDocuments, rng, &res, conv, emit)
		}
	})
	res.DecodeNotes = conv.Notes // complete once the rows handed over have been decoded
	var ee sqlrows.EmitError
	if errors.As(err, &ee) {
		return res, ee.Err
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

// piped runs read with a sqlrows.Pipe that converts and emits the rows
// read on a goroutine of its own; the rows it skipped are counted in res.
func piped(conv *sqlrows.Converter, res *connectors.SampleResult, emit func(connectors.Document) error, read func(p *sqlrows.Pipe) error) error {
	p := sqlrows.NewPipe(conv, emit)
	err := read(p)
	if perr := p.Close(res); perr != nil {
		return perr // emit failed: that is what stopped the read
	}
	return err
}

// scanAll reads every row in one statement.
func (c *Connector) scanAll(ctx context.Context, s *session, t *table, res *connectors.SampleResult,
	conv *sqlrows.Converter, emit func(connectors.Document) error) error {
	r := newRowReader(t)
	var n int64
	err := piped(conv, res, emit, func(p *sqlrows.Pipe) error {
		return s.eachRow(ctx, r, func() error {
			n++
			return p.Add(r.row())
		}, "SELECT "+t.selectList()+" FROM "+t.from())
	})
	if err == nil {
		res.TotalDocuments = n
	}
	return err
}

// keyset reads every row within bounds in key order, keysetPageRows rows
// per statement, so that no statement runs longer than a page takes.
func (c *Connector) keyset(ctx context.Context, s *session, t *table, bounds sqlrows.KeyBounds, res *connectors.SampleResult,
	conv *sqlrows.Converter, emit func(connectors.Document) error) error {
	r := newRowReader(t)
	var last []byte
	var n int64
	err := piped(conv, res, emit, func(p *sqlrows.Pipe) error {
		var err error
		n, err = sqlrows.ReadKeyset(keysetPageRows, func(after any, limit int) (int, any, error) {
			var args []any
			stmt := "SELECT " + t.selectList() + " FROM " + t.from() +
				bounds.Where(quoteIdent(t.Key), after, func(v any) string { return sqlrows.KeyParam(v, &args) }) +
				fmt.Sprintf(" ORDER BY %s LIMIT %d", quoteIdent(t.Key), limit)
			page := 0
			err := s.eachRow(ctx, r, func() error {
				page++
				last = r.appendKey(last[:0]) // no string per row: only the last one is used
				return p.Add(r.row())
			}, stmt, args...)
			if err != nil || page < limit {
				return page, nil, err
			}
			a, err := sqlrows.KeyArg(string(last), t.KeyUnsigned)
			return page, a, err
		})
		return err
	})
	if err == nil {
		res.TotalDocuments = n
	}
	return err
}

// reservoir reads every row once and keeps a uniform sample of size.
func (c *Connector) reservoir(ctx context.Context, s *session, t *table, size int, rng *rand.Rand, res *connectors.SampleResult,
	conv *sqlrows.Converter, emit func(connectors.Document) error) error {
	r := newRowReader(t)
	rv := sqlrows.NewReservoir[map[string]any](size, rng)
	err := s.each(ctx, func(rows *sql.Rows) error {
		slot, take := rv.Next()
		if !take {
			return nil // passed over: not even scanned
		}
		if err := r.scan(rows); err != nil {
			return err
		}
		doc, ok := r.document(conv, res)
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
			return sqlrows.EmitError{Err: err}
		}
	}
	return nil
}

// windowsStatement reads the keys of several windows in one statement,
// each with its window's number.
func windowsStatement(t *table, ws []sqlrows.Window) (string, []any) {
	var b strings.Builder
	var args []any
	for i, w := range ws {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&b, "(SELECT %s, %d FROM %s WHERE %s >= %s ORDER BY %s LIMIT %d)",
			quoteIdent(t.Key), i, t.from(), quoteIdent(t.Key), sqlrows.KeyParam(w.From, &args), quoteIdent(t.Key), w.N)
	}
	return b.String(), args
}

// keySpan is the first and last key kept of window w: the keys kept of a
// window follow each other in the table (the window's rows not seen
// before, in key order).
type keySpan struct {
	w           int
	first, last string
}

// rangesStatement reads the rows of the spans, span after span: a UNION
// ALL of key ranges (which MariaDB runs faster than one statement with the
// ranges OR-ed, or with the keys listed).
func rangesStatement(t *table, spans []keySpan) (string, []any, error) {
	var b strings.Builder
	var args []any
	for i, sp := range spans {
		first, err := sqlrows.KeyArg(sp.first, t.KeyUnsigned)
		if err != nil {
			return "", nil, err
		}
		last, err := sqlrows.KeyArg(sp.last, t.KeyUnsigned)
		if err != nil {
			return "", nil, err
		}
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		b.WriteString("(SELECT " + t.selectList() + " FROM " + t.from() + " WHERE " + quoteIdent(t.Key) +
			" BETWEEN " + sqlrows.KeyParam(first, &args) + " AND " + sqlrows.KeyParam(last, &args) + ")")
	}
	return b.String(), args, nil
}

// spansStatement reads the rows of key spans in key order, in one
// statement (a range read of the key's index).
func spansStatement(t *table, spans []sqlrows.Span) (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString("SELECT " + t.selectList() + " FROM " + t.from() + " WHERE ")
	for i, sp := range spans {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString(quoteIdent(t.Key) + " BETWEEN " + sqlrows.KeyParam(sp.From, &args) + " AND " + sqlrows.KeyParam(sp.To, &args))
	}
	b.WriteString(" ORDER BY " + quoteIdent(t.Key))
	return b.String(), args
}

// spansJoinStatement reads the rows of key spans in one statement that
// MariaDB runs faster than spansStatement's: the spans are a derived
// table of constants joined to the table, which the server reads through
// the key's index span by span ("Range checked for each record") and tests
// each row against its own span only, where spansStatement's OR tests it
// against the spans before it in turn (for 20 spans of 500 rows that OR
// cost the server half as much again as the rows' read). STRAIGHT_JOIN
// keeps the spans the outer table, so that the table is never scanned
// whole. Nothing promises an order (the rows come span after span, each
// in key order; ORDER BY would sort them): it reads only spans whose
// every row is kept (KeyRanges.ReadSpansAnyOrder).
func spansJoinStatement(t *table, spans []sqlrows.Span) (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString("SELECT " + t.selectListOf("t") + " FROM (")
	for i, sp := range spans {
		switch i {
		case 0:
			b.WriteString("SELECT " + sqlrows.KeyParam(sp.From, &args) + " AS lo, " + sqlrows.KeyParam(sp.To, &args) + " AS hi")
		default:
			b.WriteString(" UNION ALL SELECT " + sqlrows.KeyParam(sp.From, &args) + ", " + sqlrows.KeyParam(sp.To, &args))
		}
	}
	b.WriteString(") AS s STRAIGHT_JOIN " + t.from() + " AS t ON t." + quoteIdent(t.Key) + " BETWEEN s.lo AND s.hi")
	return b.String(), args
}

// joinSpans says whether the spans whose every row is kept are read with
// spansJoinStatement: on MariaDB (the plan has not been checked on MySQL,
// which reads them with spansStatement); tests turn it off to compare.
var joinSpans = func(c *Connector) bool { return c.mariadb }

// keyRanges draws the sample as random ranges of the range key read
// through its index (sqlrows.KeyRanges): first key spans as wide as the
// catalogue's estimate says a window of rows is, all in one statement,
// then, when gaps between keys left the sample short, windows of rows
// from random keys, several windows per statement.
func (c *Connector) keyRanges(ctx context.Context, s *session, t *table, size int, estimate int64, rng *rand.Rand, res *connectors.SampleResult,
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
	space, ok := sqlrows.NewKeySpace(lo.String, hi.String, t.KeyUnsigned)
	if !ok {
		return c.reservoir(ctx, s, t, size, rng, res, conv, emit)
	}
	loArg, _ := sqlrows.KeyArg(lo.String, t.KeyUnsigned)
	r := newRowReader(t)
	var kr sqlrows.KeyRangesResult
	err = piped(conv, res, emit, func(p *sqlrows.Pipe) error {
		readWith := func(statement func(*table, []sqlrows.Span) (string, []any)) func([]sqlrows.Span, func([]byte) bool) error {
			return func(sp []sqlrows.Span, keep func([]byte) bool) error {
				stmt, args := statement(t, sp)
				return s.eachRow(ctx, r, func() error {
					if !keep(r.vals[r.keyIdx]) {
						return nil
					}
					return p.Add(r.row())
				}, stmt, args...)
			}
		}
		ranges := sqlrows.KeyRanges{Size: size, Space: space, Lo: loArg, Rng: rng, PerQuery: windowsPerStatement,
			Estimate: estimate, ReadSpans: readWith(spansStatement)}
		if joinSpans(c) {
			ranges.ReadSpansAnyOrder = readWith(spansJoinStatement)
		}
		var err error
		kr, err = ranges.Run(func(ws []sqlrows.Window, keep func(string) bool) error {
			// the windows' keys first (a UNION ALL of integers is cheap; of
			// whole rows, JSON and text columns, it is a temporary table on
			// disk), then the rows kept, in one range read of the key
			stmt, args := windowsStatement(t, ws)
			var spans []keySpan // of each window, the keys kept
			want := map[string]bool{}
			var key []byte
			var w int
			err := s.each(ctx, func(rows *sql.Rows) error {
				if err := rows.Scan(&key, &w); err != nil {
					return err
				}
				k := string(key)
				if !keep(k) {
					return nil
				}
				want[k] = true
				if n := len(spans); n > 0 && spans[n-1].w == w {
					spans[n-1].last = k
				} else {
					spans = append(spans, keySpan{w: w, first: k, last: k})
				}
				return nil
			}, stmt, args...)
			if err != nil || len(spans) == 0 {
				return err
			}
			stmt, args, err = rangesStatement(t, spans)
			if err != nil {
				return err
			}
			return s.eachRow(ctx, r, func() error {
				if !want[r.key()] {
					return nil // not kept (a key between two kept ones of a window cannot be; never emitted twice)
				}
				delete(want, r.key())
				return p.Add(r.row())
			}, stmt, args...)
		})
		return err
	})
	if err != nil {
		return err
	}
	res.Notes = append(res.Notes, kr.Note(t.Key))
	if kr.Taken < size {
		res.Notes = append(res.Notes, fmt.Sprintf("only %d distinct rows could be drawn from random key windows", kr.Taken))
	}
	return nil
}

// windowsPerStatement is the number of key windows one statement reads
// (UNION ALL): one round trip for a sample of 10,000 rows.
var windowsPerStatement = sqlrows.DefaultPerQuery

var _ connectors.Slicer = (*Connector)(nil)

// CanSlice: tables with a range key (a single-column integer primary key
// or unique NOT NULL index) are cut into key ranges; the others are read
// whole by one shard.
func (c *Connector) CanSlice(ct connectors.Container) bool {
	t, ok := ct.Handle.(*table)
	return ok && t.Key != ""
}

// slice reads slice sl of a table in a sharded full scan: the rows whose
// key lies in the slice's range of the key space (sqlrows.KeySpace.Bounds),
// in key order, keysetPageRows per statement. When the keys cannot be cut
// (a table of one row, or empty), slice 0 reads the whole table and the
// others nothing.
func (c *Connector) slice(ctx context.Context, s *session, t *table, sl connectors.Slice, res *connectors.SampleResult,
	conv *sqlrows.Converter, emit func(connectors.Document) error) error {
	var lo, hi sql.NullString
	err := s.each(ctx, func(rows *sql.Rows) error { return rows.Scan(&lo, &hi) },
		fmt.Sprintf("SELECT MIN(%s), MAX(%s) FROM %s", quoteIdent(t.Key), quoteIdent(t.Key), t.from()))
	if err != nil {
		res.Method = MethodAll
		return err
	}
	keys := sqlrows.SliceKeys{Plural: "keys", Range: fmt.Sprintf("key %q", t.Key)}
	return sqlrows.ReadSlice(lo.String, hi.String, t.KeyUnsigned, keys, sl, MethodAll, res, func(b sqlrows.KeyBounds) error {
		return c.keyset(ctx, s, t, b, res, conv, emit)
	})
}
