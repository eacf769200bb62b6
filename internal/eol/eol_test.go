package eol

import (
	"sort"
	"strings"
	"testing"
	"time"
)

func TestNote(t *testing.T) {
	today := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		product, version, want string
	}{
		{"elasticsearch", "7.10.2", "Elasticsearch 7.10 is past end of life (support ended 2022-05-11"},
		{"elasticsearch", "7.13.4", "Elasticsearch 7.13 is past end of life (support ended before 2023-06-07"},
		{"elasticsearch", "7.17.25", "Elasticsearch 7.17 is past end of life (support ended 2026-01-15"},
		{"elasticsearch", "6.2.0", "ended before 2022-02-10"},
		{"elasticsearch", "8.15.0", ""},
		{"Elasticsearch", "7.10.2", "Elasticsearch 7.10"},
		{"mongodb", "3.2.22", "MongoDB 3.2 is past end of life (support ended before 2021-04-30"},
		{"mongodb", "4.4.29", "MongoDB 4.4 is past end of life (support ended 2024-02-29"},
		{"mongodb", "7.0.14", ""},
		{"mongodb", "9.1.0", ""},
		{"postgresql", "12.19", "PostgreSQL 12 is past end of life (support ended 2024-11-21"},
		{"postgresql", "9.5.25", "PostgreSQL 9.5 is past end of life (support ended before 2021-11-11"},
		{"postgresql", "14.1", "PostgreSQL 14 is past end of life (support ended 2026-11-12"},
		{"postgresql", "15.4 (Debian 15.4-1)", ""},
		{"mysql", "5.7.44-log", "MySQL 5.7 is past end of life"},
		{"mysql", "8.0.36", "MySQL 8.0 is past end of life (support ended 2026-04-30"},
		{"mysql", "8.4.2", ""},
		{"mariadb", "10.11.6-MariaDB-0+deb12u1", ""},
		{"mariadb", "10.5.23", "MariaDB 10.5 is past end of life (support ended 2025-06-24"},
		{"redis", "5.0.0", "Redis 5.0 is past end of life (support ended before 2025-02-28"},
		{"redis", "7.2.4", ""},
		{"cassandra", "3.0", ""},
		{"mongodb", "garbage", ""},
		{"mongodb", "", ""},
		{"postgresql", "v13.2", "PostgreSQL 13 is past end of life"},
	}
	for _, tc := range tests {
		t.Run(tc.product+" "+tc.version, func(t *testing.T) {
			got := Note(tc.product, tc.version, today)
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("Note = %q, want %q", got, tc.want)
			}
			if got != "" && !strings.Contains(got, "https://") {
				t.Errorf("note without its source: %q", got)
			}
		})
	}
	// the last day of support is still supported
	if n := Note("postgresql", "14.1", time.Date(2026, 11, 12, 23, 0, 0, 0, time.UTC)); n != "" {
		t.Errorf("on its last day: %q", n)
	}
}

// TestTable: every date parses, every series parses, series are ordered.
func TestTable(t *testing.T) {
	for id, p := range Products {
		if p.Name == "" || !strings.HasPrefix(p.Source, "https://") || len(p.Series) == 0 {
			t.Errorf("%s: name, source and series are required", id)
		}
		if !sort.SliceIsSorted(p.Series, func(i, j int) bool {
			a, _ := parse(p.Series[i].Release)
			b, _ := parse(p.Series[j].Release)
			return compare(a, b) < 0
		}) {
			t.Errorf("%s: series out of order", id)
		}
		for _, s := range p.Series {
			if _, err := time.Parse(time.DateOnly, s.End); err != nil {
				t.Errorf("%s %s: %v", id, s.Release, err)
			}
			if _, ok := parse(s.Release); !ok {
				t.Errorf("%s: release %q", id, s.Release)
			}
		}
	}
}

func FuzzNote(f *testing.F) {
	for _, s := range []string{"7.10.2", "10.11.6-MariaDB", "", "v1", "99999999999999999999.1", "..", "1.2.3.4.5"} {
		f.Add(s)
	}
	today := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		for id := range Products {
			n := Note(id, v, today)
			// a note only for versions that parse, and never in the future
			if n != "" {
				if _, ok := parse(v); !ok {
					t.Fatalf("%s %q: note for a version that does not parse", id, v)
				}
				if Note(id, v, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) != "" {
					t.Fatalf("%s %q: past end of life in 2000", id, v)
				}
			}
		}
	})
}
