package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/report"
)

// memStore is an in-memory store registered for the memtest:// scheme.
type memStore struct {
	containers []memContainer
	recycled   atomic.Int64 // Recycle calls of recycling containers' documents
	// block makes Sample of container "slow" wait for ctx after emitting.
}

type memContainer struct {
	name  string
	docs  []map[string]any
	fail  error // returned after emitting docs
	block bool  // wait for cancellation after emitting docs
	panic bool  // panic after emitting docs
	raw   bool  // emit raw documents (connectors.RawDocument): see rawDoc
	// recycle emits raw documents that decode to a fresh copy of their
	// fields and implement connectors.Recycler (see recyclingDoc); the
	// store's recycled counts the Recycle calls.
	recycle bool
}

// rawDoc is a raw document of a memtest container: nil fields do not
// decode ("invalid JSON"), fields with a "__panic" key panic in Decode.
// decoded counts the decodes, for the container's DecodeNotes.
type rawDoc struct {
	fields  map[string]any
	decoded *atomic.Int64
}

func (d rawDoc) Decode() (map[string]any, string, bool) {
	d.decoded.Add(1)
	if d.fields == nil {
		return nil, "invalid JSON", false
	}
	if _, ok := d.fields["__panic"]; ok {
		panic("decoder bug")
	}
	return d.fields, "", true
}

// recyclingDoc is a raw document that decodes to a deep copy of its
// fields and, when recycled, poisons that copy (every map emptied and
// given an e-mail address, every array item replaced by one), as a
// decoder reusing the maps would: a consumer that read them after
// Recycle would report what the documents do not hold.
type recyclingDoc struct {
	rawDoc
	recycled *atomic.Int64
}

func (d recyclingDoc) Decode() (map[string]any, string, bool) {
	fields, reason, ok := d.rawDoc.Decode()
	if !ok {
		return nil, reason, false
	}
	return deepCopy(fields).(map[string]any), "", true
}

func (d recyclingDoc) Recycle(fields map[string]any) {
	d.recycled.Add(1)
	poison(fields)
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		a := make([]any, len(v))
		for i, x := range v {
			a[i] = deepCopy(x)
		}
		return a
	}
	return v
}

func poison(v any) {
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			poison(x)
		}
		clear(v)
		v["poisoned"] = "recycled@example.com"
	case []any:
		for i, x := range v {
			poison(x)
			v[i] = "recycled@example.com"
		}
	}
}

var (
	storesMu sync.Mutex
	stores   = map[string]*memStore{}
)

func init() {
	connectors.Register(connectors.Descriptor{Name: "memtest", Schemes: []string{"memtest"}, Kinds: []string{"mongodb"}, Open: func(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
		storesMu.Lock()
		defer storesMu.Unlock()
		name := strings.TrimPrefix(target, "memtest://")
		if i := strings.IndexByte(name, '@'); i >= 0 {
			name = name[i+1:]
		}
		s, ok := stores[name]
		if !ok {
			return nil, fmt.Errorf("no store %q at %s", name, target)
		}
		return &memConn{s: s, uri: target}, nil
	}})
}

func addStore(name string, s *memStore) string {
	storesMu.Lock()
	defer storesMu.Unlock()
	stores[name] = s
	return "memtest://" + name
}

type memConn struct {
	s   *memStore
	uri string
}

func (c *memConn) Kind() string { return "mongodb" }
func (c *memConn) URI() string  { return c.uri }
func (c *memConn) Exposure(context.Context) connectors.Exposure {
	return connectors.Exposure{Reachable: true, AnonymousAccess: true}
}
func (c *memConn) Containers(context.Context) ([]connectors.Container, error) {
	var out []connectors.Container
	for i, mc := range c.s.containers {
		out = append(out, connectors.Container{Name: mc.name, EstimatedDocuments: int64(len(mc.docs)), Handle: i})
	}
	return out, nil
}
func (c *memConn) Sample(ctx context.Context, ct connectors.Container, opts connectors.SampleOptions, emit func(connectors.Document) error) (connectors.SampleResult, error) {
	mc := c.s.containers[ct.Handle.(int)]
	res := connectors.SampleResult{Method: "all", TotalDocuments: int64(len(mc.docs))}
	decoded := new(atomic.Int64)
	if mc.raw || mc.recycle {
		res.DecodeNotes = func() []string { return []string{fmt.Sprintf("%d raw documents decoded", decoded.Load())} }
	}
	for i, d := range mc.docs {
		if opts.Size > 0 && i >= opts.Size {
			res.Method = "head"
			break
		}
		if mc.recycle {
			if err := emit(connectors.Document{Raw: recyclingDoc{rawDoc{fields: d, decoded: decoded}, &c.s.recycled}}); err != nil {
				return res, err
			}
			continue
		}
		if mc.raw {
			if err := emit(connectors.Document{Raw: rawDoc{fields: d, decoded: decoded}}); err != nil {
				return res, err
			}
			continue
		}
		if d == nil {
			res.Skip("undecodable")
			continue
		}
		if err := emit(connectors.Document{Fields: d}); err != nil {
			return res, err
		}
	}
	if mc.panic {
		panic("connector bug")
	}
	if mc.block {
		<-ctx.Done()
		return res, ctx.Err()
	}
	return res, mc.fail
}
func (c *memConn) Close() error { return nil }

