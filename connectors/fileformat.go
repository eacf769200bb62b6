package connectors

import (
	"bytes"
	"context"
	"sync"
)

// FileFormat is a file format read by a connector of its own (a SQLite
// database): the files connector hands it the files it meets, in a
// directory scan or named directly, whose first bytes are Magic, and lists
// what the sub-connector lists inside them.
type FileFormat struct {
	// Name names the format in notes ("SQLite").
	Name string
	// Magic is the prefix every file of the format starts with.
	Magic []byte
	// Open opens the file at path; name is the file's container name
	// (its path relative to the scanned directory), which prefixes the
	// names of the containers inside ("app.db" -> "app.db.users").
	Open func(ctx context.Context, path, name string, opts Options) (Connector, error)
}

var (
	formatsMu sync.RWMutex
	formats   []FileFormat
)

// RegisterFileFormat makes a file format known to the files connector.
// Connector packages call it from init, after Register.
func RegisterFileFormat(f FileFormat) {
	if f.Name == "" || len(f.Magic) == 0 || f.Open == nil {
		panic("connectors: file format needs a Name, Magic and Open: " + f.Name)
	}
	formatsMu.Lock()
	defer formatsMu.Unlock()
	formats = append(formats, f)
}

// MaxMagic is the most bytes FileFormatOf looks at.
const MaxMagic = 64

// FileFormatOf returns the registered format whose magic head starts with.
func FileFormatOf(head []byte) (FileFormat, bool) {
	formatsMu.RLock()
	defer formatsMu.RUnlock()
	for _, f := range formats {
		if bytes.HasPrefix(head, f.Magic) {
			return f, true
		}
	}
	return FileFormat{}, false
}
