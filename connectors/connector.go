// Package connectors defines what a data store connector is and keeps the
// registry that maps a target (a path or a URI) to the connector that scans it.
//
// A connector lists containers (files, collections, indices, tables) and
// samples their documents. It knows nothing of classification: it hands the
// pipeline plain decoded documents and counts what it could not decode.
//
// # Adding a store
//
// A new store is one package under connectors/ plus one import line in
// cmd/piisniff/connectors.go. Nothing else in the tree names it. The
// package:
//
//  1. Implements Connector (and SkipLister when it passes over containers
//     it cannot read), with a compile-time check:
//
//     var _ connectors.Connector = (*Conn)(nil)
//
//  2. Declares its own options as a struct implementing StoreOptions:
//     AddFlags registers the flags that fill it (prefix names that could
//     clash: --pg-..., --redis-...), Secrets lists the credentials it holds
//     so every output redacts them. Its flags can also be set per target in
//     a targets inventory: regenerate the inventory's JSON Schema with
//     go run ./cmd/piisniff targets schema > docs/estate.schema.json (a test
//     in cmd/piisniff says when it is out of date). The common settings (timeouts, TLS,
//     --containers, --databases, user and password) are in Options. A
//     connector reads its own options with Own[*MyOptions](opts, "name") and
//     the environment only through opts.Getenv, never os.Getenv, so that
//     credentials from the environment are redacted and tests can set them.
//
//  3. Registers one Descriptor from init: its name, URI schemes, report
//     kinds, the target forms for --help, its well-known ports (for "did you
//     mean" hints), the environment variables it reads secrets from, an
//     optional Check of a target's syntax that runs before any connection,
//     and Open.
//
//  4. Runs the conformance kit, connectors/connectortest, against a live
//     instance in its tests: read-only proof from the connector's own
//     command or request log, cancellation, Close twice, emit errors and
//     the --containers filter. connectortest's example connector is a
//     complete, minimal store written this way.
//
// # Sharded full scans
//
// piisniff scan --shard I/N splits a scan over N machines. Each container is
// a unit given whole to one shard (by a hash of the target and the container
// name), unless the scan reads every document (--sample-size 0) and the
// connector implements Slicer and says the container can be cut: then every
// shard reads its own slice of it, SampleOptions.Slice = {Index: I, Count:
// N}. A connector that slices keeps one rule: over Index 0 to Count-1, the
// slices hold every document exactly once, whichever machine reads them (so
// they depend only on the store's content and Count, never on timing or
// randomness). When a container turns out not to be cuttable after all, slice
// 0 reads all of it and the other slices read nothing, with a note saying so.
// How the stores cut:
//
//   - files: NDJSON, CSV and TSV files larger than files.SliceThreshold are cut
//     into byte ranges at line starts; smaller files are whole units;
//   - Elasticsearch and OpenSearch: a sliced point in time or scroll,
//     "slice": {"id": I, "max": N};
//   - MongoDB: _id ranges between the smallest and largest _id, cut at
//     interpolated points (a server that filters _id ranges in memory is
//     named in the notes);
//   - MySQL/MariaDB: tables with a range key (a single-column integer primary
//     key, or unique NOT NULL index) are cut into key ranges, WHERE key >= lo
//     AND key < hi, the bounds cut at i/N of the way between the smallest
//     and largest key (sqlrows.KeySpace.Bounds: with keys without gaps, the
//     slices are equal to within one row), each slice read in key order a
//     page at a time; tables without such a key are whole units, and a table
//     of fewer than two keys is read by slice 0 alone, with a note;
//   - SQLite: the same with rowid ranges (WITHOUT ROWID tables and views are
//     whole units);
//   - PostgreSQL: tables and partitioned tables with a one-column primary key,
//     in key ranges (WHERE pk >= lo AND pk < hi), the bounds cut evenly between
//     the smallest and the largest key for integer keys; a key of another type
//     is read whole by slice 0 (with a note);
//   - Redis: every shard lists the keys of a pattern (SCAN MATCH, or the keys
//     kept while listing when they are all of them) and reads the values of
//     the keys of its slice only: FNV-1a of the key's bytes modulo N
//     (redis.KeySlice). The TTL note comes from the first keys listed,
//     owned or not, so every slice writes the same one. The (other keys)
//     container is read whole by one shard.
//
// A connector without Slicer gets whole-container units only, which is
// always correct: it just spreads a census less evenly.
//
// Rules every connector keeps: it never writes to the store; one bad
// document is counted in SampleResult (Skip), never fatal; one failing
// container is an error of that container only; samples are spread over the
// whole container and the same seed gives the same sample; every query has
// a timeout and honours ctx; errors never hold a credential.
package connectors

