// Package examplegen generates examples/leaky-app: a small, entirely fake dump
// shaped like the backend of an exposed mobile/web app. Every value is made up
// by a seeded random generator: e-mail domains are example.com/.org/.net,
// IP addresses come from the documentation ranges, phone numbers from
// fictional ranges, card numbers from test BINs.
//
// The output is deterministic: the same code always writes the same bytes
// (gzip members carry no name and no modification time). Regenerate with
//
//	go generate ./internal/examplegen
//
// Planted lists every (file, field path, category) that a scan of the
// example must find; it is also written to examples/leaky-app.expected.json
// (outside the scanned directory, so it is not scanned itself).
package examplegen

//go:generate go run ./gen -out ../../examples

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/piisniff/piisniff/classifiers"
)

// Dir is the name of the example directory under examples/.
const Dir = "leaky-app"

// ExpectedFile is the name of the machine-readable list of planted fields,
// next to Dir under examples/.
const ExpectedFile = "leaky-app.expected.json"

// Plant is one planted field: File is the container name (path relative to
// the example directory), Path the field path in the report's convention.
// A GeoJSON point is planted at the path of its coordinates array
// ("location.coordinates"), where its structure is evidence.
type Plant struct {
	File     string `json:"file"`
	Path     string `json:"path"`
	Category string `json:"category"`
}

// Expected is the content of ExpectedFile.
type Expected struct {
	Description string   `json:"description"`
	Documents   int      `json:"documents"`
	Skipped     []string `json:"skipped_files"`
	Planted     []Plant  `json:"planted"`
}

// Output is everything Generate produces: file contents by path relative to
// the example directory, and the expectation.
type Output struct {
	Files    map[string][]byte
	Expected Expected
}

// F is one key/value pair of an ordered JSON object.
type F struct {
	K string
	V any
}

// O is a JSON object that keeps its key order when marshalled.
type O []F

// MarshalJSON writes the pairs in order.
func (o O) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.K)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := marshal(f.V)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

type gen struct {
	r      *rand.Rand
	plants map[Plant]bool
	docs   int
	files  map[string][]byte
}

// Generate builds the example in memory.
func Generate() (Output, error) {
	g := &gen{r: rand.New(rand.NewPCG(20261125, 3)), plants: map[Plant]bool{}, files: map[string][]byte{}}
	steps := []func() error{g.users, g.orders, g.checkins, g.devices, g.bookings,
		g.customers, g.appLogs, g.newsletter, g.sessions, g.admins, g.config}
	for _, s := range steps {
		if err := s(); err != nil {
			return Output{}, err
		}
	}
	g.files["EXPECTED.md"] = []byte(expectedMD(g))
	exp := Expected{
		Description: "Fields planted in examples/leaky-app (entirely fake data). file is the container name, path the field path.",
		Documents:   g.docs,
		Skipped:     []string{"EXPECTED.md"},
	}
	for p := range g.plants {
		exp.Planted = append(exp.Planted, p)
	}
	sortPlants(exp.Planted)
	return Output{Files: g.files, Expected: exp}, nil
}

func sortPlants(ps []Plant) {
	sort.Slice(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Category < b.Category
	})
}