func testEngine(t testing.TB) *classifiers.Engine {
	t.Helper()
	e, err := classifiers.Load(defaultRules(t))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func users(n int) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{
			"email":    fmt.Sprintf("user%d@example.com", i),
			"password": fmt.Sprintf("Secret-%d!", i),
			"contacts": []any{
				map[string]any{"email": fmt.Sprintf("a%d@example.org", i)},
				map[string]any{"email": fmt.Sprintf("b%d@example.org", i)},
			},
			"note": "nothing here",
		}
	}
	return out
}

func finding(c report.Container, path, category string) *report.Finding {
	for _, f := range c.Fields {
		if f.Path != path {
			continue
		}
		for i := range f.Findings {
			if f.Findings[i].Category == category {
				return &f.Findings[i]
			}
		}
	}
	return nil
}

func TestRunAggregatesPerField(t *testing.T) {
	uri := addStore("agg", &memStore{containers: []memContainer{{name: "app.users", docs: users(40)}}})
	r := Run(context.Background(), []string{uri}, Config{Engine: testEngine(t), Workers: 3, MinConfidence: 0.5})
	if !r.Complete {
		t.Fatalf("report not complete: %+v", r.Targets)
	}
	c := r.Targets[0].Containers[0]
	if c.SampledDocuments != 40 {
		t.Errorf("sampled %d, want 40", c.SampledDocuments)
	}
	e := finding(c, "contacts[].email", "email")
	if e == nil {
		t.Fatalf("no email finding on contacts[].email: %+v", c.Fields)
	}
	// two e-mails per document count as one matched document
	if e.MatchedDocuments != 40 || e.MatchRatio != 1 || e.EstimatedAffectedDocuments != 40 {
		t.Errorf("contacts[].email counts = %d/%v/%d, want 40/1/40", e.MatchedDocuments, e.MatchRatio, e.EstimatedAffectedDocuments)
	}
	if len(e.Examples) == 0 || len(e.Examples) > 3 {
		t.Errorf("examples = %q", e.Examples)
	}
	for _, ex := range e.Examples {
		if strings.Contains(ex, "a1@example.org") || !strings.Contains(ex, "*") {
			t.Errorf("example %q is not masked", ex)
		}
	}
	if p := finding(c, "password", "password"); p == nil {
		t.Errorf("no password finding: %+v", c.Fields)
	}
	if finding(c, "note", "email") != nil {
		t.Errorf("note reported as e-mail")
	}
	if r.Summary.ByCategory["email"].Containers != 1 || r.Summary.DocumentsSampled != 40 {
		t.Errorf("summary = %+v", r.Summary)
	}
	if c.RiskScore <= 0 || r.Summary.RiskScore < c.RiskScore {
		t.Errorf("risk container %v summary %v", c.RiskScore, r.Summary.RiskScore)
	}
}

func TestRunShowDataNeverShowsCredentials(t *testing.T) {
	uri := addStore("show", &memStore{containers: []memContainer{{name: "app.users", docs: users(5)}}})
	r := Run(context.Background(), []string{uri}, Config{Engine: testEngine(t), ShowData: true, MinConfidence: 0.5})
	c := r.Targets[0].Containers[0]
	e := finding(c, "email", "email")
	if e == nil || !strings.Contains(strings.Join(e.Examples, " "), "@example.com") {
		t.Fatalf("--show-data: e-mail examples not shown raw: %+v", e)
	}
	p := finding(c, "password", "password")
	if p == nil {
		t.Fatal("no password finding")
	}
	for _, ex := range p.Examples {
		if strings.Contains(ex, "Secret") {
			t.Errorf("password shown with --show-data: %q", ex)
		}
	}
}

