package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
)

func TestEOLNote(t *testing.T) {
	today := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		versionNum int
		want       string // "" for no note
	}{
		{90624, "PostgreSQL 9.6 is past its end of life"},
		{110022, "PostgreSQL 11 reached its end of life"},
		{120022, "PostgreSQL 12 reached its end of life on 2024-11-21"},
		{130018, "PostgreSQL 13 reached its end of life on 2025-11-13"},
		{140015, "PostgreSQL 14 reached its end of life on 2026-11-12"},
		{150020, ""},
		{170002, ""},
		{80400, "PostgreSQL 8.4 is past its end of life"},
	}
	for _, tc := range tests {
		got := eolNote(tc.versionNum, today)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("eolNote(%d) = %q, want %q", tc.versionNum, got, tc.want)
		}
	}
	if n := eolNote(150020, time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)); !strings.Contains(n, "reaches its end of life on 2027-11-11") {
		t.Errorf("15 half a year before its end: %q", n)
	}
}

func TestExposure(t *testing.T) {
	f := newFixture(t)
	pw := strings.Replace(f.db.URI, "postgres@", "postgres:any-password@", 1)
	tests := []struct {
		name     string
		uri      string
		opts     connectors.Options
		anon     bool
		wantNote string
	}{
		{"no password (trust)", f.db.URI, connectors.Options{}, true, "pg_hba.conf"},
		{"password, empty one tried", pw, connectors.Options{AnonymousCheck: true}, true, "with an empty password"},
		{"password, check off", pw, connectors.Options{}, false, "not checked"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := openURI(t, tc.uri, tc.opts, nil)
			ex := c.Exposure(context.Background())
			notes := strings.Join(ex.Notes, "\n")
			if !ex.Reachable || ex.AnonymousAccess != tc.anon {
				t.Errorf("reachable %v anonymous %v, want true %v; notes:\n%s", ex.Reachable, ex.AnonymousAccess, tc.anon, notes)
			}
			if !strings.Contains(notes, tc.wantNote) {
				t.Errorf("notes lack %q:\n%s", tc.wantNote, notes)
			}
			if !strings.HasPrefix(ex.Server, "PostgreSQL 15") && !strings.HasPrefix(ex.Server, "PostgreSQL 1") {
				t.Errorf("server %q", ex.Server)
			}
			if !strings.Contains(notes, "superuser") {
				t.Errorf("no least-privilege note for the postgres superuser:\n%s", notes)
			}
			if strings.Contains(notes, "any-password") {
				t.Error("a note shows the password")
			}
		})
	}
	// TLS state as the server reports it for the scan's connection
	plain := openURI(t, f.db.URI, connectors.Options{}, nil).Exposure(context.Background())
	if plain.TLS || !strings.Contains(strings.Join(plain.Notes, "\n"), "not encrypted") {
		t.Errorf("sslmode=disable: TLS %v notes %q", plain.TLS, plain.Notes)
	}
	tlsURI := strings.Replace(f.db.URI, "sslmode=disable", "sslmode=require", 1)
	if tlsURI != f.db.URI {
		c, err := open(context.Background(), tlsURI, connectors.Options{Env: envOf(nil)}, nil)
		if err != nil {
			t.Logf("server without TLS: %v", err)
			return
		}
		defer c.Close()
		ex := c.Exposure(context.Background())
		if !ex.TLS || !strings.Contains(strings.Join(ex.Notes, "\n"), "without verification") {
			t.Errorf("sslmode=require: TLS %v notes %q", ex.TLS, ex.Notes)
		}
	}
}
