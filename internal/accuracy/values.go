package accuracy

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"github.com/piisniff/piisniff/classifiers"
)

// g draws values. Every method is deterministic for a given source.
type g struct{ r *rand.Rand }

func (g g) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }
func (g g) n(lo, hi int) int         { return lo + g.r.IntN(hi-lo+1) }
func (g g) chance(p float64) bool    { return g.r.Float64() < p }

func (g g) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

func (g g) chars(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

const (
	upper    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lower    = "abcdefghijklmnopqrstuvwxyz"
	digitsA  = "0123456789"
	alnum    = upper + lower + digitsA
	hexLower = "0123456789abcdef"
	b64url   = alnum + "-_"
	b64std   = alnum + "+/"
	cryptA   = "./" + alnum
)

// Names: most are common names the classifier's lists know; some are rarer
// ones it does not, so recall is not measured on its own dictionary only.
var (
	firstNames = []string{"James", "Mary", "Michael", "Jennifer", "David", "Sarah", "Hans", "Ursula", "Lukas", "Lena",
		"Jean", "Camille", "Nathalie", "Julien", "José", "Lucía", "Carmen", "Javier", "Giuseppe", "Giulia", "Francesca",
		"Matteo", "João", "Inês", "Beatriz", "Tiago", "Pieter", "Anouk", "Sanne", "Daan", "Olivia", "Noah", "Emma",
		"Ahmed", "Priya", "Wei", "Yuki", "Zoltán", "Eero", "Siobhan", "Radek", "Ingeborg", "Teodora", "Kasimir", "Maëlle", "Bartholomew"}
	lastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Müller", "Schmidt", "Schneider", "Fischer", "Martin",
		"Bernard", "Dubois", "Lefèvre", "García", "Fernández", "López", "Martínez", "Rossi", "Russo", "Bianchi", "Esposito",
		"Silva", "Santos", "Ferreira", "de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Taylor", "Anderson",
		"Nguyen", "Kowalski", "Papadopoulos", "Virtanen", "Ó Briain", "Dvořák", "Haugland", "Ionescu", "Wachowiak", "Fairweather"}
	cities = []string{"Berlin", "München", "Paris", "Lyon", "Madrid", "Sevilla", "Roma", "Milano", "Lisboa", "Porto",
		"Amsterdam", "Utrecht", "New York", "Chicago", "London", "Manchester"}
)

func (g g) first() string { return g.pick(firstNames...) }
func (g g) last() string  { return g.pick(lastNames...) }
func (g g) fullName() string {
	switch g.r.IntN(4) {
	case 0:
		return g.first() + " " + g.pick("A.", "M.", "J.", "Maria", "Louise") + " " + g.last()
	case 1:
		return strings.ToUpper(g.last()) + " " + g.first()
	default:
		return g.first() + " " + g.last()
	}
}

func ascii(s string) string {
	r := strings.NewReplacer("ü", "ue", "ö", "oe", "ä", "ae", "é", "e", "è", "e", "ë", "e", "í", "i", "ó", "o", "á", "a",
		"ã", "a", "ç", "c", "ê", "e", "ñ", "n", "Ó", "O", "ř", "r", "ž", "z", "Š", "S", "É", "E", "ô", "o", "ı", "i", "ß", "ss", " ", "", "'", "")
	return strings.ToLower(r.Replace(s))
}

func (g g) email() string {
	f, l := ascii(g.first()), ascii(g.last())
	local := g.pick(f+"."+l, f[:1]+l, f+"_"+l+g.digits(2), l+"."+f, f+g.digits(3), f+"+shop")
	dom := g.pick("example.com", "mail.example.org", "example.net", "beispiel.de", "exemple.fr", "ejemplo.es",
		"esempio.it", "exemplo.pt", "voorbeeld.nl", "example.co.uk", "corp.example.io", "gmail.com", "web.de", "outlook.fr")
	switch {
	case g.chance(0.1):
		local = strings.ToUpper(local[:1]) + local[1:]
	case g.chance(0.1): // UTF-8 local part, as exports of international shops hold
		local = strings.ToLower(strings.ReplaceAll(g.first(), " ", "")) + "." + strings.ToLower(strings.ReplaceAll(g.last(), " ", ""))
	}
	return local + "@" + dom
}

