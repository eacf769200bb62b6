// Package connectortest is the conformance kit every connector's tests run
// against a live instance of its store (a real server, the embedded
// FerretDB, the Elasticsearch protocol server, a directory of files).
//
// A connector package calls Run once from a test:
//
//	func TestConformance(t *testing.T) {
//		srv := startStore(t)          // a live store holding at least two containers
//		connectortest.Run(t, connectortest.Instance{
//			Target:   srv.URI,
//			Options:  connectors.Options{...},
//			Log:      srv.Commands,      // what the connector sent, one entry per command
//			ReadOnly: isReadCommand,     // the store's allow-list of reads
//			Big:      "db.events",      // a container of at least 1,000 documents
//			Snapshot: srv.Digest,        // optional: a digest of the data
//		})
//	}
//
// Run checks what every connector must do whatever its store: it lists
// containers and honours the --containers filter, samples no more than it
// is asked, stops when emit fails, returns promptly when its context is
// cancelled mid-sample, may be closed twice, never shows a credential in
// its URI or errors, reads every document exactly once over the slices of
// a sharded full scan when it implements connectors.Slicer, and sends the
// store nothing but reads (from the
// connector's own command or request log, and from a digest of the data
// when the instance gives one).
package connectortest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/report"
)

// CancelWithin is how soon Sample must return after its context is
// cancelled.
const CancelWithin = 2 * time.Second

// Instance is a live store holding data for the kit.
type Instance struct {
	// Target is what the user would type (a URI or a path); it may hold
	// credentials.
	Target string
	// Options open the connector; the kit sets Containers for the filter
	// tests and keeps the rest.
	Options connectors.Options
	// Open opens the connector; nil means connectors.Open (the registry),
	// which is what the CLI does.
	Open func(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error)
	// Log returns every command, statement or request the connector sent
	// to the store since the instance was started, one entry each. It must
	// record at least the listing and sampling: an empty log fails.
	Log func() []string
	// ReadOnly reports whether one log entry is a read (the store's
	// allow-list).
	ReadOnly func(entry string) bool
	// Big names a container of at least 1,000 documents, for cancellation.
	Big string
	// Snapshot, when set, returns a digest of the store's data; it must
	// be the same before and after the kit's run.
	Snapshot func() string
	// Secret, when set, is a credential in Target or Options that must
	// not show in the connector's URI, errors or skipped-container reasons.
	Secret string
}

