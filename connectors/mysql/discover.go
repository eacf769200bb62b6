package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/sqlrows"
)

var sqlDriverErrBadConn = driver.ErrBadConn

// systemDatabases are never scanned.
var systemDatabases = []string{"mysql", "information_schema", "performance_schema", "sys"}

// column is one column of a table, from information_schema.COLUMNS.
type column struct {
	Name     string
	DataType string // DATA_TYPE, lower case: int, varchar, json, point, ...
	Unsigned bool
	JSON     bool // a JSON column (MySQL) or a LONGTEXT with a JSON_VALID check (MariaDB)
}

// table is the Handle of a container.
type table struct {
	DB, Name string
	Cols     []column
	// PK lists the primary key columns, in order.
	PK []string
	// Key is the column random ranges are drawn on: a single-column
	// primary key or unique NOT NULL index of an integer type; "" when
	// the table has none.
	Key         string
	KeyUnsigned bool
}

func (t *table) name() string { return t.DB + "." + t.Name }

// quoteIdent quotes a MySQL identifier.
func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func (t *table) from() string { return quoteIdent(t.DB) + "." + quoteIdent(t.Name) }

// selectList is the column list of the table's reads.
func (t *table) selectList() string { return t.selectListOf("") }

// selectListOf is selectList with the columns qualified by alias (none
// when it is empty).
func (t *table) selectListOf(alias string) string {
	parts := make([]string, len(t.Cols))
	for i, col := range t.Cols {
		parts[i] = quoteIdent(col.Name)
		if alias != "" {
			parts[i] = alias + "." + parts[i]
		}
		if isGeometry(col.DataType) {
			// WKT, as SQL databases export geometries: POINT(lon lat)
			parts[i] = "ST_AsText(" + parts[i] + ") AS " + quoteIdent(col.Name)
		}
	}
	return strings.Join(parts, ", ")
}

var integerTypes = map[string]bool{"tinyint": true, "smallint": true, "mediumint": true, "int": true, "integer": true, "bigint": true}

// jsonCheckRE finds the column of a MariaDB JSON_VALID check constraint.
var jsonCheckRE = regexp.MustCompile("(?i)json_valid\\(\\s*`((?:[^`]|``)+)`\\s*\\)")