type phoneCountry struct {
	region string
	prefix string // national significant number prefix
	rest   int    // random digits after the prefix
}

var phoneCountries = []phoneCountry{
	{"US", "415", 7}, {"US", "212", 7}, {"US", "617", 7}, {"GB", "74", 8}, {"GB", "207", 7}, {"DE", "151", 8},
	{"DE", "30", 8}, {"FR", "6", 8}, {"FR", "1", 8}, {"ES", "6", 8}, {"ES", "91", 7}, {"IT", "3", 9}, {"IT", "06", 8},
	{"PT", "91", 7}, {"PT", "21", 7}, {"NL", "6", 8}, {"NL", "20", 7},
}

// phone returns a valid number; intl chooses the international forms only.
func (g g) phone(intl bool) string {
	for {
		c := phoneCountries[g.r.IntN(len(phoneCountries))]
		nsn := c.prefix + g.digits(c.rest)
		if c.region == "US" {
			nsn = c.prefix + strconv.Itoa(g.n(2, 9)) + g.digits(c.rest-1)
		}
		num, err := phonenumbers.Parse(nsn, c.region)
		if err != nil || !phonenumbers.IsValidNumberForRegion(num, c.region) {
			continue
		}
		style := g.r.IntN(4)
		if !intl && g.chance(0.4) {
			return phonenumbers.Format(num, phonenumbers.NATIONAL)
		}
		switch style {
		case 0:
			return phonenumbers.Format(num, phonenumbers.E164)
		case 1:
			return "00" + strings.TrimPrefix(phonenumbers.Format(num, phonenumbers.E164), "+")
		default:
			return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
		}
	}
}

func (g g) street() string {
	n := strconv.Itoa(g.n(1, 240))
	switch g.r.IntN(7) {
	case 0:
		return n + " " + g.pick("Oak", "Maple", "Main", "Cedar", "Elm", "Washington", "Lake", "Hill") + " " + g.pick("Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Lane", "Drive")
	case 1:
		return g.pick("Haupt", "Bahnhof", "Schul", "Garten", "Linden", "Berliner ") + g.pick("straße", "strasse", "weg", "gasse", "allee") + " " + n
	case 2:
		return n + " " + g.pick("rue", "avenue", "boulevard", "place") + " " + g.pick("de la Paix", "Victor Hugo", "des Lilas", "du Général Leclerc", "Jean Jaurès")
	case 3:
		return g.pick("Calle", "Avenida", "Paseo", "Plaza") + " " + g.pick("Mayor", "de Alcalá", "del Prado", "Gran Vía", "de la Constitución") + ", " + n
	case 4:
		return g.pick("Via", "Viale", "Piazza", "Corso") + " " + g.pick("Roma", "Garibaldi", "Giuseppe Verdi", "Dante", "Vittorio Emanuele") + " " + n
	case 5:
		return g.pick("Rua", "Avenida", "Travessa") + " " + g.pick("Augusta", "da Liberdade", "de São Bento", "do Ouro") + ", " + n
	default:
		return g.pick("Kerk", "Dorps", "Molen", "School", "Prinsen") + g.pick("straat", "laan", "gracht", "weg", "plein") + " " + n
	}
}