// Run runs the conformance checks as subtests of t.
func Run(t *testing.T, in Instance) {
	t.Helper()
	if in.Log == nil || in.ReadOnly == nil || in.Big == "" {
		t.Fatal("connectortest: Instance needs Log, ReadOnly and Big")
	}
	if in.Open == nil {
		in.Open = connectors.Open
	}
	var before string
	if in.Snapshot != nil {
		before = in.Snapshot()
	}
	var names []string

	t.Run("identity", func(t *testing.T) {
		c := open(t, in, in.Options)
		if !report.IsKind(c.Kind()) {
			t.Errorf("Kind() = %q, not a report kind (%v)", c.Kind(), report.Kinds())
		}
		d, err := connectors.For(in.Target)
		if err != nil {
			t.Fatalf("no descriptor serves %s: %v", c.URI(), err)
		}
		if !slices.Contains(d.Kinds, c.Kind()) {
			t.Errorf("Kind() = %q, not one of the descriptor's kinds %v", c.Kind(), d.Kinds)
		}
		checkSecret(t, in, "URI()", c.URI())
		ex := c.Exposure(context.Background())
		for _, n := range ex.Notes {
			checkSecret(t, in, "an exposure note", n)
		}
	})

	t.Run("containers", func(t *testing.T) {
		c := open(t, in, in.Options)
		cs, err := c.Containers(context.Background())
		if err != nil {
			t.Fatalf("Containers: %v", err)
		}
		for _, ct := range cs {
			names = append(names, ct.Name)
		}
		if len(names) < 2 {
			t.Fatalf("the instance must hold at least two containers, got %v", names)
		}
		if !slices.Contains(names, in.Big) {
			t.Fatalf("Big container %q not listed (%v)", in.Big, names)
		}
		if sl, ok := c.(connectors.SkipLister); ok {
			for _, s := range sl.SkippedContainers() {
				checkSecret(t, in, "a skipped container's reason", s.Reason)
			}
		}
	})
	if len(names) < 2 {
		return
	}

	t.Run("containers filter", func(t *testing.T) {
		one := names[0]
		for _, tc := range []struct {
			name   string
			filter connectors.Filter
			want   []string
		}{
			{"include one", connectors.Filter{Include: []string{one}}, []string{one}},
			{"exclude one", connectors.Filter{Exclude: []string{one}}, without(names, one)},
			{"include all but one", connectors.Filter{Include: []string{"*"}, Exclude: []string{one}}, without(names, one)},
			{"include none", connectors.Filter{Include: []string{"no-such-container-\x01"}}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				opts := in.Options
				opts.Containers = tc.filter
				c := open(t, in, opts)
				cs, err := c.Containers(context.Background())
				if err != nil {
					t.Fatalf("Containers: %v", err)
				}
				var got []string
				for _, ct := range cs {
					got = append(got, ct.Name)
				}
				slices.Sort(got)
				want := slices.Clone(tc.want)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("--containers %+v: got %v, want %v", tc.filter, got, want)
				}
			})
		}
	})

	t.Run("sample size", func(t *testing.T) {
		c, big := openBig(t, in)
		var n int
		res, err := c.Sample(context.Background(), big, connectors.SampleOptions{Size: 3, Seed: 1}, func(connectors.Document) error {
			n++
			return nil
		})
		if err != nil {
			t.Fatalf("Sample: %v", err)
		}
		if n == 0 || n > 3 {
			t.Errorf("Sample(Size 3) emitted %d documents", n)
		}
		if res.Method == "" {
			t.Errorf("Sample did not say how it sampled (Method is empty)")
		}
	})

	t.Run("documents decode later", func(t *testing.T) {
		// The pipeline decodes raw documents on its workers, after the
		// connector has read on: a document kept undecoded until Sample
		// returned, then decoded on other goroutines, is the one decoded
		// at once (same seed, same sample).
		c, big := openBig(t, in)
		opts := connectors.SampleOptions{Size: 200, Seed: 7}
		var kept []connectors.Document
		if _, err := c.Sample(context.Background(), big, opts, func(d connectors.Document) error {
			kept = append(kept, d)
			return nil
		}); err != nil {
			t.Fatalf("Sample: %v", err)
		}
		now := map[string]int{}
		if _, err := c.Sample(context.Background(), big, opts, func(d connectors.Document) error {
			now[decodedJSON(t, d)]++
			return nil
		}); err != nil {
			t.Fatalf("Sample: %v", err)
		}
		later := make([]string, len(kept))
		done := make(chan struct{})
		for i := range kept {
			go func() {
				defer func() { done <- struct{}{} }()
				later[i] = decodedJSON(t, kept[i])
			}()
		}
		for range kept {
			<-done
		}
		for _, j := range later {
			now[j]--
		}
		for j, n := range now {
			if n != 0 {
				t.Errorf("decoded at once %+d times more than later: %.200s", n, j)
			}
		}
	})

	t.Run("emit error stops sampling", func(t *testing.T) {
		c, big := openBig(t, in)
		stop := errors.New("connectortest: stop")
		var calls atomic.Int64
		_, err := c.Sample(context.Background(), big, connectors.SampleOptions{Size: 0, Seed: 1}, func(connectors.Document) error {
			calls.Add(1)
			return stop
		})
		if !errors.Is(err, stop) {
			t.Errorf("Sample returned %v, want the emit error", err)
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("emit was called %d times after it failed, want once", n)
		}
	})

	t.Run("slices", func(t *testing.T) {
		c, big := openBig(t, in)
		sl, ok := c.(connectors.Slicer)
		if !ok || !sl.CanSlice(big) {
			t.Skip("the connector does not cut this container (it is read whole by one shard)")
		}
		// the slices of a full scan hold every document exactly once
		whole, n := readSlice(t, c, big, connectors.Slice{})
		got, total := map[string]int{}, 0
		const count = 3
		for i := range count {
			part, k := readSlice(t, c, big, connectors.Slice{Index: i, Count: count})
			for d, m := range part {
				got[d] += m
			}
			total += k
		}
		if total != n {
			t.Errorf("%d slices hold %d documents, the whole container %d", count, total, n)
		}
		for d, m := range whole {
			if got[d] != m {
				t.Errorf("a document read %d times over the slices, %d times whole: %.200s", got[d], m, d)
				break
			}
		}
	})

	t.Run("cancellation", func(t *testing.T) {
		c, big := openBig(t, in)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var cancelled atomic.Int64 // unix nanos
		var after atomic.Int64
		done := make(chan error, 1)
		go func() {
			_, err := c.Sample(ctx, big, connectors.SampleOptions{Size: 0, Seed: 1}, func(connectors.Document) error {
				if cancelled.Load() == 0 {
					cancelled.Store(time.Now().UnixNano())
					cancel()
					return nil
				}
				after.Add(1)
				return nil
			})
			done <- err
		}()
		select {
		case err := <-done:
			if cancelled.Load() == 0 {
				t.Fatalf("Sample emitted nothing: %v", err)
			}
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("after cancellation Sample returned %v, want nil or context.Canceled", err)
			}
			checkSecret(t, in, "an error", fmt.Sprint(err))
		case <-time.After(CancelWithin + 30*time.Second):
			t.Fatalf("Sample did not return %v after its context was cancelled (waited %v)", CancelWithin, CancelWithin+30*time.Second)
		}
		if took := time.Since(time.Unix(0, cancelled.Load())); took > CancelWithin {
			t.Errorf("Sample returned %v after its context was cancelled, want within %v", took.Round(time.Millisecond), CancelWithin)
		}
	})

	t.Run("close twice", func(t *testing.T) {
		c, err := in.Open(context.Background(), in.Target, in.Options)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if _, err := c.Containers(context.Background()); err != nil {
			t.Fatalf("Containers: %v", err)
		}
		if err := c.Close(); err != nil {
			t.Errorf("first Close: %v", err)
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("second Close panicked: %v", r)
				}
			}()
			_ = c.Close()
		}()
	})

	t.Run("read-only", func(t *testing.T) {
		log := in.Log()
		if len(log) == 0 {
			t.Fatal("the connector's command log is empty: nothing proves it only read")
		}
		bad := 0
		for _, e := range log {
			if !in.ReadOnly(e) {
				bad++
				if bad <= 10 {
					t.Errorf("not a read: %s", e)
				}
			}
		}
		if in.Snapshot != nil {
			if after := in.Snapshot(); after != before {
				t.Errorf("the store's data changed during the scan")
			}
		}
	})
}

