// Package files is the connector for local files and directories: plain
// paths and file:// URIs (scheme "file", report kind "file").
//
// # Containers
//
// A directory is walked recursively; every regular file is a container named
// by its path relative to the directory, with forward slashes
// ("exports/users.ndjson"). A single file is a container named by its base
// name. connectors.Options.Containers filters those names. Hidden files and
// directories (a name starting with ".") are passed over unless
// Options.IncludeHidden is set. Symbolic links to files are followed, links
// to directories are not.
//
// Files that cannot be scanned are not containers: Conn.SkippedContainers
// (the connectors.SkipLister interface) lists them with the reason, for
// example "unknown format (.png)", "hidden directory", "not a regular file".
// Nothing is guessed: a file is read only when its extension or its first
// bytes say which format it is.
//
// What exists but cannot be read (permission denied) is not skipped: the
// file, or the directory as "name/", is a container whose sampling fails,
// so the scan is incomplete. A file named as the target itself that cannot
// be read, or whose format is not one of those below, fails the target with
// a hint (for a .sql dump: load it into a database and scan that).
//
// # Formats
//
//   - NDJSON / JSON Lines (.ndjson, .jsonl, .ldjson, .ndj): one JSON object per line.
//   - JSON (.json): a top-level array of objects, one object, or a sequence of
//     objects. It is read as a stream, one element at a time, never whole. A
//     .json file whose first line is a complete object is read as NDJSON
//     (this is what mongoexport and elasticdump write).
//   - CSV (.csv) and TSV (.tsv, .tab) with a header row: the column name is
//     the field path, every value is a string. The delimiter of a .csv file
//     is an Excel "sep=X" first line when there is one, else the most
//     frequent of , ; TAB | in the header (a note names it when it is not a
//     comma). Empty column names become column_N, repeated ones get _2, _3.
//   - Any of these compressed with gzip (.gz, or gzip content under any name).
//   - Files with another extension are read when their content is clearly
//     NDJSON, a JSON array of objects or a JSON object; otherwise they are
//     skipped. UTF-16 text is skipped.
//
// Two dialects are recognised per record, whatever the file is called:
//
//   - elasticdump output: a record with "_index" (string) and "_source"
//     (object) is a search hit; the document is its _source. The indices seen
//     are given in the container notes and sample notes.
//   - MongoDB Extended JSON v2, canonical and relaxed, and the legacy v1
//     shapes that mongoexport writes: {"$oid"} becomes the hex string,
//     {"$date"} a time.Time, {"$numberLong"}, {"$numberInt"}, {"$numberDouble"},
//     {"$numberDecimal"} a json.Number (float64 for infinities and NaN of
//     doubles, string for those of decimals), {"$binary"} a UUID string
//     (subtypes 3 and 4), a string (valid UTF-8 text) or []byte,
//     {"$timestamp"} a time.Time, {"$regularExpression"}/{"$regex"}
//     "/pattern/options", {"$minKey"}, {"$maxKey"}, {"$undefined"} nil,
//     {"$symbol"}/{"$code"}/{"$uuid"} a string, {"$dbPointer"}
//     {"$ref": ns, "$id": hex}.
//
// Numbers are decoded as json.Number, so a 16-digit card number keeps every
// digit. Values are only the types listed on connectors.Document.
//
// # Sampling
//
// With SampleOptions.Size 0, every document is emitted in file order while
// the file is read. Otherwise the sample is a reservoir sample, uniform
// over the whole file, drawn in one pass with Algorithm L (random skips
// seeded from SampleOptions.Seed and the container name): only records
// that enter the reservoir are decoded, the reservoir keeps their raw
// bytes, and it is emitted in file order at the end. Memory is bounded by
// Size raw records. SampleResult.Method is "all" when every document was
// emitted and "reservoir" otherwise; TotalDocuments is the exact number of
// records read, less the skipped ones. In reservoir mode records that are
// not drawn are only checked for size, NUL bytes and UTF-8 (a malformed
// record that is not drawn counts as a document); a record that is drawn
// but does not decode is skipped and the next record is drawn in its
// place.
//
// The records of NDJSON and JSON files are emitted undecoded
// (connectors.Document.Raw), in both modes: their bytes are copied into
// arenas that many records share, and their consumer decodes them (the
// pipeline on its workers, in parallel), so that the goroutine reading
// the file only reads; the memory held is what the consumer holds. A
// record emitted that does not decode is counted as skipped by its
// consumer. The notes of skipped records and of elasticdump indices come,
// in file order whatever the order of decoding, from
// SampleResult.DecodeNotes, and SampleResult.DecodeFailed takes the
// records that were no documents off TotalDocuments. CSV and TSV rows are
// emitted decoded.
//
// Nothing read is ever written to disk.
//
// # Bad input
//
// A record that cannot be used is counted with SampleResult.Skip and the file
// goes on. The reasons are the Reason* constants: "invalid JSON",
// "invalid UTF-8", "NUL byte", "document too large" (more than
// Options.MaxDocumentBytes), "nesting too deep" (more than MaxDepth levels),
// "too many values" (more than MaxValues), "not a JSON object", "ragged CSV row", "corrupt gzip". A byte-order mark at
// the start of a file is dropped. The first few skipped records are named in
// the sample notes by line ("line 17: invalid JSON"). When the rest of a file
// cannot be read (corrupt gzip, broken array syntax) the reason is counted
// once and a note says where reading stopped; what was read before counts.
// Sample returns an error only when the file cannot be opened or read; the
// error names the file and the line.
package files