// Write generates the example into examplesDir/Dir and writes
// examplesDir/ExpectedFile. Files of Dir that Generate does not produce are
// left alone.
func Write(examplesDir string) error {
	out, err := Generate()
	if err != nil {
		return err
	}
	for name, data := range out.Files {
		p := filepath.Join(examplesDir, Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	exp, err := json.MarshalIndent(out.Expected, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(examplesDir, ExpectedFile), append(exp, '\n'), 0o644)
}

func (g *gen) plant(file string, cats map[string]string) {
	for path, cat := range cats {
		g.plants[Plant{File: file, Path: path, Category: cat}] = true
	}
}

func (g *gen) ndjson(name string, docs []any) error {
	var b bytes.Buffer
	for _, d := range docs {
		line, err := marshal(d)
		if err != nil {
			return err
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	g.files[name] = b.Bytes()
	g.docs += len(docs)
	return nil
}

// ---- value makers -------------------------------------------------------

var (
	firstNames = []string{"Amelia", "Liam", "Sofia", "Noah", "Mia", "Lucas", "Hannah", "Mateo", "Yuki", "Omar",
		"Chloe", "Ravi", "Ingrid", "Tomasz", "Aisha", "Diego", "Freya", "Kenji", "Lena", "Samuel",
		"Zoe", "Felix", "Priya", "Jonas", "Elena", "Marco", "Nora", "Hugo", "Clara", "Idris"}
	lastNames = []string{"Johansson", "Okafor", "Moreau", "Schneider", "Tanaka", "Kowalski", "Fernandes", "Nguyen",
		"Haddad", "O'Brien", "Rossi", "Lindqvist", "Petrov", "Castillo", "Müller", "Andersen", "Kaur", "Dubois",
		"Novak", "Reyes", "Fischer", "Yamamoto", "Lambert", "Silva", "Weber", "Horvat", "Bakker", "Ibrahim"}
	streets = []string{"Maple Avenue", "Birch Street", "Harbour Road", "Linden Lane", "Station Road", "Mill Street",
		"Orchard Way", "Kingsley Court", "Rue des Lilas", "Gartenstraße", "Calle del Olmo", "Via Roma"}
	cities = []struct{ City, Country, ZipFmt string }{
		{"Springfield", "US", "#####"}, {"Riverton", "US", "#####"}, {"Manchester", "GB", "M# #@@"},
		{"Leeds", "GB", "LS# #@@"}, {"Hamburg", "DE", "2####"}, {"Köln", "DE", "5####"},
		{"Lyon", "FR", "69###"}, {"Madrid", "ES", "28###"}, {"Utrecht", "NL", "35## @@"}, {"Torino", "IT", "10###"},
	}
	places   = []string{"Blue Bottle Café", "Central Gym", "City Library", "Harbour Pier 3", "Northside Clinic", "Airport T2", "Riverside Park", "Office HQ"}
	carriers = []string{"LH", "BA", "AF", "KL", "IB", "AZ", "UA", "DL", "EK", "SQ"}
	airports = []string{"FRA", "LHR", "CDG", "AMS", "MAD", "FCO", "JFK", "SFO", "DXB", "SIN", "MUC", "BCN"}
	// Well-known payment test numbers; more are generated from test BINs.
	testCards = []string{"4111111111111111", "5555555555554444", "378282246310005", "4012888888881881",
		"6011111111111117", "5105105105105100", "4242424242424242", "371449635398431"}
)

func (g *gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

func (g *gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

func (g *gen) fromAlphabet(alpha string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alpha[g.r.IntN(len(alpha))]
	}
	return string(b)
}

func (g *gen) hexs(n int) string { return g.fromAlphabet("0123456789abcdef", n) }

const (
	upper   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lower   = "abcdefghijklmnopqrstuvwxyz"
	digitsA = "0123456789"
	alnum   = upper + lower + digitsA
	b64url  = alnum + "-_"
	bcryptA = "./" + alnum
)

type person struct {
	First, Last string
	Email       string
	Phone       string
	DOB         time.Time
	Street      string
	City        string
	Zip         string
	Country     string
}

func (g *gen) person() person {
	p := person{First: g.pick(firstNames), Last: g.pick(lastNames)}
	local := strings.ToLower(asciiFold(p.First) + "." + strings.ReplaceAll(asciiFold(p.Last), "'", ""))
	if g.r.IntN(3) == 0 {
		local += strconv.Itoa(g.r.IntN(99) + 1)
	}
	p.Email = local + "@" + g.pick([]string{"example.com", "example.org", "example.net", "mail.example.com"})
	p.Phone = g.phone()
	p.DOB = time.Date(1950+g.r.IntN(56), time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), 0, 0, 0, 0, time.UTC)
	c := cities[g.r.IntN(len(cities))]
	p.Street = strconv.Itoa(1+g.r.IntN(240)) + " " + g.pick(streets)
	if c.Country == "DE" || c.Country == "FR" || c.Country == "ES" || c.Country == "IT" || c.Country == "NL" {
		p.Street = g.pick(streets) + " " + strconv.Itoa(1+g.r.IntN(120))
	}
	p.City, p.Country = c.City, c.Country
	p.Zip = g.zip(c.ZipFmt)
	return p
}

func asciiFold(s string) string {
	r := strings.NewReplacer("ü", "ue", "ö", "oe", "ä", "ae", "é", "e", "ß", "ss")
	return r.Replace(s)
}

func (g *gen) zip(f string) string {
	var b strings.Builder
	for _, c := range f {
		switch c {
		case '#':
			b.WriteByte(byte('0' + g.r.IntN(10)))
		case '@':
			b.WriteByte("ABDEFGHJLNPQRSTUWXYZ"[g.r.IntN(20)])
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// phone returns a number from a range reserved for fiction.
func (g *gen) phone() string {
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf("+1 %s-555-01%02d", g.pick([]string{"202", "312", "415", "617", "720"}), g.r.IntN(100))
	case 1:
		return fmt.Sprintf("+44 7700 900%03d", g.r.IntN(1000))
	case 2:
		return fmt.Sprintf("(%s) 555-01%02d", g.pick([]string{"212", "303", "503"}), g.r.IntN(100))
	default:
		return fmt.Sprintf("+61 491 570 %03d", 6+g.r.IntN(10))
	}
}

func (g *gen) card() string {
	if g.r.IntN(2) == 0 {
		return g.pick(testCards)
	}
	prefix := g.pick([]string{"400000", "411111", "555555", "222300", "401288"})
	p := prefix + g.digits(9)
	return p + string(classifiers.LuhnCheckDigit(p))
}

func (g *gen) cardFormatted() string {
	c := g.card()
	if len(c) != 16 || g.r.IntN(3) != 0 {
		return c
	}
	return c[0:4] + " " + c[4:8] + " " + c[8:12] + " " + c[12:16]
}

func (g *gen) imei() string {
	p := "35" + g.digits(12)
	return p + string(classifiers.LuhnCheckDigit(p))
}

func (g *gen) iban() string {
	var country, bban string
	switch g.r.IntN(4) {
	case 0:
		country, bban = "DE", g.digits(8)+g.digits(10)
	case 1:
		country, bban = "GB", g.pick([]string{"NWBK", "BARC", "MIDL"})+g.digits(6)+g.digits(8)
	case 2:
		country, bban = "NL", g.pick([]string{"ABNA", "RABO", "INGB"})+g.digits(10)
	default:
		country, bban = "FR", g.digits(10)+g.fromAlphabet(upper+digitsA, 11)+g.digits(2)
	}
	check := ibanCheck(country, bban)
	s := country + check + bban
	if g.r.IntN(3) == 0 { // printed form, groups of four
		var b strings.Builder
		for i := 0; i < len(s); i += 4 {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s[i:min(i+4, len(s))])
		}
		return b.String()
	}
	return s
}

func ibanCheck(country, bban string) string {
	var num strings.Builder
	for _, c := range bban + country + "00" {
		if c >= 'A' && c <= 'Z' {
			num.WriteString(strconv.Itoa(int(c-'A') + 10))
		} else {
			num.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(num.String(), 10)
	mod := new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("%02d", 98-mod)
}

// routing returns an ABA routing number with a valid checksum.
func (g *gen) routing() string {
	p := g.pick([]string{"0", "1", "2"}) + g.digits(7)
	w := []int{3, 7, 1, 3, 7, 1, 3, 7}
	sum := 0
	for i := range 8 {
		sum += int(p[i]-'0') * w[i]
	}
	return p + strconv.Itoa((10-sum%10)%10)
}

func (g *gen) ssn() string {
	area := 1 + g.r.IntN(665)
	if area == 666 {
		area = 667
	}
	return fmt.Sprintf("%03d-%02d-%04d", area, 1+g.r.IntN(99), 1+g.r.IntN(9999))
}

func (g *gen) passport() string {
	switch g.r.IntN(3) {
	case 0:
		return g.fromAlphabet("CFGHJKLMNPRTVWXYZ", 1) + g.fromAlphabet("CFGHJKLMNPRTVWXYZ0123456789", 8) // DE shape
	case 1:
		return g.digits(9) // US/UK shape
	default:
		return g.fromAlphabet(upper, 2) + g.digits(7) // FR/NL shape
	}
}

func (g *gen) bcrypt() string {
	return "$2b$12$" + g.fromAlphabet(bcryptA, 53)
}

func (g *gen) argon2() string {
	salt := make([]byte, 16)
	hash := make([]byte, 32)
	g.fill(salt)
	g.fill(hash)
	e := base64.RawStdEncoding
	return "$argon2id$v=19$m=65536,t=3,p=4$" + e.EncodeToString(salt) + "$" + e.EncodeToString(hash)
}

func (g *gen) fill(b []byte) {
	for i := range b {
		b[i] = byte(g.r.IntN(256))
	}
}

func (g *gen) jwt(sub string, iat int64) string {
	e := base64.RawURLEncoding
	h := e.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	p := e.EncodeToString([]byte(fmt.Sprintf(`{"sub":%q,"iat":%d,"scope":"user"}`, sub, iat)))
	sig := make([]byte, 32)
	g.fill(sig)
	return h + "." + p + "." + e.EncodeToString(sig)
}

func (g *gen) token(prefix string) string { return prefix + g.fromAlphabet(alnum, 32) }

func (g *gen) password() string {
	words := []string{"summer", "Dragon", "letmein", "Passw0rd", "sunshine", "Monkey", "qwerty", "Tr0ub4dor", "hunter", "Welcome"}
	return g.pick(words) + strconv.Itoa(g.r.IntN(2030)) + g.pick([]string{"!", "", "#", "?", ""})
}

func (g *gen) ipv4() string {
	nets := []string{"192.0.2.", "198.51.100.", "203.0.113."}
	return g.pick(nets) + strconv.Itoa(1+g.r.IntN(254))
}

func (g *gen) ipv6() string {
	return fmt.Sprintf("2001:db8:%x:%x::%x", g.r.IntN(0xffff), g.r.IntN(0xffff), 1+g.r.IntN(0xfff))
}

func (g *gen) mac() string {
	b := make([]byte, 6)
	g.fill(b)
	b[0] = b[0]&0xfc | 0x02 // locally administered, unicast
	parts := make([]string, 6)
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02x", x)
	}
	if g.r.IntN(2) == 0 {
		return strings.ToUpper(strings.Join(parts, ":"))
	}
	return strings.Join(parts, ":")
}

func (g *gen) uuid() string {
	b := make([]byte, 16)
	g.fill(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func (g *gen) pushToken(platform string) string {
	if platform == "ios" {
		return g.hexs(64) // APNs device token
	}
	return g.fromAlphabet(b64url, 22) + ":APA91b" + g.fromAlphabet(b64url, 134) // FCM registration token
}

func (g *gen) pnr() string { return g.fromAlphabet("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 6) }

func (g *gen) flight() string {
	c := g.pick(carriers)
	n := strconv.Itoa(1 + g.r.IntN(4999))
	if g.r.IntN(2) == 0 {
		return c + " " + n
	}
	return c + fmt.Sprintf("%04s", n)
}

func (g *gen) ticket() string {
	return g.pick([]string{"220", "125", "057", "074", "016"}) + g.digits(10)
}

var epoch = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func (g *gen) when() time.Time {
	return epoch.Add(time.Duration(g.r.IntN(200*24*3600)) * time.Second).Add(time.Duration(g.r.IntN(1000)) * time.Millisecond)
}

func (g *gen) oid(t time.Time) string {
	return fmt.Sprintf("%08x", t.Unix()) + g.hexs(16)
}

// ---- collections --------------------------------------------------------

func (g *gen) users() error {
	const file = "users.ndjson"
	var docs []any
	for i := range 60 {
		p := g.person()
		created := g.when()
		contacts := []any{O{{"type", "mobile"}, {"phone", p.Phone}, {"verified", g.r.IntN(2) == 0}}}
		if g.r.IntN(3) == 0 {
			contacts = append(contacts, O{{"type", "home"}, {"phone", g.phone()}, {"verified", false}})
		}
		d := O{
			{"_id", "usr_" + strconv.Itoa(10000+i)},
			{"username", strings.ToLower(asciiFold(p.First)) + strconv.Itoa(g.r.IntN(1000))},
			{"first_name", p.First},
			{"last_name", p.Last},
			{"full_name", p.First + " " + p.Last},
			{"email", p.Email},
			{"contacts", contacts},
			{"date_of_birth", p.DOB.Format("2006-01-02")},
			{"address", O{{"street", p.Street}, {"city", p.City}, {"postal_code", p.Zip}, {"country", p.Country}}},
			{"password", g.password()},
			{"password_hash", g.bcrypt()},
			{"legacy", O{{"password_argon2", g.argon2()}, {"migrated", g.r.IntN(2) == 0}}},
			{"api_token", g.token("tok_")},
			{"session_jwt", g.jwt("usr_"+strconv.Itoa(10000+i), created.Unix())},
			{"marketing_opt_in", g.r.IntN(2) == 0},
			{"created_at", created.Format(time.RFC3339)},
		}
		docs = append(docs, d)
	}
	g.plant(file, map[string]string{
		"first_name": "person_name", "last_name": "person_name", "full_name": "person_name",
		"email": "email", "contacts[].phone": "phone", "date_of_birth": "date_of_birth",
		"address.street": "street_address", "address.postal_code": "postal_code",
		"password": "password", "password_hash": "password_hash", "legacy.password_argon2": "password_hash",
		"api_token": "api_secret", "session_jwt": "api_secret",
	})
	return g.ndjson(file, docs)
}

func (g *gen) orders() error {
	const file = "orders.ndjson"
	var docs []any
	for i := range 80 {
		p := g.person()
		card := g.cardFormatted()
		cvvLen := 3
		if strings.HasPrefix(card, "3") {
			cvvLen = 4
		}
		exp := time.Date(2026+g.r.IntN(6), time.Month(1+g.r.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
		items := []any{}
		for range 1 + g.r.IntN(3) {
			items = append(items, O{{"sku", "SKU-" + g.digits(5)}, {"qty", 1 + g.r.IntN(4)}, {"price", json.Number(fmt.Sprintf("%d.%02d", 3+g.r.IntN(200), g.r.IntN(100)))}})
		}
		d := O{
			{"order_id", "ord_" + strconv.Itoa(500000+i*7)},
			{"user_id", "usr_" + strconv.Itoa(10000+g.r.IntN(60))},
			{"status", g.pick([]string{"paid", "shipped", "refunded", "pending"})},
			{"items", items},
			{"payment", O{
				{"method", "card"},
				{"cardholder", strings.ToUpper(p.First + " " + p.Last)},
				{"card_number", card},
				{"expiry", exp.Format("01/06")},
				{"cvv", g.digits(cvvLen)},
			}},
			{"refund", O{
				{"iban", g.iban()},
				{"account_number", g.digits(8 + g.r.IntN(5))},
				{"routing_number", g.routing()},
			}},
			{"created_at", g.when().Format(time.RFC3339)},
		}
		docs = append(docs, d)
	}
	g.plant(file, map[string]string{
		"payment.cardholder": "person_name", "payment.card_number": "credit_card", "payment.expiry": "card_expiry",
		"payment.cvv": "card_cvv", "refund.iban": "iban", "refund.account_number": "bank_account",
		// refund.routing_number identifies the bank's branch, not a person
	})
	return g.ndjson(file, docs)
}

func (g *gen) checkins() error {
	const file = "checkins.ndjson"
	centres := [][2]float64{{52.52, 13.405}, {51.5074, -0.1278}, {48.8566, 2.3522}, {40.7128, -74.006}, {37.7749, -122.4194}, {35.6762, 139.6503}}
	var docs []any
	for i := range 60 {
		c := centres[g.r.IntN(len(centres))]
		lat := c[0] + (g.r.Float64()-0.5)*0.2
		lng := c[1] + (g.r.Float64()-0.5)*0.2
		latS := strconv.FormatFloat(lat, 'f', 6, 64)
		lngS := strconv.FormatFloat(lng, 'f', 6, 64)
		d := O{
			{"checkin_id", "chk_" + strconv.Itoa(900000+i)},
			{"user_id", "usr_" + strconv.Itoa(10000+g.r.IntN(60))},
			{"place", g.pick(places)},
			{"lat", json.Number(latS)},
			{"lng", json.Number(lngS)},
			{"location", O{{"type", "Point"}, {"coordinates", []any{json.Number(lngS), json.Number(latS)}}}},
			{"client_ip", g.ipv4()},
			{"forwarded_for", g.ipv6()},
			{"at", g.when().Format(time.RFC3339)},
		}
		docs = append(docs, d)
	}
	g.plant(file, map[string]string{
		"lat": "geo_coordinates", "lng": "geo_coordinates", "location.coordinates": "geo_coordinates",
		"client_ip": "ip_address", "forwarded_for": "ip_address",
	})
	return g.ndjson(file, docs)
}

func (g *gen) devices() error {
	const file = "devices.ndjson"
	var docs []any
	for i := range 40 {
		platform := g.pick([]string{"ios", "android"})
		adID := g.uuid()
		adKey := "gaid"
		model := g.pick([]string{"Pixel 8", "Galaxy S23", "Moto G84"})
		if platform == "ios" {
			adID = strings.ToUpper(adID)
			adKey = "idfa"
			model = g.pick([]string{"iPhone15,2", "iPhone14,5", "iPad13,1"})
		}
		d := O{
			{"device_id", "dev_" + strconv.Itoa(30000+i)},
			{"user_id", "usr_" + strconv.Itoa(10000+g.r.IntN(60))},
			{"platform", platform},
			{"model", model},
			{"hardware", O{{"mac", g.mac()}, {"imei", g.imei()}, {"serial", g.fromAlphabet(upper+digitsA, 12)}}},
			{"advertising", O{{"type", adKey}, {"ad_id", adID}}},
			{"push_token", g.pushToken(platform)},
			{"last_ip", g.ipv4()},
			{"last_seen", g.when().Format(time.RFC3339)},
		}
		docs = append(docs, d)
	}
	g.plant(file, map[string]string{
		"hardware.mac": "mac_address", "hardware.imei": "device_id", "hardware.serial": "device_id",
		"advertising.ad_id": "device_id", "push_token": "device_id", "last_ip": "ip_address",
	})
	return g.ndjson(file, docs)
}

func (g *gen) bookings() error {
	const file = "bookings.ndjson"
	var docs []any
	for i := range 40 {
		p := g.person()
		var segs []any
		from := g.pick(airports)
		for range 1 + g.r.IntN(2) {
			to := g.pick(airports)
			segs = append(segs, O{{"flight_number", g.flight()}, {"from", from}, {"to", to},
				{"departs", g.when().Format("2006-01-02T15:04")}, {"seat", strconv.Itoa(1+g.r.IntN(40)) + string(rune('A'+g.r.IntN(6)))}})
			from = to
		}
		d := O{
			{"booking_id", "bkg_" + strconv.Itoa(70000+i)},
			{"pnr", g.pnr()},
			{"ticket_number", g.ticket()},
			{"segments", segs},
			{"traveller", O{
				{"name", p.First + " " + p.Last},
				{"birth_date", p.DOB.Format("2006-01-02")},
				{"passport_number", g.passport()},
				{"nationality", p.Country},
				{"ssn", g.ssn()},
				{"email", p.Email},
			}},
			{"booked_at", g.when().Format(time.RFC3339)},
		}
		docs = append(docs, d)
	}
	g.plant(file, map[string]string{
		"pnr": "travel_booking", "ticket_number": "travel_booking", "segments[].flight_number": "travel_booking",
		"traveller.name": "person_name", "traveller.birth_date": "date_of_birth",
		"traveller.passport_number": "passport_number", "traveller.ssn": "national_id", "traveller.email": "email",
	})
	return g.ndjson(file, docs)
}

// customers is a mongoexport (Extended JSON v2) file: relaxed mode with some
// canonical values, as mongoexport --jsonFormat=relaxed/canonical writes them.
func (g *gen) customers() error {
	const file = "mongoexport/shop.customers.json"
	var docs []any
	for range 30 {
		p := g.person()
		created := g.when()
		var dob any
		if p.DOB.Before(time.Unix(0, 0)) { // relaxed mode: dates before 1970 stay canonical
			dob = O{{"$date", O{{"$numberLong", strconv.FormatInt(p.DOB.UnixMilli(), 10)}}}}
		} else {
			dob = O{{"$date", p.DOB.Format("2006-01-02T15:04:05.000Z")}}
		}
		card := g.card()
		avatar := make([]byte, 12)
		g.fill(avatar)
		md5 := make([]byte, 16)
		g.fill(md5)
		d := O{
			{"_id", O{{"$oid", g.oid(created)}}},
			{"name", p.First + " " + p.Last},
			{"email", p.Email},
			{"phone", p.Phone},
			{"dob", dob},
			{"national_id", g.ssn()},
			{"billing", O{
				{"card", O{{"$numberLong", card}}},
				{"card_exp", O{{"month", O{{"$numberInt", strconv.Itoa(1 + g.r.IntN(12))}}}, {"year", O{{"$numberInt", strconv.Itoa(2026 + g.r.IntN(5))}}}}},
				{"balance", O{{"$numberDecimal", fmt.Sprintf("%d.%02d", g.r.IntN(5000), g.r.IntN(100))}}},
			}},
			{"login", O{
				{"password_md5", hex.EncodeToString(md5)},
				{"failed_attempts", O{{"$numberInt", strconv.Itoa(g.r.IntN(5))}}},
				{"last_login", O{{"$date", O{{"$numberLong", strconv.FormatInt(created.UnixMilli(), 10)}}}}},
			}},
			{"avatar_sha", O{{"$binary", O{{"base64", base64.StdEncoding.EncodeToString(avatar)}, {"subType", "00"}}}}},
			{"score", O{{"$numberDouble", strconv.FormatFloat(float64(g.r.IntN(1000))/10, 'f', -1, 64)}}},
			{"created", O{{"$date", created.Format("2006-01-02T15:04:05.000Z")}}},
		}
		docs = append(docs, d)
	}
	g.plant(file, map[string]string{
		"name": "person_name", "email": "email", "phone": "phone", "dob": "date_of_birth",
		"national_id": "national_id", "billing.card": "credit_card", "login.password_md5": "password_hash",
		"billing.card_exp.month": "card_expiry", "billing.card_exp.year": "card_expiry",
	})
	return g.ndjson(file, docs)
}

// appLogs is elasticdump output: one hit per line with the document under _source.
func (g *gen) appLogs() error {
	const file = "elasticdump/app-logs.json"
	var docs []any
	for i := range 40 {
		p := g.person()
		ip := g.ipv4()
		c := [2]float64{40 + g.r.Float64()*15, -5 + g.r.Float64()*25}
		src := O{
			{"@timestamp", g.when().Format("2006-01-02T15:04:05.000Z")},
			{"level", g.pick([]string{"info", "warn", "error"})},
			{"message", fmt.Sprintf("password reset requested for %s from %s", p.Email, ip)},
			{"user", O{{"id", "usr_" + strconv.Itoa(10000+g.r.IntN(60))}, {"email", p.Email}}},
			{"client", O{{"ip", ip}, {"geo", O{{"location", fmt.Sprintf("%.5f,%.5f", c[0], c[1])}}}}},
			{"http", O{{"method", "POST"}, {"path", "/v1/auth/reset"}, {"headers", O{{"authorization", "Bearer " + g.jwt("usr_"+strconv.Itoa(10000+i), 1770000000+int64(i))}}}}},
		}
		docs = append(docs, O{
			{"_index", "app-logs-2026.06"},
			{"_type", "_doc"},
			{"_id", g.fromAlphabet(b64url, 20)},
			{"_score", 1},
			{"_source", src},
		})
	}
	g.plant(file, map[string]string{
		"message": "email", "user.email": "email", "client.ip": "ip_address",
		"client.geo.location": "geo_coordinates", "http.headers.authorization": "api_secret",
	})
	return g.ndjson(file, docs)
}

func (g *gen) newsletter() error {
	const file = "exports/newsletter.csv"
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"subscriber", "email", "mobile", "birthdate", "zip", "country", "signup_ip"})
	for range 40 {
		p := g.person()
		_ = w.Write([]string{p.First + " " + p.Last, p.Email, p.Phone, p.DOB.Format("02/01/2006"), p.Zip, p.Country, g.ipv4()})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	g.files[file] = b.Bytes()
	g.docs += 40
	g.plant(file, map[string]string{
		"subscriber": "person_name", "email": "email", "mobile": "phone", "birthdate": "date_of_birth",
		"zip": "postal_code", "signup_ip": "ip_address",
	})
	return nil
}

func (g *gen) sessions() error {
	const file = "exports/sessions.ndjson.gz"
	var docs []any
	for i := range 30 {
		t := g.when()
		docs = append(docs, O{
			{"session_id", g.hexs(32)},
			{"user_id", "usr_" + strconv.Itoa(10000+g.r.IntN(60))},
			{"refresh_token", g.token("rt_")},
			{"ip", g.ipv4()},
			{"user_agent", g.pick([]string{"LeakyApp/4.2 (iPhone; iOS 17.4)", "LeakyApp/4.2 (Android 14; Pixel 8)", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4)"})},
			{"started_at", t.Format(time.RFC3339)},
			{"n", i},
		})
	}
	if err := g.ndjson(file, docs); err != nil {
		return err
	}
	var z bytes.Buffer
	zw, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(g.files[file]); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	g.files[file] = z.Bytes()
	g.plant(file, map[string]string{"session_id": "api_secret", "refresh_token": "api_secret", "ip": "ip_address"})
	return nil
}

// admins is a pretty-printed JSON array, as a hand-made backup would be.
func (g *gen) admins() error {
	const file = "backup/admins.json"
	var docs []any
	for i := range 5 {
		p := g.person()
		docs = append(docs, O{
			{"id", i + 1},
			{"name", p.First + " " + p.Last},
			{"email", strings.Split(p.Email, "@")[0] + "@admin.example.com"},
			{"password", g.password()},
			{"api_key", g.token("ak_")},
			{"roles", []any{"admin", g.pick([]string{"billing", "support", "ops"})}},
		})
	}
	b, err := json.MarshalIndent(docs, "", "  ")
	if err != nil {
		return err
	}
	g.files[file] = append(b, '\n')
	g.docs += len(docs)
	g.plant(file, map[string]string{"name": "person_name", "email": "email", "password": "password", "api_key": "api_secret"})
	return nil
}

// config is a single JSON object: the app's configuration with its secrets.
func (g *gen) config() error {
	const file = "config/app.json"
	d := O{
		{"env", "production"},
		{"database", O{{"url", "postgres://leaky:" + g.fromAlphabet(alnum, 16) + "@db.internal.example:5432/leaky"}, {"pool", 20}}},
		{"smtp", O{{"host", "smtp.example.com"}, {"user", "mailer"}, {"password", g.password()}}},
		{"jwt_secret", g.fromAlphabet(alnum, 48)},
		{"maps_api_key", g.token("mk_")},
		{"support_contact", O{{"name", "Dana Whitfield"}, {"email", "dana.whitfield@example.com"}, {"phone", "+1 202-555-0187"}}},
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	g.files[file] = append(b, '\n')
	g.docs++
	g.plant(file, map[string]string{
		"database.url": "api_secret", "smtp.password": "password", "jwt_secret": "api_secret", "maps_api_key": "api_secret",
		"support_contact.email": "email", "support_contact.phone": "phone", "support_contact.name": "person_name",
	})
	return nil
}

func expectedMD(g *gen) string {
	var ps []Plant
	for p := range g.plants {
		ps = append(ps, p)
	}
	sortPlants(ps)
	var b strings.Builder
	b.WriteString("# leaky-app: what is planted\n\n")
	b.WriteString("An entirely fake dump shaped like the backend of an exposed mobile/web app:\n")
	b.WriteString("one NDJSON file per collection, a `mongoexport` file (Extended JSON v2), an\n")
	b.WriteString("`elasticdump` file, a CSV export, a gzip-compressed NDJSON file, a JSON array\n")
	b.WriteString("and a JSON config object. Generated by `internal/examplegen`\n")
	b.WriteString("(`go generate ./internal/examplegen`); do not edit by hand.\n\n")
	b.WriteString("Every value is made up: e-mail domains are example.com/.org/.net, IP addresses\n")
	b.WriteString("come from the documentation ranges, phone numbers from ranges reserved for\n")
	b.WriteString("fiction, card numbers are payment test numbers.\n\n")
	fmt.Fprintf(&b, "%d documents. This file is not a data format the scanner reads: it is listed as skipped.\n", g.docs)
	b.WriteString("The same list, machine-readable: `examples/" + ExpectedFile + "`.\n\n")
	b.WriteString("| file | field path | category |\n| --- | --- | --- |\n")
	for _, p := range ps {
		fmt.Fprintf(&b, "| `%s` | `%s` | `%s` |\n", p.File, p.Path, p.Category)
	}
	return b.String()
}
