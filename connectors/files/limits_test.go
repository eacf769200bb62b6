package files

import (
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
)

// TestTooManyValues: a document within the size limit whose values would
// take far more memory decoded than its text is skipped with a reason.
func TestTooManyValues(t *testing.T) {
	array := func(n int) string {
		return `{"a":[` + strings.TrimSuffix(strings.Repeat("0,", n), ",") + `]}`
	}
	lines := []string{`{"id":1}`, array(MaxValues - 2), array(MaxValues - 1), `{"id":2}`}
	p := writeLines(t, t.TempDir(), "many.ndjson", len(lines), func(i int) string { return lines[i] })
	docs, res := sampleOne(t, p, connectors.SampleOptions{})
	if len(docs) != 3 || res.SkipReasons[ReasonTooManyValues] != 1 || res.Skipped != 1 {
		t.Errorf("%d documents, %+v; want the array of MaxValues-1 items skipped", len(docs), res)
	}
}
