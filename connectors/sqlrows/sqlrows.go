// Package sqlrows is what the SQL connectors (PostgreSQL, MySQL/MariaDB,
// SQLite) share, without importing any driver: turning a row into a
// connectors.Document, the store types that are evidence for the
// classifiers, the allow-list of read-only statements their tests prove
// the scan with, and the database/schema/table filters.
//
// A row becomes a document with one field per column. JSON columns, and
// text columns whose value is a JSON object or array, are parsed (bounded
// in size and depth) into nested maps and slices under the column's name,
// so that the pipeline reports key "street" of column "address" as
// "address.street" and array items as "column[]", exactly as for document
// stores. Binary values (bytea, BLOB) are kept only when they are valid
// UTF-8 text. A value that cannot be kept is left out of its document and
// counted per column and reason (Converter.Notes).
package sqlrows

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/piisniff/piisniff/connectors"
)

// Defaults of a Converter's bounds.
const (
	// DefaultMaxValueBytes bounds one value (a JSON document in a column,
	// a text or binary value): larger values are skipped and counted.
	DefaultMaxValueBytes = 1 << 20
	// DefaultMaxJSONDepth bounds the nesting of a JSON value in a column.
	DefaultMaxJSONDepth = 64
)

// Reasons a value or a row is skipped.
const (
	ReasonBinary    = "binary value (not UTF-8 text)"
	ReasonTooLarge  = "value too large"
	ReasonTooDeep   = "JSON nested too deeply"
	ReasonBadJSON   = "invalid JSON in a JSON column"
	ReasonRowTooBig = "row larger than the document size limit"
)

// Class says how the values of a column become document values.
type Class int

const (
	// Text values are kept as strings; a value that is a JSON object or
	// array is parsed.
	Text Class = iota
	// JSON values (json, jsonb, MySQL JSON) are parsed; invalid JSON is
	// skipped and counted.
	JSON
	// Number values become json.Number (or stay what the driver gave).
	Number
	// Bool values become bool ("t", "true", "1", "y", "yes", "on" are true).
	Bool
	// Binary values (bytea, BLOB) are kept as text when valid UTF-8,
	// skipped and counted otherwise.
	Binary
	// Opaque values (uuid, dates, times, intervals, geometry text, enums,
	// ...) are kept as the strings the database prints.
	Opaque
	// Time values (date, timestamp, datetime) become time.Time when the
	// text parses (PostgreSQL, MySQL and SQLite formats), so that the
	// classifiers see a date; otherwise ("infinity") they stay strings.
	Time
)

// Column describes one column of a table.
type Column struct {
	Name string
	// DBType is the type as the database names it ("jsonb", "varchar(20)",
	// "inet[]", "_int4", "LONGTEXT").
	DBType string
	// Class is how its values are decoded; ClassOf(DBType) by default.
	Class Class
	// Array is set for array columns (PostgreSQL): the field is
	// "name[]" and each element is decoded with Class.
	Array bool
}

// NewColumn describes a column from its database type: the class and
// array-ness are derived from the type name.
func NewColumn(name, dbType string) Column {
	elem, array := ElementType(dbType)
	return Column{Name: name, DBType: dbType, Class: ClassOf(elem), Array: array}
}

// ElementType returns the element type of an array type ("text[]",
// "_text", "character varying[]") and whether it is one.
func ElementType(dbType string) (string, bool) {
	t := strings.TrimSpace(dbType)
	switch {
	case strings.HasSuffix(t, "[]"):
		t = strings.TrimSuffix(t, "[]")
		for strings.HasSuffix(t, "[]") {
			t = strings.TrimSuffix(t, "[]")
		}
		return t, true
	case strings.HasPrefix(t, "_") && len(t) > 1 && !strings.Contains(t, " "):
		return t[1:], true // PostgreSQL's internal array type names
	case strings.EqualFold(t, "ARRAY"):
		return "text", true // information_schema's data_type of an array
	}
	return t, false
}

