package redis

import (
	"context"
	"fmt"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redistest"
)

// TestRawDocuments: values that cannot fail to decode are handed over
// undecoded (the consumer decodes them); a string that could fail is
// decoded while reading, so that its skip is counted by the sampler
// itself, as before; a raw document decodes once.
func TestRawDocuments(t *testing.T) {
	db := redistest.Claim(t)
	loadTypes(t, db.Client)
	c, _ := openT(t, db.URI(), connectors.Options{MaxDocumentBytes: 1000}, nil)
	cs := containers(t, c)
	tests := []struct {
		pattern  string
		raw      int    // documents emitted raw
		decoded  int    // documents emitted decoded
		skipped  string // the skip counted in the sampler's result
		consumer int    // documents the consumer could not decode
	}{
		{"user:*", 30, 0, "", 0},          // hashes
		{"order:*", 20, 0, "", 0},         // JSON strings
		{"queue:emails", 1, 0, "", 0},     // a list
		{"tags", 1, 0, "", 0},             // a set
		{"leaderboard", 1, 0, "", 0},      // a sorted set
		{"events", 3, 0, "", 0},           // stream entries
		{"greeting", 1, 0, "", 0},         // text
		{"b64:*", 1, 0, "", 0},            // base64 is text
		{"gz:*", 0, 1, "", 0},             // gzip: decoded while reading
		{"mp:*", 0, 1, "", 0},             // MessagePack: decoded while reading
		{"blob:*", 0, 0, ReasonBinary, 0}, // binary: skipped while reading
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			var raw []connectors.Document
			decoded := 0
			res, err := c.Sample(context.Background(), cs[fmt.Sprintf("db%d/%s", db.N, tt.pattern)], connectors.SampleOptions{Size: 100, Seed: 1}, func(d connectors.Document) error {
				switch {
				case d.Raw != nil && d.Fields == nil:
					raw = append(raw, d)
				case d.Fields != nil:
					decoded++
				default:
					t.Error("a document with neither fields nor a raw record")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			failed := 0
			for _, d := range raw {
				if f, _, ok := d.Decode(); !ok || len(f) == 0 {
					failed++
				}
				if _, reason, ok := d.Decode(); ok || reason == "" {
					t.Errorf("a raw document decoded twice: ok %v, reason %q", ok, reason)
				}
			}
			if len(raw) != tt.raw || decoded != tt.decoded || failed != tt.consumer {
				t.Errorf("%d raw, %d decoded, %d failed to decode; want %d, %d, %d", len(raw), decoded, failed, tt.raw, tt.decoded, tt.consumer)
			}
			if tt.skipped != "" && res.SkipReasons[tt.skipped] != 1 || tt.skipped == "" && res.Skipped != 0 {
				t.Errorf("skips %v, want %q", res.SkipReasons, tt.skipped)
			}
		})
	}
}

// TestRawDocSize: a raw document says the bytes of its reply's strings
// (connectors.Sizer), which the scan bounds in flight; the key's ids are
// not counted (they are the listing's, not the reply's).
func TestRawDocSize(t *testing.T) {
	for _, tt := range []struct {
		name string
		doc  rawDoc
		want int
	}{
		{"string", rawDoc{kind: rawString, str: "hello", ids: []string{"42"}}, 5},
		{"items", rawDoc{kind: rawItems, vals: []string{"a", "bc", ""}}, 3},
		{"hash", rawDoc{kind: rawHashMap, hash: map[string]string{"email": "a@b.c", "n": ""}}, 11},
		{"hash pairs", rawDoc{kind: rawHash, vals: []string{"email", "a@b.c"}}, 10},
		{"stream entry", rawDoc{kind: rawEntry, entry: map[string]any{"ip": "10.0.0.1", "n": int64(5)}}, 11},
		{"empty", rawDoc{}, 0},
	} {
		var sz connectors.Sizer = &tt.doc
		if got := sz.Size(); got != tt.want {
			t.Errorf("%s: Size() %d, want %d", tt.name, got, tt.want)
		}
	}
}
