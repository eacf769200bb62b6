package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/sqlrows"
)

// Sampling methods, as reported in SampleResult.Method.
const (
	MethodAll         = "all"          // every row
	MethodRowidRanges = "rowid-ranges" // random windows of rowid
	MethodReservoir   = "reservoir"    // one pass, uniform reservoir (WITHOUT ROWID tables)
	keyAlias          = "__piisniff_rowid"
)

// keysetPageRows is the number of rows per statement of a full read in
// rowid order (a variable for tests).
var keysetPageRows = 10000

// table is the Handle of a container.
type table struct {
	Name  string
	Cols  []sqlrows.Column
	PK    []string
	Rowid string // "rowid", "_rowid_" or "oid"; "" for WITHOUT ROWID tables or when columns shadow all three
	View  bool
}

func quoteIdent(s string) string { return sqlrows.QuoteIdent(s, '"') }

func (t *table) selectList() string {
	parts := make([]string, 0, len(t.Cols)+1)
	if t.Rowid != "" {
		parts = append(parts, t.Rowid+" AS "+keyAlias)
	}
	for _, c := range t.Cols {
		parts = append(parts, quoteIdent(c.Name))
	}
	return strings.Join(parts, ", ")
}

var withoutRowidRE = regexp.MustCompile(`(?i)\)\s*(?:strict\s*,\s*)?without\s+rowid`)

// Containers implements connectors.Connector.
func (c *Connector) Containers(ctx context.Context) ([]connectors.Container, error) {
	type entry struct{ name, typ, sql string }
	var entries []entry
	err := c.each(ctx, func(r *sql.Rows) error {
		var e entry
		var s sql.NullString
		if err := r.Scan(&e.name, &e.typ, &s); err != nil {
			return err
		}
		e.sql = s.String
		entries = append(entries, e)
		return nil
	}, "SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, c.fileError(err)
	}
	var out []connectors.Container
	for _, e := range entries {
		name := c.name + "." + e.name
		if !c.opts.Containers.Match(name) {
			continue
		}
		if e.typ == "view" && !c.opts.IncludeViews {
			c.skip(name, "a view (scanned with --include-views)")
			continue
		}
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(e.sql)), "CREATE VIRTUAL TABLE") {
			c.skip(name, "a virtual table (its rows come from a module, not the file)")
			continue
		}
		t := &table{Name: e.name, View: e.typ == "view"}
		type pkCol struct {
			name string
			pos  int
		}
		var pks []pkCol
		err := c.each(ctx, func(r *sql.Rows) error {
			var col, typ string
			var pk int
			if err := r.Scan(&col, &typ, &pk); err != nil {
				return err
			}
			sc := sqlrows.NewColumn(col, typ)
			if sc.Class == sqlrows.Opaque && !isDateType(typ) {
				// SQLite types are affinities: any column may hold text,
				// and JSON in it.
				sc.Class = sqlrows.Text
			}
			t.Cols = append(t.Cols, sc)
			if pk > 0 {
				pks = append(pks, pkCol{col, pk})
			}
			return nil
		}, "SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid", e.name)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			c.skip(name, "columns not readable: "+reason(err, c.opts))
			continue
		}
		for i := 1; i <= len(pks); i++ {
			for _, p := range pks {
				if p.pos == i {
					t.PK = append(t.PK, p.name)
				}
			}
		}
		if !t.View && !withoutRowidRE.MatchString(e.sql) {
			for _, alias := range []string{"rowid", "_rowid_", "oid"} {
				shadowed := false
				for _, col := range t.Cols {
					if strings.EqualFold(col.Name, alias) {
						shadowed = true
					}
				}
				if !shadowed {
					t.Rowid = alias
					break
				}
			}
		}
		ct := connectors.Container{Name: name, EstimatedDocuments: -1, Handle: t, PrimaryKey: t.PK,
			FieldTypes: sqlrows.FieldTypes(t.Cols)}
		if t.Rowid != "" {
			// The rowid span is the estimate: exact for tables whose rows
			// were never deleted, an upper bound otherwise. No count(*).
			var lo, hi sql.NullInt64
			if err := c.rowidBounds(ctx, t, &lo, &hi); err == nil {
				ct.EstimatedDocuments = 0
				if lo.Valid {
					ct.EstimatedDocuments = hi.Int64 - lo.Int64 + 1
				}
			}
		}
		if len(t.PK) == 0 {
			ct.Notes = append(ct.Notes, "no primary key")
		}
		if t.View {
			ct.Notes = append(ct.Notes, "a view")
		}
		out = append(out, ct)
	}
	return out, nil
}

