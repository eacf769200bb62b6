package postgres

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/sqlrows"
)

// handle is the connector-private state of a container.
type handle struct {
	db, schema, table string
	kind              byte // pg_class.relkind: r, p, m, v
	cols              []sqlrows.Column
	bytes             int64 // on-disk size of the relation (all partitions)
	geo               []int // indexes of the PostGIS (geometry, geography) columns
}

// qualified is the table's name quoted for SQL.
func (h *handle) qualified() string {
	return pgx.Identifier{h.schema, h.table}.Sanitize()
}

// listDatabasesSQL lists the databases the user may connect to.
const listDatabasesSQL = `SELECT datname FROM pg_catalog.pg_database
WHERE datallowconn AND NOT datistemplate AND has_database_privilege(datname, 'CONNECT')
ORDER BY datname`

// listRelationsSQL lists the relations of one database outside the system
// schemas; partitions are left out (their parent is scanned).
const listRelationsSQL = `SELECT c.oid::int8, n.nspname::text, c.relname::text, c.relkind::text,
  CASE WHEN c.relkind = 'p' THEN (
    SELECT CASE WHEN bool_and(p.reltuples < 0) THEN -1 ELSE coalesce(sum(greatest(p.reltuples, 0)), 0) END
    FROM pg_catalog.pg_partition_tree(c.oid) t JOIN pg_catalog.pg_class p ON p.oid = t.relid WHERE t.isleaf)
  ELSE c.reltuples END::float8,
  CASE WHEN c.relkind = 'p' THEN (
    SELECT coalesce(sum(pg_catalog.pg_relation_size(t.relid)), 0) FROM pg_catalog.pg_partition_tree(c.oid) t WHERE t.isleaf)
  WHEN c.relkind IN ('r', 'm') THEN pg_catalog.pg_relation_size(c.oid)
  ELSE 0 END::int8,
  coalesce((SELECT s.srvname::text FROM pg_catalog.pg_foreign_table ft
    JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver WHERE ft.ftrelid = c.oid), '')
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm', 'v', 'f') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
ORDER BY n.nspname, c.relname`

// listColumnsSQL lists the columns of relations, with their declared type
// and, for domains, the base type.
const listColumnsSQL = `SELECT a.attrelid::int8, a.attname::text,
  pg_catalog.format_type(a.atttypid, a.atttypmod),
  pg_catalog.format_type(CASE WHEN t.typbasetype <> 0 THEN t.typbasetype ELSE a.atttypid END,
    CASE WHEN t.typbasetype <> 0 THEN t.typtypmod ELSE a.atttypmod END)
FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`

// listPrimaryKeysSQL lists the primary key columns of relations, in key
// order.
const listPrimaryKeysSQL = `SELECT i.indrelid::int8, array_agg(a.attname::text ORDER BY k.ord)
FROM pg_catalog.pg_index i
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indisprimary AND i.indrelid = ANY($1)
GROUP BY i.indrelid`

