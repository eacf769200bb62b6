package files

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/piisniff/piisniff/connectors"
)

// writeLines writes n NDJSON records {"id": i, ...} to a temporary file.
func writeLines(t testing.TB, dir, name string, n int, line func(i int) string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i := range n {
		w.WriteString(line(i))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func idLine(i int) string {
	return `{"id":` + strconv.Itoa(i) + `,"email":"user` + strconv.Itoa(i) + `@example.com"}`
}

// openContainer opens a single file and returns its connector and container.
func openContainer(t testing.TB, path string, opts connectors.Options) (*Conn, connectors.Container) {
	t.Helper()
	conn, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := conn.Containers(context.Background())
	if err != nil || len(cs) != 1 {
		t.Fatalf("containers %v, %v, skipped %v", cs, err, conn.(*Conn).SkippedContainers())
	}
	return conn.(*Conn), cs[0]
}

func ids(t testing.TB, c *Conn, ct connectors.Container, so connectors.SampleOptions) ([]int, connectors.SampleResult) {
	t.Helper()
	var got []int
	res, err := sampleDecoded(c, ct, so, func(fields map[string]any) {
		n, err := fields["id"].(json.Number).Int64()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, int(n))
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, res
}

// TestReservoirUniform draws many samples with fixed seeds and checks with
// a chi-square test that every record is drawn equally often. The seeds are
// fixed, so the outcome is always the same.
func TestReservoirUniform(t *testing.T) {
	const n, k, runs = 500, 50, 1000
	p := writeLines(t, t.TempDir(), "u.ndjson", n, idLine)
	c, ct := openContainer(t, p, connectors.Options{})
	counts := make([]float64, n)
	for seed := range runs {
		got, res := ids(t, c, ct, connectors.SampleOptions{Size: k, Seed: int64(seed)})
		if len(got) != k || res.TotalDocuments != n || res.Method != "reservoir" {
			t.Fatalf("seed %d: %d documents, result %+v", seed, len(got), res)
		}
		for i := 1; i < len(got); i++ {
			if got[i] <= got[i-1] {
				t.Fatalf("seed %d: not in file order: %v", seed, got)
			}
		}
		for _, id := range got {
			counts[id]++
		}
	}
	expected := float64(runs * k / n)
	chi2 := 0.0
	for _, c := range counts {
		chi2 += (c - expected) * (c - expected) / expected
	}
	// Each run draws k distinct records, so a count varies by
	// runs*p*(1-p) with p = k/n rather than by its mean: correct for it.
	chi2 /= 1 - float64(k)/float64(n)
	t.Logf("chi-square %.1f, %d degrees of freedom", chi2, n-1)
	if df := float64(n - 1); chi2 > df+6*math.Sqrt(2*df) || chi2 < df-6*math.Sqrt(2*df) {
		t.Errorf("chi-square %.1f for %d degrees of freedom: not uniform", chi2, n-1)
	}
	// The first k records fill the reservoir: they must not be favoured.
	var head, tail float64
	for i, c := range counts {
		if i < k {
			head += c
		} else if i >= n-k {
			tail += c
		}
	}
	if math.Abs(head-tail) > 0.1*expected*k {
		t.Errorf("first %d records drawn %.0f times, last %d %.0f times", k, head, k, tail)
	}
}

func TestReservoirDeterministic(t *testing.T) {
	p := writeLines(t, t.TempDir(), "d.ndjson", 5000, idLine)
	c, ct := openContainer(t, p, connectors.Options{})
	a, _ := ids(t, c, ct, connectors.SampleOptions{Size: 100, Seed: 42})
	b, _ := ids(t, c, ct, connectors.SampleOptions{Size: 100, Seed: 42})
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed, different samples")
	}
	d, _ := ids(t, c, ct, connectors.SampleOptions{Size: 100, Seed: 43})
	if reflect.DeepEqual(a, d) {
		t.Errorf("different seeds, same sample")
	}
	all, res := ids(t, c, ct, connectors.SampleOptions{Size: 5000, Seed: 42})
	if len(all) != 5000 || res.Method != "all" || res.TotalDocuments != 5000 {
		t.Errorf("size = total: %d documents, %+v", len(all), res)
	}
	for i, id := range all {
		if id != i {
			t.Fatalf("document %d has id %d", i, id)
		}
	}
}

// TestReservoirReplacesBadDraws checks that a drawn record that does not
// decode is skipped and a good record is drawn in its place.
func TestReservoirReplacesBadDraws(t *testing.T) {
	p := writeLines(t, t.TempDir(), "bad.ndjson", 3000, func(i int) string {
		if i%3 == 1 {
			return `{"id":` + strconv.Itoa(i) + `,"broken"`
		}
		return idLine(i)
	})
	c, ct := openContainer(t, p, connectors.Options{})
	got, res := ids(t, c, ct, connectors.SampleOptions{Size: 200, Seed: 3})
	if len(got) != 200 {
		t.Fatalf("%d documents", len(got))
	}
	for _, id := range got {
		if id%3 == 1 {
			t.Fatalf("a broken record was emitted: %d", id)
		}
	}
	if res.Skipped == 0 || res.SkipReasons[ReasonInvalidJSON] != res.Skipped {
		t.Errorf("result %+v", res)
	}
	if res.TotalDocuments+res.Skipped != 3000 {
		t.Errorf("%d documents + %d skipped != 3000", res.TotalDocuments, res.Skipped)
	}
}

func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// TestMemoryBounded reads a file far larger than the memory it may use,
// streaming and with a reservoir, and checks the live heap.
func TestMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 35 MB file")
	}
	const lines = 80000
	pad := strings.Repeat("x", 420)
	p := writeLines(t, t.TempDir(), "big.ndjson", lines, func(i int) string {
		return `{"id":` + strconv.Itoa(i) + `,"pad":"` + pad + `"}`
	})
	st, _ := os.Stat(p)
	c, ct := openContainer(t, p, connectors.Options{})
	base := heapAfterGC()
	limit := uint64(16 << 20)
	if uint64(st.Size()) < 2*limit {
		t.Fatalf("file too small to show anything: %d bytes", st.Size())
	}

	var peak uint64
	n := 0
	res, err := c.Sample(context.Background(), ct, connectors.SampleOptions{}, func(connectors.Document) error {
		n++
		if n%10000 == 0 {
			peak = max(peak, heapAfterGC())
		}
		return nil
	})
	if err != nil || n != lines || res.TotalDocuments != lines {
		t.Fatalf("streaming: %d documents, %+v, %v", n, res, err)
	}
	if peak > base+limit {
		t.Errorf("streaming %d MB: live heap grew by %d MB", st.Size()>>20, (peak-base)>>20)
	}

	peak, n = 0, 0
	res, err = c.Sample(context.Background(), ct, connectors.SampleOptions{Size: 1000, Seed: 1}, func(connectors.Document) error {
		if n == 0 {
			peak = heapAfterGC()
		}
		n++
		return nil
	})
	if err != nil || n != 1000 || res.TotalDocuments != lines {
		t.Fatalf("reservoir: %d documents, %+v, %v", n, res, err)
	}
	if peak > base+limit {
		t.Errorf("reservoir of 1000: live heap grew by %d MB", (peak-base)>>20)
	}
}

