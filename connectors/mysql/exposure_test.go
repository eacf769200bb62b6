package mysql

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
)

func TestEOLNote(t *testing.T) {
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		version string
		mariadb bool
		want    string
	}{
		{"5.7.44-log", false, "reached its end of life on 2023-10-31"},
		{"8.0.36", false, "reached its end of life on 2026-04-30"},
		{"8.4.3", false, ""},
		{"10.5.27-MariaDB", true, "reached its end of life on 2025-06-24"},
		{"10.6.20-MariaDB", true, "reached its end of life on 2026-07-06"},
		{"10.11.19-MariaDB-0+deb12u1", true, ""},
		{"5.5.68-MariaDB", true, "past its end of life"},
		{"5.6.51", false, "reached its end of life on 2021-02-28"},
		{"garbage", false, ""},
	}
	for _, tc := range tests {
		got := eolNote(tc.version, tc.mariadb, now)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.version, got, tc.want)
		}
	}
	if got := eolNote("10.11.2-MariaDB", true, time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)); !strings.Contains(got, "reaches its end of life on 2028-02-16") {
		t.Errorf("within a year of the end: %q", got)
	}
}

func TestExposure(t *testing.T) {
	db := fixtures(t)
	ctx := context.Background()
	c, log := openTest(t, db.URI, connectors.Options{})
	ex := c.Exposure(ctx)
	if !ex.Reachable || !ex.AnonymousAccess || ex.TLS || !strings.HasPrefix(ex.Server, "MariaDB 10.") {
		t.Errorf("root with an empty password: %+v", ex)
	}
	has := func(ex connectors.Exposure, s string) bool {
		return slices.ContainsFunc(ex.Notes, func(n string) bool { return strings.Contains(n, s) })
	}
	for _, want := range []string{"empty password", "not encrypted", "superuser", "accounts have no password", "'root'@"} {
		if !has(ex, want) {
			t.Errorf("no note saying %q: %v", want, ex.Notes)
		}
	}
	for _, n := range ex.Notes {
		if strings.Contains(n, "*") && strings.Contains(n, "authentication_string") {
			t.Errorf("a note shows a hash: %s", n)
		}
	}
	log.checkReadOnly(t)

	// A user with a password: the empty-password login is tried only with
	// the anonymous check, and refused.
	uri := limitedUser(t, db, "", "seq")
	c2, _ := openTest(t, uri, connectors.Options{})
	ex = c2.Exposure(ctx)
	if ex.AnonymousAccess || !has(ex, "not checked") || has(ex, "superuser") || has(ex, "accounts have no password") {
		t.Errorf("least-privilege user without the check: %+v", ex)
	}
	c3, _ := openTest(t, uri, connectors.Options{AnonymousCheck: true})
	ex = c3.Exposure(ctx)
	if ex.AnonymousAccess || !has(ex, "refused") {
		t.Errorf("least-privilege user with the check: %+v", ex)
	}
}
