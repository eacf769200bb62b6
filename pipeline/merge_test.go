package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors"
	_ "github.com/piisniff/piisniff/connectors/files"
	"github.com/piisniff/piisniff/report"
)

// shardScan runs shard i of n of a scan as --shard I/N runs it: the same
// settings as the full run, Config.Shard and the fingerprint set; the
// pipeline reads the units of the shard (whole containers, or a slice of
// every container in a full scan where the connector can cut it).
type shardScan struct {
	targets []string
	cfg     Config
}

func mergeConfig(t testing.TB, sample int) Config {
	return Config{Engine: testEngine(t), Workers: 2, SampleSize: sample, Seed: 7, MinConfidence: 0.5,
		Tool:     report.Tool{Name: "piisniff", Version: "test"},
		Settings: &report.Settings{SampleSize: sample, Seed: 7, MinConfidence: 0.5}}
}

// run writes the n shard reports to files and returns their paths.
func (s shardScan) run(t *testing.T, n int) []string {
	t.Helper()
	dir := t.TempDir()
	fp := report.MergeFingerprint(report.FingerprintInput{Tool: s.cfg.Tool, Settings: *s.cfg.Settings, Targets: s.targets})
	var paths []string
	for i := 0; i < n; i++ {
		cfg := s.cfg
		settings := *s.cfg.Settings
		cfg.Settings = &settings
		cfg.Shard = &report.ShardInfo{Index: i, Count: n}
		cfg.Fingerprint = fp
		r := Run(context.Background(), s.targets, cfg)
		p := filepath.Join(dir, fmt.Sprintf("shard-%d.json", i))
		writeReport(t, p, r)
		paths = append(paths, p)
	}
	return paths
}

func writeReport(t testing.TB, path string, r *report.Report) {
	t.Helper()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.Validate(data); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func fileSources(paths []string) []report.MergeSource {
	var out []report.MergeSource
	for _, p := range paths {
		out = append(out, report.MergeSource{Name: p, Open: func() (io.ReadCloser, error) { return os.Open(p) }})
	}
	return out
}

func mergeOptions(e *classifiers.Engine) report.MergeOptions {
	return report.MergeOptions{
		Confidence: BuildOptions(0).Confidence,
		Evidence:   BuildOptions(0).Evidence,
		Model:      func(*report.Settings) (report.RiskModel, error) { return RiskModel(e), nil },
	}
}

func mergePaths(t *testing.T, e *classifiers.Engine, paths []string) *report.Report {
	t.Helper()
	r, err := report.Merge(fileSources(paths), mergeOptions(e))
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.Validate(data); err != nil {
		t.Fatalf("merged report: %v", err)
	}
	return r
}

func assertSame(t *testing.T, full, merged *report.Report) {
	t.Helper()
	// the sampling methods and notes of the containers are compared too:
	// a slice of a full scan reports the method one machine would
	// ("all"), and its notes about the cut ("slice I of N: ...") are
	// taken out by the merge
	if d := report.Differences(full, merged); len(d) > 0 {
		t.Errorf("merged report differs from the full run in %d places:\n%s", len(d), strings.Join(d, "\n"))
	}
	if merged.Merge == nil || len(merged.Merge.Missing) > 0 {
		t.Errorf("merge info %+v", merged.Merge)
	}
}

// readReportFile reads a JSON report a shard run wrote.
func readReportFile(t *testing.T, path string) *report.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &r
}

// sliceNotes lists the notes about the cut of the containers of shard
// reports, and the sampling methods of the containers that have them.
func sliceNotes(t *testing.T, paths []string) (notes []string, methods map[string]bool) {
	t.Helper()
	methods = map[string]bool{}
	for _, p := range paths {
		for _, tg := range readReportFile(t, p).Targets {
			for _, c := range tg.Containers {
				for _, n := range c.Notes {
					if strings.HasPrefix(n, "slice ") {
						notes = append(notes, n)
						methods[c.SamplingMethod] = true
					}
				}
			}
		}
	}
	return notes, methods
}

