package files

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
)

func TestConformance(t *testing.T) {
	dir := t.TempDir()
	var big strings.Builder
	for i := range 1500 {
		fmt.Fprintf(&big, `{"id":%d,"email":"user%d@example.org"}`+"\n", i, i)
	}
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("users.ndjson", big.String())
	write("colors.csv", "name,hex\nred,#f00\nblue,#00f\n")

	var mu sync.Mutex
	var log []string
	openHook = func(path string, flags int) {
		mu.Lock()
		log = append(log, fmt.Sprintf("open %d %s", flags, path))
		mu.Unlock()
	}
	t.Cleanup(func() { openHook = nil })
	// users.ndjson is cut into byte ranges in a sharded full scan
	oldThreshold := SliceThreshold
	SliceThreshold = 1 << 10
	t.Cleanup(func() { SliceThreshold = oldThreshold })

	connectortest.Run(t, connectortest.Instance{
		Target:  dir,
		Options: connectors.Options{},
		Log: func() []string {
			mu.Lock()
			defer mu.Unlock()
			return append([]string(nil), log...)
		},
		ReadOnly: func(e string) bool { return strings.HasPrefix(e, fmt.Sprintf("open %d ", os.O_RDONLY)) },
		Big:      "users.ndjson",
		Snapshot: func() string { return treeDigest(t, dir) },
	})
}

// treeDigest is a digest of every file's name, mode, time and bytes.
func treeDigest(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	var names []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for _, p := range names {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s %v %d\n", p, st.Mode(), st.ModTime().UnixNano())
		if st.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			h.Write(b)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
