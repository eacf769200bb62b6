package main

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/piisniff/piisniff/internal/mysqltest"
)

// TestScanEAVTable: rows of an entity-attribute-value table (WordPress
// wp_usermeta) read from SQL are key/value pairs at the row's root: each
// meta_value is classified under the name its meta_key holds and reported
// at [meta_key=NAME].meta_value; keys that are not personal are not.
func TestScanEAVTable(t *testing.T) {
	var docs []map[string]any
	for i := range 300 {
		var k, v string
		switch i % 4 {
		case 0:
			k, v = "billing_phone", fmt.Sprintf("030 %07d", 1234500+i)
		case 1:
			k, v = "billing_email", fmt.Sprintf("user%d@example.com", i)
		case 2:
			k, v = "first_name", []string{"Hans", "Anna", "Lukas", "Marie"}[i%4]
		default:
			k, v = "rich_editing", "true"
		}
		docs = append(docs, map[string]any{"umeta_id": int64(i + 1), "user_id": int64(i / 4), "meta_key": k, "meta_value": v, "country": "DE"})
	}
	tbl, err := mysqltest.TableOf("wp_usermeta", docs)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "wp.db")
	if err := mysqltest.SQLiteFile(context.Background(), path, []mysqltest.Table{tbl}); err != nil {
		t.Fatal(err)
	}
	_, found := scanStore(t, "sqlite://"+path)
	for _, p := range []planted{
		{"wp.db.wp_usermeta", "[meta_key=billing_phone].meta_value", "phone"},
		{"wp.db.wp_usermeta", "[meta_key=billing_email].meta_value", "email"},
		{"wp.db.wp_usermeta", "[meta_key=first_name].meta_value", "person_name"},
	} {
		if !found[p] {
			t.Errorf("not found: %v (found %v)", p, found)
		}
	}
	for p := range found {
		if p.Path == "[meta_key=rich_editing].meta_value" || p.Path == "meta_value" {
			t.Errorf("unexpected finding %v", p)
		}
	}
}
