package mongodb

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/mongotest"
)

// assertReadCommands fails the test for any command that is not a read.
func assertReadCommands(t *testing.T, rec *recorder) {
	t.Helper()
	cmds := rec.all()
	if len(cmds) == 0 {
		t.Fatal("no command recorded")
	}
	for _, cmd := range cmds {
		if !slices.Contains(readCommands, cmd.Name) {
			t.Errorf("command %q is not a read command: %v", cmd.Name, cmd.Cmd)
		}
	}
}

// TestReadOnlyOnErrorPaths: the commands sent while a sampling fails (an
// invalid collection, a cancelled scan, a caller that stops, a server that
// goes away part way) are reads too, and the data is as it was.
func TestReadOnlyOnErrorPaths(t *testing.T) {
	before := snapshot(t)
	ctx := context.Background()
	big := containerByName(t, nil, "fixtures.big")
	medium := containerByName(t, nil, "fixtures.medium")

	t.Run("invalid collection", func(t *testing.T) {
		rec := &recorder{}
		c := openTest(t, connectors.Options{}, rec)
		bad := connectors.Container{Name: "fixtures.bad", EstimatedDocuments: 10, Handle: handle{DB: "fixtures", Coll: "$bad"}}
		for _, size := range []int{0, 5} {
			if _, err := c.Sample(ctx, bad, connectors.SampleOptions{Size: size}, func(connectors.Document) error { return nil }); err == nil {
				t.Errorf("size %d: no error", size)
			}
		}
		assertReadCommands(t, rec)
	})
	t.Run("cancelled part way", func(t *testing.T) {
		rec := &recorder{}
		c := openTest(t, connectors.Options{}, rec)
		for _, size := range []int{0, 2000} {
			cctx, cancel := context.WithCancel(ctx)
			n := 0
			_, err := c.Sample(cctx, medium, connectors.SampleOptions{Size: size, Seed: 3}, func(connectors.Document) error {
				if n++; n == 10 {
					cancel()
				}
				return nil
			})
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Errorf("size %d: %v", size, err)
			}
		}
		assertReadCommands(t, rec)
	})
	t.Run("caller stops", func(t *testing.T) {
		rec := &recorder{}
		c := openTest(t, connectors.Options{}, rec)
		stop := errors.New("stop")
		for _, size := range []int{0, 500} {
			if _, err := c.Sample(ctx, big, connectors.SampleOptions{Size: size}, func(connectors.Document) error { return stop }); !errors.Is(err, stop) {
				t.Errorf("size %d: %v", size, err)
			}
		}
		assertReadCommands(t, rec)
	})
	t.Run("server goes away", func(t *testing.T) {
		rec := &recorder{}
		proxy := mongotest.StartProxy(t, srv.URI)
		c, err := open(ctx, proxy.URI, connectors.Options{ConnectTimeout: time.Second, RequestTimeout: 2 * time.Second}.WithDefaults(), rec.monitor())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		n := 0
		_, err = c.Sample(ctx, big, connectors.SampleOptions{Size: 0}, func(connectors.Document) error {
			if n++; n == 1500 {
				proxy.Stop()
			}
			return nil
		})
		if err == nil {
			t.Fatal("no error after the server went away")
		}
		t.Log(err)
		if _, err := c.Sample(ctx, medium, connectors.SampleOptions{Size: 10}, func(connectors.Document) error { return nil }); err == nil {
			t.Error("no error sampling a server that is gone")
		}
		assertReadCommands(t, rec)
	})

	after := snapshot(t)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed: %s -> %s", k, v, after[k])
		}
	}
}
