package redis

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redistest"
)

func TestEOLNote(t *testing.T) {
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		version string
		eol     bool
	}{
		{"5.0.14", true}, {"6.0.20", true}, {"6.2.14", true}, {"7.0.15", true},
		{"7.2.4", false}, {"7.4.1", false}, {"8.0.0", false}, {"garbage", false},
	}
	for _, tt := range tests {
		if got := eolNote(tt.version, now) != ""; got != tt.eol {
			t.Errorf("eolNote(%s) end of life %v, want %v", tt.version, got, tt.eol)
		}
	}
	if eolNote("7.0.15", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) != "" {
		t.Error("7.0 reported past its end of life before 2025-07-31")
	}
}

func TestBindsAll(t *testing.T) {
	for bind, want := range map[string]bool{"": true, "* -::*": true, "0.0.0.0": true, "127.0.0.1 -::1": false, "10.0.0.5": false, "-0.0.0.0": true} {
		if got := bindsAll(bind); got != want {
			t.Errorf("bindsAll(%q) = %v, want %v", bind, got, want)
		}
	}
}

// TestExposureNotes: an open server's configuration findings, and a server
// locked down with a password and renamed commands.
func TestExposureNotes(t *testing.T) {
	redistest.Require(t)
	ctx := context.Background()
	open := redistest.StartServer(t, "--protected-mode", "no")
	c, err := connectors.Open(ctx, "redis://"+open.Addr, connectors.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ex := c.Exposure(ctx)
	notes := strings.Join(ex.Notes, "\n")
	for _, want := range []string{"without AUTH", "CONFIG runs without credentials", "requirepass is empty", "protected-mode is off",
		`"default" is enabled with nopass`, "FLUSHALL and CONFIG not renamed", "not encrypted"} {
		if !strings.Contains(notes, want) {
			t.Errorf("open server: no note %q in\n%s", want, notes)
		}
	}
	if !ex.AnonymousAccess || !strings.HasPrefix(ex.Server, "Redis ") || strings.Contains(notes, "all interfaces") {
		t.Errorf("open server: %+v", ex)
	}

	locked := redistest.StartServer(t, "--requirepass", testPassword, "--rename-command", "FLUSHALL", "")
	c2, err := connectors.Open(ctx, "redis://:"+testPassword+"@"+locked.Addr, connectors.Options{AnonymousCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	ex = c2.Exposure(ctx)
	notes = strings.Join(ex.Notes, "\n")
	if ex.AnonymousAccess || strings.Contains(notes, "requirepass is empty") || strings.Contains(notes, "nopass") ||
		strings.Contains(notes, "FLUSHALL and") || !strings.Contains(notes, "CONFIG not renamed") {
		t.Errorf("locked server: anonymous %v\n%s", ex.AnonymousAccess, notes)
	}
}