// Containers implements connectors.Connector: one container per table,
// partitioned table (through its parent), materialized view and, with
// --include-views, view, named database.schema.table.
func (c *Connector) Containers(ctx context.Context) ([]connectors.Container, error) {
	dbs, err := c.databases(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.skipped = nil
	c.mu.Unlock()
	var out []connectors.Container
	var failed []string
	for _, db := range dbs {
		cs, err := c.relations(ctx, db)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			msg := c.connectError(err).Error()
			c.opts.Logf("postgres: listing %s: %s", db, msg)
			failed = append(failed, db)
			c.skip(db+".*", "could not list the tables of this database: "+msg)
			continue
		}
		out = append(out, cs...)
	}
	if len(failed) > 0 && len(out) == 0 && len(failed) == len(dbs) {
		return nil, fmt.Errorf("%s: could not list the tables of any database: %s", c.uri, strings.Join(failed, ", "))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (c *Connector) skip(name, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.skipped = append(c.skipped, connectors.SkippedContainer{Name: name, Reason: reason})
}

// databases lists the databases to scan: the target's, or every one the
// user may connect to.
func (c *Connector) databases(ctx context.Context) ([]string, error) {
	if c.uriDB != "" {
		return []string{c.uriDB}, nil
	}
	p, err := c.pool(ctx, c.base.Database)
	if err != nil {
		return nil, c.connectError(err)
	}
	lctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	rows, err := p.Query(lctx, listDatabasesSQL)
	if err != nil {
		return nil, c.containerError(c.uri+": listing databases", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, c.containerError(c.uri+": listing databases", err)
	}
	var out []string
	for _, n := range names {
		if c.filters.Database(n) {
			out = append(out, n)
		}
	}
	return out, nil
}

type relation struct {
	oid                int64
	schema, name, kind string
	estimate           float64
	bytes              int64
	foreignServer      string
	cols               []sqlrows.Column
	primaryKey         []string
}

// relations lists the containers of one database.
func (c *Connector) relations(ctx context.Context, db string) ([]connectors.Container, error) {
	p, err := c.pool(ctx, db)
	if err != nil {
		return nil, err
	}
	lctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	rels, err := queryRelations(lctx, p)
	if err != nil {
		return nil, err
	}
	var keep []*relation
	byOID := map[int64]*relation{}
	for _, r := range rels {
		name := sqlrows.ContainerName(db, r.schema, r.name)
		if !c.filters.Schema(r.schema) || !c.filters.Container(name) {
			continue
		}
		switch r.kind {
		case "f":
			reason := "foreign table: reading it would query another server"
			if r.foreignServer != "" {
				reason += fmt.Sprintf(" (%s)", r.foreignServer)
			}
			c.skip(name, reason+"; scan that server directly")
			continue
		case "v":
			if !c.own.IncludeViews {
				c.skip(name, "view: its rows come from other tables; scan it with --include-views")
				continue
			}
		}
		keep = append(keep, r)
		byOID[r.oid] = r
	}
	if len(keep) == 0 {
		return nil, nil
	}
	oids := make([]int64, 0, len(keep))
	for _, r := range keep {
		oids = append(oids, r.oid)
	}
	if err := queryColumns(lctx, p, oids, byOID); err != nil {
		return nil, err
	}
	if err := queryPrimaryKeys(lctx, p, oids, byOID); err != nil {
		return nil, err
	}
	out := make([]connectors.Container, 0, len(keep))
	for _, r := range keep {
		est := int64(-1)
		if r.estimate >= 0 && r.kind != "v" {
			est = int64(r.estimate + 0.5)
		}
		ct := connectors.Container{
			Name:               sqlrows.ContainerName(db, r.schema, r.name),
			EstimatedDocuments: est,
			FieldTypes:         sqlrows.FieldTypes(r.cols),
			PrimaryKey:         r.primaryKey,
			Handle: &handle{db: db, schema: r.schema, table: r.name, kind: r.kind[0],
				cols: r.cols, bytes: r.bytes, geo: postGISColumns(r.cols)},
		}
		switch r.kind {
		case "p":
			ct.Notes = append(ct.Notes, "partitioned table: sampled through its parent, over every partition")
		case "m":
			ct.Notes = append(ct.Notes, "materialized view")
		case "v":
			ct.Notes = append(ct.Notes, "view: rows read in the view's order (a view cannot be sampled spread over its rows)")
		}
		out = append(out, ct)
	}
	return out, nil
}

func queryRelations(ctx context.Context, p *pgxpool.Pool) ([]*relation, error) {
	rows, err := p.Query(ctx, listRelationsSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*relation
	for rows.Next() {
		r := &relation{}
		if err := rows.Scan(&r.oid, &r.schema, &r.name, &r.kind, &r.estimate, &r.bytes, &r.foreignServer); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func queryColumns(ctx context.Context, p *pgxpool.Pool, oids []int64, byOID map[int64]*relation) error {
	rows, err := p.Query(ctx, listColumnsSQL, oids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var oid int64
		var name, declared, base string
		if err := rows.Scan(&oid, &name, &declared, &base); err != nil {
			return err
		}
		r := byOID[oid]
		if r == nil {
			continue
		}
		col := sqlrows.NewColumn(name, base)
		col.DBType = base
		r.cols = append(r.cols, col)
	}
	return rows.Err()
}

func queryPrimaryKeys(ctx context.Context, p *pgxpool.Pool, oids []int64, byOID map[int64]*relation) error {
	rows, err := p.Query(ctx, listPrimaryKeysSQL, oids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var oid int64
		var cols []string
		if err := rows.Scan(&oid, &cols); err != nil {
			return err
		}
		if r := byOID[oid]; r != nil {
			r.primaryKey = cols
		}
	}
	return rows.Err()
}

// postGISColumns returns the indexes of the PostGIS columns (not arrays).
func postGISColumns(cols []sqlrows.Column) []int {
	var out []int
	for i, c := range cols {
		if !c.Array && isPostGIS(c.DBType) {
			out = append(out, i)
		}
	}
	return out
}
