// Package kubernetes_test checks the Kubernetes manifests of
// deploy/kubernetes: they decode strictly into the Kubernetes API types,
// agree with each other (completions and --shard, the shard reports the
// merge reads), keep the pods non-root on a read-only root file system,
// and a local run of N processes, started exactly as the Indexed Job starts
// its pods, merges into the report of one full scan.
package kubernetes_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/piisniff/piisniff/estate"
)

// kustomization is the part of kustomize's Kustomization these manifests use.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace"`
	Resources  []string `json:"resources"`
	Images     []struct {
		Name    string `json:"name"`
		NewName string `json:"newName"`
		NewTag  string `json:"newTag"`
	} `json:"images"`
}

type manifests struct {
	namespace *corev1.Namespace
	configMap *corev1.ConfigMap
	secret    *corev1.Secret
	pvc       *corev1.PersistentVolumeClaim
	scan      *batchv1.Job
	merge     *batchv1.Job
}

// decodeStrict decodes one manifest into its API type, refusing unknown
// fields (sigs.k8s.io/yaml converts to JSON and decodes with
// DisallowUnknownFields).
func decodeStrict(t *testing.T, file string, m *manifests) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("\n---")) {
		t.Fatalf("%s: one object per file", file)
	}
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(data, &tm); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var obj any
	switch tm.APIVersion + "/" + tm.Kind {
	case "v1/Namespace":
		m.namespace = &corev1.Namespace{}
		obj = m.namespace
	case "v1/ConfigMap":
		m.configMap = &corev1.ConfigMap{}
		obj = m.configMap
	case "v1/Secret":
		m.secret = &corev1.Secret{}
		obj = m.secret
	case "v1/PersistentVolumeClaim":
		m.pvc = &corev1.PersistentVolumeClaim{}
		obj = m.pvc
	case "batch/v1/Job":
		j := &batchv1.Job{}
		obj = j
		defer func() {
			if strings.Contains(j.Name, "merge") {
				m.merge = j
			} else {
				m.scan = j
			}
		}()
	default:
		t.Fatalf("%s: unexpected kind %s %s", file, tm.APIVersion, tm.Kind)
	}
	if err := yaml.UnmarshalStrict(data, obj); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

func loadKustomization(t *testing.T, dir string) kustomization {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k kustomization
	if err := yaml.UnmarshalStrict(data, &k); err != nil {
		t.Fatalf("%s/kustomization.yaml: %v", dir, err)
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		t.Errorf("%s/kustomization.yaml: %s %s", dir, k.APIVersion, k.Kind)
	}
	// every manifest of the directory is a resource, and every resource exists
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	var names []string
	for _, f := range files {
		if b := filepath.Base(f); b != "kustomization.yaml" {
			names = append(names, b)
		}
	}
	res := slices.Clone(k.Resources)
	sort.Strings(res)
	sort.Strings(names)
	if !reflect.DeepEqual(res, names) {
		t.Errorf("%s: resources %v, manifests %v", dir, res, names)
	}
	return k
}

func loadManifests(t *testing.T) manifests {
	t.Helper()
	var m manifests
	for _, dir := range []string{".", "merge"} {
		k := loadKustomization(t, dir)
		for _, r := range k.Resources {
			decodeStrict(t, filepath.Join(dir, r), &m)
		}
	}
	if m.configMap == nil || m.secret == nil || m.pvc == nil || m.scan == nil || m.merge == nil || m.namespace == nil {
		t.Fatalf("missing manifests: %+v", m)
	}
	return m
}

var shardArg = regexp.MustCompile(`^\$\(JOB_COMPLETION_INDEX\)/([0-9]+)$`)

