package classifiers

import (
	"strconv"
	"strings"
)

func parseCoord(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.IndexByte(s, '.') < 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func validCoord(s string, limit float64) bool {
	f, ok := parseCoord(s)
	if !ok || f < -limit || f > limit {
		return false
	}
	// at least two decimals: a coordinate, not a price or a version
	i := strings.IndexByte(s, '.')
	return len(strings.TrimSpace(s))-i-1 >= 2
}

func validLatLon(s string) bool {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		a, b, ok = strings.Cut(s, ";")
		if !ok {
			return false
		}
	}
	lat, ok1 := parseCoord(a)
	lon, ok2 := parseCoord(b)
	return ok1 && ok2 && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && (lat != 0 || lon != 0)
}

func validGeohash(s string) bool {
	if len(s) < 5 || len(s) > 12 {
		return false
	}
	letters := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte("0123456789bcdefghjkmnpqrstuvwxyz", s[i]) < 0 {
			return false
		}
		if s[i] > '9' {
			letters++
		}
	}
	return letters > 0 && letters < len(s)
}