func (g g) postal() string {
	switch g.r.IntN(7) {
	case 0:
		return g.digits(5)
	case 1:
		return strconv.Itoa(g.n(10000, 99999)) + "-" + g.digits(4)
	case 2:
		return g.pick("SW1A", "EC1A", "M1", "B33", "W1D", "CR2") + " " + strconv.Itoa(g.n(1, 9)) + g.chars(2, "ABDEFGHJLNPQRSTUWXYZ")
	case 3:
		return strconv.Itoa(g.n(1000, 9999)) + " " + g.chars(2, "ABCDEFGHJKLMNPRSTVWXZ")
	case 4:
		return strconv.Itoa(g.n(1000, 9999)) + "-" + g.digits(3)
	case 5:
		return strconv.Itoa(g.n(1000, 9999))
	default:
		return strconv.Itoa(g.n(10000, 98999))
	}
}

func (g g) dob() string {
	y, m, d := g.n(1935, 2008), g.n(1, 12), g.n(1, 28)
	switch g.r.IntN(6) {
	case 0:
		return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	case 1:
		return fmt.Sprintf("%02d.%02d.%04d", d, m, y)
	case 2:
		return fmt.Sprintf("%02d/%02d/%04d", d, m, y)
	case 3:
		return fmt.Sprintf("%04d-%02d-%02dT00:00:00Z", y, m, d)
	case 4:
		return fmt.Sprintf("%02d/%02d/%04d", m, d, y)
	default:
		return fmt.Sprintf("%d %s %d", d, g.pick("January", "March", "May", "July", "October", "December"), y)
	}
}

func (g g) cardDigits() string {
	var prefix string
	n := 16
	switch g.r.IntN(8) {
	case 0, 1:
		prefix = "4"
	case 2:
		prefix = strconv.Itoa(g.n(51, 55))
	case 3:
		prefix = strconv.Itoa(g.n(2221, 2720))
	case 4:
		prefix, n = g.pick("34", "37"), 15
	case 5:
		prefix = g.pick("6011", "65", "644")
	case 6:
		prefix = strconv.Itoa(g.n(3528, 3589))
	default:
		prefix, n = g.pick("36", "300", "38"), 14
	}
	body := prefix + g.digits(n-1-len(prefix))
	return body + string(classifiers.LuhnCheckDigit(body))
}

func groupDigits(d string, sep string) string {
	if len(d) == 15 {
		return d[:4] + sep + d[4:10] + sep + d[10:]
	}
	var parts []string
	for i := 0; i < len(d); i += 4 {
		parts = append(parts, d[i:min(i+4, len(d))])
	}
	return strings.Join(parts, sep)
}

func (g g) card() string {
	d := g.cardDigits()
	switch g.r.IntN(3) {
	case 0:
		return groupDigits(d, " ")
	case 1:
		return groupDigits(d, "-")
	}
	return d
}

// notLuhn is a 16-digit number that fails the Luhn check.
func (g g) notLuhn() string {
	body := g.digits(15)
	c := classifiers.LuhnCheckDigit(body)
	return body + string('0'+(c-'0'+byte(g.n(1, 9)))%10)
}

var ibanFormats = map[string]string{ // country: BBAN shape (n digits, a upper, c alnum)
	"DE": "18n", "FR": "10n11c2n", "ES": "20n", "IT": "1a10n12c", "PT": "21n", "NL": "4a10n", "GB": "4a14n", "BE": "12n", "AT": "16n", "CH": "5n12c",
}

