package report

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

// testBuild is a field confidence for tests: the mean confidence.
var testBuild = BuildOptions{MinConfidence: 0.5, Confidence: func(s FindingStats) float64 { return s.MeanConfidence }}

func testMergeOptions() MergeOptions {
	weights := map[string]float64{"password": 1, "email": 0.4, "phone": 0.5}
	return MergeOptions{Confidence: testBuild.Confidence, Model: func(*Settings) (RiskModel, error) {
		return RiskModel{Weight: func(c string) float64 { return weights[c] }}, nil
	}}
}

// shardReport is a shard report as the pipeline writes it: containers with
// their state, findings and people computed from it.
func shardReport(index, count int) *Report {
	pc := PeopleCounter{}
	for i := 0; i < 40; i++ {
		pc.Add("email", hashOf(uint64(i)))
	}
	st := &MergeState{TotalDocuments: 50, ListedDocuments: 50, Fields: []FieldState{
		{Path: "email", Documents: 50, Values: 50, Categories: []CategoryState{{
			Category: "email", MatchedDocuments: 48, MatchedValues: 48, ConfidenceSum: 48 * 0.9, ConfidenceMax: 0.95,
			Evidence: []string{"value", "field_name"}, Rules: []string{"email"},
			Examples: []Example{{Hash: HashString(3), Text: "a***@example.org"}, {Hash: HashString(9), Text: "b***@example.org"}},
			People:   pc["email"].Encode(), Counter: pc["email"],
		}}},
		{Path: "note", Documents: 10, Values: 10, Categories: []CategoryState{{
			Category: "phone", MatchedDocuments: 1, MatchedValues: 1, ConfidenceSum: 0.3, ConfidenceMax: 0.3,
			Evidence: []string{"value"}, Examples: []Example{{Hash: HashString(1), Text: "*** 12"}},
		}}},
	}}
	if count > 1 {
		st.Slice = &ShardInfo{Index: index, Count: count} // every shard reads a slice of it
	}
	c := Container{Name: "users.ndjson", SampledDocuments: 50, SamplingMethod: "all", MergeState: st}
	c.EstimatedDocuments = ContainerTotal(st.TotalDocuments, st.ListedDocuments, c.SampledDocuments)
	fields, people := BuildFields(st, c.SampledDocuments, c.EstimatedDocuments, testBuild)
	c.Fields, c.People = fields, people.People(false, 50, 50, true)
	r := &Report{SchemaVersion: SchemaVersion, Tool: Tool{Name: "piisniff", Version: "test"},
		StartedAt:  time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
		FinishedAt: time.Date(2026, 11, 24, 10, 1, 0, 0, time.UTC),
		Shard:      &ShardInfo{Index: index, Count: count}, Fingerprint: "sha256:test",
		Targets: []Target{{URI: "/data", Kind: "file", Exposure: Exposure{Reachable: true, Server: "local file system", Notes: []string{}},
			Containers: []Container{c}}},
		Settings: &Settings{Seed: 1, MinConfidence: 0.5},
	}
	m := testMergeOptions()
	model, _ := m.Model(nil)
	Finish(r, model, false)
	return r
}

func sources(reports ...[]byte) []MergeSource {
	var out []MergeSource
	for i, b := range reports {
		out = append(out, MergeSource{Name: "shard-" + string(rune('a'+i)) + ".json",
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }})
	}
	return out
}

// TestMergeOneShard: a 1-of-1 shard report merged alone is returned
// unchanged (but for the merge fields).
func TestMergeOneShard(t *testing.T) {
	r := shardReport(0, 1)
	in := *r
	// a note of the shard's own (another shard read what this one did
	// not) is not the merged scan's
	in.Notes = []string{"nothing was scanned: no container was read"}
	data, _ := json.Marshal(&in)
	if err := Validate(data); err != nil {
		t.Fatal(err)
	}
	m, err := Merge(sources(data), testMergeOptions())
	if err != nil {
		t.Fatal(err)
	}
	if d := Differences(r, m); len(d) > 0 {
		t.Errorf("merged one shard differs:\n%s", strings.Join(d, "\n"))
	}
	if m.Shard != nil || m.Fingerprint != "sha256:test" || m.Targets[0].Containers[0].MergeState != nil || !m.Complete {
		t.Errorf("shard %v, fingerprint %q, state kept %v, complete %v", m.Shard, m.Fingerprint, m.Targets[0].Containers[0].MergeState != nil, m.Complete)
	}
}

