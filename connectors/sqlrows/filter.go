package sqlrows

import (
	"strings"

	"github.com/piisniff/piisniff/connectors"
)

// Filters select what a SQL connector lists: databases (--databases),
// schemas (--schemas, PostgreSQL) and containers (--containers, matched
// against the full container name, "db.schema.table").
type Filters struct {
	Databases  connectors.Filter
	Schemas    connectors.Filter
	Containers connectors.Filter
}

// Validate reports the first malformed glob.
func (f Filters) Validate() error {
	for _, x := range []connectors.Filter{f.Databases, f.Schemas, f.Containers} {
		if err := x.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Database reports whether database name is selected.
func (f Filters) Database(name string) bool { return f.Databases.Match(name) }

// Schema reports whether schema name is selected.
func (f Filters) Schema(name string) bool { return f.Schemas.Match(name) }

// Container reports whether the container named name is selected.
func (f Filters) Container(name string) bool { return f.Containers.Match(name) }

// ContainerName joins the parts of a table's name with "."
// ("shop", "public", "users" -> "shop.public.users").
func ContainerName(parts ...string) string { return strings.Join(parts, ".") }

// QuoteIdent quotes an identifier with q ('"' for PostgreSQL and SQLite,
// '`' for MySQL), doubling q inside it.
func QuoteIdent(name string, q byte) string {
	qs := string(q)
	return qs + strings.ReplaceAll(name, qs, qs+qs) + qs
}