// Containers implements connectors.Connector.
func (c *Connector) Containers(ctx context.Context) ([]connectors.Container, error) {
	var out []connectors.Container
	err := c.withSession(ctx, func(s *session) error {
		var err error
		out, err = c.discover(ctx, s)
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, c.redactErr(fmt.Errorf("%s: listing tables: %w", c.uri, err))
	}
	return out, nil
}

func (c *Connector) discover(ctx context.Context, s *session) ([]connectors.Container, error) {
	where := "TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')"
	var args []any
	if c.t.Database != "" {
		where = "TABLE_SCHEMA = ?"
		args = []any{c.t.Database}
	}
	type entry struct {
		t    *table
		kind string
		rows sql.NullInt64
	}
	var entries []*entry
	byName := map[string]*entry{}
	err := s.each(ctx, func(r *sql.Rows) error {
		var e entry
		e.t = &table{}
		if err := r.Scan(&e.t.DB, &e.t.Name, &e.kind, &e.rows); err != nil {
			return err
		}
		entries = append(entries, &e)
		byName[e.t.name()] = &e
		return nil
	}, "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, TABLE_ROWS FROM information_schema.TABLES WHERE "+where+
		" ORDER BY TABLE_SCHEMA, TABLE_NAME", args...)
	if err != nil {
		return nil, err
	}
	// Filter before reading columns, so that the filters also bound the
	// catalogue reads.
	var keep []*entry
	for _, e := range entries {
		name := e.t.name()
		switch {
		case !c.opts.Databases.Match(e.t.DB) || !c.opts.Containers.Match(name):
			continue
		case e.kind == "VIEW" && !c.opts.IncludeViews:
			c.skip(name, "a view (scanned with --include-views)")
			continue
		case e.kind == "SEQUENCE":
			continue
		}
		keep = append(keep, e)
	}
	if len(keep) == 0 {
		return nil, nil
	}
	err = s.each(ctx, func(r *sql.Rows) error {
		var db, tb, name, dt, ct string
		if err := r.Scan(&db, &tb, &name, &dt, &ct); err != nil {
			return err
		}
		e, ok := byName[db+"."+tb]
		if !ok {
			return nil
		}
		dt = strings.ToLower(dt)
		e.t.Cols = append(e.t.Cols, column{Name: name, DataType: dt, Unsigned: strings.Contains(strings.ToLower(ct), "unsigned"), JSON: dt == "json"})
		return nil
	}, "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE FROM information_schema.COLUMNS WHERE "+where+
		" ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION", args...)
	if err != nil {
		return nil, err
	}
	// Unique indexes: the primary key and the candidates for key ranges.
	type index struct {
		cols     []string
		nullable bool
	}
	indexes := map[string]map[string]*index{} // table -> index name -> index
	err = s.each(ctx, func(r *sql.Rows) error {
		var db, tb, idx, col, nullable string
		if err := r.Scan(&db, &tb, &idx, &col, &nullable); err != nil {
			return err
		}
		key := db + "." + tb
		if indexes[key] == nil {
			indexes[key] = map[string]*index{}
		}
		ix := indexes[key][idx]
		if ix == nil {
			ix = &index{}
			indexes[key][idx] = ix
		}
		ix.cols = append(ix.cols, col)
		ix.nullable = ix.nullable || nullable == "YES"
		return nil
	}, "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, COLUMN_NAME, NULLABLE FROM information_schema.STATISTICS WHERE "+where+
		" AND NON_UNIQUE = 0 ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX", args...)
	if err != nil {
		return nil, err
	}
	if c.mariadb {
		// MariaDB's JSON is LONGTEXT with a JSON_VALID check.
		err = s.each(ctx, func(r *sql.Rows) error {
			var db, tb, clause string
			if err := r.Scan(&db, &tb, &clause); err != nil {
				return err
			}
			e, ok := byName[db+"."+tb]
			if !ok {
				return nil
			}
			for _, m := range jsonCheckRE.FindAllStringSubmatch(clause, -1) {
				name := strings.ReplaceAll(m[1], "``", "`")
				for i := range e.t.Cols {
					if e.t.Cols[i].Name == name {
						e.t.Cols[i].JSON = true
					}
				}
			}
			return nil
		}, "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE "+
			strings.ReplaceAll(where, "TABLE_SCHEMA", "CONSTRAINT_SCHEMA"), args...)
		if err != nil {
			c.opts.Logf("mysql: check constraints not read: %v", c.redactErr(err))
		}
	}
	out := make([]connectors.Container, 0, len(keep))
	for _, e := range keep {
		t := e.t
		ix := indexes[t.name()]
		if p := ix["PRIMARY"]; p != nil {
			t.PK = p.cols
		}
		t.Key, t.KeyUnsigned = rangeKey(t, func(yield func(cols []string, nullable bool) bool) {
			names := make([]string, 0, len(ix))
			for n := range ix {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				if !yield(ix[n].cols, ix[n].nullable) {
					return
				}
			}
		})
		ct := connectors.Container{Name: t.name(), EstimatedDocuments: -1, Handle: t}
		if e.rows.Valid && e.kind != "VIEW" {
			ct.EstimatedDocuments = e.rows.Int64
		}
		ct.FieldTypes = sqlrows.FieldTypes(columns(t))
		ct.PrimaryKey = t.PK
		if len(t.PK) == 0 {
			ct.Notes = append(ct.Notes, "no primary key")
		}
		if e.kind == "VIEW" {
			ct.Notes = append(ct.Notes, "a view")
		}
		out = append(out, ct)
	}
	return out, nil
}

// rangeKey picks the column for key ranges: the primary key when it is one
// integer column, else the first unique NOT NULL index on one integer column.
func rangeKey(t *table, all func(func([]string, bool) bool)) (string, bool) {
	colOf := func(name string) (column, bool) {
		for _, c := range t.Cols {
			if c.Name == name {
				return c, true
			}
		}
		return column{}, false
	}
	var key string
	var unsigned bool
	try := func(cols []string, nullable bool) bool {
		if len(cols) != 1 || nullable {
			return true
		}
		col, ok := colOf(cols[0])
		if !ok || !integerTypes[col.DataType] {
			return true
		}
		key, unsigned = col.Name, col.Unsigned
		return false
	}
	if len(t.PK) > 0 && !try(t.PK, false) {
		return key, unsigned
	}
	all(try)
	return key, unsigned
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

// each runs a query and calls fn for every row.
func (s *session) each(ctx context.Context, fn func(*sql.Rows) error, stmt string, args ...any) error {
	rows, cancel, err := s.query(ctx, stmt, args...)
	if err != nil {
		return err
	}
	defer cancel()
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		if n&255 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		// database/sql ends the rows of a cancelled query early: never
		// take that for the end of the table.
		return err
	}
	return rows.Err()
}
