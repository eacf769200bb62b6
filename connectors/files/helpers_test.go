package files

import (
	"context"

	"github.com/piisniff/piisniff/connectors"
)

// sampleDecoded runs c.Sample and decodes its documents as the pipeline
// does, after Sample returned (a raw document stays valid until its
// consumer is done): fn gets the fields of each document in order; a
// record that is no document is counted as skipped in the result, whose
// decode notes are folded in.
func sampleDecoded(c connectors.Connector, ct connectors.Container, so connectors.SampleOptions, fn func(map[string]any)) (connectors.SampleResult, error) {
	var docs []connectors.Document
	res, err := c.Sample(context.Background(), ct, so, func(d connectors.Document) error {
		docs = append(docs, d)
		return nil
	})
	for _, d := range docs {
		fields, reason, ok := d.Decode()
		if !ok {
			res.Skip(reason)
			continue
		}
		fn(fields)
	}
	res.FoldDecodeNotes()
	return res, err
}
