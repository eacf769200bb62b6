package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/sqlrows"
)

// Sampling methods, as the report's sampling_method.
const (
	MethodAll       = "all"                          // every row (small table, or --sample-size 0)
	MethodSystem    = "tablesample-system"           // TABLESAMPLE SYSTEM: random pages
	MethodSystemTop = "tablesample-system+bernoulli" // topped up with TABLESAMPLE BERNOULLI
	MethodBernoulli = "tablesample-bernoulli"        // TABLESAMPLE BERNOULLI: random rows (small tables)
	// A sample still short after the top-up (statistics far off) is
	// completed from a full scan: the method then ends in "+full-scan".
	MethodView = "view-first-rows" // a view: the first rows it gives
)

// minPages is the fewest pages a SYSTEM sample may draw: below, the rows
// would come from a handful of places in the table, and BERNOULLI (row by
// row, over a table that small) is used instead.
const minPages = 64

// oversample is how many more rows than wanted the page sample aims at,
// so that it seldom falls short and needs the (full scan) top-up; the
// rows beyond the sample size are dropped at random (selection), not from
// the end.
const oversample = 1.25

// Sample implements connectors.Connector. The rows are read in one
// read-only transaction and streamed: memory holds one row at a time
// (and, while topping a sample up, the row identifiers already drawn).
func (c *Connector) Sample(ctx context.Context, ct connectors.Container, so connectors.SampleOptions, emit func(connectors.Document) error) (res connectors.SampleResult, err error) {
	res.TotalDocuments = -1
	h, ok := ct.Handle.(*handle)
	if !ok {
		return res, fmt.Errorf("%s: not a container of this PostgreSQL connector", ct.Name)
	}
	select {
	case c.sem <- struct{}{}:
		defer func() { <-c.sem }()
	case <-ctx.Done():
		return res, ctx.Err()
	}
	p, err := c.pool(ctx, h.db)
	if err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		return res, c.containerError(ct.Name, err)
	}
	conn, err := p.Acquire(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		return res, c.containerError(ct.Name, err)
	}
	defer conn.Release()
	// the rows are converted and emitted on a goroutine of their own
	// while the next ones are read; the pipe is closed after the
	// transaction ends, so that the COMMIT's round trip overlaps the
	// conversion of the last rows
	conv := sqlrows.NewConverter(h.cols, c.opts.MaxDocumentBytes)
	pipe := sqlrows.NewValuesPipe(conv, emit)
	defer func() {
		perr := pipe.Close(&res)
		res.Notes = append(res.Notes, conv.Notes()...)
		var ee sqlrows.EmitError
		if errors.As(perr, &ee) {
			err = ee.Err // emit failed: that is what stopped the read, returned as it is
		}
	}()
	// one snapshot: the rows counted are the rows then read
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		return res, c.containerError(ct.Name, err)
	}
	defer func() {
		if err != nil {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.ConnectTimeout)
			_ = tx.Rollback(rctx)
			cancel()
			return
		}
		if cerr := tx.Commit(ctx); cerr != nil && ctx.Err() == nil {
			err = c.containerError(ct.Name, cerr)
		}
	}()

	s := &sampler{c: c, tx: tx, h: h, pipe: pipe, res: &res, size: so.Size,
		serverMajor: serverMajor(conn.Conn().PgConn().ParameterStatus("server_version"))}
	if so.Size <= 0 && !so.Slice.Whole() && c.CanSlice(ct) {
		err = s.readSlice(ctx, ct, so.Slice)
	} else {
		err = s.run(ctx, ct, so.Seed)
	}
	if err != nil {
		var ee sqlrows.EmitError
		if errors.As(err, &ee) {
			return res, err // the pipe's Close returns emit's error
		}
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		return res, c.containerError(ct.Name, err)
	}
	return res, nil
}

type sampler struct {
	c      *Connector
	tx     pgx.Tx
	h      *handle
	res    *connectors.SampleResult
	size   int
	pipe   *sqlrows.ValuesPipe
	handed int             // rows given to the pipe: each is emitted or skipped
	seen   map[string]bool // row ids drawn, when a top-up follows
	drawn  []pgtype.TID    // row ids drawn by the first statement, when not yet in seen
	pick   *selection      // keeps size of the rows streamed, when set
	// serverMajor is the server's major version (15 for 15.4), 0 when
	// unknown
	serverMajor int
}

