package redis

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redistest"
)

// loadCluster writes keys spread over every master's slots.
func loadCluster(t *testing.T, cl *redistest.Cluster) {
	t.Helper()
	ctx := context.Background()
	p := cl.Client.Pipeline()
	for i := 0; i < 300; i++ {
		p.HSet(ctx, fmt.Sprintf("user:%d", i), "email", fmt.Sprintf("u%d@example.com", i))
	}
	for i := 0; i < 90; i++ {
		p.Set(ctx, fmt.Sprintf("order:%d", i), `{"card":"4111 1111 1111 1111"}`, 0)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestCluster: a cluster node given as the target is detected as a cluster
// from INFO cluster and every master is read; when a master goes away
// mid-scan its keys fail and the rest are still read.
func TestCluster(t *testing.T) {
	cl := redistest.StartCluster(t)
	loadCluster(t, cl)
	c, log := openT(t, cl.URI(), connectors.Options{}, nil)
	if !c.cluster {
		t.Fatal("cluster not detected")
	}
	cs := containers(t, c)
	users, orders := cs["db0/user:*"], cs["db0/order:*"]
	if users.EstimatedDocuments != 300 || orders.EstimatedDocuments != 90 || len(cs) != 2 {
		t.Fatalf("containers %v: user:* %d, order:* %d", names(cs), users.EstimatedDocuments, orders.EstimatedDocuments)
	}
	docs, _, err := sample(t, c, users, 0, 1)
	if err != nil || len(docs) != 300 {
		t.Fatalf("%d docs, %v", len(docs), err)
	}
	for _, cmd := range log.all() {
		if !Allowed(cmd) {
			t.Errorf("%q sent", cmd)
		}
	}

	// a master goes away between listing and reading
	cl.Nodes[2].Stop()
	docs, _, err = sample(t, c, orders, 0, 1)
	if err == nil {
		t.Fatal("no error when a master is gone")
	}
	if !strings.Contains(err.Error(), "could not be read") {
		t.Errorf("error %q", err)
	}
	if len(docs) == 0 || len(docs) >= 90 {
		t.Errorf("%d of 90 documents read: the other masters' keys must still be read", len(docs))
	}
}

// TestClusterFlag: --redis-cluster reads the target as a cluster from the
// start; a database number is refused.
func TestClusterFlag(t *testing.T) {
	cl := redistest.StartCluster(t)
	loadCluster(t, cl)
	c, _ := openT(t, cl.URI(), connectors.Options{}, &Options{Cluster: true})
	if cs := containers(t, c); len(cs) != 2 {
		t.Errorf("containers %v", names(cs))
	}
	_, err := connectors.Open(context.Background(), cl.URI()+"/3", connectors.Options{}.WithStore(Name, &Options{Cluster: true}))
	if err == nil || !strings.Contains(err.Error(), "database 0 only") {
		t.Errorf("db 3 of a cluster: %v", err)
	}
}