func isDateType(typ string) bool {
	t := strings.ToLower(typ)
	return strings.Contains(t, "date") || strings.Contains(t, "time")
}

func (c *Connector) skip(name, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.skipped {
		if s.Name == name {
			return
		}
	}
	c.skipped = append(c.skipped, connectors.SkippedContainer{Name: name, Reason: reason})
}

func nameHash(name string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(name))
	return h.Sum64()
}

// rowReader converts rows into documents.
type rowReader struct {
	t     *table
	vals  []any
	dest  []any
	rowid int64
	conv  *sqlrows.Converter
}

func newRowReader(t *table, conv *sqlrows.Converter) *rowReader {
	r := &rowReader{t: t, vals: make([]any, len(t.Cols)), conv: conv}
	if t.Rowid != "" {
		r.dest = append(r.dest, &r.rowid)
	}
	for i := range r.vals {
		r.dest = append(r.dest, &r.vals[i])
	}
	return r
}

func (r *rowReader) scan(rows *sql.Rows) error { return rows.Scan(r.dest...) }

func (r *rowReader) document(res *connectors.SampleResult) (map[string]any, bool) {
	doc, ok, reason := r.conv.Document(r.vals)
	clear(r.vals)
	if !ok {
		res.Skip(reason)
		return nil, false
	}
	return doc.Fields, true
}

// Sample implements connectors.Connector.
func (c *Connector) Sample(ctx context.Context, ct connectors.Container, opts connectors.SampleOptions,
	emit func(connectors.Document) error) (connectors.SampleResult, error) {
	res := connectors.SampleResult{TotalDocuments: -1}
	t, ok := ct.Handle.(*table)
	if !ok {
		return res, fmt.Errorf("%s: not a container of this connector", ct.Name)
	}
	conv := sqlrows.NewConverter(t.Cols, c.opts.MaxDocumentBytes)
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), nameHash(ct.Name)))
	size := opts.Size
	var err error
	switch {
	case size <= 0 && !opts.Slice.Whole() && c.CanSlice(ct):
		err = c.slice(ctx, t, opts.Slice, &res, conv, emit)
	case size <= 0 && t.Rowid != "":
		res.Method = MethodAll
		err = c.keyset(ctx, t, sqlrows.KeyBounds{}, &res, conv, emit)
	case size <= 0:
		res.Method = MethodAll
		err = c.reservoir(ctx, t, 0, rng, &res, conv, emit)
	case t.Rowid == "" || ct.EstimatedDocuments <= int64(size):
		err = c.reservoir(ctx, t, size, rng, &res, conv, emit)
	default:
		res.Method = MethodRowidRanges
		err = c.rowidRanges(ctx, t, size, ct.EstimatedDocuments, rng, &res, conv, emit)
	}
	res.Notes = append(res.Notes, conv.Notes()...)
	var ee sqlrows.EmitError
	switch {
	case errors.As(err, &ee):
		return res, ee.Err
	case err != nil && ctx.Err() != nil:
		return res, ctx.Err()
	case err != nil:
		return res, fmt.Errorf("%s: %s (%w)", ct.Name, reason(err, c.opts), err)
	}
	return res, nil
}

// keyset reads every row within bounds in rowid order, keysetPageRows
// per statement.
func (c *Connector) keyset(ctx context.Context, t *table, bounds sqlrows.KeyBounds, res *connectors.SampleResult, conv *sqlrows.Converter,
	emit func(connectors.Document) error) error {
	r := newRowReader(t, conv)
	var n int64
	err := piped(conv, res, emit, func(add func(*rowReader) error) error {
		var err error
		n, err = sqlrows.ReadKeyset(keysetPageRows, func(after any, limit int) (int, any, error) {
			var args []any
			stmt := "SELECT " + t.selectList() + " FROM " + quoteIdent(t.Name) +
				bounds.Where(t.Rowid, after, func(v any) string { args = append(args, v); return "?" }) +
				" ORDER BY " + t.Rowid + " LIMIT " + strconv.Itoa(limit)
			page := 0
			err := c.each(ctx, func(rows *sql.Rows) error {
				if err := r.scan(rows); err != nil {
					return err
				}
				page++
				return add(r)
			}, stmt, args...)
			return page, r.rowid, err
		})
		return err
	})
	if err == nil {
		res.TotalDocuments = n
	}
	return err
}