// TestHugeDocument checks that a record larger than MaxDocumentBytes is read
// through without being held in memory, in every format.
func TestHugeDocument(t *testing.T) {
	dir := t.TempDir()
	huge := func(name string, size int, head, tail string) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		w.WriteString(head)
		chunk := strings.Repeat("a", 1<<16)
		for written := 0; written < size; written += len(chunk) {
			w.WriteString(chunk)
		}
		w.WriteString(tail)
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return p
	}
	size := 100 << 20
	if testing.Short() {
		size = 20 << 20
	}
	files := []string{
		huge("huge.ndjson", size, `{"id":0}`+"\n"+`{"v":"`, `"}`+"\n"+`{"id":2}`+"\n"),
		huge("huge.json", size/4, `[{"id":0},{"v":"`, `"},{"id":2}]`),
		huge("huge.csv", size/4, "id,v\n0,x\n1,", "\n2,y\n"),
		huge("unclosed.csv", size/4, "id,v\n0,x\n1,\"", "\n2,y\n"),
	}
	for _, p := range files {
		t.Run(filepath.Base(p), func(t *testing.T) {
			c, ct := openContainer(t, p, connectors.Options{MaxDocumentBytes: 1 << 20})
			before := totalAlloc()
			var got []map[string]any
			res, err := sampleDecoded(c, ct, connectors.SampleOptions{}, func(fields map[string]any) {
				got = append(got, fields)
			})
			allocated := totalAlloc() - before
			if err != nil {
				t.Fatal(err)
			}
			if res.SkipReasons[ReasonTooLarge] != 1 {
				t.Errorf("result %+v", res)
			}
			if !strings.HasPrefix(filepath.Base(p), "unclosed") && len(got) != 2 {
				t.Errorf("%d documents around the huge one, want 2", len(got))
			}
			if allocated > 16<<20 {
				t.Errorf("allocated %d MB to read past a %d MB record", allocated>>20, size>>20)
			}
		})
	}
}