func (g g) iban() string {
	cc := g.pick("DE", "FR", "ES", "IT", "PT", "NL", "GB", "BE", "AT", "CH")
	var bban strings.Builder
	shape := ibanFormats[cc]
	for len(shape) > 0 {
		i := 0
		for shape[i] >= '0' && shape[i] <= '9' {
			i++
		}
		n, _ := strconv.Atoi(shape[:i])
		switch shape[i] {
		case 'n':
			bban.WriteString(g.digits(n))
		case 'a':
			bban.WriteString(g.chars(n, upper))
		default:
			bban.WriteString(g.chars(n, upper+digitsA))
		}
		shape = shape[i+1:]
	}
	b := bban.String()
	rearr := b + cc + "00"
	rem := 0
	for _, c := range rearr {
		if c >= 'A' {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	iban := cc + fmt.Sprintf("%02d", 98-rem) + b
	if g.chance(0.5) {
		var parts []string
		for i := 0; i < len(iban); i += 4 {
			parts = append(parts, iban[i:min(i+4, len(iban))])
		}
		return strings.Join(parts, " ")
	}
	return iban
}

func (g g) aba() string {
	for {
		d := g.pick("0", "1", "2", "3", "6") + g.digits(7)
		if d[0] == '1' && d[1] > '2' || d[0] == '3' && d[1] > '2' || d[0] == '2' && d[1] == '0' || d[0] == '6' && d[1] == '0' {
			continue
		}
		w := []int{3, 7, 1, 3, 7, 1, 3, 7}
		sum := 0
		for i := range 8 {
			sum += int(d[i]-'0') * w[i]
		}
		return d + strconv.Itoa((10-sum%10)%10)
	}
}

func (g g) ssn() string {
	for {
		a := g.n(1, 899)
		if a == 666 {
			continue
		}
		s := fmt.Sprintf("%03d-%02d-%04d", a, g.n(1, 99), g.n(1, 9999))
		if g.chance(0.3) {
			return strings.ReplaceAll(s, "-", "")
		}
		return s
	}
}

func (g g) dni() string {
	n := g.n(10000000, 99999999)
	return strconv.Itoa(n) + string("TRWAGMYFPDXBNJZSQVHLCKE"[n%23])
}

func (g g) bsn() string {
	for {
		d := g.digits(8)
		if d[0] == '0' {
			continue
		}
		sum := 0
		for i := range 8 {
			sum += int(d[i]-'0') * (9 - i)
		}
		c := sum % 11
		if c > 9 {
			continue
		}
		return d + strconv.Itoa(c)
	}
}

func (g g) nir() string {
	body := fmt.Sprintf("%d%02d%02d%02d%03d%03d", g.n(1, 2), g.n(40, 99), g.n(1, 12), g.n(1, 95), g.n(1, 999), g.n(1, 999))
	n, _ := strconv.ParseUint(body, 10, 64)
	return body + fmt.Sprintf("%02d", 97-n%97)
}

func (g g) codiceFiscale() string {
	s := g.chars(6, upper) + g.digits(2) + g.pick("A", "B", "C", "D", "E", "H", "L", "M", "P", "R", "S", "T") + fmt.Sprintf("%02d", g.n(1, 71)) + g.chars(1, upper) + g.digits(3)
	c, _ := classifiers.CodiceFiscaleCheckLetter(s)
	return s + string(c)
}

func (g g) nino() string {
	return g.chars(1, "ABCEHJKLMNPRSTWXYZ") + g.chars(1, "ABCEHJKLMNPRSTWXYZ") + " " + g.digits(2) + " " + g.digits(2) + " " + g.digits(2) + " " + g.chars(1, "ABCD")
}

func (g g) nationalID() string {
	switch g.r.IntN(5) {
	case 0, 1:
		return g.ssn()
	case 2:
		return g.dni()
	case 3:
		return g.nir()
	default:
		return g.codiceFiscale()
	}
}

func (g g) passport() string {
	switch g.r.IntN(3) {
	case 0:
		return g.chars(1, "CFGHJK") + g.chars(8, "0123456789CFGHJKLMNPRTVWXYZ")
	case 1:
		return g.digits(2) + g.chars(2, upper) + g.digits(5)
	}
	return g.chars(2, upper) + g.digits(7)
}

func (g g) password() string {
	switch g.r.IntN(6) {
	case 0:
		return g.pick("hunter2", "Sommer2024!", "azerty123", "qwerty", "letmein", "Passw0rd!", "geheim", "contraseña1", "senha123", "welkom01", "iloveyou")
	case 1:
		return g.pick("correct horse battery staple", "mon chien Rex 2019", "la vida es bella")
	default:
		return g.chars(g.n(6, 16), alnum+"!@#$%&*")
	}
}

func (g g) bcrypt() string {
	return "$2" + g.pick("a", "b", "y") + "$" + g.pick("10", "12", "11") + "$" + g.chars(53, cryptA)
}

func (g g) pwHash() string {
	switch g.r.IntN(6) {
	case 0, 1:
		return g.bcrypt()
	case 2:
		return "$argon2id$v=19$m=65536,t=3,p=4$" + g.chars(22, b64std) + "$" + g.chars(43, b64std)
	case 3:
		return "pbkdf2_sha256$" + g.pick("260000", "320000", "600000") + "$" + g.chars(22, alnum) + "$" + g.chars(43, b64std) + "="
	case 4:
		return "$6$" + g.chars(16, cryptA) + "$" + g.chars(86, cryptA)
	}
	return "$pbkdf2-sha256$29000$" + g.chars(22, cryptA) + "$" + g.chars(43, cryptA)
}

func (g g) hexDigest(n int) string { return g.chars(n, hexLower) }

func (g g) jwt() string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"` + g.pick("HS256", "RS256", "ES256") + `","typ":"JWT"}`))
	p := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"sub":"%d","name":"%s","iat":%d}`, g.n(1, 99999), g.first(), 1700000000+g.n(0, 9999999))))
	return h + "." + p + "." + g.chars(43, b64url)
}