// selection keeps need of the left rows still to come, each row with
// probability need/left (Knuth's selection sampling, algorithm S): exactly
// need rows when left is the number of rows streamed, uniformly.
type selection struct {
	need, left int64
	rng        *rand.Rand
}

func (p *selection) take() bool {
	if p.need <= 0 {
		return false
	}
	if p.left <= p.need {
		p.left--
		p.need--
		return true
	}
	ok := p.rng.Int64N(p.left) < p.need
	p.left--
	if ok {
		p.need--
	}
	return ok
}

func (s *sampler) run(ctx context.Context, ct connectors.Container, seed int64) error {
	from := s.h.qualified()
	sel := selectList(s.h.cols)
	switch {
	case s.size <= 0:
		s.res.Method = MethodAll
		if err := s.read(ctx, "SELECT "+sel+" FROM "+from, false); err != nil {
			return err
		}
		s.res.TotalDocuments = int64(s.handed)
		return nil
	case s.h.kind == 'v':
		s.res.Method = MethodView
		return s.read(ctx, "SELECT "+sel+" FROM "+from+" LIMIT "+strconv.Itoa(s.size), false)
	}
	est := float64(ct.EstimatedDocuments)
	if est < 0 || est <= 2*float64(s.size) {
		// catalogue estimate unknown or close to the sample: count, at
		// most size+1 rows (a bounded read, never a full count)
		n, pages, err := s.boundedCount(ctx, from)
		if err != nil {
			return err
		}
		if n <= int64(s.size) {
			s.res.Method = MethodAll
			if err := s.read(ctx, "SELECT "+sel+" FROM "+from, false); err != nil {
				return err
			}
			s.res.TotalDocuments = int64(s.handed)
			return nil
		}
		if est < 0 {
			// rows per page of the first size+1 rows, times the pages
			est = float64(n)
			if pages > 0 && s.h.bytes > 0 {
				est = math.Max(est, float64(n)/float64(pages)*float64(s.h.bytes)/8192)
			}
			s.res.Notes = append(s.res.Notes, fmt.Sprintf("table never analyzed: about %d rows estimated from its size", int64(est)))
		}
	}
	// random pages (rows, for a small table): p percent of them, aiming
	// at oversample × size rows, of which exactly size are kept, each
	// with the same chance (seeded), wherever it lies in the table
	pct := math.Min(100, 100*oversample*float64(s.size)/est)
	seedF := float64(seed % (1 << 31))
	s.res.Method = MethodSystem
	sampling := "SYSTEM"
	if pages := float64(s.h.bytes) / 8192; pct/100*pages < minPages {
		s.res.Method, sampling = MethodBernoulli, "BERNOULLI"
	}
	topUp := pct < 100
	// percentage and seed as parameters: one prepared statement per table
	tablesample := " TABLESAMPLE " + sampling + " ($1::float4) REPEATABLE ($2::float8)"
	args := []any{float32(math.Max(pct, 0.0001)), seedF}
	var q string
	if s.h.kind == 'p' {
		// a partitioned table: a row id (ctid) is unique within one
		// partition only; the rows drawn are counted first, then
		// streamed, and exactly size of them kept (selection sampling)
		var drawn int64
		if err := s.tx.QueryRow(ctx, "SELECT count(*) FROM "+from+tablesample, args...).Scan(&drawn); err != nil {
			return err
		}
		s.pick = &selection{need: int64(s.size), left: drawn, rng: rand.New(rand.NewPCG(uint64(seed), 0x5eed))}
		q = "SELECT " + s.withRowID(sel, topUp) + " FROM " + from + tablesample
	} else {
		// one statement: of the rows on the pages drawn, the size whose
		// seeded hash of the row id is smallest; the hash bound is found
		// first from the row ids alone (cheap: no value is read), then the
		// same pages are read once more (now in shared buffers) and only
		// the rows within the bound are printed and sent, in page order
		order := "hashtidextended(ctid, $3::int8)" // PostgreSQL 14 and later: no text
		if s.serverMajor < 14 {
			order = "hashtext(ctid::text || $3::text)"
		}
		q = "SELECT " + sel + ", ctid FROM " + from + tablesample + " WHERE " + order + " <= (SELECT max(h) FROM (SELECT " +
			order + " AS h FROM " + from + tablesample + " ORDER BY 1 LIMIT " + strconv.Itoa(s.size) + ") AS drawn)"
		if s.serverMajor < 14 {
			args = append(args, strconv.FormatInt(seed, 10))
		} else {
			args = append(args, seed)
		}
	}
	if topUp {
		s.seen = make(map[string]bool, s.size)
	}
	err := s.read(ctx, q, topUp, args...)
	s.pick = nil
	if err != nil {
		return err
	}
	if !topUp || s.handed >= s.size {
		return nil
	}
	// too few rows on the pages drawn: rows drawn one by one over the
	// whole table make up the rest (rows already drawn passed over)
	for _, t := range s.drawn { // as ctid::text prints it
		s.seen["("+strconv.FormatUint(uint64(t.BlockNumber), 10)+","+strconv.FormatUint(uint64(t.OffsetNumber), 10)+")"] = true
	}
	s.drawn = nil
	missing := s.size - s.handed
	bpct := math.Min(100, 100*1.5*float64(missing)/est)
	s.res.Method += "+bernoulli"
	q = "SELECT " + s.withRowID(sel, true) + " FROM " + from +
		" TABLESAMPLE BERNOULLI (" + fmtPct(bpct) + ") REPEATABLE (" + strconv.FormatFloat(seedF+1, 'f', -1, 64) + ")" +
		" ORDER BY hashtext(tableoid::text || ctid::text || '" + strconv.FormatInt(seed, 10) + "')" +
		" LIMIT " + strconv.Itoa(missing+len(s.seen))
	if err := s.read(ctx, q, true); err != nil {
		return err
	}
	if s.handed >= s.size || bpct >= 100 {
		return nil
	}
	// the estimate was far off (stale statistics): the rest at random
	// from one pass over the table (a top-N sort on a hash, bounded)
	missing = s.size - s.handed
	s.res.Method += "+full-scan"
	s.res.Notes = append(s.res.Notes, "the table holds far fewer rows than its statistics say (run ANALYZE): the sample was completed from a full scan")
	q = "SELECT " + s.withRowID(sel, true) + " FROM " + from +
		" ORDER BY hashtext(tableoid::text || ctid::text || '" + strconv.FormatInt(seed, 10) + "')" +
		" LIMIT " + strconv.Itoa(missing+len(s.seen))
	return s.read(ctx, q, true)
}

