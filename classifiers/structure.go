package classifiers

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Structure inspects a map[string]any or []any node at path for findings
// that only its shape reveals and appends them to dst:
//   - a GeoJSON Point ({"type": "Point", "coordinates": [lon, lat]}) is
//     reported on path + ".coordinates", the field holding the pair;
//   - latitude/longitude sibling keys (lat/lng, latitude/longitude, their
//     translations) are reported on each of the two sibling paths;
//   - a [lon, lat] (or [lat, lon]) array under a location-like key is
//     reported on path itself.
func (e *Engine) Structure(path string, node any, dst []PathHit) []PathHit {
	if !e.geo {
		return dst
	}
	switch n := node.(type) {
	case map[string]any:
		if len(n) < 2 {
			return dst
		}
		if t, ok := n["type"].(string); ok && strings.EqualFold(t, "Point") {
			if c, ok := n["coordinates"].([]any); ok && len(c) >= 2 {
				lon, ok1 := toFloat(c[0])
				lat, ok2 := toFloat(c[1])
				if ok1 && ok2 && inRange(lat, lon) {
					dst = append(dst, PathHit{Path: joinPath(path, "coordinates"),
						Hit: Hit{Category: "geo_coordinates", Confidence: 0.97, Evidence: EvStructure, Rule: "geojson-point"}})
				}
			}
			return dst
		}
		var latK, lonK string
		var lat, lon float64
		for k, v := range n {
			switch coordKey(k) {
			case 'y':
				if f, ok := toFloat(v); ok && latK == "" {
					latK, lat = k, f
				}
			case 'x':
				if f, ok := toFloat(v); ok && lonK == "" {
					lonK, lon = k, f
				}
			}
		}
		if latK != "" && lonK != "" && inRange(lat, lon) && (lat != 0 || lon != 0) {
			h := Hit{Category: "geo_coordinates", Confidence: 0.95, Evidence: EvStructure | EvFieldName, Rule: "lat-lon-siblings"}
			dst = append(dst, PathHit{Path: joinPath(path, latK), Hit: h}, PathHit{Path: joinPath(path, lonK), Hit: h})
		}
	case []any:
		if len(n) != 2 && len(n) != 3 {
			return dst
		}
		a, ok1 := toFloat(n[0])
		b, ok2 := toFloat(n[1])
		if !ok1 || !ok2 || (a == 0 && b == 0) || !(inRange(b, a) || inRange(a, b)) {
			return dst
		}
		if len(n) == 3 {
			if _, ok := toFloat(n[2]); !ok {
				return dst
			}
		}
		segs := splitPath(path)
		named := len(segs) > 0 && geoArrayKeys[normName(segs[len(segs)-1])]
		// two numbers alone are as often sizes or readings: the key must
		// say location
		if named {
			dst = append(dst, PathHit{Path: path, Hit: Hit{Category: "geo_coordinates", Confidence: 0.93, Evidence: EvStructure | EvFieldName, Rule: "lon-lat-array"}})
		}
	}
	return dst
}

var geoArrayKeys = map[string]bool{
	"coordinates": true, "coords": true, "coord": true, "location": true, "loc": true, "position": true, "pos": true,
	"point": true, "lonlat": true, "lnglat": true, "latlng": true, "latlon": true, "lon lat": true, "lng lat": true,
	"lat lng": true, "lat lon": true, "geo": true, "center": true, "centre": true, "centroid": true, "gps": true,
	"geometry": true, "geo point": true, "geopoint": true, "standort": true, "koordinaten": true, "posizione": true,
	"coordinate": true, "coordonnees": true, "ubicacion": true, "coordenadas": true, "localizacao": true,
	"locatie": true, "positie": true, "last location": true, "home location": true, "geo location": true, "geolocation": true,
}

// coordKey tells whether a key names a latitude ('y'), a longitude ('x') or
// neither (0).
func coordKey(k string) byte {
	if len(k) < 3 || len(k) > 24 {
		return 0
	}
	switch k[0] | 0x20 { // every name below starts with one of these
	case 'l', 'b', 'g':
	default:
		return 0
	}
	switch normName(k) {
	case "lat", "latitude", "breitengrad", "breite", "latitud", "latitudine", "geo lat", "gps lat", "lat deg":
		return 'y'
	case "lng", "lon", "long", "longitude", "laengengrad", "langengrad", "lange", "longitud", "longitudine", "geo lng",
		"geo lon", "gps lng", "gps lon", "lon deg", "lengtegraad":
		return 'x'
	case "breedtegraad":
		return 'y'
	}
	return 0
}

func inRange(lat, lon float64) bool { return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 }

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		if strings.IndexByte(x, '.') < 0 {
			return 0, false
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