func (g g) apiSecret() string {
	switch g.r.IntN(7) {
	case 0:
		return "AKIA" + g.chars(16, upper+"234567")
	case 1:
		return "ghp_" + g.chars(36, alnum)
	case 2:
		return "sk_live_" + g.chars(24, alnum)
	case 3:
		return "xoxb-" + g.digits(12) + "-" + g.digits(12) + "-" + g.chars(24, alnum)
	case 4:
		return "AIza" + g.chars(35, alnum+"-_")
	case 5:
		return g.jwt()
	}
	return "SG." + g.chars(22, b64url) + "." + g.chars(43, b64url)
}

func (g g) token() string {
	switch g.r.IntN(3) {
	case 0:
		return g.chars(32, alnum)
	case 1:
		return g.hexDigest(40)
	}
	return g.chars(43, b64url)
}

func (g g) connString() string {
	return g.pick("postgres", "mysql", "mongodb", "redis", "amqp") + "://" + g.pick("app", "admin", "svc_shop", "root") + ":" + g.chars(14, alnum) + "@" + g.pick("db.internal", "10.0.3.12", "cache.prod.example.com") + ":" + g.pick("5432", "3306", "27017", "6379", "5672") + "/" + g.pick("shop", "app", "0", "vhost")
}

func (g g) latLon() (float64, float64) {
	lat := float64(g.n(-60000000, 70000000)) / 1e6
	lon := float64(g.n(-179000000, 179000000)) / 1e6
	return lat, lon
}

func (g g) geohash() string { return g.chars(g.n(7, 10), "0123456789bcdefghjkmnpqrstuvwxyz") }

func (g g) ipv4() string {
	return fmt.Sprintf("%d.%d.%d.%d", g.pick2(g.n(1, 223), 10, 192, 172), g.n(0, 255), g.n(0, 255), g.n(1, 254))
}

func (g g) pick2(xs ...int) int { return xs[g.r.IntN(len(xs))] }

func (g g) ipv6() string {
	parts := []string{"2001", "db8"}
	for range 6 {
		parts = append(parts, strconv.FormatInt(int64(g.n(0, 0xffff)), 16))
	}
	if g.chance(0.5) {
		return parts[0] + ":" + parts[1] + "::" + parts[6] + ":" + parts[7]
	}
	return strings.Join(parts, ":")
}

func (g g) mac() string {
	var p []string
	for range 6 {
		p = append(p, g.hexDigest(2))
	}
	s := strings.Join(p, g.pick(":", "-"))
	if g.chance(0.3) {
		s = strings.ToUpper(s)
	}
	return s
}