func fmtPct(p float64) string {
	if p <= 0 {
		p = 0.0001
	}
	return strconv.FormatFloat(p, 'f', 6, 64)
}

// withRowID adds to a SELECT list the column that identifies a row (for
// the top-up): ctid, within the table's partition for a partitioned one.
func (s *sampler) withRowID(sel string, on bool) string {
	if !on {
		return sel
	}
	if s.h.kind == 'p' {
		return sel + ", tableoid::text || ':' || ctid::text"
	}
	return sel + ", ctid::text"
}

// boundedCount counts at most size+1 rows and the pages they lie on.
func (s *sampler) boundedCount(ctx context.Context, from string) (n, pages int64, err error) {
	q := "SELECT count(*), count(DISTINCT (ctid::text::point)[0]) FROM (SELECT ctid FROM " + from +
		" LIMIT " + strconv.Itoa(s.size+1) + ") s"
	err = s.tx.QueryRow(ctx, q).Scan(&n, &pages)
	return n, pages, err
}

// read streams the rows of q to the sample's pipe, which converts and
// emits them on a goroutine of its own; with ids, the last column is the
// row's id and rows already drawn are passed over.
func (s *sampler) read(ctx context.Context, q string, ids bool, args ...any) error {
	rows, err := s.tx.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	ncols := len(s.h.cols)
	for rows.Next() {
		if s.size > 0 && s.handed >= s.size {
			break
		}
		if s.pick != nil && !s.pick.take() {
			continue
		}
		vals, err := rows.Values()
		if err != nil {
			return err
		}
		if ids {
			switch v := vals[ncols+1].(type) {
			case pgtype.TID:
				// the first statement draws a row once: its id is kept
				// as it is, and only turned into text for a top-up
				s.drawn = append(s.drawn, v)
			case string:
				if s.seen[v] {
					continue
				}
				s.seen[v] = true
			}
		}
		markTooLarge(vals[:ncols], vals[ncols])
		vals = vals[:ncols]
		for _, i := range s.h.geo {
			if hexText, ok := vals[i].(string); ok {
				if wkt, err := ewkbToWKT(hexText); err == nil {
					vals[i] = wkt
				}
			}
		}
		if err := s.pipe.Add(vals); err != nil {
			return err // emit failed
		}
		s.handed++
	}
	rows.Close()
	return rows.Err()
}