// baseType lower-cases a type and strips its modifiers: "VARCHAR(20)" ->
// "varchar", "timestamp(3) with time zone" -> "timestamp with time zone",
// "int(11) unsigned" -> "int unsigned", "public.geometry" -> "geometry".
func baseType(dbType string) string {
	t := strings.ToLower(strings.TrimSpace(dbType))
	for {
		i := strings.IndexByte(t, '(')
		if i < 0 {
			break
		}
		j := strings.IndexByte(t[i:], ')')
		if j < 0 {
			t = t[:i]
			break
		}
		t = t[:i] + t[i+j+1:]
	}
	t = strings.Join(strings.Fields(t), " ")
	if i := strings.LastIndexByte(t, '.'); i >= 0 && !strings.Contains(t, " ") {
		t = t[i+1:] // schema-qualified (PostGIS in schema public)
	}
	return strings.Trim(t, `"`)
}

// ClassOf returns the class of a database type (not an array type; see
// ElementType). Unknown types are Opaque.
func ClassOf(dbType string) Class {
	t := baseType(dbType)
	first, _, _ := strings.Cut(t, " ")
	switch first {
	case "json", "jsonb":
		return JSON
	case "text", "varchar", "char", "character", "bpchar", "nvarchar", "nchar", "name", "citext",
		"tinytext", "mediumtext", "longtext", "clob", "string", "xml", "set", "enum":
		return Text
	case "smallint", "integer", "int", "int2", "int4", "int8", "bigint", "tinyint", "mediumint",
		"numeric", "decimal", "real", "double", "float", "float4", "float8", "money",
		"serial", "bigserial", "smallserial", "oid", "year", "dec", "fixed", "number":
		return Number
	case "boolean", "bool":
		return Bool
	case "date", "timestamp", "timestamptz", "datetime":
		return Time
	case "bytea", "blob", "tinyblob", "mediumblob", "longblob", "binary", "varbinary", "bit":
		if t == "bit varying" || first == "bit" {
			return Opaque
		}
		return Binary
	}
	return Opaque
}

// StoreType returns the store type a column's type stands for, in the
// classifiers' vocabulary (rules.yaml store_types): "ip" for inet and cidr,
// "mac" for macaddr, "geo_point" for PostGIS and MySQL points, "geo_shape"
// for other geometries and geographies; otherwise the base type itself,
// lower-cased ("uuid", "jsonb", "varchar"), which no rule treats as
// evidence.
func StoreType(dbType string) string {
	elem, _ := ElementType(dbType)
	t := baseType(elem)
	lower := strings.ToLower(elem)
	if t == "geometry" || t == "geography" {
		// PostGIS typmods: format_type prints geometry(Point,4326)
		if strings.Contains(lower, "(point") {
			return "geo_point"
		}
		return "geo_shape"
	}
	switch t {
	case "inet", "cidr":
		return "ip"
	case "macaddr", "macaddr8":
		return "mac"
	case "point":
		return "geo_point"
	case "multipoint", "linestring", "multilinestring",
		"polygon", "multipolygon", "geometrycollection", "geomcollection", "box2d", "box3d":
		return "geo_shape"
	}
	return t
}

// FieldTypes returns the container's FieldTypes for its columns: each
// column's StoreType under its field path ("name", or "name[]" for an
// array column). JSON columns are left out: their paths are the keys
// inside.
func FieldTypes(cols []Column) map[string]string {
	out := make(map[string]string, len(cols))
	for _, c := range cols {
		if c.Class == JSON {
			continue
		}
		st := StoreType(c.DBType)
		if c.DBType == "" {
			continue
		}
		if c.Array {
			out[c.Name+"[]"] = st
		} else {
			out[c.Name] = st
		}
	}
	return out
}

// TooLarge stands in a row for a value the query itself left out because
// it is larger than the bound (a SQL connector checks octet_length on the
// server, so that a 50 MB value never crosses the network): Document
// counts it as skipped with ReasonTooLarge.
var TooLarge any = tooLarge{}

type tooLarge struct{}