// shardCount is the N of the scan container's --shard $(JOB_COMPLETION_INDEX)/N.
func shardCount(t *testing.T, args []string) int {
	t.Helper()
	for i, a := range args {
		if a == "--shard" && i+1 < len(args) {
			m := shardArg.FindStringSubmatch(args[i+1])
			if m == nil {
				t.Fatalf("--shard %q is not $(JOB_COMPLETION_INDEX)/N", args[i+1])
			}
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	t.Fatalf("no --shard in %q", args)
	return 0
}

func argValue(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func checkPodSecurity(t *testing.T, job *batchv1.Job) {
	t.Helper()
	spec := job.Spec.Template.Spec
	if spec.SecurityContext == nil || spec.SecurityContext.RunAsNonRoot == nil || !*spec.SecurityContext.RunAsNonRoot ||
		spec.SecurityContext.RunAsUser == nil || *spec.SecurityContext.RunAsUser == 0 {
		t.Errorf("%s: the pod does not run as non-root", job.Name)
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("%s: the pod mounts a service account token it does not need", job.Name)
	}
	for _, c := range append(slices.Clone(spec.InitContainers), spec.Containers...) {
		sc := c.SecurityContext
		switch {
		case sc == nil:
			t.Errorf("%s/%s: no security context", job.Name, c.Name)
		case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
			t.Errorf("%s/%s: the root file system is writable", job.Name, c.Name)
		case sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot:
			t.Errorf("%s/%s: not runAsNonRoot", job.Name, c.Name)
		case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
			t.Errorf("%s/%s: privilege escalation allowed", job.Name, c.Name)
		case sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL"):
			t.Errorf("%s/%s: capabilities not dropped", job.Name, c.Name)
		}
	}
}

func mountOf(c corev1.Container, path string) (corev1.VolumeMount, bool) {
	for _, m := range c.VolumeMounts {
		if m.MountPath == path {
			return m, true
		}
	}
	return corev1.VolumeMount{}, false
}

func volume(spec corev1.PodSpec, name string) *corev1.Volume {
	for i := range spec.Volumes {
		if spec.Volumes[i].Name == name {
			return &spec.Volumes[i]
		}
	}
	return nil
}

func TestManifests(t *testing.T) {
	m := loadManifests(t)
	scan := m.scan.Spec
	if scan.CompletionMode == nil || *scan.CompletionMode != batchv1.IndexedCompletion {
		t.Fatalf("the scan Job is not Indexed")
	}
	c := scan.Template.Spec.Containers[0]
	n := shardCount(t, c.Args)
	if scan.Completions == nil || int(*scan.Completions) != n {
		got := "unset"
		if scan.Completions != nil {
			got = strconv.Itoa(int(*scan.Completions))
		}
		t.Errorf("completions %s, --shard N %d: they must agree", got, n)
	}
	if scan.Parallelism == nil || *scan.Parallelism < 1 || int(*scan.Parallelism) > n {
		t.Errorf("parallelism %v for %d shards", scan.Parallelism, n)
	}
	if scan.BackoffLimitPerIndex == nil || *scan.BackoffLimitPerIndex < 1 {
		t.Errorf("backoffLimitPerIndex is not set: one failing shard would fail the others' retries")
	}
	if scan.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("backoffLimitPerIndex and podFailurePolicy need restartPolicy Never")
	}
	if got := argValue(c.Args, "-o"); got != "/reports/shard-$(JOB_COMPLETION_INDEX).json" {
		t.Errorf("the shard report is %q", got)
	}
	if c.Args[0] != "scan" || argValue(c.Args, "--targets") != "/etc/piisniff/estate.yaml" {
		t.Errorf("scan args %q", c.Args)
	}
	// $(JOB_COMPLETION_INDEX) expands only from a variable defined before use
	var idx *corev1.EnvVar
	for i := range c.Env {
		if c.Env[i].Name == "JOB_COMPLETION_INDEX" {
			idx = &c.Env[i]
		}
	}
	if idx == nil || idx.ValueFrom == nil || idx.ValueFrom.FieldRef == nil ||
		idx.ValueFrom.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("JOB_COMPLETION_INDEX is not defined from the completion index annotation")
	}
	// the inventory from the ConfigMap, the credentials from the Secret
	mnt, ok := mountOf(c, "/etc/piisniff")
	if v := volume(scan.Template.Spec, mnt.Name); !ok || !mnt.ReadOnly || v == nil || v.ConfigMap == nil || v.ConfigMap.Name != m.configMap.Name {
		t.Errorf("the inventory is not the ConfigMap %s mounted read-only at /etc/piisniff", m.configMap.Name)
	}
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef == nil || c.EnvFrom[0].SecretRef.Name != m.secret.Name {
		t.Errorf("the credentials are not the Secret %s as environment variables", m.secret.Name)
	}
	for _, job := range []*batchv1.Job{m.scan, m.merge} {
		checkPodSecurity(t, job)
		spec := job.Spec.Template.Spec
		for _, ct := range append(slices.Clone(spec.InitContainers), spec.Containers...) {
			rm, ok := mountOf(ct, "/reports")
			if v := volume(spec, rm.Name); !ok || v == nil || v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != m.pvc.Name {
				t.Errorf("%s/%s: /reports is not the claim %s", job.Name, ct.Name, m.pvc.Name)
			}
		}
	}
	if !slices.Contains(m.pvc.Spec.AccessModes, corev1.ReadWriteMany) {
		t.Errorf("the reports claim is not ReadWriteMany: shard pods on several nodes could not share it")
	}
	// the inventory parses, with every credential it names in the Secret
	inv := m.configMap.Data["estate.yaml"]
	secretEnv := func(name string) string { return m.secret.StringData[name] }
	f, err := estate.Parse("estate-configmap.yaml", []byte(inv), secretEnv)
	if err != nil {
		t.Fatalf("the ConfigMap's inventory: %v", err)
	}
	for _, tg := range f.Targets {
		if _, err := tg.Connector(connectorsOptions(secretEnv)); err != nil {
			t.Errorf("target %s: %v", tg.Name, err)
		}
	}
	// the merge reads exactly the N shard reports and writes the estate report
	mc := m.merge.Spec.Template.Spec.Containers[0]
	var want []string
	for i := range n {
		want = append(want, fmt.Sprintf("/reports/shard-%d.json", i))
	}
	if len(mc.Args) < 2 || mc.Args[0] != "report" || mc.Args[1] != "merge" {
		t.Fatalf("merge args %q", mc.Args)
	}
	var inputs []string
	for _, a := range mc.Args[2:] {
		if a == "-o" {
			break
		}
		inputs = append(inputs, a)
	}
	if !reflect.DeepEqual(inputs, want) || argValue(mc.Args, "-o") != "/reports/estate.json" {
		t.Errorf("merge args %q, want the reports %q and -o /reports/estate.json", mc.Args, want)
	}
	wait := strings.Join(m.merge.Spec.Template.Spec.InitContainers[0].Command, " ")
	for _, w := range want {
		if !strings.Contains(wait, w) {
			t.Errorf("the merge's init container does not wait for %s", w)
		}
	}
	if !strings.Contains(wait, fmt.Sprintf("-ge %d", n)) {
		t.Errorf("the merge's init container does not wait for %d reports", n)
	}
	// the Dockerfile: static, distroless or scratch, non-root
	df, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CGO_ENABLED=0", "FROM gcr.io/distroless/static", "USER 65532"} {
		if !bytes.Contains(df, []byte(want)) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}

// expand replaces $(VAR) references as Kubernetes does in a container's
// command and args: $(NAME) by the value of an environment variable defined
// for the container, $$ by $; a reference to an undefined variable and any
// other $ are kept as written.
func expand(s string, env map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			if v, ok := env[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+3+end])
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}

func TestExpand(t *testing.T) {
	env := map[string]string{"JOB_COMPLETION_INDEX": "3"}
	tests := []struct{ in, want string }{
		{"$(JOB_COMPLETION_INDEX)/4", "3/4"},
		{"/reports/shard-$(JOB_COMPLETION_INDEX).json", "/reports/shard-3.json"},
		{"$$(JOB_COMPLETION_INDEX)", "$(JOB_COMPLETION_INDEX)"},
		{"$(UNDEFINED)", "$(UNDEFINED)"},
		{"cost $5", "cost $5"},
		{"$(unclosed", "$(unclosed"},
	}
	for _, tt := range tests {
		if got := expand(tt.in, env); got != tt.want {
			t.Errorf("expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
