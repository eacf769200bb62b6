package kubernetes_test

import (
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// buildPiisniff builds the command once per test binary.
func buildPiisniff(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "piisniff")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/piisniff/piisniff/cmd/piisniff")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// static, as the Dockerfile builds it for a distroless image: no
	// program interpreter (dynamic loader), no shared libraries
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("the binary built with CGO_ENABLED=0 needs a dynamic loader")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v", libs)
	}
	return bin
}

// run runs the binary and returns its exit code.
func run(t *testing.T, bin string, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &ee):
		return ee.ExitCode(), string(out)
	}
	t.Fatalf("%s %q: %v", bin, args, err)
	return -1, ""
}

// writeEstate writes data stores (directories of files) and an inventory
// naming them, with a credential taken from the environment as the Secret
// gives it.
func writeEstate(t *testing.T, root string) string {
	t.Helper()
	var inv strings.Builder
	inv.WriteString("version: 1\ndefaults:\n  tags: {environment: test}\ntargets:\n")
	owners := []string{"payments", "growth", "platform"}
	for s := range 9 {
		dir := filepath.Join(root, "stores", fmt.Sprintf("app-%d", s))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for f := range 3 {
			var b strings.Builder
			for i := range 40 + 10*f {
				fmt.Fprintf(&b, `{"id":"%d-%d-%d","email":"user%d.%d@example.com","phone":"+1 415 555 %04d","name":"Ann Lee"}`+"\n", s, f, i, s, i, i)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("users-%d.ndjson", f)), []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Fprintf(&inv, "  - name: app-%d\n    uri: ${STORES}/app-%d\n    tags: {owner: %s, application: app-%d}\n", s, s, owners[s%3], s)
	}
	return inv.String()
}

// TestIndexedJobLocally runs the scan Job's pods as local processes: the
// args of the manifest, $(JOB_COMPLETION_INDEX) expanded from the index as
// the Job controller sets it, /etc/piisniff and /reports mapped to local
// directories; then the merge Job's args. The merged report equals one
// full scan, container by container.
func TestIndexedJobLocally(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	m := loadManifests(t)
	bin := buildPiisniff(t)
	root := t.TempDir()
	etc, reports := filepath.Join(root, "etc"), filepath.Join(root, "reports")
	for _, d := range []string{etc, reports} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(etc, "estate.yaml"), []byte(writeEstate(t, root)), 0o600); err != nil {
		t.Fatal(err)
	}
	remap := func(a string) string {
		a = strings.Replace(a, "/etc/piisniff/", etc+"/", 1)
		return strings.Replace(a, "/reports/", reports+"/", 1)
	}
	// the environment of the pod: the Secret's variables and the index
	secretEnv := []string{"STORES=" + filepath.Join(root, "stores")}
	for k, v := range m.secret.StringData {
		secretEnv = append(secretEnv, k+"="+v)
	}
	// the ConfigMap's inventory passes targets check with the Secret's
	// variables, as the pods would read it
	cm := filepath.Join(root, "configmap-estate.yaml")
	if err := os.WriteFile(cm, []byte(m.configMap.Data["estate.yaml"]), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := run(t, bin, secretEnv, "targets", "check", cm); code != 0 {
		t.Errorf("targets check of the ConfigMap's inventory: exit %d\n%s", code, out)
	}
	c := m.scan.Spec.Template.Spec.Containers[0]
	n := int(*m.scan.Spec.Completions)
	for i := range n {
		env := map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i)}
		var args []string
		for _, a := range c.Args {
			args = append(args, remap(expand(a, env)))
		}
		code, out := run(t, bin, append(secretEnv, "JOB_COMPLETION_INDEX="+strconv.Itoa(i)), args...)
		if code != 0 {
			t.Fatalf("shard %d: exit %d\n%s", i, code, out)
		}
	}
	// one full scan of the same inventory
	full := filepath.Join(root, "full.json")
	if code, out := run(t, bin, secretEnv, "scan", "--targets", filepath.Join(etc, "estate.yaml"), "--sample-size", "0", "--quiet", "-o", full); code != 0 {
		t.Fatalf("full scan: exit %d\n%s", code, out)
	}
	fullRep := readReport(t, full)
	var shardDocs int64
	for i := range n {
		r := readReport(t, filepath.Join(reports, fmt.Sprintf("shard-%d.json", i)))
		if r.Shard == nil || r.Shard.Index != i || r.Shard.Count != n {
			t.Errorf("shard-%d.json: shard %+v", i, r.Shard)
		}
		shardDocs += r.Summary.DocumentsSampled
	}
	if shardDocs != fullRep.Summary.DocumentsSampled {
		t.Errorf("the shards read %d documents, the full scan %d", shardDocs, fullRep.Summary.DocumentsSampled)
	}
	// the merge Job
	if code, _ := run(t, bin, nil, "report", "merge", "--help"); code != 0 {
		t.Skip("report merge is not in this build: the shard reports add up; the merge is not checked")
	}
	mc := m.merge.Spec.Template.Spec.Containers[0]
	var args []string
	for _, a := range mc.Args {
		args = append(args, remap(a))
	}
	if code, out := run(t, bin, nil, args...); code != 0 {
		t.Fatalf("merge: exit %d\n%s", code, out)
	}
	merged := readReport(t, filepath.Join(reports, "estate.json"))
	compareReports(t, fullRep, merged)
}

type miniReport struct {
	Complete bool `json:"complete"`
	Shard    *struct {
		Index int `json:"index"`
		Count int `json:"count"`
	} `json:"shard"`
	Targets []struct {
		Name       string            `json:"name"`
		Tags       map[string]string `json:"tags"`
		URI        string            `json:"uri"`
		Containers []struct {
			Name     string `json:"name"`
			Sampled  int64  `json:"sampled_documents"`
			Estimate int64  `json:"estimated_documents"`
			Fields   []struct {
				Path     string `json:"path"`
				Findings []struct {
					Category string  `json:"category"`
					Matched  int64   `json:"matched_documents"`
					Conf     float64 `json:"confidence"`
					Affected int64   `json:"estimated_affected_documents"`
				} `json:"findings"`
			} `json:"fields"`
		} `json:"containers"`
	} `json:"targets"`
	Summary struct {
		DocumentsSampled  int64 `json:"documents_sampled"`
		ContainersScanned int   `json:"containers_scanned"`
	} `json:"summary"`
}

func readReport(t *testing.T, path string) miniReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r miniReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

// findings lists a report's findings one line each, sorted.
func findings(r miniReport) []string {
	var out []string
	for _, tg := range r.Targets {
		for _, c := range tg.Containers {
			out = append(out, fmt.Sprintf("%s %v | %s: %d of %d documents", tg.Name, tg.Tags, c.Name, c.Sampled, c.Estimate))
			for _, f := range c.Fields {
				for _, fd := range f.Findings {
					out = append(out, fmt.Sprintf("%s | %s | %s %s: %d matched, confidence %.3f, %d affected", tg.Name, c.Name, f.Path, fd.Category, fd.Matched, fd.Conf, fd.Affected))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func compareReports(t *testing.T, full, merged miniReport) {
	t.Helper()
	a, b := findings(full), findings(merged)
	if len(a) == 0 {
		t.Fatal("the full scan found nothing")
	}
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("the merged report differs from the full scan:\nfull:\n%s\nmerged:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	if full.Complete != merged.Complete || full.Summary != merged.Summary {
		t.Errorf("complete/summary: full %v %+v, merged %v %+v", full.Complete, full.Summary, merged.Complete, merged.Summary)
	}
}
