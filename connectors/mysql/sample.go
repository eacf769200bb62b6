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
		a, err := sqlrows.KeyArg(last, t.KeyUnsigned)
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

// windowsStatement reads several windows in one statement.
func windowsStatement(t *table, ws []sqlrows.Window) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, len(ws))
	for i, w := range ws {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&b, "(SELECT %s FROM %s WHERE %s >= ? ORDER BY %s LIMIT %d)",
			t.selectList(), t.from(), quoteIdent(t.Key), quoteIdent(t.Key), w.N)
		args = append(args, w.From)
	}
	return b.String(), args
}

// keyRanges draws the sample as random windows of the range key read
// through its index (sqlrows.KeyRanges), several windows per statement.
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
	space, ok := sqlrows.NewKeySpace(lo.String, hi.String, t.KeyUnsigned)
	if !ok {
		return c.reservoir(ctx, s, t, size, rng, res, conv, emit)
	}
	loArg, _ := sqlrows.KeyArg(lo.String, t.KeyUnsigned)
	r := newRowReader(t, conv)
	kr, err := sqlrows.KeyRanges{Size: size, Space: space, Lo: loArg, Rng: rng, PerQuery: windowsPerStatement}.Run(func(ws []sqlrows.Window, keep func(string) bool) error {
		stmt, args := windowsStatement(t, ws)
		return s.each(ctx, func(rows *sql.Rows) error {
			if err := r.scan(rows); err != nil {
				return err
			}
			if !keep(r.key()) {
				return nil
			}
			if doc, ok := r.document(res); ok {
				if err := emit(connectors.Document{Fields: doc}); err != nil {
					return errEmit{err}
				}
			}
			return nil
		}, stmt, args...)
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