func TestRunDeterministicForSeed(t *testing.T) {
	uri := addStore("det", &memStore{containers: []memContainer{{name: "a", docs: users(200)}, {name: "b", docs: users(30)}}})
	cfg := Config{Engine: testEngine(t), Workers: 4, Seed: 7, MinConfidence: 0.5}
	a := Run(context.Background(), []string{uri}, cfg)
	b := Run(context.Background(), []string{uri}, cfg)
	strip := func(r *report.Report) string {
		r.StartedAt, r.FinishedAt = r.StartedAt.Truncate(1<<62), r.FinishedAt.Truncate(1<<62)
		var sb strings.Builder
		_ = report.WriteJSON(&sb, r)
		return sb.String()
	}
	if strip(a) != strip(b) {
		t.Error("two runs with the same seed differ")
	}
}

func TestRunFailuresAreContained(t *testing.T) {
	deep := map[string]any{}
	cur := deep
	for i := 0; i < 40; i++ {
		n := map[string]any{}
		cur["x"] = n
		cur = n
	}
	docs := append(users(10), nil, deep)
	uri := addStore("fail", &memStore{containers: []memContainer{
		{name: "bad", docs: users(3), fail: errors.New("connection reset by peer")},
		{name: "good", docs: docs},
		{name: "panics", docs: users(2), panic: true},
	}})
	r := Run(context.Background(), []string{uri, "memtest://nowhere"}, Config{Engine: testEngine(t), MaxDepth: 20, MinConfidence: 0.5})
	if r.Complete {
		t.Error("complete should be false")
	}
	if r.Targets[1].Error == nil || !strings.Contains(*r.Targets[1].Error, "nowhere") || len(r.Targets[1].Containers) != 0 {
		t.Errorf("unreachable target: %+v", r.Targets[1])
	}
	cs := r.Targets[0].Containers
	if len(cs) != 3 || cs[2].Error == nil || !strings.Contains(*cs[2].Error, "internal error") || cs[2].SampledDocuments != 2 {
		t.Errorf("panicking connector: %+v", cs[2])
	}
	if len(cs) != 3 || cs[0].Name != "bad" || cs[0].Error == nil || !strings.Contains(*cs[0].Error, "connection reset") {
		t.Fatalf("containers = %+v", cs)
	}
	if cs[0].SampledDocuments != 3 {
		t.Errorf("documents before the failure are kept: got %d", cs[0].SampledDocuments)
	}
	good := cs[1]
	if good.Error != nil || good.SampledDocuments != 10 || good.SkippedDocuments != 2 {
		t.Errorf("good container: error %v sampled %d skipped %d", good.Error, good.SampledDocuments, good.SkippedDocuments)
	}
	if good.SkipReasons["undecodable"] != 1 || good.SkipReasons[ReasonTooDeep] != 1 {
		t.Errorf("skip reasons = %v", good.SkipReasons)
	}
	if r.Summary.ContainersFailed != 2 || r.Summary.TargetsFailed != 1 {
		t.Errorf("summary = %+v", r.Summary)
	}
}

// TestRunRawDocuments: raw documents are decoded on the workers: what
// decodes is classified as the same documents given whole would be, what
// does not (or panics while decoding) is skipped and counted with its
// reason, and the decoding notes are taken once every document has been
// decoded. Documents whose decoder recycles their maps are recycled once
// each, after the worker is done with them: the recycled container's
// findings are those of the whole documents although every recycled map
// is poisoned.
func TestRunRawDocuments(t *testing.T) {
	docs := append(users(40), nil, nil, map[string]any{"__panic": true})
	for _, tc := range []struct {
		name         string
		raw, recycle bool
		wantRecycled int64
	}{
		{name: "raw", raw: true},
		{name: "recycled", recycle: true, wantRecycled: 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &memStore{containers: []memContainer{{name: "decoded", docs: users(40)}, {name: tc.name, docs: docs, raw: tc.raw, recycle: tc.recycle}}}
			uri := addStore("raw-"+tc.name, st)
			r := Run(context.Background(), []string{uri}, Config{Engine: testEngine(t), Workers: 2, MinConfidence: 0.5})
			cs := r.Targets[0].Containers
			if len(cs) != 2 {
				t.Fatalf("containers %+v", cs)
			}
			whole, raw := cs[0], cs[1]
			if raw.SampledDocuments != 40 || raw.SkippedDocuments != 3 || raw.SkipReasons["invalid JSON"] != 2 || raw.SkipReasons[errInternal.Error()] != 1 {
				t.Errorf("raw container: sampled %d, skipped %d %v", raw.SampledDocuments, raw.SkippedDocuments, raw.SkipReasons)
			}
			if !slices.Contains(raw.Notes, "43 raw documents decoded") {
				t.Errorf("decoding notes %q, want the note of 43 decodes", raw.Notes)
			}
			if got := st.recycled.Load(); got != tc.wantRecycled {
				t.Errorf("%d documents recycled, want %d (each decoded one once)", got, tc.wantRecycled)
			}
			if raw.Error != nil || r.Complete != true {
				t.Errorf("error %v, complete %v", raw.Error, r.Complete)
			}
			if len(raw.Fields) == 0 || len(raw.Fields) != len(whole.Fields) {
				t.Fatalf("fields: raw %d, whole %d", len(raw.Fields), len(whole.Fields))
			}
			for i, f := range raw.Fields {
				w := whole.Fields[i]
				if f.Path != w.Path || len(f.Findings) != len(w.Findings) {
					t.Errorf("field %s (%d findings), want %s (%d findings)", f.Path, len(f.Findings), w.Path, len(w.Findings))
					continue
				}
				for j := range f.Findings {
					if f.Findings[j].Category != w.Findings[j].Category || f.Findings[j].MatchedDocuments != w.Findings[j].MatchedDocuments {
						t.Errorf("%s: finding %+v, want %+v", f.Path, f.Findings[j], w.Findings[j])
					}
				}
			}
		})
	}
}

