package accuracy

import (
	"fmt"
	"strconv"
)

// kv is one key/value pair of a generated array: its name and value.
type kv struct {
	name string
	gen  func(g) any
	p    float64 // presence probability; 0 means always
}

// pairs writes an array of {nameKey: name, valueKey: value} objects, with
// extra keys as Shopify metafields carry.
func pairs(nameKey, valueKey string, extra map[string]string, items ...kv) func(g) any {
	return func(x g) any {
		var out []any
		for _, it := range items {
			if it.p > 0 && !x.chance(it.p) {
				continue
			}
			m := map[string]any{nameKey: it.name, valueKey: it.gen(x)}
			for k, v := range extra {
				m[k] = v
			}
			out = append(out, m)
		}
		return out
	}
}

// shapeSpecs are the collections of the shapes real backends hold beyond
// plain fields, and the error classes users hit; each has hard negatives.
func shapeSpecs() []spec {
	colour := str(func(x g) string { return x.pick("blue", "red", "black", "white", "green") })
	size := str(func(x g) string { return x.pick("XS", "S", "M", "L", "XL", "42", "38") })
	return []spec{
		// ------------------------------------------------------ key/value pairs
		{name: "kv/shopify_customer_metafields.ndjson", shape: "key/value pairs",
			why: "Shopify metafields keep customer data in key/value arrays", fields: []field{
				neg("id", integer(func(x g) int { return 6000000000 + x.n(0, 99999999) })),
				f("email", email, "email"),
				at("metafields[].key", neg("metafields", pairs("key", "value", map[string]string{"namespace": "custom", "type": "single_line_text_field"},
					kv{name: "billing_phone", gen: phoneAny},
					kv{name: "birthday", gen: dob},
					kv{name: "loyalty_tier", gen: str(func(x g) string { return x.pick("gold", "silver", "bronze") })},
					kv{name: "color", gen: colour},
					kv{name: "shoe_size", gen: size},
					kv{name: "vat_number", gen: str(func(x g) string { return "DE" + x.digits(9) }), p: 0.3},
				))),
				truth("metafields[key=billing_phone].value", "phone"),
				truth("metafields[key=birthday].value", "date_of_birth"),
				neg("metafields[key=loyalty_tier].value", nil),
				neg("metafields[key=color].value", nil),
				neg("metafields[key=shoe_size].value", nil),
				neg("metafields[].namespace", nil),
				neg("metafields[].type", nil),
			}},
		{name: "kv/form_submissions.ndjson", shape: "key/value pairs",
			why: "form builders store each answer as {label, value}", fields: []field{
				neg("form_id", str(func(x g) string { return "frm_" + x.chars(10, alnum) })),
				neg("submitted_at", timestamp),
				at("answers[].label", neg("answers", pairs("label", "value", nil,
					kv{name: "first_name", gen: first},
					kv{name: "last_name", gen: last},
					kv{name: "email_address", gen: email},
					kv{name: "contact", gen: phoneIntl},
					kv{name: "street", gen: street},
					kv{name: "color", gen: colour},
					kv{name: "size", gen: size},
					kv{name: "newsletter", gen: str(func(x g) string { return x.pick("yes", "no") })},
					kv{name: "quantity", gen: integer(func(x g) int { return x.n(1, 5) })},
				))),
				truth("answers[label=first_name].value", "person_name"),
				truth("answers[label=last_name].value", "person_name"),
				truth("answers[label=email_address].value", "email"),
				truth("answers[label=contact].value", "phone"),
				truth("answers[label=street].value", "street_address"),
				neg("answers[label=color].value", nil),
				neg("answers[label=size].value", nil),
				neg("answers[label=newsletter].value", nil),
				neg("answers[label=quantity].value", nil),
			}},
		{name: "kv/product_attributes.ndjson", shape: "key/value pairs",
			why: "hard negative: key/value pairs whose keys are not personal", fields: []field{
				neg("sku", sku),
				at("attributes[].name", neg("attributes", pairs("name", "value", nil,
					kv{name: "color", gen: colour},
					kv{name: "size", gen: size},
					kv{name: "material", gen: str(func(x g) string { return x.pick("cotton", "wool", "polyester") })},
					kv{name: "weight_g", gen: integer(func(x g) int { return x.n(50, 2000) })},
					kv{name: "ean", gen: ean},
					kv{name: "model", gen: str(func(x g) string { return x.pick("iPhone14,2", "SM-G991B", "Pixel 8") })},
					kv{name: "release", gen: version},
				))),
				neg("attributes[name=color].value", nil),
				neg("attributes[name=size].value", nil),
				neg("attributes[name=material].value", nil),
				neg("attributes[name=weight_g].value", nil),
				neg("attributes[name=ean].value", nil),
				neg("attributes[name=model].value", nil),
				neg("attributes[name=release].value", nil),
			}},
		{name: "kv/wp_usermeta.ndjson", shape: "key/value pairs",
			why: "WordPress wp_usermeta (entity-attribute-value) rows exported as documents", fields: []field{
				neg("umeta_id", integer(func(x g) int { return x.n(1, 999999) })),
				neg("user_id", integer(func(x g) int { return x.n(1, 99999) })),
				at("meta_key", neg(".", func(x g) any {
					k := x.pick("billing_phone", "billing_email", "first_name", "last_name", "billing_address_1", "billing_postcode",
						"rich_editing", "show_admin_bar_front", "wp_capabilities", "locale", "dismissed_wp_pointers")
					var v string
					switch k {
					case "billing_phone":
						v = x.phone(false)
					case "billing_email":
						v = x.email()
					case "first_name":
						v = x.first()
					case "last_name":
						v = x.last()
					case "billing_address_1":
						v = x.street()
					case "billing_postcode":
						v = x.postal()
					case "rich_editing", "show_admin_bar_front":
						v = x.pick("true", "false")
					case "wp_capabilities":
						v = `a:1:{s:8:"customer";b:1;}`
					case "locale":
						v = x.pick("de_DE", "en_US", "")
					default:
						v = x.pick("theme_editor_notice", "wp496_privacy", "")
					}
					return map[string]any{"meta_key": k, "meta_value": v}
				})),
				truth("[meta_key=billing_phone].meta_value", "phone"),
				truth("[meta_key=billing_email].meta_value", "email"),
				truth("[meta_key=first_name].meta_value", "person_name"),
				truth("[meta_key=last_name].meta_value", "person_name"),
				truth("[meta_key=billing_address_1].meta_value", "street_address"),
				truth("[meta_key=billing_postcode].meta_value", "postal_code"),
				neg("[meta_key=rich_editing].meta_value", nil),
				neg("[meta_key=show_admin_bar_front].meta_value", nil),
				neg("[meta_key=wp_capabilities].meta_value", nil),
				neg("[meta_key=locale].meta_value", nil),
				neg("[meta_key=dismissed_wp_pointers].meta_value", nil),
			}},
		// ------------------------------------------------------ data inside strings
		{name: "strings/events_json_payload.ndjson", shape: "JSON in strings",
			why: "event and outbox tables keep the payload as serialised JSON", fields: []field{
				neg("event_id", uuid),
				neg("type", str(func(x g) string { return x.pick("customer.created", "order.paid", "customer.updated") })),
				at("payload", neg("payload", str(func(x g) string {
					return jsonString(map[string]any{"email": x.email(), "phone": x.phone(true), "name": x.first() + " " + x.last(),
						"order_id": fmt.Sprintf("ORD-%06d", x.n(1, 999999)), "amount": float64(x.n(100, 99999)) / 100})
				}))),
				// the serialised string itself holds them too, found as free text
				truth("payload", "email", "phone"),
				truth("payload<json>.email", "email"),
				truth("payload<json>.phone", "phone"),
				truth("payload<json>.name", "person_name"),
				neg("payload<json>.order_id", nil),
				neg("payload<json>.amount", nil),
				neg("settings", str(func(x g) string {
					return jsonString(map[string]any{"theme": x.pick("dark", "light"), "lang": x.pick("de", "en"), "page_size": x.n(10, 50)})
				})),
				neg("settings<json>.theme", nil),
				neg("settings<json>.lang", nil),
				neg("settings<json>.page_size", nil),
				opt(0.1, neg("raw", str(func(x g) string { return `{"theme": "dark", "lang": ` }))),
				at("events", neg("events", str(func(x g) string {
					return jsonString([]any{map[string]any{"type": "click", "ip": x.ipv4(), "at": x.timestamp()}})
				}))),
				truth("events<json>[].ip", "ip_address"),
				neg("events<json>[].type", nil),
				neg("events<json>[].at", nil),
			}},
		{name: "strings/base64_context.ndjson", shape: "base64 in strings",
			why: "tracking cookies and queue messages carry base64 JSON", fields: []field{
				neg("id", uuid),
				neg("context", str(func(x g) string {
					return x.b64(jsonString(map[string]any{"email": x.email(), "user_id": x.n(1, 99999), "locale": x.pick("de_DE", "en_GB")}))
				})),
				truth("context<base64><json>.email", "email"),
				neg("context<base64><json>.user_id", nil),
				neg("context<base64><json>.locale", nil),
				neg("context<base64>", nil),
				neg("nonce", str(func(x g) string { return x.chars(22, b64std) + "==" })),
				neg("thumbnail_md5", str(func(x g) string { return x.hexDigest(32) })),
				neg("cursor", str(func(x g) string { return x.b64(jsonString(map[string]any{"page": x.n(1, 99), "sort": "created_at"})) })),
				neg("cursor<base64><json>.page", nil),
				neg("cursor<base64><json>.sort", nil),
				neg("cursor<base64>", nil),
			}},
		{name: "strings/urls_and_forms.ndjson", shape: "query strings and form bodies",
			why: "access logs and webhooks keep URLs and form bodies with personal parameters", fields: []field{
				neg("id", uuid),
				neg("landing_url", str(func(x g) string {
					return "https://shop.example.com/checkout?" + x.query("email", x.email(), "utm_source", x.pick("newsletter", "google"), "step", "2")
				})),
				truth("landing_url<query>.email", "email"),
				neg("landing_url<query>.utm_source", nil),
				neg("landing_url<query>.step", nil),
				neg("form_body", str(func(x g) string {
					return x.query("first_name", x.first(), "last_name", x.last(), "phone", x.phone(true), "qty", strconv.Itoa(x.n(1, 9)))
				})),
				truth("form_body<query>.first_name", "person_name"),
				truth("form_body<query>.last_name", "person_name"),
				truth("form_body<query>.phone", "phone"),
				neg("form_body<query>.qty", nil),
				neg("link", str(func(x g) string {
					return "https://www.example.com/products?" + x.query("page", strconv.Itoa(x.n(1, 40)), "sort", x.pick("price", "name"), "color", x.pick("red", "blue"))
				})),
				neg("link<query>.page", nil),
				neg("link<query>.sort", nil),
				neg("link<query>.color", nil),
			}},
		{name: "strings/logfmt_lines.ndjson", shape: "key=value log lines",
			why: "services log in logfmt; user=, email= and ip= are common keys", fields: []field{
				neg("ts", timestamp),
				f("line", str(func(x g) string {
					return fmt.Sprintf("level=%s msg=%q user=%s email=%s client_ip=%s duration=%dms", x.pick("info", "warn"),
						x.pick("login ok", "password changed", "logout"), x.username(), x.email(), x.ipv4(), x.n(1, 900))
				}), "email"),
				truth("line<kv>.email", "email"),
				truth("line<kv>.client_ip", "ip_address"),
				neg("line<kv>.level", nil),
				neg("line<kv>.msg", nil),
				neg("line<kv>.user", nil),
				neg("line<kv>.duration", nil),
				neg("metrics", str(func(x g) string {
					return fmt.Sprintf("cpu=%d mem=%dMi gc_pause=%dms goroutines=%d", x.n(1, 99), x.n(100, 4000), x.n(0, 40), x.n(10, 900))
				})),
				neg("metrics<kv>.cpu", nil),
				neg("metrics<kv>.mem", nil),
				neg("metrics<kv>.gc_pause", nil),
				neg("metrics<kv>.goroutines", nil),
			}},
		{name: "strings/http_headers.ndjson", shape: "HTTP header blocks",
			why: "request logs keep the raw header block", fields: []field{
				neg("id", uuid),
				f("raw_headers", str(func(x g) string {
					return "GET /api/orders HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: Bearer " +
						x.jwtWith(map[string]any{"sub": x.uuid(), "email": x.email(), "exp": 1800000000 + x.n(0, 9999)}) +
						"\r\nX-Forwarded-For: " + x.ipv4() + "\r\nAccept: application/json\r\nUser-Agent: okhttp/4.12.0\r\n"
				}), "api_secret"),
				truth("raw_headers<http>.authorization", "api_secret"),
				truth("raw_headers<http>.authorization<jwt>.email", "email"),
				truth("raw_headers<http>.x-forwarded-for", "ip_address"),
				neg("raw_headers<http>.host", nil),
				neg("raw_headers<http>.accept", nil),
				neg("raw_headers<http>.user-agent", nil),
				neg("raw_headers<http>.authorization<jwt>.sub", nil),
				neg("raw_headers<http>.authorization<jwt>.exp", nil),
				neg("response_headers", str(func(x g) string {
					return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nETag: \"" + x.hexDigest(32) + "\"\r\n"
				})),
				neg("response_headers<http>.content-type", nil),
				neg("response_headers<http>.cache-control", nil),
				neg("response_headers<http>.etag", nil),
			}},
		{name: "strings/jwt_sessions.ndjson", shape: "JWT claims",
			why: "session tables keep ID tokens whose claims name the user", fields: []field{
				neg("session", uuid),
				f("id_token", str(func(x g) string {
					return x.jwtWith(map[string]any{"iss": "https://login.example.com", "aud": "shop-web", "sub": x.uuid(),
						"email": x.email(), "name": x.first() + " " + x.last(), "exp": 1800000000 + x.n(0, 9999)})
				}), "api_secret"),
				truth("id_token<jwt>.email", "email"),
				truth("id_token<jwt>.name", "person_name"),
				neg("id_token<jwt>.iss", nil),
				neg("id_token<jwt>.aud", nil),
				neg("id_token<jwt>.sub", nil),
				neg("id_token<jwt>.exp", nil),
				f("service_token", str(func(x g) string {
					return x.jwtWith(map[string]any{"iss": "ci", "scope": "deploy:read", "exp": 1800000000 + x.n(0, 9999)})
				}), "api_secret"),
				neg("service_token<jwt>.iss", nil),
				neg("service_token<jwt>.scope", nil),
				neg("service_token<jwt>.exp", nil),
			}},
		// ------------------------------------------------------ logs
		{name: "elasticdump/logs-app-2026.11.json", esdump: true, shape: "logs",
			why: "log indices: personal data in a few percent of free-text messages", fields: []field{
				neg("@timestamp", timestamp),
				neg("log.level", str(func(x g) string { return x.pick("INFO", "WARN", "ERROR", "DEBUG") })),
				neg("service.name", str(func(x g) string { return x.pick("checkout", "catalog", "auth") })),
				neg("host.name", str(g.hostname)),
				f("message", str(func(x g) string {
					switch {
					case x.chance(0.03):
						return "Password reset requested for " + x.email()
					case x.chance(0.05):
						return fmt.Sprintf("auth failed user=%s ip=%s reason=%s", x.username(), x.ipv4(), x.pick("bad_password", "locked"))
					}
					return x.pick("GET /health 200 3ms", "cache miss for product:"+x.digits(5), "Started job "+x.uuid(),
						"Connection pool size 20, idle 7", "Flushed 128 spans to collector", "Order "+x.digits(6)+" marked as shipped",
						"Retrying request to inventory service (attempt 2 of 5)", "Payment provider responded in "+strconv.Itoa(x.n(20, 900))+"ms")
				}), "email"),
				truth("message<kv>.ip", "ip_address"),
				neg("message<kv>.user", nil),
				neg("message<kv>.reason", nil),
				f("error.message", str(func(x g) string {
					if x.chance(0.04) {
						return "Charge declined for card " + groupDigits(x.cardDigits(), " ") + ": insufficient funds"
					}
					return x.pick("context deadline exceeded", "connection reset by peer", "invalid character 'x' looking for beginning of value",
						"upstream returned 503", "lock wait timeout exceeded; try restarting transaction")
				}), "credit_card"),
				neg("trace.id", str(func(x g) string { return x.hexDigest(32) })),
				neg("process.pid", integer(func(x g) int { return x.n(100, 40000) })),
			}},
		// ------------------------------------------------------ error classes
		{name: "errors/kunden_region_de.ndjson", shape: "error classes",
			why: "IPv4 addresses and day.month.year dates read as phone numbers in documents of a region", fields: []field{
				neg("land", lit("DE")),
				f("telefon", phoneAny, "phone"),
				neg("kunde_seit", str(g.ddmmyyyy)),
				neg("customer_since", str(g.ddmmyyyy)),
				neg("letzte_bestellung", str(g.ddmmyyyy)),
				f("last_login_ip", ipv4, "ip_address"),
				f("router", ipv4, "ip_address"),
				neg("firmware", version),
			}},
		{name: "errors/payouts.ndjson", shape: "error classes",
			why: "routing numbers, BLZ and sort codes identify a bank branch, not a person", fields: []field{
				neg("routing_number", str(g.aba)),
				neg("aba", str(g.aba)),
				f("account_number", str(func(x g) string { return x.digits(x.n(8, 12)) }), "bank_account"),
				neg("bank.blz", str(g.blz)),
				neg("bank.bankleitzahl", str(g.blz)),
				f("bank.kontonummer", str(func(x g) string { return x.digits(10) }), "bank_account"),
				neg("uk.sort_code", str(g.sortCode)),
				f("uk.account_number", str(func(x g) string { return x.digits(8) }), "bank_account"),
				neg("bsb", str(func(x g) string { return x.digits(3) + "-" + x.digits(3) })),
				f("iban", iban, "iban"),
				neg("bic", str(func(x g) string { return x.pick("DEUTDEFF", "COBADEFFXXX", "BNPAFRPP", "NWBKGB2L") })),
			}},
		{name: "errors/citizens_world.ndjson", shape: "error classes",
			why: "national identifiers of twelve countries under the field names of their language", fields: []field{
				f("steuerliche_identifikationsnummer", str(g.steuerID), "national_id"),
				f("steuer_idnr", str(g.steuerID), "national_id"),
				f("numero_securite_sociale", str(g.nir), "national_id"),
				f("national_insurance_number", str(g.nino), "national_id"),
				f("burgerservicenummer", str(g.bsn), "national_id"),
				f("dni", str(g.dni), "national_id"),
				f("codice_fiscale", str(g.codiceFiscale), "national_id"),
				f("pesel", str(g.pesel), "national_id"),
				f("personnummer", str(g.personnummer), "national_id"),
				f("cpf", str(g.cpf), "national_id"),
				f("numero_aadhaar", str(g.aadhaar), "national_id"),
				f("ssn", str(g.ssn), "national_id"),
				f("itin", str(g.itin), "national_id"),
				f("sin", str(g.sin), "national_id"),
				neg("customer_number", str(func(x g) string { return x.digits(11) })),
				neg("order_ref", str(func(x g) string { return x.digits(12) })),
				neg("ticket", str(func(x g) string { return x.digits(9) })),
			}},
		{name: "errors/devices_generic.ndjson", shape: "error classes",
			why: "device identifiers under meaningless names; a mix of two categories", fields: []field{
				f("field_7", str(func(x g) string {
					if x.chance(0.5) {
						return x.imei()
					}
					return x.idfa()
				}), "device_id"),
				f("value", str(func(x g) string {
					if x.chance(0.6) {
						return x.imei()
					}
					return x.uuid()
				}), "device_id"),
				f("c3", str(func(x g) string {
					if x.chance(0.5) {
						return x.imei()
					}
					return x.email()
				}), "device_id", "email"),
				neg("c4", str(func(x g) string { return x.digits(15) })),
				neg("attr", uuid),
				neg("field_8", str(func(x g) string { return strconv.Itoa(x.n(100000000, 999999999)) + x.digits(6) })),
			}},
		{name: "errors/users_legacy_hashes.ndjson", shape: "error classes",
			why: "unsalted digests from a migrated login next to file digests", fields: []field{
				f("email", email, "email"),
				f("sha1_legacy", str(func(x g) string { return x.hexDigest(40) }), "password_hash"),
				f("old_md5", str(func(x g) string { return x.hexDigest(32) }), "password_hash"),
				// a bare algorithm name: the record's e-mail says it is a user's
				f("md5", str(func(x g) string { return x.hexDigest(32) }), "password_hash"),
				neg("checksum", str(func(x g) string { return x.hexDigest(32) })),
				neg("avatar.sha1", str(func(x g) string { return x.hexDigest(40) })),
				neg("attachments[].md5", str(func(x g) string { return x.hexDigest(32) })),
				neg("content_sha256", str(func(x g) string { return x.hexDigest(64) })),
			}},
		{name: "errors/trips.ndjson", shape: "error classes",
			why: "booking references where the name is the only hint, next to promo codes of the same shape", fields: []field{
				f("booking_reference", str(g.pnrAny), "travel_booking"),
				f("record_locator", str(g.pnrAny), "travel_booking"),
				f("pnr", str(g.pnrAny), "travel_booking"),
				f("Buchungsnummer", str(g.pnrAny), "travel_booking"),
				neg("referral_code", str(g.promo)),
				neg("promo_code", str(g.promo)),
				neg("invite_code", str(g.promo)),
				neg("voucher", str(g.promo)),
			}},
	}
}