import (
	"context"
)

// Document is one decoded record. Values of Fields (recursively) are only:
// map[string]any, []any, string, json.Number, float64, float32, int, int32,
// int64, uint64, bool, nil, time.Time and []byte (binary that is not text).
// Connectors convert store-specific types (BSON ObjectId, Decimal128, ...)
// into one of these before emitting.
type Document struct {
	Fields map[string]any
	// Raw, when Fields is nil, is a record the connector read but left to
	// its consumer to decode (Decode): the pipeline decodes on its
	// workers, in parallel, so that the goroutine reading the store only
	// reads. A Document with neither is no document.
	Raw RawDocument
	// Size, when not 0, is the bytes the record took as read (its BSON or
	// JSON): the scan bounds the bytes of the documents read and not yet
	// classified by it, or by a raw document's own Size (Sizer).
	Size int
}

// RawDocument is a record read but not yet decoded.
type RawDocument interface {
	// Decode makes the record's fields. ok is false when the record is
	// not a document: it is counted as skipped, under reason. Decode is
	// called at most once, on any goroutine, at any time before the
	// consumer has finished with the container; notes of what decoding
	// left out are in SampleResult.DecodeNotes. The strings of the
	// fields may share one allocation with the whole record: a consumer
	// copies (strings.Clone) what it keeps beyond the document.
	Decode() (fields map[string]any, reason string, ok bool)
}

// Recycler is implemented by raw documents whose decoded fields may be
// handed back once the consumer is done with them, so that decoding the
// next records reuses their maps and slices instead of allocating new
// ones. The consumer calls Recycle at most once, with the fields Decode
// returned, when it holds none of their maps or slices any more (strings
// are never reused: it may keep those). Recycle does not read the raw
// document, which may be gone by then.
type Recycler interface {
	Recycle(fields map[string]any)
}

// Sizer is implemented by raw documents that know how many bytes they
// hold until they are decoded: the scan bounds the bytes of the documents
// read and not yet classified by it, so that big records do not pile up.
type Sizer interface {
	Size() int
}

// Decode returns d's fields, decoding a raw document; ok is false for a
// record that is no document (reason says why; empty for a Document
// with neither Fields nor Raw).
func (d Document) Decode() (fields map[string]any, reason string, ok bool) {
	switch {
	case d.Fields != nil:
		return d.Fields, "", true
	case d.Raw != nil:
		return d.Raw.Decode()
	}
	return nil, "", false
}

// Container is one unit of a store that holds documents: a file, a MongoDB
// collection, an Elasticsearch index, a SQL table.
type Container struct {
	// Name is what a person would type to find the data again
	// (database.collection, index name, schema.table, relative file path).
	Name string
	// EstimatedDocuments is the store's estimate, -1 when unknown.
	EstimatedDocuments int64
	// FieldTypes are store-declared types by field path in the report's path
	// convention (for example an Elasticsearch mapping: "location" -> "geo_point").
	// Fields that appear here but never in a sampled document are still reported
	// as mapping-only fields when their type is evidence.
	FieldTypes map[string]string
	// Notes are facts about the container worth reporting.
	Notes []string
	// PrimaryKey names the columns of a table's primary key, in key
	// order (SQL stores); nil when there is none or the store has no
	// such notion.
	PrimaryKey []string
	// Handle is connector-private state (for example a path or a namespace).
	Handle any
}

// SampleOptions says how many documents to sample from one container.
type SampleOptions struct {
	// Size is the maximum number of documents to emit; 0 means all of them.
	Size int
	// Seed makes the sample reproducible.
	Seed int64
	// Slice, when Count > 1, asks for one slice of the container only: set
	// by the pipeline for a sharded full scan (Size 0) of a container the
	// connector's Slicer accepted, never otherwise.
	Slice Slice
}

// Slice is slice Index of Count of a container (0 <= Index < Count).
// Count 0 or 1 is the whole container.
type Slice struct {
	Index int
	Count int
}

// Whole reports whether s is the whole container.
func (s Slice) Whole() bool { return s.Count <= 1 }

