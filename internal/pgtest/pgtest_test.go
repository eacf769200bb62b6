package pgtest_test

import (
	"context"
	"testing"

	"github.com/piisniff/piisniff/internal/pgtest"
)

func TestLeakyAppTable(t *testing.T) {
	for file, want := range map[string]string{
		"users.ndjson":                    "public.users",
		"exports/sessions.ndjson.gz":      "public.sessions",
		"backup/admins.json":              "public.admins",
		"mongoexport/shop.customers.json": "shop.customers",
		"exports/newsletter.csv":          "",
		"elasticdump/app-logs.json":       "",
		"EXPECTED.md":                     "",
	} {
		if got := pgtest.LeakyAppTable(file); got != want {
			t.Errorf("LeakyAppTable(%q) = %q, want %q", file, got, want)
		}
	}
}

func TestLoadLeakyApp(t *testing.T) {
	db := pgtest.NewDB(t)
	conn := db.Conn(t)
	counts, err := pgtest.LoadLeakyApp(context.Background(), conn)
	if err != nil {
		t.Fatal(err)
	}
	if counts["public.users"] == 0 || counts["shop.customers"] == 0 || counts["public.admins"] == 0 {
		t.Fatalf("counts %v", counts)
	}
	var n int64
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM public.users").Scan(&n); err != nil || n != counts["public.users"] {
		t.Fatalf("users: %d rows, err %v, want %d", n, err, counts["public.users"])
	}
	var typ string
	err = conn.QueryRow(context.Background(), `SELECT format_type(atttypid, atttypmod) FROM pg_attribute
		WHERE attrelid = 'public.checkins'::regclass AND attname = 'client_ip'`).Scan(&typ)
	if err != nil || typ != "inet" {
		t.Errorf("checkins.client_ip is %q (%v), want inet", typ, err)
	}
	sum := db.Checksum(t)
	if sum == "" || sum != db.Checksum(t) {
		t.Errorf("checksum not stable: %q", sum)
	}
	db.Exec(t, "DELETE FROM public.admins WHERE id = 1")
	if db.Checksum(t) == sum {
		t.Error("checksum unchanged by a DELETE")
	}
}
