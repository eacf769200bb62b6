package classifiers

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// DocumentRegion guesses the region (CLDR code, "DE") a document belongs
// to from a country-like field at its top level or one level down
// (country, country_code, land, pays, pais, paese, locale…), holding an
// ISO 3166 code, a locale such as de_DE or a country name. It returns ""
// when the document does not say.
func (e *Engine) DocumentRegion(doc map[string]any) string {
	if r := regionOf(doc, countryKey); r != "" {
		return r
	}
	return nestedRegion(doc, countryKey)
}

// nestedRegion is the region one level down: that of the first key, in
// byte order, whose object says (regionOf). country tells country-like
// keys.
func nestedRegion(doc map[string]any, country func(string) bool) string {
	best, bestKey := "", ""
	for k, v := range doc {
		if m, ok := v.(map[string]any); ok && (best == "" || k < bestKey) {
			if r := regionOf(m, country); r != "" {
				best, bestKey = r, k
			}
		}
	}
	return best
}

// regionOf is the region given by a country-like key of m (country tells
// them). When several keys give one, the first key in byte order wins, so
// that a document gets the same region every time (map order is random).
func regionOf(m map[string]any, country func(string) bool) string {
	best, bestKey := "", ""
	for k, v := range m {
		if best != "" && k > bestKey {
			continue
		}
		if s, ok := v.(string); ok && country(k) {
			if r := countryValueRegion(s); r != "" {
				best, bestKey = r, k
			}
		}
	}
	return best
}

// countryValueRegion is the region the value of a country-like key names,
// "" when it names none.
func countryValueRegion(s string) string {
	if len(s) < 2 || len(s) > 40 {
		return ""
	}
	return regionFromValue(s)
}

var countryKeys sync.Map // key → bool

// countryKey reports whether a key names a country or a locale.
func countryKey(k string) bool {
	if len(k) > 32 || !mayBeCountryKey(k) {
		return false
	}
	if v, ok := countryKeys.Load(k); ok {
		return v.(bool)
	}
	yes := namesCountry(k)
	countryKeys.Store(k, yes)
	return yes
}

// namesCountry is countryKey without its filter and cache.
func namesCountry(k string) bool {
	n := normName(k)
	yes := false
	for _, w := range countryNameWords {
		if n == w || strings.HasSuffix(n, " "+w) {
			yes = true
			break
		}
	}
	return yes
}

// countryNameWords are the normalised names (or their ends) of a
// country-like key.
var countryNameWords = []string{"country", "country code", "country iso", "country iso code", "iso country", "countrycode",
	"land", "landcode", "land code", "pays", "code pays", "pais", "codigo pais", "paese", "nazione", "locale",
	"billing country", "shipping country", "address country", "country of residence"}

// countryLastWords are the last words of the names countryKey accepts.
var countryLastWords = []string{"country", "code", "iso", "land", "pays", "pais", "paese", "nazione", "locale", "residence"}

// countryLastBytes holds the last letters of countryLastWords, lowered.
var countryLastBytes = func() (t [256]bool) {
	for _, w := range countryLastWords {
		t[w[len(w)-1]] = true
	}
	return t
}()

// mayBeCountryKey is false for an ASCII key that countryKey rejects
// because its normalised name cannot end with the last word of a country
// name: in an ASCII key, the last word of the normalised name is the end
// of the key's last run of letters and digits, lowered. It is true for
// every other key.
func mayBeCountryKey(k string) bool {
	end := len(k)
	for end > 0 && !isASCIIAlnum(k[end-1]) {
		if k[end-1] >= utf8.RuneSelf {
			return true
		}
		end--
	}
	for i := 0; i < end; i++ {
		if k[i] >= utf8.RuneSelf {
			return true
		}
	}
	if end == 0 || !countryLastBytes[k[end-1]|0x20] {
		return false // no last word ends with this letter
	}
	for _, w := range countryLastWords {
		if end >= len(w) && strings.EqualFold(k[end-len(w):end], w) {
			return true
		}
	}
	return false
}

func isASCIIAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
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
		foldTo(&b, r)
	}
	return countryNames[b.String()]
}
