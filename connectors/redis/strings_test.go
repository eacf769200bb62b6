package redis

import (
	"context"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redistest"
)

// TestStringSizes: strings are read with their size check (GETRANGE of
// the first stringAhead bytes) when short, and by STRLEN then GET (or
// pieces) otherwise; an empty string is a document, a string over the
// document limit is skipped, whatever side of the read-ahead bound.
func TestStringSizes(t *testing.T) {
	tests := []struct {
		name     string
		value    string
		maxDoc   int64
		wantDoc  bool
		wantSkip string
	}{
		{"empty", "", 0, true, ""},
		{"short", "ann@example.com", 0, true, ""},
		{"just under the read-ahead", strings.Repeat("a", stringAhead-1), 0, true, ""},
		{"exactly the read-ahead", strings.Repeat("b", stringAhead), 0, true, ""},
		{"over the read-ahead", strings.Repeat("c", stringAhead+1), 0, true, ""},
		{"over the limit, under the read-ahead", strings.Repeat("d", 100), 99, false, ReasonTooLarge},
		{"exactly the limit", strings.Repeat("e", 100), 100, true, ""},
		{"over the limit and the read-ahead", strings.Repeat("f", stringAhead+10), stringAhead + 5, false, ReasonTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := redistest.Claim(t)
			ctx := context.Background()
			if err := db.Client.Set(ctx, "note:1", tt.value, 0).Err(); err != nil {
				t.Fatal(err)
			}
			c, _ := openT(t, db.URI(), connectors.Options{MaxDocumentBytes: tt.maxDoc}, nil)
			cs, err := c.Containers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var ct *connectors.Container
			for i := range cs {
				if strings.HasSuffix(cs[i].Name, "/note:*") {
					ct = &cs[i]
				}
			}
			if ct == nil {
				t.Fatalf("no container note:* in %v", cs)
			}
			got, res, err := sampleWith(c, *ct, connectors.SampleOptions{Size: 10, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantDoc {
				if len(got) != 1 || got[0][FieldValue] != tt.value {
					t.Fatalf("documents %d, want the value of %d bytes (result %+v)", len(got), len(tt.value), res)
				}
				return
			}
			if len(got) != 0 || res.SkipReasons[tt.wantSkip] != 1 {
				t.Fatalf("documents %d, skipped %v, want one skipped: %s", len(got), res.SkipReasons, tt.wantSkip)
			}
		})
	}
}
