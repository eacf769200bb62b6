package files

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
)

// A file named on its own that piisniff cannot read fails the target with
// a hint; in a directory the same file is skipped with the reason.
func TestNamedFileOfUnknownFormat(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"dump.sql":      "INSERT INTO users VALUES (1);\n",
		"dump.sql.gz":   string(gzipBytes(t, "INSERT INTO users VALUES (1);\n")),
		"notes.txt":     "hello\n",
		"people.dump":   "not json\n",
		"export.ndjson": `{"a":1}` + "\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		want string // in the error; "" means the file is read
	}{
		{"dump.sql", "load the dump into a database and scan that"},
		{"dump.sql.gz", "load the dump into a database and scan that"},
		{"notes.txt", "unknown format (.txt); piisniff reads NDJSON, JSON, CSV or TSV"},
		{"people.dump", "unknown format (.dump)"},
		{"export.ndjson", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := Open(context.Background(), filepath.Join(dir, tc.name), connectors.Options{})
			if err != nil {
				t.Fatal(err)
			}
			cs, err := conn.Containers(context.Background())
			if tc.want == "" {
				if err != nil || len(cs) != 1 {
					t.Errorf("containers %v, error %v", cs, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || len(cs) != 0 {
				t.Errorf("containers %v, error %v; want an error saying %q", cs, err, tc.want)
			}
		})
	}
	conn, err := Open(context.Background(), dir, connectors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := conn.Containers(context.Background())
	if err != nil || len(cs) != 1 || len(conn.(*Conn).SkippedContainers()) != 4 {
		t.Errorf("directory: containers %v, skipped %v, error %v", cs, conn.(*Conn).SkippedContainers(), err)
	}
}

// A container for what exists but cannot be read fails when sampled.
func TestUnreadableContainerFails(t *testing.T) {
	c := unreadableContainer("/x/secret.ndjson", "secret.ndjson", os.ErrPermission)
	conn := &Conn{opts: connectors.Options{}.WithDefaults()}
	_, err := conn.Sample(context.Background(), c, connectors.SampleOptions{}, func(connectors.Document) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("error %v", err)
	}
}

func gzipBytes(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
