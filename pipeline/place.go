package pipeline

import "github.com/piisniff/piisniff/internal/lowerkey"

// placeKeys are top-level keys that say a record describes a place of
// business or a station (a shop, a branch, a weather station), not a
// person: its coordinates are not personal data.
var placeKeys = map[string]bool{
	"store_id": true, "store_name": true, "storeid": true, "storename": true, "shop_id": true, "shop_name": true,
	"branch_id": true, "branch_name": true, "opening_hours": true, "openinghours": true, "business_hours": true,
	"station": true, "station_id": true, "stationid": true, "metar": true, "icao": true,
	"warehouse_id": true, "poi_id": true, "place_id_business": true,
}

// isPlaceKey reports whether a top-level key is one of placeKeys: a
// document with one describes a place rather than a person.
func isPlaceKey(k string) bool {
	yes, _ := lowerkey.Lookup(placeKeys, k)
	return yes
}