// containerNames lists the containers of a full run and what it passed
// over.
func containerNames(r *report.Report) (names, skipped []string) {
	for _, t := range r.Targets {
		for _, c := range t.Containers {
			names = append(names, c.Name)
		}
		for _, s := range t.Skipped {
			skipped = append(skipped, s.Name)
		}
	}
	return names, skipped
}

// TestMergeFiles: the leaky-app directory scanned whole, and by 1, 3 and
// 16 shards (--shard: each file read by one shard), merged: the same
// report, finding by finding, and people counted.
func TestMergeFiles(t *testing.T) {
	target := filepath.Join("..", "examples", "leaky-app")
	for _, sample := range []int{0, 20} {
		cfg := mergeConfig(t, sample)
		full := Run(context.Background(), []string{target}, cfg)
		if !full.Complete || len(full.Targets[0].Containers) < 5 {
			t.Fatalf("full run: complete %v, %d containers", full.Complete, len(full.Targets[0].Containers))
		}
		if full.Summary.People == nil || full.Summary.People.Estimate == 0 {
			t.Fatalf("full run counts no people: %+v", full.Summary.People)
		}
		// 16 shards for 11 files: some shards read nothing
		for _, n := range []int{1, 3, 16} {
			t.Run(fmt.Sprintf("sample %d, %d shards", sample, n), func(t *testing.T) {
				s := shardScan{targets: []string{target}, cfg: cfg}
				merged := mergePaths(t, cfg.Engine, s.run(t, n))
				assertSame(t, full, merged)
				if !merged.Complete {
					t.Errorf("merged report incomplete: %+v", merged.Merge)
				}
			})
		}
	}
}

// sliceStores are the stores of the slicetest connector, a Slicer: in a
// sharded full scan each shard reads its slice of every container.
var (
	sliceMu     sync.Mutex
	sliceStores = map[string]*memStore{}
)

func init() {
	connectors.Register(connectors.Descriptor{Name: "slicetest", Schemes: []string{"slicetest"}, Kinds: []string{"mongodb"},
		Open: func(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
			sliceMu.Lock()
			defer sliceMu.Unlock()
			s, ok := sliceStores[strings.TrimPrefix(target, "slicetest://")]
			if !ok {
				return nil, fmt.Errorf("no store at %s", target)
			}
			return &sliceConn{memConn: memConn{s: s, uri: target}}, nil
		}})
}

type sliceConn struct{ memConn }

func (c *sliceConn) CanSlice(connectors.Container) bool { return true }

func (c *sliceConn) Sample(ctx context.Context, ct connectors.Container, opts connectors.SampleOptions, emit func(connectors.Document) error) (connectors.SampleResult, error) {
	mc := c.s.containers[ct.Handle.(int)]
	res := connectors.SampleResult{Method: "all"}
	for j, d := range mc.docs {
		if !opts.Slice.Whole() && j%opts.Slice.Count != opts.Slice.Index {
			continue
		}
		res.TotalDocuments++
		if d == nil {
			res.Skip("undecodable")
			continue
		}
		if err := emit(connectors.Document{Fields: d}); err != nil {
			return res, err
		}
	}
	return res, nil
}

// people generates n documents of m distinct people: e-mails written in
// varied case, phones in national and international form, card numbers
// with and without spaces, a few Luhn-valid order numbers.
func people(n, m int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		p := i % m
		email := fmt.Sprintf("Person%d@Example.com", p)
		if i%2 == 1 {
			email = strings.ToLower(email)
		}
		phone := fmt.Sprintf("+44 20 7946 %04d", p%10000)
		if i%3 == 0 {
			phone = fmt.Sprintf("020 7946 %04d", p%10000)
		}
		out[i] = map[string]any{
			"email": email, "phone": phone, "name": fmt.Sprintf("Person %d", p),
			"password": fmt.Sprintf("secret-%d", i%7), "notes": fmt.Sprintf("visit %d", i),
		}
		if i == 3 {
			out[i] = nil // undecodable
		}
	}
	return out
}