func (g g) imei() string {
	body := g.pick("35", "86", "01", "99", "49") + g.digits(12)
	return body + string(classifiers.LuhnCheckDigit(body))
}

func (g g) uuid() string {
	return g.hexDigest(8) + "-" + g.hexDigest(4) + "-4" + g.hexDigest(3) + "-" + g.pick("8", "9", "a", "b") + g.hexDigest(3) + "-" + g.hexDigest(12)
}

func (g g) deviceID() string {
	switch g.r.IntN(5) {
	case 0:
		return g.imei()
	case 1:
		return strings.ToUpper(g.uuid())
	case 2:
		return g.hexDigest(16)
	case 3:
		return g.chars(12, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
	}
	return g.uuid()
}

func (g g) pushToken() string {
	if g.chance(0.5) {
		return g.hexDigest(64)
	}
	return g.chars(22, b64url) + ":APA91b" + g.chars(134, b64url)
}

func (g g) pnr() string {
	for {
		s := g.chars(6, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
		if strings.ContainsAny(s, "23456789") && strings.ContainsAny(s, upper) {
			return s
		}
	}
}

func (g g) flight() string {
	return g.pick("LH", "BA", "AF", "KL", "IB", "AZ", "TP", "UA", "DL", "U2", "FR", "EZY"[:2], "VY", "LX") + g.pick("", " ") + strconv.Itoa(g.n(1, 9999))
}

func (g g) eticket() string {
	return g.pick("220", "125", "057", "074", "075", "055", "047", "016", "006", "001") + g.digits(10)
}

func (g g) itinerary() string {
	ap := []string{"FRA", "MUC", "CDG", "ORY", "MAD", "BCN", "FCO", "MXP", "LIS", "OPO", "AMS", "LHR", "JFK", "SFO", "ORD"}
	n := g.n(2, 4)
	var out []string
	for range n {
		out = append(out, ap[g.r.IntN(len(ap))])
	}
	return strings.Join(out, g.pick("-", " > ", "/", "-"))
}

func (g g) lorem() string {
	words := strings.Fields("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat")
	n := g.n(6, 25)
	out := make([]string, n)
	for i := range out {
		out[i] = words[g.r.IntN(len(words))]
	}
	s := strings.Join(out, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func (g g) sentence() string {
	return g.pick("Order arrived late, box was damaged.", "Please call back about the refund.",
		"Customer asked to change the delivery slot to the afternoon.", "Item 3 of 4 out of stock, shipped the rest.",
		"Paid with voucher, remaining 12.50 EUR charged.", "Ticket escalated to tier 2 at 10:42.",
		"Bitte Rückruf wegen der Rechnung vom 12.03.", "Le colis est arrivé en bon état, merci.",
		"El pedido llegó tarde pero completo.", "Consegna prevista per lunedì mattina.")
}

// message is free text that holds a value of some category in about half
// of the documents.
func (g g) message(embed func() string) string {
	if g.chance(0.45) {
		return g.sentence()
	}
	return fmt.Sprintf(g.pick("Hi, please contact me at %s about my order.", "New details: %s (updated by support)",
		"Kunde bittet um Rückruf: %s", "Merci de me répondre sur %s.", "%s - sent from my phone",
		"log: user updated profile, value=%s, status=ok"), embed())
}

func (g g) fileHash() string {
	h := sha256.Sum256([]byte(g.digits(10)))
	if g.chance(0.5) {
		return hex.EncodeToString(h[:16])
	}
	return hex.EncodeToString(h[:])
}

func (g g) timestamp() string {
	return fmt.Sprintf("20%02d-%02d-%02dT%02d:%02d:%02d.%03dZ", g.n(19, 25), g.n(1, 12), g.n(1, 28), g.n(0, 23), g.n(0, 59), g.n(0, 59), g.n(0, 999))
}

func (g g) version() string {
	return fmt.Sprintf("%d.%d.%d.%d", g.n(1, 12), g.n(0, 9), g.n(0, 20), g.n(0, 400))
}