// TestMergeSlicesOfOneContainer: the same container read in two slices:
// counts summed, the smallest example hashes of both kept, people merged,
// a category below the threshold in each slice reported once the slices
// together pass it.
func TestMergeSlicesOfOneContainer(t *testing.T) {
	a, b := shardReport(0, 2), shardReport(1, 2)
	sb := b.Targets[0].Containers[0].MergeState
	sb.Fields[0].Categories[0].Examples = []Example{{Hash: HashString(1), Text: "c***@example.org"}, {Hash: HashString(5), Text: "d***@example.org"}}
	pc := PeopleCounter{}
	for i := 20; i < 70; i++ { // 20 shared with shard a
		pc.Add("email", hashOf(uint64(i)))
	}
	sb.Fields[0].Categories[0].People = pc["email"].Encode()
	sb.Fields[1].Categories[0] = CategoryState{Category: "phone", MatchedDocuments: 9, MatchedValues: 9, ConfidenceSum: 9 * 0.9,
		ConfidenceMax: 0.9, Evidence: []string{"context"}, Examples: []Example{}}
	da, _ := json.Marshal(a)
	db, _ := json.Marshal(b)
	m, err := Merge(sources(db, da), testMergeOptions())
	if err != nil {
		t.Fatal(err)
	}
	c := m.Targets[0].Containers[0]
	if c.SampledDocuments != 100 || c.EstimatedDocuments != 100 {
		t.Errorf("documents %d of %d, want 100 of 100", c.SampledDocuments, c.EstimatedDocuments)
	}
	email := c.Fields[0].Findings[0]
	if email.MatchedDocuments != 96 || strings.Join(email.Examples, ",") != "a***@example.org,c***@example.org,d***@example.org" {
		t.Errorf("email finding %+v", email)
	}
	if len(c.Fields) != 2 || c.Fields[1].Findings[0].Category != "phone" || c.Fields[1].Findings[0].MatchedDocuments != 10 ||
		strings.Join(c.Fields[1].Findings[0].Evidence, ",") != "value,context" {
		t.Errorf("fields %+v", c.Fields)
	}
	if c.People == nil || c.People.Estimate != 70 || m.Summary.People.Estimate != 70 {
		t.Errorf("people %+v", c.People)
	}
}

// FuzzMergeReport feeds the merge's reader any bytes: it never panics, and
// a report it accepts, merged again as a 1-of-1 shard, comes back
// unchanged.
func FuzzMergeReport(f *testing.F) {
	one, _ := json.Marshal(shardReport(0, 1))
	two, _ := json.Marshal(shardReport(1, 2))
	plain, _ := json.Marshal(sampleReport())
	for _, s := range [][]byte{one, two, plain, []byte(`{"schema_version":1,"targets":[{"containers":[{}]}]}`),
		[]byte(`{"targets":[],"shard":{"index":0,"count":1},"fingerprint":"x","schema_version":1}`), []byte(`[]`)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Merge(sources(data), testMergeOptions())
		if err != nil || m.Merge.Shards > 1000 {
			return // (a note names every missing shard: big counts are slow, not wrong)
		}
		m.Shard = &ShardInfo{Index: 0, Count: 1}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("the merged report cannot be written: %v", err)
		}
		m2, err := Merge(sources(again), testMergeOptions())
		if err != nil {
			t.Fatalf("the merged report cannot be merged again: %v\n%s", err, again)
		}
		if d := Differences(m, m2); len(d) > 0 {
			t.Fatalf("merged again differs:\n%s", strings.Join(d, "\n"))
		}
	})
}

// TestMergeTargetErrors: a target every shard failed alike keeps the
// error; one some shards failed keeps its containers, lists the failures
// and is incomplete.
func TestMergeTargetErrors(t *testing.T) {
	failed := func(index, count int, msg string) []byte {
		r := shardReport(index, count)
		r.Targets[0].Containers = []Container{}
		r.Targets[0].Error = &msg
		Finish(r, RiskModel{}, false)
		b, _ := json.Marshal(r)
		return b
	}
	ok := func(index, count int) []byte {
		b, _ := json.Marshal(shardReport(index, count))
		return b
	}
	for _, tc := range []struct {
		name        string
		inputs      [][]byte
		err         string
		shardErrors int
		containers  int
	}{
		{"all alike", [][]byte{failed(0, 2, "connection refused"), failed(1, 2, "connection refused")}, "connection refused", 0, 0},
		{"all differently", [][]byte{failed(0, 2, "connection refused"), failed(1, 2, "timeout")}, "connection refused", 2, 0},
		{"one of two", [][]byte{ok(0, 2), failed(1, 2, "timeout")}, "", 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Merge(sources(tc.inputs...), testMergeOptions())
			if err != nil {
				t.Fatal(err)
			}
			tg := m.Targets[0]
			gotErr := ""
			if tg.Error != nil {
				gotErr = *tg.Error
			}
			if gotErr != tc.err || len(tg.ShardErrors) != tc.shardErrors || len(tg.Containers) != tc.containers || m.Complete {
				t.Errorf("error %q, shard errors %q, %d containers, complete %v", gotErr, tg.ShardErrors, len(tg.Containers), m.Complete)
			}
			data, _ := json.Marshal(m)
			if err := Validate(data); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestRanges(t *testing.T) {
	for _, tc := range []struct {
		in   []int
		want string
	}{{[]int{3}, "3"}, {[]int{1, 2, 3}, "1-3"}, {[]int{0, 2, 3, 4, 9}, "0, 2-4, 9"}} {
		if got := ranges(tc.in); got != tc.want {
			t.Errorf("ranges(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
