package mongotest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// batchSize is the number of documents per insert command.
const batchSize = 1000

// ndjsonExts are the file extensions LoadNDJSONDir reads.
var ndjsonExts = []string{".ndjson", ".jsonl"}

// docExts are the extensions of files that hold documents, longest first.
var docExts = []string{".ndjson.gz", ".jsonl.gz", ".json.gz", ".ndjson", ".jsonl", ".json"}

// CollectionName is the collection a file is loaded into: its base name
// without the extension ("users.ndjson" -> "users", "s.ndjson.gz" -> "s").
func CollectionName(file string) string {
	base := filepath.Base(file)
	for _, ext := range docExts {
		if strings.HasSuffix(strings.ToLower(base), ext) {
			return base[:len(base)-len(ext)]
		}
	}
	return base
}

// LoadNDJSONDir loads every *.ndjson and *.jsonl file directly in dir into
// its own collection of database db (see CollectionName). Lines are MongoDB
// Extended JSON (canonical or relaxed: {"$oid": ...}, {"$date": ...} work);
// blank lines are ignored. It returns the number of documents per
// collection.
func LoadNDJSONDir(ctx context.Context, client *mongo.Client, db, dir string) (map[string]int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		for _, ext := range ndjsonExts {
			if strings.HasSuffix(strings.ToLower(e.Name()), ext) {
				files = append(files, filepath.Join(dir, e.Name()))
				break
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("mongotest: no .ndjson or .jsonl file in %s", dir)
	}
	sort.Strings(files)
	counts := map[string]int64{}
	for _, f := range files {
		n, err := LoadNDJSONFile(ctx, client.Database(db).Collection(CollectionName(f)), f)
		if err != nil {
			return counts, err
		}
		counts[CollectionName(f)] = n
	}
	return counts, nil
}

// LoadNDJSONFile loads one file into coll (see LoadNDJSON); a name ending
// in .gz is decompressed.
func LoadNDJSONFile(ctx context.Context, coll *mongo.Collection, file string) (int64, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(file, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", file, err)
		}
		defer gz.Close()
		r = gz
	}
	n, err := LoadNDJSON(ctx, coll, r)
	if err != nil {
		return n, fmt.Errorf("%s: %w", file, err)
	}
	return n, nil
}

// LoadNDJSON inserts the documents of r into coll. r holds JSON values one
// after the other (NDJSON, or pretty-printed objects); a value that is an
// array adds each of its elements. Values are MongoDB Extended JSON
// (canonical or relaxed: {"$oid": ...}, {"$date": ...} work);
// {"$numberDecimal": ...} is stored as a double, FerretDB v1 having no
// decimal type. The collection is created even when r holds no document.
func LoadNDJSON(ctx context.Context, coll *mongo.Collection, r io.Reader) (int64, error) {
	if err := ensureCollection(ctx, coll); err != nil {
		return 0, err
	}
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
	var (
		batch []any
		total int64
		index int
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := coll.InsertMany(ctx, batch, options.InsertMany().SetOrdered(true)); err != nil {
			return err
		}
		total += int64(len(batch))
		batch = batch[:0]
		return nil
	}
	add := func(raw json.RawMessage) error {
		index++
		var doc bson.D
		if err := bson.UnmarshalExtJSON(raw, false, &doc); err != nil {
			return fmt.Errorf("document %d: %w", index, err)
		}
		batch = append(batch, storable(doc))
		if len(batch) == batchSize {
			return flush()
		}
		return nil
	}
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			break
		}
		if err != nil {
			return total, fmt.Errorf("after document %d: %w", index, err)
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) > 0 && raw[0] == '[' {
			var elems []json.RawMessage
			if err := json.Unmarshal(raw, &elems); err != nil {
				return total, err
			}
			for _, e := range elems {
				if err := add(e); err != nil {
					return total, err
				}
			}
			continue
		}
		if err := add(raw); err != nil {
			return total, err
		}
	}
	return total, flush()
}

// storable rewrites what FerretDB v1 cannot store: Decimal128 values
// become doubles (it has no decimal type and drops the connection).
func storable(v any) any {
	switch x := v.(type) {
	case bson.D:
		for i := range x {
			x[i].Value = storable(x[i].Value)
		}
		return x
	case bson.A:
		for i := range x {
			x[i] = storable(x[i])
		}
		return x
	case bson.Decimal128:
		f, err := strconv.ParseFloat(x.String(), 64)
		if err != nil {
			return x.String()
		}
		return f
	}
	return v
}

// InsertGenerated inserts n documents made by gen(0..n-1) into coll, in
// batches. The collection is created even when n is 0.
func InsertGenerated(ctx context.Context, coll *mongo.Collection, n int, gen func(i int) any) error {
	if err := ensureCollection(ctx, coll); err != nil {
		return err
	}
	batch := make([]any, 0, batchSize)
	for i := 0; i < n; i++ {
		batch = append(batch, gen(i))
		if len(batch) == batchSize || i == n-1 {
			if _, err := coll.InsertMany(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return nil
}

func ensureCollection(ctx context.Context, coll *mongo.Collection) error {
	err := coll.Database().CreateCollection(ctx, coll.Name())
	var ce mongo.CommandError
	if errors.As(err, &ce) && (ce.Code == 48 || ce.Name == "NamespaceExists") {
		return nil
	}
	return err
}

// ModuleRoot returns the directory holding the module's go.mod, searching
// up from the working directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("mongotest: go.mod not found above the working directory")
		}
		dir = parent
	}
}
