package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func fileTarget(containers []Container, skipped []SkippedItem) Target {
	return Target{URI: "exports", Kind: "file", Exposure: Exposure{Reachable: true, Notes: []string{}},
		Containers: containers, Skipped: skipped}
}

// A scan that read nothing says so in every human format, never "No
// personal data found"; a scan that read data and found none still says
// that.
func TestNothingScanned(t *testing.T) {
	clean := Container{Name: "orders.csv", EstimatedDocuments: 10, SampledDocuments: 10, Fields: []Field{}}
	tests := []struct {
		name     string
		targets  []Target
		complete bool
		want     string
	}{
		{"empty directory", []Target{fileTarget([]Container{}, nil)}, false, "Nothing was scanned"},
		{"only skipped files", []Target{fileTarget([]Container{}, []SkippedItem{{Name: "notes.txt", Reason: "unknown format (.txt)"}})}, false, "Nothing was scanned"},
		{"read and clean", []Target{fileTarget([]Container{clean}, []SkippedItem{{Name: "notes.txt", Reason: "unknown format (.txt)"}})}, true, "No personal data found"},
		{"one of two targets empty", []Target{fileTarget([]Container{clean}, nil), fileTarget([]Container{}, nil)}, false, "No personal data found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &Report{SchemaVersion: SchemaVersion, Tool: Tool{Name: "piisniff", Version: "test"},
				StartedAt: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC), Targets: tc.targets}
			Finish(r, RiskModel{}, false)
			if r.Complete != tc.complete {
				t.Errorf("complete %v, want %v (summary %+v)", r.Complete, tc.complete, r.Summary)
			}
			skipped := 0
			for _, t := range tc.targets {
				skipped += len(t.Skipped)
			}
			if r.Summary.ContainersSkipped != skipped {
				t.Errorf("containers_skipped %d, want %d", r.Summary.ContainersSkipped, skipped)
			}
			var js bytes.Buffer
			if err := WriteJSON(&js, r); err != nil {
				t.Fatal(err)
			}
			if err := Validate(js.Bytes()); err != nil {
				t.Errorf("the report does not validate: %v", err)
			}
			other := "No personal data found"
			if tc.want == other {
				other = "Nothing was scanned"
			}
			for _, format := range []string{"table", "markdown", "html"} {
				var b bytes.Buffer
				if err := Write(&b, r, format, TableOptions{}); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(b.String(), tc.want) || strings.Contains(b.String(), other) {
					t.Errorf("%s: want %q and not %q:\n%s", format, tc.want, other, b.String())
				}
			}
		})
	}
}
