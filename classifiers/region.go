package classifiers

import (
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// DocumentRegion guesses the region (CLDR code, "DE") a document belongs
// to from a country-like field at its top level or one level down
// (country, country_code, land, pays, pais, paese, locale…), holding an
// ISO 3166 code, a locale such as de_DE or a country name. It returns ""
// when the document does not say.
func (e *Engine) DocumentRegion(doc map[string]any) string {
	if r := regionOf(doc); r != "" {
		return r
	}
	// one level down: the first key, in byte order, whose object says
	best, bestKey := "", ""
	for k, v := range doc {
		if m, ok := v.(map[string]any); ok && (best == "" || k < bestKey) {
			if r := regionOf(m); r != "" {
				best, bestKey = r, k
			}
		}
	}
	return best
}

// regionOf is the region given by a country-like key of m. When several
// keys give one, the first key in byte order wins, so that a document gets
// the same region every time (map order is random).
func regionOf(m map[string]any) string {
	best, bestKey := "", ""
	for k, v := range m {
		if best != "" && k > bestKey {
			continue
		}
		s, ok := v.(string)
		if !ok || len(s) < 2 || len(s) > 40 || !countryKey(k) {
			continue
		}
		if r := regionFromValue(s); r != "" {
			best, bestKey = r, k
		}
	}
	return best
}

var countryKeys sync.Map // key → bool

// countryKey reports whether a key names a country or a locale.
func countryKey(k string) bool {
	if len(k) > 32 {
		return false
	}
	if v, ok := countryKeys.Load(k); ok {
		return v.(bool)
	}
	n := normName(k)
	yes := false
	for _, w := range []string{"country", "country code", "country iso", "country iso code", "iso country", "countrycode",
		"land", "landcode", "land code", "pays", "code pays", "pais", "codigo pais", "paese", "nazione", "locale",
		"billing country", "shipping country", "address country", "country of residence"} {
		if n == w || strings.HasSuffix(n, " "+w) {
			yes = true
			break
		}
	}
	countryKeys.Store(k, yes)
	return yes
}

var countryNames = map[string]string{
	"germany": "DE", "deutschland": "DE", "allemagne": "DE", "alemania": "DE", "germania": "DE", "alemanha": "DE", "duitsland": "DE",
	"france": "FR", "frankreich": "FR", "francia": "FR", "franca": "FR", "frankrijk": "FR",
	"spain": "ES", "espana": "ES", "spanien": "ES", "espagne": "ES", "spagna": "ES", "espanha": "ES", "spanje": "ES",
	"italy": "IT", "italia": "IT", "italien": "IT", "italie": "IT", "italie ": "IT",
	"portugal": "PT", "portogallo": "PT",
	"netherlands": "NL", "the netherlands": "NL", "nederland": "NL", "niederlande": "NL", "pays-bas": "NL", "paises bajos": "NL", "paesi bassi": "NL", "holland": "NL",
	"belgium": "BE", "belgien": "BE", "belgique": "BE", "belgie": "BE", "belgica": "BE", "belgio": "BE",
	"austria": "AT", "osterreich": "AT", "oesterreich": "AT", "autriche": "AT",
	"switzerland": "CH", "schweiz": "CH", "suisse": "CH", "svizzera": "CH", "suiza": "CH",
	"united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB", "royaume-uni": "GB", "reino unido": "GB", "regno unito": "GB", "vereinigtes konigreich": "GB",
	"united states": "US", "usa": "US", "united states of america": "US", "etats-unis": "US", "estados unidos": "US", "stati uniti": "US", "vereinigte staaten": "US",
	"ireland": "IE", "irland": "IE", "irlande": "IE", "canada": "CA", "kanada": "CA", "brazil": "BR", "brasil": "BR", "mexico": "MX",
	"poland": "PL", "polen": "PL", "polska": "PL", "sweden": "SE", "schweden": "SE", "sverige": "SE", "denmark": "DK", "danmark": "DK",
	"norway": "NO", "norge": "NO", "finland": "FI", "suomi": "FI", "australia": "AU", "luxembourg": "LU", "luxemburg": "LU",
}

// regionFromValue reads "DE", "de", "de_DE", "de-DE" or a country name.
func regionFromValue(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case len(s) == 2:
		r := strings.ToUpper(s)
		if phonenumbers.GetCountryCodeForRegion(r) != 0 {
			return r
		}
		return countryNames[strings.ToLower(s)]
	case len(s) == 5 && (s[2] == '_' || s[2] == '-'):
		r := strings.ToUpper(s[3:])
		if phonenumbers.GetCountryCodeForRegion(r) != 0 {
			return r
		}
		return ""
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		b.WriteString(fold(r))
	}
	return countryNames[b.String()]
}
