package connectortest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
)

// CheckSlices reads container ct of c in count slices of a sharded full
// scan and checks that every row is read exactly once (rows of them, told
// apart by the field id); that each slice reports what it read, the method
// methodAll and a note "slice I of N: "; and that each slice holds within
// 5% of 1/count of the rows. A container of one row is read by slice 0
// alone, with a note that its keys cannot be cut.
func CheckSlices(t *testing.T, c connectors.Connector, ct connectors.Container, id string, rows, count int, methodAll string) {
	t.Helper()
	seen := map[string]int{}
	for i := range count {
		var n int
		res, err := c.Sample(context.Background(), ct, connectors.SampleOptions{Slice: connectors.Slice{Index: i, Count: count}},
			func(d connectors.Document) error {
				fields, _, _ := d.Decode()
				seen[fmt.Sprint(fields[id])]++
				n++
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		if res.TotalDocuments != int64(n) {
			t.Errorf("slice %d: TotalDocuments %d, %d read", i, res.TotalDocuments, n)
		}
		notes := strings.Join(res.Notes, "\n")
		if rows == 1 {
			if want := map[bool]int{true: 1, false: 0}[i == 0]; n != want || !strings.Contains(notes, "cannot be cut") {
				t.Errorf("slice %d of a container of one row: %d rows (want %d), notes %q", i, n, want, res.Notes)
			}
			continue
		}
		if res.Method != methodAll || !strings.Contains(notes, fmt.Sprintf("slice %d of %d: ", i, count)) {
			t.Errorf("slice %d: method %q, notes %q; want %s and a slice note", i, res.Method, res.Notes, methodAll)
		}
		if share := float64(n) / float64(rows); share < 0.95/float64(count) || share > 1.05/float64(count) {
			t.Errorf("slice %d of %d holds %d of %d rows: not within 5%% of 1/%d", i, count, n, rows, count)
		}
	}
	if len(seen) != rows {
		t.Errorf("%d distinct rows over the slices, want %d", len(seen), rows)
	}
	for v, k := range seen {
		if k != 1 {
			t.Errorf("row %q read %d times", v, k)
		}
	}
}