// Converter turns rows of one table into documents. It is safe for
// concurrent use.
type Converter struct {
	Columns []Column
	// MaxValueBytes bounds one value; 0 means DefaultMaxValueBytes.
	MaxValueBytes int
	// MaxJSONDepth bounds the nesting of a parsed JSON value; 0 means
	// DefaultMaxJSONDepth.
	MaxJSONDepth int
	// MaxDocumentBytes bounds one row (the sum of its values' sizes);
	// 0 means no bound.
	MaxDocumentBytes int64

	mu      sync.Mutex
	skipped map[skipKey]int64
}

type skipKey struct{ column, reason string }

// NewConverter returns a Converter for cols with the default bounds and
// maxDocumentBytes (connectors.Options.MaxDocumentBytes).
func NewConverter(cols []Column, maxDocumentBytes int64) *Converter {
	return &Converter{Columns: cols, MaxDocumentBytes: maxDocumentBytes}
}

func (c *Converter) maxValue() int {
	if c.MaxValueBytes > 0 {
		return c.MaxValueBytes
	}
	return DefaultMaxValueBytes
}

func (c *Converter) maxDepth() int {
	if c.MaxJSONDepth > 0 {
		return c.MaxJSONDepth
	}
	return DefaultMaxJSONDepth
}

// Document turns one row into a document. values are in the order of
// Columns; each is nil, a string, a []byte, a []any (array column), or a
// value already of a Document type (int64, float64, bool, time.Time,
// json.Number, map[string]any). A value that cannot be kept is left out
// and counted (see Notes). ok is false when the whole row must be skipped;
// reason then says why (count it with SampleResult.Skip).
func (c *Converter) Document(values []any) (doc connectors.Document, ok bool, reason string) {
	if len(values) != len(c.Columns) {
		panic(fmt.Sprintf("sqlrows: %d values for %d columns", len(values), len(c.Columns)))
	}
	fields := make(map[string]any, len(values))
	var size int64
	for i, v := range values {
		col := &c.Columns[i]
		size += approxSize(v)
		if c.MaxDocumentBytes > 0 && size > c.MaxDocumentBytes {
			return connectors.Document{}, false, ReasonRowTooBig
		}
		if v == nil {
			fields[col.Name] = nil
			continue
		}
		if v == TooLarge {
			c.count(col.Name, ReasonTooLarge)
			continue
		}
		var out any
		var why string
		if col.Array {
			out, why = c.array(col, v)
		} else {
			out, why = c.value(col.Class, v)
		}
		if why != "" {
			c.count(col.Name, why)
			continue
		}
		fields[col.Name] = out
	}
	return connectors.Document{Fields: fields}, true, ""
}

// DocumentRaw is Document for a driver that gives every value as bytes
// (nil for NULL), such as database/sql's RawBytes: the bytes are not kept.
// The text values of the row are copied into one string that the
// document's strings share, and parsed without further copies.
func (c *Converter) DocumentRaw(raw [][]byte) (doc connectors.Document, ok bool, reason string) {
	if len(raw) != len(c.Columns) {
		panic(fmt.Sprintf("sqlrows: %d values for %d columns", len(raw), len(c.Columns)))
	}
	maxValue := c.maxValue()
	total := 0
	var size int64
	for _, b := range raw {
		if b == nil {
			continue
		}
		size += int64(len(b))
		if len(b) <= maxValue {
			total += len(b)
		}
	}
	if c.MaxDocumentBytes > 0 && size > c.MaxDocumentBytes {
		// the row is skipped: Document counts what it meets first
		vals := make([]any, len(raw))
		for i, b := range raw {
			if b != nil {
				vals[i] = b
			}
		}
		return c.Document(vals)
	}
	var buf strings.Builder // one copy of the row's bytes, no second one
	buf.Grow(total)
	for _, b := range raw {
		if b != nil && len(b) <= maxValue {
			buf.Write(b)
		}
	}
	row := buf.String()
	fields := make(map[string]any, len(raw))
	off := 0
	for i, b := range raw {
		col := &c.Columns[i]
		if b == nil {
			fields[col.Name] = nil
			continue
		}
		if len(b) > maxValue {
			c.count(col.Name, ReasonTooLarge)
			continue
		}
		s := row[off : off+len(b)]
		off += len(b)
		var out any
		var why string
		if col.Array {
			out, why = c.bytesValue(Opaque, b, s) // the array's text: one value
		} else {
			out, why = c.bytesValue(col.Class, b, s)
		}
		if why != "" {
			c.count(col.Name, why)
			continue
		}
		fields[col.Name] = out
	}
	return connectors.Document{Fields: fields}, true, ""
}