// Slicer is implemented by connectors that can read a slice of a container
// in a full scan (see "Sharded full scans" above).
type Slicer interface {
	// CanSlice reports whether Sample honours SampleOptions.Slice for c in
	// a full scan. It must answer from c alone (what Containers returned),
	// the same on every machine, without contacting the store.
	CanSlice(c Container) bool
}

// SampleResult describes a finished (or failed) sampling of one container.
type SampleResult struct {
	// Method names how the sample was drawn: "all", "reservoir", "$sample",
	// "random-id-ranges", "random_score+pit", ...
	Method string
	// TotalDocuments is the exact number of documents in the container when
	// the connector counted them (files), or -1 when only the estimate is known.
	TotalDocuments int64
	// Skipped counts documents that could not be decoded; SkipReasons breaks
	// the count down by a short reason ("invalid JSON", "invalid UTF-8", ...).
	Skipped     int64
	SkipReasons map[string]int64
	// Notes are facts about the sampling worth reporting.
	Notes []string
	// DecodeNotes, when set, returns the notes of the raw documents'
	// decoding (values left out, by column), complete once every raw
	// document emitted has been decoded: see FoldDecodeNotes.
	DecodeNotes func() []string
	// DecodeFailed, when set, returns how many of the raw documents
	// emitted did not decode, complete once every one has been decoded:
	// a connector that counts in TotalDocuments the records it emitted
	// undecoded (files) has FoldDecodeNotes take those that turned out to
	// be no documents off the count.
	DecodeFailed func() int64
}

// FoldDecodeNotes adds the notes of decoding to Notes and takes the raw
// documents that did not decode off TotalDocuments (DecodeFailed), once
// every raw document emitted has been decoded (or dropped).
func (r *SampleResult) FoldDecodeNotes() {
	if r.DecodeNotes != nil {
		r.Notes = append(r.Notes, r.DecodeNotes()...)
		r.DecodeNotes = nil
	}
	if r.DecodeFailed != nil {
		if n := r.DecodeFailed(); r.TotalDocuments >= 0 {
			r.TotalDocuments = max(r.TotalDocuments-n, 0)
		}
		r.DecodeFailed = nil
	}
}

// Skip records one skipped document.
func (r *SampleResult) Skip(reason string) {
	r.Skipped++
	if r.SkipReasons == nil {
		r.SkipReasons = map[string]int64{}
	}
	r.SkipReasons[reason]++
}

// Exposure says how exposed a store is to whoever can reach it.
type Exposure struct {
	Reachable       bool
	AnonymousAccess bool
	TLS             bool
	Server          string
	Notes           []string
}

// UnreadableError is what Open returns for a store that answered but
// cannot be scanned (a server too old to read): what was learnt of its
// exposure still goes into the report.
type UnreadableError struct {
	Err      error
	Exposure Exposure
}

func (e *UnreadableError) Error() string { return e.Err.Error() }
func (e *UnreadableError) Unwrap() error { return e.Err }

// Connector is an open connection to one target.
type Connector interface {
	// Kind is the report's target kind: mongodb, elasticsearch, opensearch,
	// file, postgres, mysql, redis.
	Kind() string
	// URI is the target as the report shows it, with credentials redacted.
	URI() string
	// Exposure checks how exposed the store is. It never fails: what could
	// not be checked is said in the notes.
	Exposure(ctx context.Context) Exposure
	// Containers lists the containers to scan, after the include/exclude
	// filters of Options were applied.
	Containers(ctx context.Context) ([]Container, error)
	// Sample emits up to opts.Size documents of c, spread over the whole
	// container. A document that cannot be decoded is counted in the result
	// and skipped; an error is returned only when the container as a whole
	// failed (what was emitted before it still counts). When emit returns an
	// error, Sample stops and returns it.
	Sample(ctx context.Context, c Container, opts SampleOptions, emit func(Document) error) (SampleResult, error)
	// Close releases connections. It is safe to call more than once.
	Close() error
}

// SkippedContainer is something a connector saw but will not scan (a file
// of an unknown format, a collection it cannot read), with the reason.
type SkippedContainer struct {
	Name   string
	Reason string
}

// SkipLister is implemented by connectors that pass over containers; the
// report lists what they return after Containers was called.
type SkipLister interface {
	SkippedContainers() []SkippedContainer
}
