// Package eol holds the end-of-life table of the servers piisniff scans, in
// one place, with the source of every date. A connector adds the note to a
// target's exposure:
//
//	if n := eol.Note("postgresql", "12.19", time.Now()); n != "" {
//		exposure.Notes = append(exposure.Notes, n)
//	}
//
// Keep the table up to date from the sources named below; a release series
// that is not listed (too new, or a product that publishes no dates) gets no
// note.
package eol

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Series is one release series and the last day it is supported.
type Series struct {
	// Release is the series: "4.4", "7.10", "12" (PostgreSQL majors).
	Release string
	// End is the last day of support, YYYY-MM-DD.
	End string
}

// Product is a product's table, ordered by release, and where the dates
// come from.
type Product struct {
	Name   string // as written in notes
	Source string
	Series []Series
}

// Products are the tables by product id (lower case). Versions between two
// listed series take the later one's date ("ended before").
var Products = map[string]Product{
	"mongodb": {Name: "MongoDB", Source: "https://www.mongodb.com/legal/support-policy/lifecycles",
		Series: []Series{
			{"3.6", "2021-04-30"}, {"4.0", "2022-04-30"}, {"4.2", "2023-04-30"}, {"4.4", "2024-02-29"},
			{"5.0", "2024-10-31"}, {"6.0", "2025-07-31"}, {"7.0", "2027-08-31"}, {"8.0", "2029-10-31"},
		}},
	"elasticsearch": {Name: "Elasticsearch", Source: "https://www.elastic.co/support/eol",
		Series: []Series{
			{"5.6", "2019-03-11"}, {"6.8", "2022-02-10"}, {"7.10", "2022-05-11"}, {"7.16", "2023-06-07"},
			{"7.17", "2026-01-15"},
		}},
	"postgresql": {Name: "PostgreSQL", Source: "https://www.postgresql.org/support/versioning/",
		Series: []Series{
			{"9.6", "2021-11-11"}, {"10", "2022-11-10"}, {"11", "2023-11-09"}, {"12", "2024-11-21"},
			{"13", "2025-11-13"}, {"14", "2026-11-12"}, {"15", "2027-11-11"}, {"16", "2028-11-09"}, {"17", "2029-11-08"},
			{"18", "2030-11-14"},
		}},
	"mysql": {Name: "MySQL", Source: "https://www.oracle.com/us/support/library/lifetime-support-technology-069183.pdf",
		Series: []Series{
			{"5.6", "2021-02-28"}, {"5.7", "2023-10-31"}, {"8.0", "2026-04-30"}, {"8.4", "2032-04-30"},
		}},
	"mariadb": {Name: "MariaDB", Source: "https://mariadb.org/about/#maintenance-policy",
		Series: []Series{
			{"10.3", "2023-05-25"}, {"10.4", "2024-06-18"}, {"10.5", "2025-06-24"}, {"10.6", "2026-07-06"},
			{"10.7", "2023-02-09"}, {"10.8", "2023-05-20"}, {"10.9", "2023-08-22"}, {"10.10", "2023-11-17"},
			{"10.11", "2028-02-16"}, {"11.4", "2029-05-29"}, {"11.8", "2028-06-04"},
		}},
	// Redis supports the latest and the previous minor releases: a series
	// ends when the second release after it comes out.
	"redis": {Name: "Redis", Source: "https://github.com/redis/redis/blob/unstable/SECURITY.md",
		Series: []Series{{"6.2", "2025-02-28"}, {"7.0", "2025-07-31"}}},
	// A new store adds its product here, with the source of its dates.
}

// Lifecycle is what the table says of one version.
type Lifecycle struct {
	// Series is the listed series the version belongs to, or the first
	// listed series after it when the version is older than any listed
	// (InSeries false: its support ended before End).
	Series   Series
	InSeries bool
	// End is the last day of support of Series.
	End time.Time
	// Version is the version as far as the series names it ("7.10",
	// "12").
	Version string
	Product Product
}

// Ended says support was over on today: today is after the last day.
func (l Lifecycle) Ended(today time.Time) bool {
	return today.After(l.End.Add(24*time.Hour - time.Nanosecond))
}

// Lookup finds the lifecycle of a version; ok is false when the product or
// a series for the version is not listed (a version newer than every listed
// series), or the version does not parse.
func Lookup(product, version string) (Lifecycle, bool) {
	p, ok := Products[strings.ToLower(product)]
	if !ok {
		return Lifecycle{}, false
	}
	v, ok := parse(version)
	if !ok {
		return Lifecycle{}, false
	}
	for _, s := range p.Series {
		rel, _ := parse(s.Release)
		c := compare(v, rel)
		if c > 0 {
			continue
		}
		end, err := time.Parse(time.DateOnly, s.End)
		if err != nil {
			return Lifecycle{}, false
		}
		return Lifecycle{Series: s, InSeries: c == 0, End: end, Version: display(v, len(rel)), Product: p}, true
	}
	return Lifecycle{}, false
}

// Note says when the version's release series is past its end of life, or
// returns "" (supported, not listed, or a version that does not parse).
func Note(product, version string, today time.Time) string {
	l, ok := Lookup(product, version)
	if !ok || !l.Ended(today) {
		return ""
	}
	when := "ended " + l.Series.End
	if !l.InSeries {
		when = "ended before " + l.Series.End
	}
	return fmt.Sprintf("%s %s is past end of life (support %s, per %s): it gets no security fixes; upgrade to a supported release",
		l.Product.Name, l.Version, when, l.Product.Source)
}

// parse reads the leading numeric components of a version ("7.10.2-SNAPSHOT"
// → 7, 10, 2).
func parse(v string) ([]int, bool) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	var out []int
	for _, part := range strings.Split(v, ".") {
		end := 0
		for end < len(part) && part[end] >= '0' && part[end] <= '9' {
			end++
		}
		if end == 0 {
			break
		}
		n, err := strconv.Atoi(part[:end])
		if err != nil {
			break
		}
		out = append(out, n)
		if end < len(part) {
			break
		}
	}
	return out, len(out) > 0
}

// compare compares v with a series on the series' components only.
func compare(v, series []int) int {
	for i, s := range series {
		x := 0
		if i < len(v) {
			x = v[i]
		}
		switch {
		case x < s:
			return -1
		case x > s:
			return 1
		}
	}
	return 0
}

func display(v []int, n int) string {
	parts := make([]string, 0, n)
	for i := 0; i < n; i++ {
		x := 0
		if i < len(v) {
			x = v[i]
		}
		parts = append(parts, strconv.Itoa(x))
	}
	return strings.Join(parts, ".")
}