func (c *Converter) array(col *Column, v any) (any, string) {
	items, ok := v.([]any)
	if !ok {
		// a driver that gives the array's text: keep it as one value
		return c.value(Opaque, v)
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		if it == nil {
			continue
		}
		var x any
		var why string
		if sub, ok := it.([]any); ok { // multi-dimensional: flatten
			x, why = c.array(col, sub)
			if why == "" {
				out = append(out, x.([]any)...)
			} else {
				c.count(col.Name, why)
			}
			continue
		}
		x, why = c.value(col.Class, it)
		if why != "" {
			c.count(col.Name, why)
			continue
		}
		out = append(out, x)
	}
	return out, ""
}

// value converts one non-nil value of a class.
func (c *Converter) value(class Class, v any) (any, string) {
	var s string
	switch x := v.(type) {
	case string:
		if len(x) > c.maxValue() {
			return nil, ReasonTooLarge
		}
		if plainText(class, x) {
			return v, "" // the driver's value as it is: no second copy of its string header
		}
		return c.stringValue(class, x, false)
	case []byte:
		if len(x) > c.maxValue() {
			return nil, ReasonTooLarge
		}
		return c.bytesValue(class, x, string(x))
	case int64, float64, float32, int, int32, uint64, bool, time.Time, json.Number, map[string]any:
		return x, ""
	case int8:
		return int64(x), ""
	case int16:
		return int64(x), ""
	case uint8:
		return int64(x), ""
	case uint16:
		return int64(x), ""
	case uint32:
		return int64(x), ""
	case uint:
		return uint64(x), ""
	case []any:
		col := Column{Class: class}
		return c.array(&col, x)
	default:
		s = fmt.Sprint(x)
	}
	if len(s) > c.maxValue() {
		return nil, ReasonTooLarge
	}
	return c.stringValue(class, s, false)
}

// plainText reports whether stringValue would give s itself: a text,
// binary or opaque value of valid UTF-8 that is not a JSON object or
// array in a text column.
func plainText(class Class, s string) bool {
	switch class {
	case Text:
		return utf8.ValidString(s) && !looksLikeJSONContainer(s)
	case Binary, Opaque:
		return utf8.ValidString(s)
	}
	return false
}

// bytesValue converts a value the driver gave as bytes b (at most the
// value bound), s being the same bytes as a string.
func (c *Converter) bytesValue(class Class, b []byte, s string) (any, string) {
	valid := utf8.Valid(b)
	if !valid {
		if class == Binary || class == Text || class == Opaque || class == JSON {
			return nil, ReasonBinary
		}
	}
	return c.stringValue(class, s, valid)
}

// stringValue converts a text value (at most the value bound); valid says
// that s is already known to be UTF-8 (not checked again).
func (c *Converter) stringValue(class Class, s string, valid bool) (any, string) {
	switch class {
	case JSON:
		out, err := parseJSONString(s, c.maxDepth())
		if err != nil {
			if _, deep := err.(*DepthError); deep {
				return nil, ReasonTooDeep
			}
			return nil, ReasonBadJSON
		}
		return out, ""
	case Text:
		if !valid && !utf8.ValidString(s) {
			return nil, ReasonBinary
		}
		if looksLikeJSONContainer(s) {
			out, err := parseJSONString(s, c.maxDepth())
			if err == nil {
				return out, ""
			}
			if _, deep := err.(*DepthError); deep {
				return nil, ReasonTooDeep
			}
		}
		return s, ""
	case Number:
		if isJSONNumber(s) {
			return json.Number(s), ""
		}
		return s, "" // NaN, Infinity, money with a currency sign
	case Bool:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "t", "true", "1", "y", "yes", "on":
			return true, ""
		case "f", "false", "0", "n", "no", "off":
			return false, ""
		}
		return s, ""
	case Binary:
		if !valid && !utf8.ValidString(s) {
			return nil, ReasonBinary
		}
		return s, ""
	case Time:
		if t, ok := ParseTime(s); ok {
			return t, ""
		}
	}
	if !valid && !utf8.ValidString(s) {
		return nil, ReasonBinary
	}
	return s, ""
}

