package mongotest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// batchSize is the number of documents per insert command.
const batchSize = 1000

// ndjsonExts are the file extensions LoadNDJSONDir reads.
var ndjsonExts = []string{".ndjson", ".jsonl"}

// CollectionName is the collection a file is loaded into: its base name
// without the extension ("users.ndjson" -> "users").
func CollectionName(file string) string {
	base := filepath.Base(file)
	for _, ext := range ndjsonExts {
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

// LoadNDJSONFile loads one NDJSON file into coll.
func LoadNDJSONFile(ctx context.Context, coll *mongo.Collection, file string) (int64, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := LoadNDJSON(ctx, coll, f)
	if err != nil {
		return n, fmt.Errorf("%s: %w", file, err)
	}
	return n, nil
}

// LoadNDJSON inserts one document per non-blank line of r into coll. The
// collection is created even when r holds no document.
func LoadNDJSON(ctx context.Context, coll *mongo.Collection, r io.Reader) (int64, error) {
	if err := ensureCollection(ctx, coll); err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 64<<20)
	var (
		batch []any
		total int64
		line  int
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
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var doc bson.D
		if err := bson.UnmarshalExtJSON(b, false, &doc); err != nil {
			return total, fmt.Errorf("line %d: %w", line, err)
		}
		batch = append(batch, doc)
		if len(batch) == batchSize {
			if err := flush(); err != nil {
				return total, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return total, err
	}
	return total, flush()
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
