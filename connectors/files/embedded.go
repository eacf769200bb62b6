package files

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/piisniff/piisniff/connectors"
)

// embeddedHandle is the Handle of a container inside a file that another
// connector reads (a table of a SQLite database met in the scan).
type embeddedHandle struct {
	format connectors.FileFormat
	path   string // the file
	file   string // its container name
	inner  connectors.Container
}

// embedded lists the containers inside the files this connector passed
// over as of an unknown format but whose first bytes are those of a
// format registered with connectors.RegisterFileFormat: they replace the
// file in the listing. A file whose format connector cannot open stays
// skipped, with that connector's reason.
func (c *Conn) embedded(ctx context.Context, out []connectors.Container, skipped []SkippedFile) ([]connectors.Container, []SkippedFile) {
	kept := skipped[:0:0]
	for _, s := range skipped {
		if !strings.HasPrefix(s.Reason, "unknown format") || strings.HasSuffix(s.Name, "/") {
			kept = append(kept, s)
			continue
		}
		path := c.root
		if c.isDir {
			path = filepath.Join(c.root, filepath.FromSlash(s.Name))
		}
		format, ok := formatOf(path)
		if !ok {
			kept = append(kept, s)
			continue
		}
		inner, innerSkipped, err := listEmbedded(ctx, format, path, s.Name, c.opts)
		if err != nil {
			if ctx.Err() != nil {
				return out, skipped
			}
			kept = append(kept, SkippedFile{Name: s.Name, Reason: fmt.Sprintf("%s database: %v", format.Name, err)})
			continue
		}
		for _, ct := range inner {
			out = append(out, connectors.Container{
				Name:               ct.Name,
				EstimatedDocuments: ct.EstimatedDocuments,
				FieldTypes:         ct.FieldTypes,
				Notes:              append([]string{"a table of the " + format.Name + " database " + s.Name}, ct.Notes...),
				PrimaryKey:         ct.PrimaryKey,
				Handle:             &embeddedHandle{format: format, path: path, file: s.Name, inner: ct},
			})
		}
		kept = append(kept, innerSkipped...)
	}
	return out, kept
}

// formatOf reads the first bytes of a file and returns its registered format.
func formatOf(path string) (connectors.FileFormat, bool) {
	f, err := openRead(path)
	if err != nil {
		return connectors.FileFormat{}, false
	}
	defer f.Close()
	head := make([]byte, connectors.MaxMagic)
	n, _ := io.ReadFull(f, head)
	return connectors.FileFormatOf(head[:n])
}

// subOptions are the options of an embedded connector: the file was
// already chosen by the containers filter, its tables are not filtered
// again by the file's name.
func subOptions(opts connectors.Options) connectors.Options {
	opts.Containers = connectors.Filter{}
	return opts
}

// listEmbedded opens the file with its format's connector and lists it.
func listEmbedded(ctx context.Context, format connectors.FileFormat, path, name string, opts connectors.Options) ([]connectors.Container, []SkippedFile, error) {
	sub, err := format.Open(ctx, path, name, subOptions(opts))
	if err != nil {
		return nil, nil, err
	}
	defer sub.Close()
	cs, err := sub.Containers(ctx)
	if err != nil {
		return nil, nil, err
	}
	var skipped []SkippedFile
	if sl, ok := sub.(connectors.SkipLister); ok {
		skipped = sl.SkippedContainers()
	}
	return cs, skipped, nil
}

// sampleEmbedded samples a container inside an embedded file through its
// format's connector, opened for the sampling.
func (c *Conn) sampleEmbedded(ctx context.Context, h *embeddedHandle, opts connectors.SampleOptions, emit func(connectors.Document) error) (connectors.SampleResult, error) {
	sub, err := h.format.Open(ctx, h.path, h.file, subOptions(c.opts))
	if err != nil {
		return connectors.SampleResult{TotalDocuments: -1}, fmt.Errorf("%s: %w", h.inner.Name, err)
	}
	defer sub.Close()
	return sub.Sample(ctx, h.inner, opts, emit)
}
