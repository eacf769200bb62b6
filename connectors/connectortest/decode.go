package connectortest

import (
	"context"
	"sync"
	"testing"

	"github.com/piisniff/piisniff/connectors"
)

// SampleDecoded samples ct and decodes every document as the pipeline
// does: it returns the fields of those that decode, and the result with
// the others counted as skipped (under the reason Decode gave) and the
// notes of decoding folded in.
func SampleDecoded(ctx context.Context, c connectors.Connector, ct connectors.Container, opts connectors.SampleOptions) ([]map[string]any, connectors.SampleResult, error) {
	var docs []map[string]any
	var skipped connectors.SampleResult
	res, err := c.Sample(ctx, ct, opts, func(d connectors.Document) error {
		fields, reason, ok := d.Decode()
		if !ok {
			skipped.Skip(reason)
			return nil
		}
		docs = append(docs, fields)
		return nil
	})
	for reason, n := range skipped.SkipReasons {
		res.Skipped += n
		if res.SkipReasons == nil {
			res.SkipReasons = map[string]int64{}
		}
		res.SkipReasons[reason] += n
	}
	res.FoldDecodeNotes()
	return docs, res, err
}

// DecodingEmit is for benchmarks that time a connector's Sample: it
// returns an emit function that counts the documents in *count and, when
// decode is set, hands them to two decoding goroutines (as a scan's two
// workers), and a wait function that returns when every document has been
// decoded (at once when decode is not set).
func DecodingEmit(tb testing.TB, decode bool, count *int) (emit func(connectors.Document) error, wait func()) {
	if !decode {
		return func(connectors.Document) error { *count++; return nil }, func() {}
	}
	docs := make(chan connectors.Document, 128)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range docs {
				if _, reason, ok := d.Decode(); !ok {
					tb.Errorf("a document did not decode: %s", reason)
				}
			}
		}()
	}
	return func(d connectors.Document) error { *count++; docs <- d; return nil }, func() { close(docs); wg.Wait() }
}
