package pipeline

import (
	"github.com/spf13/pflag"

	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
)

// panicConn panics in the method its target's host names, with a message
// that quotes the target (password included) and the API key, as a
// library's panic might.
type panicConn struct {
	memConn
	where, target, key string
}

func (c *panicConn) boom(where string) {
	if c.where == where {
		panic("cannot use " + c.target + " with key " + c.key)
	}
}

func (c *panicConn) Exposure(ctx context.Context) connectors.Exposure {
	c.boom("exposure")
	return c.memConn.Exposure(ctx)
}

func (c *panicConn) Containers(ctx context.Context) ([]connectors.Container, error) {
	c.boom("containers")
	return c.memConn.Containers(ctx)
}

func (c *panicConn) Sample(ctx context.Context, ct connectors.Container, opts connectors.SampleOptions, emit func(connectors.Document) error) (connectors.SampleResult, error) {
	c.boom("sample")
	return c.memConn.Sample(ctx, ct, opts, emit)
}

// panicOptions hold a secret the redaction must find through the registry.
type panicOptions struct{ Key string }

func newPanicOptions() connectors.StoreOptions     { return &panicOptions{} }
func (o *panicOptions) AddFlags(fs *pflag.FlagSet) {}
func (o *panicOptions) Secrets() []string          { return []string{o.Key} }

func init() {
	connectors.Register(connectors.Descriptor{Name: "panictest", Schemes: []string{"panictest"}, Kinds: []string{"mongodb"}, NewOptions: newPanicOptions, Open: func(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
		u, err := url.Parse(target)
		if err != nil {
			return nil, err
		}
		c := &panicConn{memConn: memConn{s: &memStore{containers: []memContainer{{name: "db.users", docs: users(5)}}}, uri: "panictest://" + u.Host},
			where: u.Hostname(), target: target, key: connectors.Own[*panicOptions](opts, "panictest").Key}
		if c.where == "open" {
			panic("cannot open " + target + " with key " + connectors.Own[*panicOptions](opts, "panictest").Key)
		}
		return c, nil
	}})
}

// TestPanicsAreContainedAndRedacted: a panic in a connector fails its
// target or container with an error whose secrets are redacted, the other
// targets are scanned, and nothing ends the process.
func TestPanicsAreContainedAndRedacted(t *testing.T) {
	const password, key = "Pw-9f3kQ-secret", "QXBpS2V5OnNlY3JldC1rZXktNzc="
	var targets []string
	for _, where := range []string{"open", "exposure", "containers", "sample", "fine"} {
		targets = append(targets, "panictest://auditor:"+password+"@"+where+":1/")
	}
	cfg := Config{Engine: testEngine(t), MinConfidence: 0.5, Connector: connectors.Options{}.WithStore("panictest", &panicOptions{Key: key})}
	r := Run(context.Background(), targets, cfg)
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), password) || strings.Contains(string(out), key) {
		t.Fatalf("a secret from a panic message is in the report:\n%s", out)
	}
	if r.Complete || len(r.Targets) != 5 {
		t.Fatalf("complete=%v, %d targets", r.Complete, len(r.Targets))
	}
	for i, where := range []string{"open", "exposure", "containers"} {
		tg := r.Targets[i]
		if tg.Error == nil || !strings.Contains(*tg.Error, "internal error") || !strings.Contains(*tg.Error, "auditor:***@") {
			t.Errorf("%s: target error %v", where, tg.Error)
		}
	}
	if c := r.Targets[3].Containers; len(c) != 1 || c[0].Error == nil || !strings.Contains(*c[0].Error, "internal error") {
		t.Errorf("sample: containers %+v", c)
	}
	if tg := r.Targets[4]; tg.Error != nil || len(tg.Containers) != 1 || tg.Containers[0].SampledDocuments != 5 {
		t.Errorf("the target that does not panic: %+v", tg)
	}
}

// TestClassifierPanicSkipsTheDocument: a panic while classifying a document
// (here: no engine at all) skips that document with a reason instead of
// ending the process.
func TestClassifierPanicSkipsTheDocument(t *testing.T) {
	s := newScanner(Config{Workers: 1, MaxDepth: DefaultMaxDepth, MaxExamples: 3})
	w := newWorker(0, s)
	cs := &containerState{shards: []*shard{newShard()}}
	w.process(cs, connectors.Document{Fields: map[string]any{"email": "ann@example.com"}})
	if sh := cs.shards[0]; sh.skipReasons[errInternal.Error()] != 1 || sh.docs != 0 {
		t.Errorf("skip reasons %v, %d documents", sh.skipReasons, sh.docs)
	}
}