func (c *Converter) count(column, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.skipped == nil {
		c.skipped = map[skipKey]int64{}
	}
	c.skipped[skipKey{column, reason}]++
}

// SkippedValues returns how many values were left out, by reason.
func (c *Converter) SkippedValues() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int64{}
	for k, n := range c.skipped {
		out[k.reason] += n
	}
	return out
}

// Notes describes the values left out, one note per column and reason,
// sorted: `column "payload": 2 values skipped (value too large, over
// 1048576 bytes)`.
func (c *Converter) Notes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for k, n := range c.skipped {
		reason := k.reason
		if reason == ReasonTooLarge {
			reason += ", over " + strconv.Itoa(c.maxValue()) + " bytes"
		}
		if reason == ReasonTooDeep {
			reason += ", over " + strconv.Itoa(c.maxDepth()) + " levels"
		}
		unit := "values"
		if n == 1 {
			unit = "value"
		}
		out = append(out, fmt.Sprintf("column %q: %d %s skipped (%s)", k.column, n, unit, reason))
	}
	sort.Strings(out)
	return out
}

// approxSize is a value's size for the row bound.
func approxSize(v any) int64 {
	switch x := v.(type) {
	case string:
		return int64(len(x))
	case []byte:
		return int64(len(x))
	case []any:
		var n int64
		for _, e := range x {
			n += approxSize(e)
		}
		return n + int64(len(x))
	case nil:
		return 0
	}
	return 8
}

func looksLikeJSONContainer(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[':
			// the last non-space byte must close it
			for j := len(s) - 1; j > i; j-- {
				switch s[j] {
				case ' ', '\t', '\n', '\r':
					continue
				case '}', ']':
					return true
				}
				return false
			}
			return false
		}
		return false
	}
	return false
}

// isJSONNumber reports whether s is a number as JSON writes it.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	start := i
	if n := digits(); n == 0 || n > 1 && s[start] == '0' {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// ParseTime parses a date or timestamp as PostgreSQL, MySQL or SQLite
// print it ("2026-11-30", "2026-11-30 12:19:43.13248+00",
// "2026-11-30 12:19:43", "2026-11-30T12:19:43Z"); times without a zone
// are taken as UTC. The layout is chosen from the text's shape: one
// time.Parse per value.
func ParseTime(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	var layout string
	switch {
	case len(s) == 10:
		layout = "2006-01-02"
	case len(s) >= 19 && (s[10] == ' ' || s[10] == 'T'):
		sep := s[10:11]
		rest := s[19:]
		zone := strings.IndexAny(rest, "+-Z")
		switch {
		case zone < 0:
			layout = "2006-01-02" + sep + "15:04:05.999999999"
		case rest[zone] == 'Z':
			layout = "2006-01-02" + sep + "15:04:05.999999999Z07:00"
		default:
			switch len(rest) - zone {
			case 3:
				layout = "2006-01-02" + sep + "15:04:05.999999999Z07"
			case 6:
				layout = "2006-01-02" + sep + "15:04:05.999999999Z07:00"
			case 9:
				layout = "2006-01-02" + sep + "15:04:05.999999999Z07:00:00"
			default:
				return time.Time{}, false
			}
		}
	default:
		return time.Time{}, false
	}
	t, err := time.Parse(layout, s)
	return t, err == nil
}
