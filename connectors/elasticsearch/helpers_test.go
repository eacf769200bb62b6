package elasticsearch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
	"github.com/piisniff/piisniff/internal/estest"
)

func TestMain(m *testing.M) {
	// keep retries fast in tests; the policy itself is tested on backoff()
	retryBase = time.Millisecond
	retryMax = 5 * time.Millisecond
	maxRetryAfter = 10 * time.Millisecond
	// the machine's Elastic variables must not reach the tests
	for _, k := range []string{EnvAPIKey, EnvAPIKeyAlt, EnvUsername, EnvPassword, EnvServiceToken, EnvCloudID, EnvCA, EnvBearerToken, connectors.EnvPassword} {
		os.Unsetenv(k)
	}
	os.Exit(m.Run())
}

func readNDJSON(t testing.TB, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		d := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// newCluster starts a server of the given flavor with the people fixture
// (alias "customers"), a dynamic "orders" index, a data stream, a hidden
// index, a legacy dot index and a closed index.
func newCluster(t testing.TB, cfg estest.Config) *estest.Server {
	t.Helper()
	srv := estest.New(cfg)
	t.Cleanup(srv.Close)
	var mapping map[string]any
	readJSON(t, "testdata/people.mapping.json", &mapping)
	must(t, srv.AddIndex("people", mapping, readNDJSON(t, "testdata/people.ndjson")))
	must(t, srv.AddAlias("customers", "people"))
	var orders []map[string]any
	for i := range 40 {
		orders = append(orders, map[string]any{"order_id": i, "card": "4111 1111 1111 1111", "total": json.Number("12.50")})
	}
	must(t, srv.AddIndex("orders", nil, orders))
	must(t, srv.AddDataStream("logs-app", nil, []map[string]any{
		{"@timestamp": "2026-11-25T10:00:00Z", "client": map[string]any{"ip": "192.0.2.7"}, "message": "login ok"},
		{"@timestamp": "2026-11-25T10:01:00Z", "client": map[string]any{"ip": "198.51.100.9"}, "message": "login failed"},
	}))
	must(t, srv.AddIndexWithOptions(".internal", nil, []map[string]any{{"k": "v"}}, estest.IndexOptions{Hidden: true}))
	must(t, srv.AddIndex(".kibana_1", nil, []map[string]any{{"k": "v"}}))
	must(t, srv.AddIndexWithOptions("archive", nil, []map[string]any{{"k": "v"}}, estest.IndexOptions{Closed: true}))
	return srv
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func openConn(t testing.TB, target string, opts connectors.Options) *Connector {
	t.Helper()
	c, err := Open(context.Background(), target, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c.(*Connector)
}

func containerByName(t testing.TB, list []connectors.Container, name string) connectors.Container {
	t.Helper()
	for _, c := range list {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %q", name)
	return connectors.Container{}
}

func sampleAll(t testing.TB, c *Connector, ct connectors.Container, size int, seed int64) ([]map[string]any, connectors.SampleResult, error) {
	t.Helper()
	var docs []map[string]any
	res, err := c.Sample(context.Background(), ct, connectors.SampleOptions{Size: size, Seed: seed}, func(d connectors.Document) error {
		docs = append(docs, d.Fields)
		return nil
	})
	return docs, res, err
}

// assertReadOnly checks from the server's request log that the client only
// read (estest's one allow-list).
func assertReadOnly(t testing.TB, reqs []estest.Request) {
	t.Helper()
	if len(reqs) == 0 {
		t.Fatal("no request logged")
	}
	for _, r := range reqs {
		if !r.IsRead() {
			t.Errorf("not a read-only request: %s", r)
		}
	}
}

func hasNote(notes []string, sub string) bool {
	for _, n := range notes {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

func TestConformance(t *testing.T) {
	for _, flavor := range estest.Flavors {
		t.Run(flavor.String(), func(t *testing.T) {
			srv := newCluster(t, estest.Config{Flavor: flavor, Auth: estest.AuthBasic, Username: testUser, Password: testPass, Anonymous: true})
			var events []map[string]any
			for i := range 1200 {
				events = append(events, map[string]any{"n": i, "email": "u" + strconv.Itoa(i) + "@example.org"})
			}
			must(t, srv.AddIndex("events", nil, events))
			u := strings.Replace(srv.URL(), "://", "://"+testUser+":"+testPass+"@", 1)
			connectortest.Run(t, connectortest.Instance{
				Target:   u,
				Log:      srv.Log,
				ReadOnly: estest.ReadOnly,
				Big:      "events",
				Secret:   testPass,
			})
		})
	}
}
