package mongotest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// LeakyAppDB is the database that LoadLeakyApp fills with the example's
// files, except mongoexport files, which name their own database.
const LeakyAppDB = "leakyapp"

// LeakyAppDir is the bundled example, examples/leaky-app of the module.
func LeakyAppDir() (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "examples", "leaky-app"), nil
}

// LoadLeakyApp loads the bundled example into the server, one collection per
// file that holds documents:
//
//   - *.ndjson at the top and *.json, *.ndjson(.gz) in backup/, config/ and
//     exports/ go to leakyapp.<file name without extensions>;
//   - mongoexport/<db>.<collection>.json goes to <db>.<collection>.
//
// CSV files and the elasticdump export (Elasticsearch hits, not MongoDB
// documents) are left out. It returns the number of documents per
// database.collection.
func LoadLeakyApp(ctx context.Context, client *mongo.Client) (map[string]int64, error) {
	dir, err := LeakyAppDir()
	if err != nil {
		return nil, err
	}
	return LoadExampleDir(ctx, client, dir, LeakyAppDB)
}

// LoadExampleDir is LoadLeakyApp for any directory laid out the same way.
func LoadExampleDir(ctx context.Context, client *mongo.Client, dir, db string) (map[string]int64, error) {
	type target struct{ file, db, coll string }
	var targets []target
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			if rel != "." && strings.Count(rel, string(filepath.Separator)) > 0 {
				return filepath.SkipDir
			}
			if d.Name() == "elasticdump" {
				return filepath.SkipDir
			}
			return nil
		}
		if !hasDocExt(d.Name()) {
			return nil
		}
		parent := filepath.Base(filepath.Dir(path))
		name := CollectionName(path)
		switch {
		case parent == "mongoexport":
			d, c, ok := strings.Cut(name, ".")
			if !ok {
				return fmt.Errorf("%s: mongoexport files are named database.collection.json", path)
			}
			targets = append(targets, target{path, d, c})
		default:
			targets = append(targets, target{path, db, name})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("mongotest: no document file in %s", dir)
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].file < targets[j].file })
	counts := map[string]int64{}
	for _, t := range targets {
		ns := t.db + "." + t.coll
		if _, dup := counts[ns]; dup {
			return counts, fmt.Errorf("mongotest: two files load into %s", ns)
		}
		n, err := LoadNDJSONFile(ctx, client.Database(t.db).Collection(t.coll), t.file)
		if err != nil {
			return counts, err
		}
		counts[ns] = n
	}
	return counts, nil
}

func hasDocExt(name string) bool {
	lower := strings.ToLower(name)
	for _, ext := range docExts {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}