// TestMergeSlices: a full scan whose every container is cut into n slices,
// one per shard (the connector is a Slicer), merged: the counts, confidences, examples (smallest seeded
// hashes over all slices) and people equal one machine's scan.
func TestMergeSlices(t *testing.T) {
	store := &memStore{containers: []memContainer{
		{name: "shop.users", docs: people(900, 300)},
		{name: "shop.orders", docs: people(500, 480)},
		{name: "shop.big", docs: people(3000, 2600)}, // more people than ExactLimit: a sketch
		{name: "shop.empty"},
	}}
	sliceMu.Lock()
	sliceStores["estate"] = store
	sliceMu.Unlock()
	target := "slicetest://estate"
	cfg := mergeConfig(t, 0)
	full := Run(context.Background(), []string{target}, cfg)
	if !full.Complete {
		t.Fatal("full run incomplete")
	}
	users := full.Targets[0].Containers[slices.IndexFunc(full.Targets[0].Containers, func(c report.Container) bool { return c.Name == "shop.users" })]
	// one document of shop.users is undecodable: not every document was read
	if p := users.People; p == nil || p.Estimate != 300 || !p.Exact || !p.LowerBound || p.Identifier != "email" {
		t.Fatalf("people of shop.users: %s", report.PeopleText(p))
	}
	big := full.Targets[0].Containers[slices.IndexFunc(full.Targets[0].Containers, func(c report.Container) bool { return c.Name == "shop.big" })]
	if p := big.People; p == nil || p.Exact || p.ErrorBound == 0 {
		t.Fatalf("people of shop.big: want a sketch, have %s", report.PeopleText(p))
	}
	for _, n := range []int{2, 5} {
		t.Run(fmt.Sprintf("%d slices", n), func(t *testing.T) {
			s := shardScan{targets: []string{target}, cfg: cfg}
			merged := mergePaths(t, cfg.Engine, s.run(t, n))
			assertSame(t, full, merged)
		})
	}
}

// TestMergeRefuses: reports of different scans are refused with both file
// names; a missing or a duplicated shard gives an incomplete report saying
// which.
func TestMergeRefuses(t *testing.T) {
	target := filepath.Join("..", "examples", "leaky-app")
	cfg := mergeConfig(t, 10)
	full := Run(context.Background(), []string{target}, cfg)
	s := shardScan{targets: []string{target}, cfg: cfg}
	paths := s.run(t, 3)
	other := cfg
	otherSettings := *cfg.Settings
	otherSettings.Seed = 8
	other.Settings = &otherSettings
	other.Seed = 8
	odd := shardScan{targets: []string{target}, cfg: other}.run(t, 3)

	cases := []struct {
		name     string
		paths    []string
		err      []string // substrings of the error; nil: merges
		missing  []int
		dup      []string
		complete bool
		note     string
	}{
		{name: "all", paths: paths, complete: true},
		{name: "different seed", paths: []string{paths[0], odd[1], paths[2]}, err: []string{paths[0], odd[1], "fingerprints differ"}},
		{name: "missing", paths: paths[:2], missing: []int{2}, note: "shard 2/3 is missing"},
		{name: "duplicated", paths: []string{paths[0], paths[1], paths[1], paths[2]}, dup: []string{paths[1]}, note: "is shard 1/3 again"},
		{name: "missing and duplicated", paths: []string{paths[0], paths[0]}, missing: []int{1, 2}, dup: []string{paths[0]},
			note: "shards 1-2 of 3 are missing"},
		{name: "not a report", paths: []string{paths[0], "merge_test.go"}, err: []string{"merge_test.go"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := report.Merge(fileSources(tc.paths), mergeOptions(cfg.Engine))
			if tc.err != nil {
				if err == nil {
					t.Fatal("merged")
				}
				for _, s := range tc.err {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not say %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Complete != tc.complete || !slices.Equal(r.Merge.Missing, tc.missing) || !slices.Equal(r.Merge.Duplicated, tc.dup) {
				t.Errorf("complete %v, missing %v, duplicated %v; notes %q", r.Complete, r.Merge.Missing, r.Merge.Duplicated, r.Merge.Notes)
			}
			if tc.note != "" && !slices.ContainsFunc(r.Merge.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("no note %q in %q", tc.note, r.Merge.Notes)
			}
			if tc.complete {
				assertSame(t, full, r)
			}
		})
	}
}
