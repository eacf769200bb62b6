package pipeline

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/report"
)

// A document naming two countries gets the same region every time: the
// first country key in byte order wins ("country" < "land").
func TestDocumentRegionIsDeterministic(t *testing.T) {
	e := testEngine(t)
	tests := []struct {
		name string
		doc  map[string]any
		want string
	}{
		{"two keys at the top", map[string]any{"land": "FR", "country": "DE", "b": 1, "c": 2, "d": 3}, "DE"},
		{"two keys one level down", map[string]any{"shipping": map[string]any{"country": "IT"}, "billing": map[string]any{"country": "ES"}}, "ES"},
		{"the top level first", map[string]any{"address": map[string]any{"country": "IT"}, "pays": "FR"}, "FR"},
		{"a key that says nothing is passed over", map[string]any{"country": "??", "land": "AT"}, "AT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// map order is random: enough rounds to see both orders
			for i := 0; i < 200; i++ {
				if got := e.DocumentRegion(tc.doc); got != tc.want {
					t.Fatalf("round %d: region %q, want %q", i, got, tc.want)
				}
			}
		})
	}
}

func TestNoExamples(t *testing.T) {
	uri := addStore("noexamples", &memStore{containers: []memContainer{{name: "db.users", docs: users(20)}}})
	for _, tc := range []struct {
		max, want int
	}{{NoExamples, 0}, {0, DefaultMaxExamples}, {1, 1}} {
		r := Run(context.Background(), []string{uri}, Config{Engine: testEngine(t), MaxExamples: tc.max, Workers: 2})
		f := finding(r.Targets[0].Containers[0], "email", "email")
		if f == nil {
			t.Fatal("no email finding")
		}
		if len(f.Examples) != tc.want || f.Examples == nil {
			t.Errorf("MaxExamples %d: examples %q, want %d (and a list, never null)", tc.max, f.Examples, tc.want)
		}
	}
}

func TestEmptyTargetIsNotComplete(t *testing.T) {
	uri := addStore("empty", &memStore{})
	r := Run(context.Background(), []string{uri}, Config{Engine: testEngine(t)})
	if r.Complete || r.Summary.TargetsEmpty != 1 || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "nothing was scanned") {
		t.Errorf("complete=%v summary=%+v notes=%q", r.Complete, r.Summary, r.Notes)
	}
	notes := strings.Join(r.Targets[0].Exposure.Notes, "\n")
	if !strings.Contains(notes, "nothing was scanned in this target") {
		t.Errorf("target notes %q", notes)
	}
	if err := report.Validate(mustJSON(t, r)); err != nil {
		t.Error(err)
	}
}

func TestExplainRegionAndUnknownPath(t *testing.T) {
	uri := addStore("explainregion", &memStore{containers: []memContainer{{name: "db.contacts", docs: []map[string]any{
		{"country": "DE", "info": "030 2111 4511", "email": "ann@example.com"},
	}}}})
	cfg := Config{Engine: testEngine(t)}
	r := Run(context.Background(), []string{uri}, cfg)
	if finding(r.Targets[0].Containers[0], "info", "phone") == nil {
		t.Fatal("scan finds no phone in info")
	}
	res, err := Explain(context.Background(), ExplainRequest{Target: uri, Path: "info"}, cfg)
	if err != nil || len(res) != 1 || len(res[0].Values) != 1 {
		t.Fatalf("explain: %v %+v", err, res)
	}
	v := res[0].Values[0]
	matched := false
	for _, x := range v.Rules {
		matched = matched || x.Matched && x.Category == "phone"
	}
	if !matched || v.Region != "DE" {
		t.Errorf("explain does not match the phone as scan does (region %q): %+v", v.Region, v.Rules)
	}

	_, err = Explain(context.Background(), ExplainRequest{Target: uri, Path: "emial"}, cfg)
	var pe *PathError
	if !errors.As(err, &pe) || len(pe.Closest) == 0 || pe.Closest[0] != "email" {
		t.Errorf("unknown path: %v", err)
	}
}

func mustJSON(t *testing.T, r *report.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
