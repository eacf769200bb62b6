//go:build unix

package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestMergeStreamWritesTheReport: the JSON report written from the
// temporary file, container by container, is byte for byte the report
// written whole, and finishing the whole merged report again (Finish
// recomputes everything from the findings) changes nothing: the risk
// computed container by container as the shards are read is the risk of
// the whole report, also when a later shard's report changes the
// target's exposure.
func TestMergeStreamWritesTheReport(t *testing.T) {
	for _, tc := range []struct {
		name            string
		shards, n       int
		sliced          bool
		exposureChanges bool
	}{
		{"disjoint", 4, 6, false, false},
		{"sliced", 3, 5, true, false},
		{"one shard", 1, 3, false, false},
		{"exposure from a later shard, disjoint", 3, 4, false, true},
		{"exposure from a later shard, sliced", 3, 4, true, true},
		{"no container", 2, 0, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var srcs []MergeSource
			for i := 0; i < tc.shards; i++ {
				p := filepath.Join(dir, fmt.Sprintf("shard-%d.json", i))
				if err := writeSyntheticShard(p, i, tc.shards, tc.n, tc.sliced); err != nil {
					t.Fatal(err)
				}
				if tc.exposureChanges {
					rewriteExposure(t, p, i)
				}
				srcs = append(srcs, MergeSource{Name: p, Open: func() (io.ReadCloser, error) { return os.Open(p) }})
			}
			whole, err := Merge(srcs, testMergeOptions())
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := WriteJSON(&want, whole); err != nil {
				t.Fatal(err)
			}
			m, err := MergeStream(srcs, testMergeOptions())
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			var got bytes.Buffer
			if err := m.WriteJSON(&got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("streamed report differs from the whole one:\n%s\n----\n%s", got.Bytes(), want.Bytes())
			}
			if err := Validate(got.Bytes()); err != nil {
				t.Error(err)
			}
			if n := m.Containers(); (tc.sliced && n != tc.n) || (!tc.sliced && n != tc.n*tc.shards) {
				t.Errorf("%d containers", n)
			}
			var again Report
			model, _ := testMergeOptions().Model(nil)
			if err := json.Unmarshal(want.Bytes(), &again); err != nil {
				t.Fatal(err)
			}
			Finish(&again, model, false)
			var re bytes.Buffer
			if err := WriteJSON(&re, &again); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(re.Bytes(), want.Bytes()) {
				t.Errorf("finishing the merged report again changes it:\n%s\n----\n%s", re.Bytes(), want.Bytes())
			}
			if tc.exposureChanges && len(whole.Targets) > 0 && whole.Targets[0].ExposureLevel != ExposureLevelNames[ExpAnonymous] {
				t.Errorf("exposure level %q, want the later shard's", whole.Targets[0].ExposureLevel)
			}
		})
	}
}

// rewriteExposure makes shard 0 of a report not check its target's
// exposure and the others find it open without credentials: the merged
// target has the exposure of shard 1.
func rewriteExposure(t *testing.T, path string, shard int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	e := Exposure{Notes: []string{}}
	if shard > 0 {
		e = Exposure{Reachable: true, AnonymousAccess: true, Server: "MongoDB 7.0", Notes: []string{"listDatabases succeeded without credentials"}}
	}
	r.Targets[0].Exposure = e
	out, err := json.Marshal(&r)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestMergeStreamTempDir: the temporary file is made in the directory
// given (and leaves nothing there), or in the system's when that one
// cannot be written.
func TestMergeStreamTempDir(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "shard-0.json")
	if err := writeSyntheticShard(p, 0, 1, 3, false); err != nil {
		t.Fatal(err)
	}
	srcs := []MergeSource{{Name: p, Open: func() (io.ReadCloser, error) { return os.Open(p) }}}
	for _, tmp := range []string{t.TempDir(), filepath.Join(dir, "no", "such", "dir")} {
		o := testMergeOptions()
		o.TempDir = tmp
		m, err := MergeStream(srcs, o)
		if err != nil {
			t.Fatalf("TempDir %s: %v", tmp, err)
		}
		var out bytes.Buffer
		if err := m.WriteJSON(&out); err != nil || m.Containers() != 3 {
			t.Fatalf("TempDir %s: %v, %d containers", tmp, err, m.Containers())
		}
		if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
			t.Errorf("TempDir %s holds %v", tmp, entries)
		}
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	}
}