// reservoir reads every row once and keeps a uniform sample of size (all
// of them with size 0).
func (c *Connector) reservoir(ctx context.Context, t *table, size int, rng *rand.Rand, res *connectors.SampleResult,
	conv *sqlrows.Converter, emit func(connectors.Document) error) error {
	r := newRowReader(t, conv)
	stmt := "SELECT " + t.selectList() + " FROM " + quoteIdent(t.Name)
	if size <= 0 {
		var n int64
		err := c.each(ctx, func(rows *sql.Rows) error {
			if err := r.scan(rows); err != nil {
				return err
			}
			n++
			if doc, ok := r.document(res); ok {
				if err := emit(connectors.Document{Fields: doc}); err != nil {
					return sqlrows.EmitError{Err: err}
				}
			}
			return nil
		}, stmt)
		res.TotalDocuments = n
		return err
	}
	rv := sqlrows.NewReservoir[map[string]any](size, rng)
	err := c.each(ctx, func(rows *sql.Rows) error {
		slot, take := rv.Next()
		if !take {
			return nil
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
	}, stmt)
	if err != nil {
		return err
	}
	res.TotalDocuments = rv.Seen() + res.Skipped
	res.Method = MethodAll
	if rv.Seen() > int64(size) {
		res.Method = MethodReservoir
		res.Notes = append(res.Notes, "every row was read and a uniform random sample kept (a table without rowid, or with fewer rowids than it seemed)")
	}
	for _, doc := range rv.Items() {
		if err := emit(connectors.Document{Fields: doc}); err != nil {
			return sqlrows.EmitError{Err: err}
		}
	}
	return nil
}

// rowidBounds reads the smallest and largest rowid of t (NULL when it is
// empty) through the rowid's b-tree: a search for each. SQLite finds one
// min() or max() that way, but computes "SELECT min(rowid), max(rowid)"
// by reading every row.
func (c *Connector) rowidBounds(ctx context.Context, t *table, lo, hi *sql.NullInt64) error {
	from := " FROM " + quoteIdent(t.Name) + ")"
	return c.queryRow(ctx, "SELECT (SELECT min("+t.Rowid+")"+from+", (SELECT max("+t.Rowid+")"+from, nil, lo, hi)
}

// rowidRanges draws the sample as random windows of rowid.
func (c *Connector) rowidRanges(ctx context.Context, t *table, size int, estimate int64, rng *rand.Rand, res *connectors.SampleResult,
	conv *sqlrows.Converter, emit func(connectors.Document) error) error {
	var lo, hi sql.NullInt64
	if err := c.rowidBounds(ctx, t, &lo, &hi); err != nil {
		return err
	}
	if !lo.Valid {
		res.Method = MethodAll
		res.TotalDocuments = 0
		return nil
	}
	space, ok := sqlrows.NewKeySpace(strconv.FormatInt(lo.Int64, 10), strconv.FormatInt(hi.Int64, 10), false)
	if !ok {
		return c.reservoir(ctx, t, size, rng, res, conv, emit)
	}
	r := newRowReader(t, conv)
	var kr sqlrows.KeyRangesResult
	err := piped(conv, res, emit, func(add func(*rowReader) error) error {
		var err error
		kr, err = c.rowidWindows(ctx, t, r, sqlrows.KeyRanges{Size: size, Space: space, Lo: lo.Int64, Rng: rng, Estimate: estimate}, add)
		return err
	})
	if err != nil {
		return err
	}
	res.Notes = append(res.Notes, kr.Note("rowid"))
	if kr.Taken < size {
		res.Notes = append(res.Notes, fmt.Sprintf("only %d distinct rows could be drawn from random rowid windows", kr.Taken))
	}
	return nil
}

// rowidWindows runs kr on t's rowid: the spans in one statement, then
// windows one statement each, each row kept read into r and handed to add.
func (c *Connector) rowidWindows(ctx context.Context, t *table, r *rowReader, kr sqlrows.KeyRanges, add func(*rowReader) error) (sqlrows.KeyRangesResult, error) {
	stmt := "SELECT " + t.selectList() + " FROM " + quoteIdent(t.Name) + " WHERE " + t.Rowid + " >= ? ORDER BY " + t.Rowid + " LIMIT ?"
	var key []byte
	// one SELECT per span, each a search of the rowid, in one statement:
	// SQLite reads the OR of the spans' ranges by scanning the whole table
	// (its planner takes 20 ranges for more than the table), a second for
	// a million rows where the searches take milliseconds. ReadSpans
	// merges the SELECTs' rows in rowid order; ReadSpansAnyOrder, for
	// spans whose every row is kept, takes them as they come.
	spans := func(order string) func(sp []sqlrows.Span, keep func([]byte) bool) error {
		return func(sp []sqlrows.Span, keep func([]byte) bool) error {
			var b strings.Builder
			var args []any
			for i, s := range sp {
				if i > 0 {
					b.WriteString(" UNION ALL ")
				}
				b.WriteString("SELECT " + t.selectList() + " FROM " + quoteIdent(t.Name) + " WHERE " +
					t.Rowid + " BETWEEN " + sqlrows.KeyParam(s.From, &args) + " AND " + sqlrows.KeyParam(s.To, &args))
			}
			b.WriteString(order)
			return c.each(ctx, func(rows *sql.Rows) error {
				if err := r.scan(rows); err != nil {
					return err
				}
				key = strconv.AppendInt(key[:0], r.rowid, 10)
				if !keep(key) {
					return nil
				}
				return add(r)
			}, b.String(), args...)
		}
	}
	kr.ReadSpans, kr.ReadSpansAnyOrder = spans(" ORDER BY 1"), spans("")
	return kr.Run(func(ws []sqlrows.Window, keep func(string) bool) error {
		for _, w := range ws {
			err := c.each(ctx, func(rows *sql.Rows) error {
				if err := r.scan(rows); err != nil {
					return err
				}
				if !keep(strconv.FormatInt(r.rowid, 10)) {
					return nil
				}
				return add(r)
			}, stmt, w.From, w.N)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// piped runs read with a sqlrows.ValuesPipe that converts the rows handed
// to add into documents and emits them on a goroutine of its own, while
// read goes on reading (the values database/sql scans into any stay valid:
// its own copies of bytes, the driver's strings); the rows it skipped are
// counted in res.
func piped(conv *sqlrows.Converter, res *connectors.SampleResult, emit func(connectors.Document) error, read func(add func(*rowReader) error) error) error {
	p := sqlrows.NewValuesPipe(conv, emit)
	err := read(func(r *rowReader) error {
		row := slices.Clone(r.vals)
		clear(r.vals)
		return p.Add(row)
	})
	if perr := p.Close(res); perr != nil {
		return perr // emit failed: that is what stopped the read
	}
	return err
}

var _ connectors.Slicer = (*Connector)(nil)

// CanSlice: tables with a rowid are cut into rowid ranges; WITHOUT ROWID
// tables and views are read whole by one shard.
func (c *Connector) CanSlice(ct connectors.Container) bool {
	t, ok := ct.Handle.(*table)
	return ok && t.Rowid != ""
}

// slice reads slice sl of a table in a sharded full scan: the rows whose
// rowid lies in the slice's range (sqlrows.KeySpace.Bounds), in rowid
// order. When the rowids cannot be cut (a table of one row), slice 0
// reads the whole table and the others nothing.
func (c *Connector) slice(ctx context.Context, t *table, sl connectors.Slice, res *connectors.SampleResult, conv *sqlrows.Converter,
	emit func(connectors.Document) error) error {
	var lo, hi sql.NullInt64
	if err := c.rowidBounds(ctx, t, &lo, &hi); err != nil {
		res.Method = MethodAll
		return err
	}
	var los, his string
	if lo.Valid {
		los, his = strconv.FormatInt(lo.Int64, 10), strconv.FormatInt(hi.Int64, 10)
	}
	keys := sqlrows.SliceKeys{Plural: "rowids", Range: "rowid"}
	return sqlrows.ReadSlice(los, his, false, keys, sl, MethodAll, res, func(b sqlrows.KeyBounds) error {
		return c.keyset(ctx, t, b, res, conv, emit)
	})
}