// inlineJSON is the stored size under which a JSON value is printed
// without first checking its printed size (a value stored in fewer bytes
// is, but for extreme compression, small; one that is not is still cut by
// the converter).
const inlineJSON = 64 << 10

// selectList is the SELECT list for the columns: every value as text
// (numbers, times, network addresses; PostGIS geometries print as hex
// EWKB, decoded into WKT by the sampler), arrays as text arrays, bytea as bytes; then one more column, the
// indexes of the values left out for being larger than the converter's
// bound (octet_length is read from the value's header, so a 50 MB value
// never crosses the network).
func selectList(cols []sqlrows.Column) string {
	limit := strconv.Itoa(sqlrows.DefaultMaxValueBytes)
	var b strings.Builder
	var flags []string
	for i, col := range cols {
		q := pgx.Identifier{col.Name}.Sanitize()
		idx := "'" + strconv.Itoa(i) + "'"
		ip := sqlrows.StoreType(col.DBType) == "ip" // inet::text adds "/32": print as the server does
		switch {
		case col.Array && ip:
			b.WriteString("ARRAY(SELECT format('%s', e) FROM unnest(" + q + ") e)")
		case col.Array:
			b.WriteString(q + "::text[]")
		case isPostGIS(col.DBType):
			// hex EWKB, twice the stored size: decoded into WKT here
			big := "pg_column_size(" + q + ") > " + strconv.Itoa(sqlrows.DefaultMaxValueBytes/2)
			b.WriteString("CASE WHEN " + big + " THEN NULL ELSE " + q + "::text END")
			flags = append(flags, "CASE WHEN "+big+" THEN "+idx+" END")
		case ip:
			b.WriteString("format('%s', " + q + ")")
		case col.Class == sqlrows.JSON:
			big := "pg_column_size(" + q + ") > " + strconv.Itoa(inlineJSON) + " AND octet_length(" + q + "::text) > " + limit
			b.WriteString("CASE WHEN " + big + " THEN NULL ELSE " + q + "::text END")
			flags = append(flags, "CASE WHEN "+big+" THEN "+idx+" END")
		case col.Class == sqlrows.Binary:
			b.WriteString("CASE WHEN octet_length(" + q + ") > " + limit + " THEN NULL ELSE " + q + " END")
			flags = append(flags, "CASE WHEN octet_length("+q+") > "+limit+" THEN "+idx+" END")
		case col.Class == sqlrows.Text:
			b.WriteString("CASE WHEN octet_length(" + q + "::text) > " + limit + " THEN NULL ELSE " + q + "::text END")
			flags = append(flags, "CASE WHEN octet_length("+q+"::text) > "+limit+" THEN "+idx+" END")
		case nativeType(col):
			b.WriteString(q) // decoded by the driver from binary: no printing, no parsing
		default:
			b.WriteString(q + "::text")
		}
		b.WriteString(", ")
	}
	if len(flags) == 0 {
		b.WriteString("''")
	} else {
		b.WriteString("concat_ws(',', " + strings.Join(flags, ", ") + ")")
	}
	return b.String()
}

// nativeType reports whether the driver decodes the column's values into
// document values itself (integers, floats, booleans, dates and
// timestamps; an infinite date comes as its name).
func nativeType(col sqlrows.Column) bool {
	if col.Array {
		return false
	}
	t := col.DBType
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = t[:i] + t[strings.IndexByte(t, ')')+1:]
	}
	switch t {
	case "smallint", "integer", "bigint", "real", "double precision", "boolean", "date",
		"timestamp without time zone", "timestamp with time zone":
		return true
	}
	return false
}

// markTooLarge replaces the values the flag column names by
// sqlrows.TooLarge.
func markTooLarge(vals []any, flag any) {
	f, _ := flag.(string)
	for f != "" {
		var one string
		one, f, _ = strings.Cut(f, ",")
		if i, err := strconv.Atoi(one); err == nil && i >= 0 && i < len(vals) {
			vals[i] = sqlrows.TooLarge
		}
	}
}

// serverMajor is the major version of a server_version ("15.4 (Debian
// 15.4-1)" -> 15, "9.6.24" -> 9), 0 when it does not parse.
func serverMajor(v string) int {
	n := 0
	for _, r := range v {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}