func TestDeepNesting(t *testing.T) {
	dir := t.TempDir()
	nest := func(levels int) string {
		return strings.Repeat(`{"a":`, levels-1) + `{"a":1` + strings.Repeat("}", levels)
	}
	ok := nest(MaxDepth)
	tooDeep := nest(MaxDepth + 1)
	veryDeep := nest(10000)
	arrays := `{"a":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`
	nd := writeLines(t, dir, "deep.ndjson", 4, func(i int) string { return []string{ok, tooDeep, veryDeep, arrays}[i] })
	js := filepath.Join(dir, "deep.json")
	if err := os.WriteFile(js, []byte("["+ok+","+tooDeep+","+veryDeep+","+arrays+"]"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{nd, js} {
		for _, size := range []int{0, 10} {
			docs, res := sampleOne(t, p, connectors.SampleOptions{Size: size})
			if len(docs) != 1 || res.SkipReasons[ReasonTooDeep] != 3 {
				t.Errorf("%s size %d: %d documents, %+v", filepath.Base(p), size, len(docs), res)
			}
		}
	}
}

func TestMillionItemArray(t *testing.T) {
	line := `{"a":[` + strings.TrimSuffix(strings.Repeat("0,", 1000000), ",") + `]}`
	p := writeLines(t, t.TempDir(), "wide.ndjson", 1, func(int) string { return line })
	docs, res := sampleOne(t, p, connectors.SampleOptions{})
	if len(docs) != 1 || len(docs[0]["a"].([]any)) != 1000000 || res.Skipped != 0 {
		t.Errorf("%d documents, %+v", len(docs), res)
	}
}

func TestBinaryGarbage(t *testing.T) {
	dir := t.TempDir()
	b := make([]byte, 1<<20)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	for _, name := range []string{"garbage.ndjson", "garbage.json", "garbage.csv", "garbage.tsv"} {
		p := filepath.Join(dir, name)
		data := b
		if strings.HasSuffix(name, ".json") {
			data = append([]byte("["), b...)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{0, 5} {
			docs, res := sampleOne(t, p, connectors.SampleOptions{Size: size})
			if len(docs) != 0 && !strings.HasSuffix(name, "sv") {
				t.Errorf("%s: %d documents from garbage", name, len(docs))
			}
			if res.Skipped == 0 {
				t.Errorf("%s: nothing skipped: %+v", name, res)
			}
		}
	}
}

func TestCancelAndEmitError(t *testing.T) {
	p := writeLines(t, t.TempDir(), "c.ndjson", 10000, idLine)
	c, ct := openContainer(t, p, connectors.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := c.Sample(ctx, ct, connectors.SampleOptions{}, func(connectors.Document) error {
		n++
		if n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n >= 10000 {
		t.Errorf("after cancel: %v, %d documents", err, n)
	}
	stop := errors.New("stop")
	for _, size := range []int{0, 100} {
		n = 0
		_, err = c.Sample(context.Background(), ct, connectors.SampleOptions{Size: size}, func(connectors.Document) error {
			n++
			return stop
		})
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("size %d: emit error: %v after %d documents", size, err, n)
		}
	}
}

func TestConcurrentSamples(t *testing.T) {
	dir := t.TempDir()
	for i := range 8 {
		writeLines(t, dir, fmt.Sprintf("f%d.ndjson", i), 2000, idLine)
	}
	conn, err := Open(context.Background(), dir, connectors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := conn.Containers(context.Background())
	if err != nil || len(cs) != 8 {
		t.Fatal(cs, err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(cs))
	for i, ct := range cs {
		wg.Go(func() {
			res, err := conn.Sample(context.Background(), ct, connectors.SampleOptions{Size: 50, Seed: int64(i)}, func(connectors.Document) error { return nil })
			if err == nil && res.TotalDocuments != 2000 {
				err = fmt.Errorf("%s: %d documents", ct.Name, res.TotalDocuments)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// flattenPaths collects the field paths of a document that hold a value,
// in the report's convention.
func flattenPaths(prefix string, v any, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flattenPaths(p, e, out)
		}
	case []any:
		out[prefix] = true // the array itself (a GeoJSON coordinates pair)
		for _, e := range x {
			flattenPaths(prefix+"[]", e, out)
		}
	case nil:
	case string:
		if x != "" {
			out[prefix] = true
		}
	default:
		out[prefix] = true
	}
}

// TestLeakyAppExample scans examples/leaky-app and checks that every planted
// field is read with a value, and that every document is read.
func TestLeakyAppExample(t *testing.T) {
	root := filepath.Join("..", "..", "examples")
	raw, err := os.ReadFile(filepath.Join(root, "leaky-app.expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Documents int      `json:"documents"`
		Skipped   []string `json:"skipped_files"`
		Planted   []struct {
			File, Path, Category string
		} `json:"planted"`
	}
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatal(err)
	}
	docs, results, conn := scan(t, filepath.Join(root, "leaky-app"), connectors.Options{}, connectors.SampleOptions{})
	total := 0
	paths := map[string]map[string]bool{}
	for name, ds := range docs {
		if results[name].Skipped != 0 {
			t.Errorf("%s: skipped %v", name, results[name].SkipReasons)
		}
		total += len(ds)
		paths[name] = map[string]bool{}
		for _, d := range ds {
			flattenPaths("", d, paths[name])
		}
	}
	if total != exp.Documents {
		t.Errorf("%d documents, want %d", total, exp.Documents)
	}
	for _, p := range exp.Planted {
		if !paths[p.File][p.Path] {
			t.Errorf("%s: no value at %s (%s)", p.File, p.Path, p.Category)
		}
	}
	var skipped []string
	for _, s := range conn.SkippedContainers() {
		skipped = append(skipped, s.Name)
	}
	if !reflect.DeepEqual(skipped, exp.Skipped) {
		t.Errorf("skipped %v, want %v", skipped, exp.Skipped)
	}
	// Typed values of the mongoexport file survive.
	for _, d := range docs["mongoexport/shop.customers.json"] {
		if _, ok := d["billing"].(map[string]any)["card"].(json.Number); !ok {
			t.Fatalf("billing.card is %T", d["billing"].(map[string]any)["card"])
		}
	}
}