func TestRunInterruptedKeepsPartialReport(t *testing.T) {
	uri := addStore("slow", &memStore{containers: []memContainer{{name: "slow", docs: users(25), block: true}}})
	ctx, cancel := context.WithCancel(context.Background())
	prog := &cancelAfter{n: 25, cancel: cancel}
	r := Run(ctx, []string{uri}, Config{Engine: testEngine(t), Progress: prog, MinConfidence: 0.5, Settings: &report.Settings{}})
	if r.Complete || !r.Settings.Interrupted {
		t.Fatalf("complete=%v interrupted=%v", r.Complete, r.Settings.Interrupted)
	}
	c := r.Targets[0].Containers[0]
	if c.SampledDocuments != 25 || c.Error == nil || finding(c, "email", "email") == nil {
		t.Errorf("partial container: %+v", c)
	}
}

type cancelAfter struct {
	mu     sync.Mutex
	n      int
	cancel func()
}

func (p *cancelAfter) ContainersFound(string, int, int64)  {}
func (p *cancelAfter) ContainerDone(string, string, error) {}
func (p *cancelAfter) Documents(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n -= n
	if p.n == 0 {
		p.cancel()
	}
}

// TestRunRepeatedValuesCountEveryDocument covers the per-field memo of
// low-cardinality values: a repeated value counts in every document, and a
// field with many distinct values (memo dropped) counts the same.
func TestRunRepeatedValuesCountEveryDocument(t *testing.T) {
	var docs []map[string]any
	for i := 0; i < 300; i++ {
		docs = append(docs, map[string]any{
			"support": "help@example.com",                    // one value, memoised
			"email":   fmt.Sprintf("u%d@example.com", i%100), // 100 values, memo dropped
			"status":  []any{"active", "beta"}[i%2],
		})
	}
	uri := addStore("memo", &memStore{containers: []memContainer{{name: "c", docs: docs}}})
	r := Run(context.Background(), []string{uri}, Config{Engine: testEngine(t), Workers: 2, MinConfidence: 0.5})
	c := r.Targets[0].Containers[0]
	for _, path := range []string{"support", "email"} {
		f := finding(c, path, "email")
		if f == nil || f.MatchedDocuments != 300 {
			t.Errorf("%s: %+v, want 300 matched documents", path, f)
		}
	}
	if len(finding(c, "support", "email").Examples) != 1 {
		t.Errorf("one distinct value, examples %q", finding(c, "support", "email").Examples)
	}
	if finding(c, "status", "email") != nil {
		t.Error("status reported as e-mail")
	}
}

// TestRunPhoneRegionFromDocument: a national phone number under a field name
// that says nothing is recognised when the document names its country.
func TestRunPhoneRegionFromDocument(t *testing.T) {
	var withCountry, without []map[string]any
	for i := 0; i < 20; i++ {
		n := fmt.Sprintf("030 2312%04d", 5000+i)
		withCountry = append(withCountry, map[string]any{"country": "DE", "kontakt": n})
		without = append(without, map[string]any{"kontakt": n})
	}
	uri := addStore("region", &memStore{containers: []memContainer{{name: "de", docs: withCountry}, {name: "unknown", docs: without}}})
	r := Run(context.Background(), []string{uri}, Config{Engine: testEngine(t), MinConfidence: 0.5})
	cs := r.Targets[0].Containers
	if f := finding(cs[0], "kontakt", "phone"); f == nil || f.MatchedDocuments != 20 {
		t.Errorf("with country DE: %+v", f)
	}
	if f := finding(cs[1], "kontakt", "phone"); f != nil {
		t.Errorf("without a country, a national number under a neutral name: %+v", f)
	}
}
