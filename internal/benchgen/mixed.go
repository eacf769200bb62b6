package benchgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"strings"
)

// locale is what the mixed corpus writes differently per country.
type locale struct {
	code, country, currency string
	first, last, cities     []string
	street                  func(r *rand.Rand) string
	phone                   func(r *rand.Rand) string // national notation
	intl                    string                    // calling code
	date                    string                    // birth date layout: dmy, mdy, ymd
	sep                     string                    // date separator
	ibanCC                  string
	ibanLen                 int
	words                   []string
}

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

var locales = []locale{
	{code: "de_DE", country: "DE", currency: "EUR", intl: "49", date: "dmy", sep: ".", ibanCC: "DE", ibanLen: 22,
		first:  []string{"Lukas", "Anna", "Jonas", "Marie", "Felix", "Lea", "Paul", "Hannah"},
		last:   []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Wagner"},
		cities: []string{"Berlin", "Hamburg", "München", "Köln", "Leipzig", "Dresden"},
		street: func(r *rand.Rand) string {
			return fmt.Sprintf("%s %d", pick(r, []string{"Hauptstraße", "Lindenweg", "Bahnhofstraße", "Gartenstraße"}), 1+r.IntN(120))
		},
		phone: func(r *rand.Rand) string { return "030 " + digits(r, 7) },
		words: []string{"Bestellung", "Lieferung", "bitte", "danke", "Rechnung", "Paket", "heute", "morgen"}},
	{code: "fr_FR", country: "FR", currency: "EUR", intl: "33", date: "dmy", sep: "/", ibanCC: "FR", ibanLen: 27,
		first:  []string{"Camille", "Louis", "Chloé", "Hugo", "Léa", "Lucas", "Manon", "Jules"},
		last:   []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"},
		cities: []string{"Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille"},
		street: func(r *rand.Rand) string {
			return fmt.Sprintf("%d %s", 1+r.IntN(120), pick(r, []string{"rue de la Paix", "avenue Victor Hugo", "boulevard Voltaire"}))
		},
		phone: func(r *rand.Rand) string {
			return fmt.Sprintf("0%d %s %s %s %s", 1+r.IntN(5), digits(r, 2), digits(r, 2), digits(r, 2), digits(r, 2))
		},
		words: []string{"commande", "livraison", "merci", "facture", "colis", "aujourd'hui", "demain", "retour"}},
	{code: "es_ES", country: "ES", currency: "EUR", intl: "34", date: "dmy", sep: "/", ibanCC: "ES", ibanLen: 24,
		first:  []string{"Lucía", "Hugo", "Martina", "Mateo", "Sofía", "Leo", "Valeria", "Daniel"},
		last:   []string{"García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez"},
		cities: []string{"Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Málaga"},
		street: func(r *rand.Rand) string {
			return fmt.Sprintf("Calle %s %d", pick(r, []string{"Mayor", "de Alcalá", "Gran Vía", "del Sol"}), 1+r.IntN(120))
		},
		phone: func(r *rand.Rand) string { return "6" + digits(r, 2) + " " + digits(r, 3) + " " + digits(r, 3) },
		words: []string{"pedido", "entrega", "gracias", "factura", "paquete", "hoy", "mañana", "devolución"}},
	{code: "it_IT", country: "IT", currency: "EUR", intl: "39", date: "dmy", sep: "/", ibanCC: "IT", ibanLen: 27,
		first:  []string{"Giulia", "Leonardo", "Sofia", "Francesco", "Aurora", "Alessandro", "Ginevra", "Lorenzo"},
		last:   []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"},
		cities: []string{"Roma", "Milano", "Napoli", "Torino", "Bologna", "Firenze"},
		street: func(r *rand.Rand) string {
			return fmt.Sprintf("Via %s %d", pick(r, []string{"Roma", "Garibaldi", "Mazzini", "Dante"}), 1+r.IntN(120))
		},
		phone: func(r *rand.Rand) string { return "3" + digits(r, 2) + " " + digits(r, 3) + " " + digits(r, 4) },
		words: []string{"ordine", "consegna", "grazie", "fattura", "pacco", "oggi", "domani", "reso"}},
	{code: "nl_NL", country: "NL", currency: "EUR", intl: "31", date: "dmy", sep: "-", ibanCC: "NL", ibanLen: 18,
		first:  []string{"Daan", "Emma", "Sem", "Julia", "Lucas", "Mila", "Finn", "Tess"},
		last:   []string{"de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer"},
		cities: []string{"Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Groningen"},
		street: func(r *rand.Rand) string {
			return fmt.Sprintf("%s %d", pick(r, []string{"Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsplein"}), 1+r.IntN(120))
		},
		phone: func(r *rand.Rand) string { return "06-" + digits(r, 8) },
		words: []string{"bestelling", "levering", "bedankt", "factuur", "pakket", "vandaag", "morgen", "retour"}},
	{code: "pt_BR", country: "BR", currency: "BRL", intl: "55", date: "dmy", sep: "/", ibanCC: "PT", ibanLen: 25,
		first:  []string{"Miguel", "Alice", "Arthur", "Helena", "Heitor", "Laura", "Davi", "Valentina"},
		last:   []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira"},
		cities: []string{"São Paulo", "Rio de Janeiro", "Belo Horizonte", "Salvador", "Curitiba", "Recife"},
		street: func(r *rand.Rand) string {
			return fmt.Sprintf("Rua %s, %d", pick(r, []string{"das Flores", "Augusta", "XV de Novembro", "da Consolação"}), 1+r.IntN(900))
		},
		phone: func(r *rand.Rand) string { return "(11) 9" + digits(r, 4) + "-" + digits(r, 4) },
		words: []string{"pedido", "entrega", "obrigado", "nota fiscal", "pacote", "hoje", "amanhã", "troca"}},
	{code: "en_US", country: "US", currency: "USD", intl: "1", date: "mdy", sep: "/", ibanCC: "",
		first:  []string{"Olivia", "Liam", "Emma", "Noah", "Ava", "James", "Sophia", "Elijah"},
		last:   []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson"},
		cities: []string{"New York", "Chicago", "Houston", "Phoenix", "Seattle", "Denver"},
		street: func(r *rand.Rand) string {
			return fmt.Sprintf("%d %s", 100+r.IntN(9000), pick(r, []string{"Main St", "Oak Avenue", "Maple Drive", "Elm Street"}))
		},
		phone: func(r *rand.Rand) string { return fmt.Sprintf("(%d) %s-%s", 201+r.IntN(700), "555", digits(r, 4)) },
		words: []string{"order", "delivery", "thanks", "invoice", "package", "today", "tomorrow", "refund"}},
	{code: "en_GB", country: "GB", currency: "GBP", intl: "44", date: "dmy", sep: "/", ibanCC: "GB", ibanLen: 22,
		first:  []string{"Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Mia"},
		last:   []string{"Taylor", "Davies", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Hughes"},
		cities: []string{"London", "Manchester", "Leeds", "Bristol", "Glasgow", "Cardiff"},
		street: func(r *rand.Rand) string {
			return fmt.Sprintf("%d %s", 1+r.IntN(200), pick(r, []string{"High Street", "Station Road", "Church Lane", "Victoria Road"}))
		},
		phone: func(r *rand.Rand) string { return "07" + digits(r, 3) + " " + digits(r, 6) },
		words: []string{"order", "delivery", "cheers", "invoice", "parcel", "today", "tomorrow", "return"}},
}

var (
	levels   = []string{"debug", "info", "info", "info", "warn", "error"}
	services = []string{"checkout", "auth", "search", "billing", "catalog", "notifier"}
	agents   = []string{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
		"okhttp/4.12.0", "curl/8.4.0"}
	products = []string{"Espresso machine", "Trail running shoes", "Wool blanket", "USB-C hub", "Cast iron pan", "Desk lamp", "Rain jacket", "Yoga mat"}
	filler   = []string{"the", "customer", "asked", "about", "the", "status", "of", "an", "item", "that", "was", "shipped", "late", "and", "wants", "a", "call", "back", "please", "check", "warehouse", "stock", "before", "replying"}
)

// luhn appends a Luhn check digit to the digits s.
func luhn(s string) string {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return s + string(rune('0'+(10-sum%10)%10))
}

// iban builds a valid IBAN (mod 97) of the locale's country from digits.
func iban(r *rand.Rand, l locale) string {
	bban := digits(r, l.ibanLen-4)
	var num strings.Builder
	for _, c := range bban + l.ibanCC + "00" {
		if c >= 'A' && c <= 'Z' {
			fmt.Fprintf(&num, "%d", c-'A'+10)
		} else {
			num.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(num.String(), 10)
	check := 98 - new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("%s%02d%s", l.ibanCC, check, bban)
}

func birthDate(r *rand.Rand, l locale) string {
	y, m, d := 1940+r.IntN(65), 1+r.IntN(12), 1+r.IntN(28)
	switch l.date {
	case "mdy":
		return fmt.Sprintf("%02d%s%02d%s%d", m, l.sep, d, l.sep, y)
	case "ymd":
		return fmt.Sprintf("%d%s%02d%s%02d", y, l.sep, m, l.sep, d)
	}
	return fmt.Sprintf("%02d%s%02d%s%d", d, l.sep, m, l.sep, y)
}

func timestamp(r *rand.Rand) string {
	return fmt.Sprintf("2025-%02d-%02dT%02d:%02d:%02d.%03dZ", 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000))
}

func sentence(r *rand.Rand, l locale, n int) string {
	w := make([]string, n)
	for i := range w {
		if r.IntN(3) == 0 {
			w[i] = pick(r, l.words)
		} else {
			w[i] = pick(r, filler)
		}
	}
	return strings.ToUpper(w[0][:1]) + strings.Join(w, " ")[1:] + "."
}

func hex(r *rand.Rand, n int) string {
	const h = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = h[r.IntN(16)]
	}
	return string(b)
}

func uuid(r *rand.Rand) string {
	x := hex(r, 32)
	return x[:8] + "-" + x[8:12] + "-4" + x[13:16] + "-a" + x[17:20] + "-" + x[20:]
}

// person is one fake person of a locale.
type person struct {
	first, last, email, phone, intl string
}

func newPerson(r *rand.Rand, l locale, i int) person {
	f, la := pick(r, l.first), pick(r, l.last)
	p := person{first: f, last: la}
	p.email = fmt.Sprintf("%s.%s%d@%s", strings.ToLower(asciiName(f)), strings.ToLower(strings.ReplaceAll(asciiName(la), " ", "")), i%997,
		pick(r, []string{"example.com", "mail.example.org", "example.net"}))
	p.phone = l.phone(r)
	p.intl = "+" + l.intl + " " + strings.TrimLeft(strings.Map(func(c rune) rune {
		if c >= '0' && c <= '9' {
			return c
		}
		return -1
	}, p.phone), "0")
	return p
}

func asciiName(s string) string {
	return strings.NewReplacer("ü", "u", "ö", "o", "ä", "a", "é", "e", "í", "i", "á", "a", "ó", "o", "ã", "a", "ç", "c").Replace(s)
}

// shapes of the mixed corpus: each writes one document of one collection.
var shapes = []func(r *rand.Rand, l locale, i int) map[string]any{
	// users: profile with nested address, preferences and consents
	func(r *rand.Rand, l locale, i int) map[string]any {
		p := newPerson(r, l, i)
		return map[string]any{
			"_id": hex(r, 24), "collection": "users", "locale": l.code,
			"firstName": p.first, "lastName": p.last, "email": p.email, "phone": p.intl,
			"birthDate": birthDate(r, l), "createdAt": timestamp(r), "status": pick(r, status),
			"address":     map[string]any{"street": l.street(r), "city": pick(r, l.cities), "postalCode": digits(r, 5), "country": l.country},
			"preferences": map[string]any{"newsletter": r.IntN(2) == 0, "theme": pick(r, []string{"dark", "light"}), "language": l.code[:2]},
			"consents":    []any{map[string]any{"purpose": "marketing", "granted": r.IntN(2) == 0, "at": timestamp(r)}},
			"loginCount":  r.IntN(5000), "plan": pick(r, []string{"free", "pro", "team"}),
		}
	},
	// orders: items array, shipping address, payment
	func(r *rand.Rand, l locale, i int) map[string]any {
		p := newPerson(r, l, i)
		items := []any{}
		for k := 0; k < 1+r.IntN(4); k++ {
			items = append(items, map[string]any{"sku": fmt.Sprintf("SKU-%06d", r.IntN(1e6)), "name": pick(r, products),
				"qty": 1 + r.IntN(3), "price": float64(r.IntN(20000)) / 100})
		}
		return map[string]any{
			"_id": hex(r, 24), "collection": "orders", "orderNumber": fmt.Sprintf("ORD-%d-%06d", 2025, r.IntN(1e6)),
			"currency": l.currency, "total": float64(r.IntN(50000)) / 100, "items": items, "placedAt": timestamp(r),
			"shipping": map[string]any{"name": p.first + " " + p.last, "street": l.street(r), "city": pick(r, l.cities),
				"zip": digits(r, 5), "country": l.country, "phone": p.phone},
			"payment":       map[string]any{"method": "card", "card": luhn("4" + digits(r, 14)), "expiry": fmt.Sprintf("%02d/%d", 1+r.IntN(12), 26+r.IntN(5))},
			"customerEmail": p.email, "status": pick(r, []string{"paid", "shipped", "delivered", "returned"}),
		}
	},
	// events: application log lines with free text, sometimes carrying data
	func(r *rand.Rand, l locale, i int) map[string]any {
		msg := sentence(r, l, 6+r.IntN(10))
		switch r.IntN(5) {
		case 0:
			msg += " user=" + newPerson(r, l, i).email
		case 1:
			msg += fmt.Sprintf(" from 10.%d.%d.%d", r.IntN(255), r.IntN(255), r.IntN(255))
		}
		return map[string]any{
			"@timestamp": timestamp(r), "collection": "events", "level": pick(r, levels), "service": pick(r, services), "message": msg,
			"http": map[string]any{"method": pick(r, []string{"GET", "POST"}), "path": fmt.Sprintf("/api/v2/%s/%d", pick(r, services), r.IntN(1e5)),
				"status": pick(r, []string{"200", "201", "404", "500"}), "latency_ms": r.IntN(2000)},
			"trace_id": hex(r, 32), "span_id": hex(r, 16), "host": fmt.Sprintf("ip-10-0-%d-%d", r.IntN(255), r.IntN(255)),
		}
	},
	// tickets: support conversations, long free text and tags
	func(r *rand.Rand, l locale, i int) map[string]any {
		p := newPerson(r, l, i)
		body := sentence(r, l, 20+r.IntN(30))
		if r.IntN(3) == 0 {
			body += " " + sentence(r, l, 5) + " " + p.intl
		}
		msgs := []any{}
		for k := 0; k < 1+r.IntN(3); k++ {
			msgs = append(msgs, map[string]any{"from": pick(r, []string{"agent", "customer"}), "at": timestamp(r), "text": sentence(r, l, 8+r.IntN(20))})
		}
		return map[string]any{
			"_id": hex(r, 24), "collection": "tickets", "subject": sentence(r, l, 5), "body": body,
			"requester": map[string]any{"name": p.first + " " + p.last, "email": p.email},
			"tags":      []any{pick(r, services), pick(r, []string{"urgent", "billing", "shipping", "bug"})},
			"messages":  msgs, "priority": r.IntN(4), "agentId": r.IntN(500), "openedAt": timestamp(r),
		}
	},
	// devices and sessions: identifiers, addresses, location
	func(r *rand.Rand, l locale, i int) map[string]any {
		return map[string]any{
			"deviceId": uuid(r), "collection": "sessions", "userId": r.IntN(1e7), "ip": fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(223), r.IntN(255), r.IntN(255), 1+r.IntN(254)),
			"userAgent": pick(r, agents), "appVersion": fmt.Sprintf("%d.%d.%d", r.IntN(9), r.IntN(30), r.IntN(100)),
			"location":  map[string]any{"lat": 35 + r.Float64()*25, "lon": -10 + r.Float64()*30},
			"startedAt": timestamp(r), "durationSec": r.IntN(7200), "screens": []any{"home", "search", pick(r, []string{"cart", "profile", "settings"})},
		}
	},
	// payouts: bank details and references
	func(r *rand.Rand, l locale, i int) map[string]any {
		p := newPerson(r, l, i)
		acct := map[string]any{"holder": p.first + " " + p.last, "bic": pick(r, []string{"DEUTDEFF", "BNPAFRPP", "COBADEFFXXX", "INGBNL2A"})}
		if l.ibanCC != "" {
			acct["iban"] = iban(r, l)
		} else {
			acct["accountNumber"] = digits(r, 10)
		}
		return map[string]any{
			"_id": hex(r, 24), "collection": "payouts", "amount": float64(r.IntN(1e6)) / 100, "currency": l.currency,
			"reference": fmt.Sprintf("PAY-%s", strings.ToUpper(hex(r, 10))), "account": acct, "scheduledFor": timestamp(r),
			"state": pick(r, []string{"scheduled", "sent", "failed"}),
		}
	},
	// products: catalog entries without personal data
	func(r *rand.Rand, l locale, i int) map[string]any {
		return map[string]any{
			"sku": fmt.Sprintf("SKU-%06d", r.IntN(1e6)), "collection": "products", "title": pick(r, products),
			"description": sentence(r, l, 15+r.IntN(25)), "price": map[string]any{"amount": float64(r.IntN(50000)) / 100, "currency": l.currency},
			"dimensions": map[string]any{"w": r.IntN(100), "h": r.IntN(100), "d": r.IntN(100), "unit": "cm"},
			"ean":        digits(r, 13), "stock": r.IntN(1000), "tags": []any{pick(r, []string{"new", "sale", "eco"}), l.country},
			"variants": []any{map[string]any{"color": pick(r, []string{"red", "blue", "black"}), "size": pick(r, []string{"S", "M", "L"})}},
		}
	},
	// metrics: numbers and hosts, no personal data
	func(r *rand.Rand, l locale, i int) map[string]any {
		cpu := []any{}
		for k := 0; k < 4; k++ {
			cpu = append(cpu, float64(r.IntN(10000))/100)
		}
		return map[string]any{
			"ts": timestamp(r), "collection": "metrics", "host": fmt.Sprintf("%s-%02d", pick(r, services), r.IntN(40)),
			"cpu": cpu, "mem": map[string]any{"used": r.IntN(1 << 30), "free": r.IntN(1 << 30)},
			"disk":   []any{map[string]any{"mount": "/", "pct": r.IntN(100)}, map[string]any{"mount": "/data", "pct": r.IntN(100)}},
			"region": pick(r, []string{"eu-central-1", "us-east-1", "eu-west-2"}), "healthy": r.IntN(10) > 0,
		}
	},
	// attributes: key/value pairs as many backends store custom fields
	func(r *rand.Rand, l locale, i int) map[string]any {
		p := newPerson(r, l, i)
		return map[string]any{
			"_id": hex(r, 24), "collection": "customer_attributes", "customerId": r.IntN(1e7),
			"attributes": []any{
				map[string]any{"name": "loyalty_tier", "value": pick(r, []string{"gold", "silver", "bronze"})},
				map[string]any{"name": "mobile", "value": p.phone},
				map[string]any{"name": "birthday", "value": birthDate(r, l)},
				map[string]any{"name": "favourite_store", "value": pick(r, l.cities)},
			},
			"updatedAt": timestamp(r),
		}
	},
}

// WriteMixed writes n documents of a heterogeneous corpus as NDJSON to w,
// deterministically for seed: nine collection shapes (users, orders,
// application logs, support tickets, sessions, payouts, products, metrics,
// key/value attributes) across eight locales, with nested objects and
// arrays, free text, and about half of the fields without personal data.
// Documents are about 440 bytes on average.
func WriteMixed(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	for i := 0; i < n; i++ {
		l := locales[r.IntN(len(locales))]
		doc := shapes[r.IntN(len(shapes))](r, l, i)
		if err := enc.Encode(doc); err != nil {
			return err
		}
	}
	return bw.Flush()
}
