package elasticsearch

import (
	"context"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/estest"
)

// TestEndOfLifeNote: an Elasticsearch past its end of life gets the note of
// internal/eol; a supported one and OpenSearch none.
func TestEndOfLifeNote(t *testing.T) {
	tests := []struct {
		flavor  estest.Flavor
		version string
		want    bool
	}{
		{estest.ES7, "7.10.2", true},
		{estest.ES7, "6.8.23", true},
		{estest.ES8, "8.15.3", false},
		{estest.OpenSearch2, "2.17.1", false},
	}
	for _, tc := range tests {
		t.Run(tc.flavor.String()+" "+tc.version, func(t *testing.T) {
			srv := newCluster(t, estest.Config{Flavor: tc.flavor, Version: tc.version})
			c := openConn(t, srv.URL(), connectors.Options{})
			exp := c.Exposure(context.Background())
			if got := hasNote(exp.Notes, "past end of life"); got != tc.want {
				t.Errorf("end-of-life note %v, want %v: %v", got, tc.want, exp.Notes)
			}
			if tc.want && !hasNote(exp.Notes, "https://www.elastic.co/support/eol") {
				t.Errorf("note without its source: %v", exp.Notes)
			}
		})
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 indices", 1: "1 index", 2: "2 indices"} {
		if got := plural(n, "index", "indices"); got != want {
			t.Errorf("plural(%d) = %q, want %q", n, got, want)
		}
	}
}