func open(t *testing.T, in Instance, opts connectors.Options) connectors.Connector {
	t.Helper()
	c, err := in.Open(context.Background(), in.Target, opts)
	if err != nil {
		checkSecret(t, in, "an Open error", err.Error())
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func openBig(t *testing.T, in Instance) (connectors.Connector, connectors.Container) {
	t.Helper()
	c := open(t, in, in.Options)
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatalf("Containers: %v", err)
	}
	for _, ct := range cs {
		if ct.Name == in.Big {
			return c, ct
		}
	}
	t.Fatalf("Big container %q not listed", in.Big)
	return nil, connectors.Container{}
}

func checkSecret(t *testing.T, in Instance, what, s string) {
	t.Helper()
	if in.Secret != "" && strings.Contains(s, in.Secret) {
		t.Errorf("%s shows the credential: %s", what, s)
	}
}

func without(list []string, x string) []string {
	var out []string
	for _, s := range list {
		if s != x {
			out = append(out, s)
		}
	}
	return out
}

// readSlice reads slice s of c in a full scan: each document's JSON
// encoding (keys sorted) with its count, and the number read.
func readSlice(t *testing.T, c connectors.Connector, ct connectors.Container, s connectors.Slice) (map[string]int, int) {
	t.Helper()
	docs, n := map[string]int{}, 0
	_, err := c.Sample(context.Background(), ct, connectors.SampleOptions{Size: 0, Seed: 1, Slice: s}, func(d connectors.Document) error {
		docs[decodedJSON(t, d)]++
		n++
		return nil
	})
	if err != nil {
		t.Fatalf("Sample(slice %d of %d): %v", s.Index, s.Count, err)
	}
	return docs, n
}

// decodedJSON is a document's JSON encoding (keys sorted), decoded as the
// pipeline decodes it; "(skipped: reason)" for a record that is no
// document.
func decodedJSON(t *testing.T, d connectors.Document) string {
	fields, reason, ok := d.Decode()
	if !ok {
		return "(skipped: " + reason + ")"
	}
	b, err := json.Marshal(fields)
	if err != nil {
		t.Errorf("a decoded document does not encode: %v", err)
	}
	return string(b)
}
