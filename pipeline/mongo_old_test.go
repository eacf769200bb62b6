package pipeline

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/mongotest"
)

// TestMongoDBTooOld: a server that reports the wire version of MongoDB 3.4
// cannot be read, yet the report says it is reachable, which release it
// runs and that it is past end of life; the scan goes on with the other
// target and is incomplete.
func TestMongoDBTooOld(t *testing.T) {
	proxy := mongotest.StartProxy(t, mongotest.Start(t).URI)
	proxy.SetMaxWireVersion(5)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "people.ndjson"), []byte(`{"email":"a@example.org"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Engine: testEngine(t), Workers: 2, SampleSize: 10, MinConfidence: 0.5,
		Connector: connectors.Options{ConnectTimeout: 5 * time.Second}}
	r := runWithin(t, time.Minute, []string{proxy.URI, dir}, cfg)
	if r.Complete || len(r.Targets) != 2 {
		t.Fatalf("complete %v, %d targets", r.Complete, len(r.Targets))
	}
	old := r.Targets[0]
	if !strings.HasPrefix(old.URI, "mongodb://") {
		old = r.Targets[1]
	}
	ex := old.Exposure
	if old.Error == nil || !strings.Contains(*old.Error, "MongoDB 3.4 (wire version 5), too old to be read") {
		t.Errorf("error %v", old.Error)
	}
	if !ex.Reachable || ex.AnonymousAccess || ex.Server != "MongoDB 3.4 (wire version 5)" {
		t.Errorf("exposure %+v", ex)
	}
	for _, want := range []string{"MongoDB 3.4 is past end of life", "too old to be read", "no TLS"} {
		if !slices.ContainsFunc(ex.Notes, func(n string) bool { return strings.Contains(n, want) }) {
			t.Errorf("no note %q in %v", want, ex.Notes)
		}
	}
}
