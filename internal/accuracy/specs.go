package accuracy

import (
	"fmt"
	"strconv"
	"strings"
)

func num(fn func(g) float64) func(g) any { return func(x g) any { return fn(x) } }
func integer(fn func(g) int) func(g) any { return func(x g) any { return fn(x) } }
func lit(v any) func(g) any              { return func(g) any { return v } }

var (
	email     = str(g.email)
	phoneAny  = str(func(x g) string { return x.phone(false) })
	phoneIntl = str(func(x g) string { return x.phone(true) })
	first     = str(g.first)
	last      = str(g.last)
	fullName  = str(g.fullName)
	dob       = str(g.dob)
	street    = str(g.street)
	postal    = str(g.postal)
	password  = str(g.password)
	pwHash    = str(g.pwHash)
	card      = str(g.card)
	iban      = str(g.iban)
	ipv4      = str(g.ipv4)
	ipv6      = str(g.ipv6)
	mac       = str(g.mac)
	uuid      = str(g.uuid)
	timestamp = str(g.timestamp)
	lorem     = str(g.lorem)
	sentence  = str(g.sentence)
	version   = str(g.version)
	fileHash  = str(g.fileHash)
	pnr       = str(g.pnr)
	flight    = str(g.flight)
	eticket   = str(g.eticket)
	itinerary = str(g.itinerary)
	passport  = str(g.passport)
	city      = str(func(x g) string { return x.pick(cities...) })
	country   = str(func(x g) string { return x.pick("DE", "FR", "ES", "IT", "PT", "NL", "US", "GB", "BE", "AT") })
	currency  = str(func(x g) string { return x.pick("EUR", "USD", "GBP", "CHF") })
	price     = num(func(x g) float64 { return float64(x.n(99, 99999)) / 100 })
	counter   = integer(func(x g) int { return x.n(0, 5000) })
	status    = str(func(x g) string { return x.pick("active", "pending", "blocked", "deleted") })
	orderNo   = str(func(x g) string { return fmt.Sprintf("ORD-%d-%06d", x.n(2019, 2025), x.n(1, 999999)) })
	invoice16 = str(g.notLuhn)
	sku       = str(func(x g) string {
		return fmt.Sprintf("SKU-%05d-%s", x.n(1, 99999), x.pick("BLU", "RED", "BLK", "WHT", "XL", "M"))
	})
	productCode = str(func(x g) string { return strconv.Itoa(x.n(10000, 99999)) })
	ean         = str(func(x g) string { return "40" + x.digits(11) })
	lat         = num(func(x g) float64 { a, _ := x.latLon(); return a })
	lon         = num(func(x g) float64 { _, b := x.latLon(); return b })
	userAgent   = str(func(x g) string {
		return x.pick("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
			"okhttp/4.12.0", "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/UQ1A.240105.004)")
	})
)

func lines(s string) string { return strings.TrimSpace(s) }

func specs() []spec {
	return []spec{
		{name: "users_en.ndjson", fields: []field{
			neg("_id", uuid),
			f("email", email, "email"),
			f("phone", phoneAny, "phone"),
			f("first_name", first, "person_name"),
			f("last_name", last, "person_name"),
			f("date_of_birth", dob, "date_of_birth"),
			f("password", password, "password"),
			f("address.street", street, "street_address"),
			f("address.postal_code", postal, "postal_code"),
			neg("address.city", city),
			neg("address.country", country),
			neg("created_at", timestamp),
			f("last_login_ip", ipv4, "ip_address"),
			neg("status", status),
			at("tags[]", neg("tags", func(x g) any { return []any{x.pick("vip", "newsletter", "beta"), x.pick("b2b", "b2c")} })),
			neg("marketing_opt_in", lit(true)),
			opt(0.5, f("ssn", str(g.ssn), "national_id")),
			neg("login_count", counter),
			neg("locale", str(func(x g) string { return x.pick("en_US", "de_DE", "fr_FR") })),
		}},
		{name: "kunden_de.ndjson", fields: []field{
			neg("kundennummer", str(func(x g) string { return "K-" + x.digits(7) })),
			f("vorname", first, "person_name"),
			f("nachname", last, "person_name"),
			f("eMail", email, "email"),
			f("handy", phoneAny, "phone"),
			f("geburtsdatum", dob, "date_of_birth"),
			f("anschrift.strasse", street, "street_address"),
			f("anschrift.plz", str(func(x g) string { return strconv.Itoa(x.n(10000, 99999)) }), "postal_code"),
			neg("anschrift.ort", city),
			f("passwort", password, "password"),
			f("bank.iban", iban, "iban"),
			f("bank.kontonummer", str(func(x g) string { return x.digits(10) }), "bank_account"),
			neg("erstellt_am", timestamp),
			neg("umsatz", price),
			neg("land", country),
		}},
		{name: "clients_fr.ndjson", fields: []field{
			neg("numero_commande", str(func(x g) string { return "CMD" + x.digits(8) })),
			f("prenom", first, "person_name"),
			f("nom", last, "person_name"),
			f("courriel", email, "email"),
			f("telephone", phoneAny, "phone"),
			f("date_de_naissance", dob, "date_of_birth"),
			f("adresse", street, "street_address"),
			f("code_postal", str(func(x g) string { return strconv.Itoa(x.n(10000, 95999)) }), "postal_code"),
			neg("ville", city),
			f("mot_de_passe", str(g.bcrypt), "password_hash"),
			f("numero_securite_sociale", str(g.nir), "national_id"),
			neg("montant", price),
			neg("devise", currency),
		}},
		{name: "clientes_es.ndjson", fields: []field{
			neg("pedido", orderNo),
			f("nombre", first, "person_name"),
			f("apellidos", last, "person_name"),
			f("correo_electronico", email, "email"),
			f("movil", phoneAny, "phone"),
			f("fecha_de_nacimiento", dob, "date_of_birth"),
			f("direccion", street, "street_address"),
			f("codigo_postal", str(func(x g) string { return fmt.Sprintf("%05d", x.n(1000, 52999)) }), "postal_code"),
			f("dni", str(g.dni), "national_id"),
			f("contrasena", password, "password"),
			f("numero_de_cuenta", str(func(x g) string { return x.digits(4) + "-" + x.digits(4) + "-" + x.digits(2) + "-" + x.digits(10) }), "bank_account"),
			neg("provincia", city),
		}},
		{name: "clienti_it.ndjson", fields: []field{
			f("nome", first, "person_name"),
			f("cognome", last, "person_name"),
			f("email", email, "email"),
			f("cellulare", phoneAny, "phone"),
			f("data_di_nascita", dob, "date_of_birth"),
			f("indirizzo", street, "street_address"),
			f("cap", str(func(x g) string { return fmt.Sprintf("%05d", x.n(100, 98168)) }), "postal_code"),
			f("codice_fiscale", str(g.codiceFiscale), "national_id"),
			f("password", str(func(x g) string { return x.hexDigest(64) }), "password_hash"),
			f("iban", iban, "iban"),
			neg("codice_prodotto", productCode),
			neg("prezzo", price),
		}},
		{name: "clientes_pt.ndjson", fields: []field{
			f("nome_completo", fullName, "person_name"),
			f("email", email, "email"),
			f("telefone", phoneAny, "phone"),
			f("data_de_nascimento", dob, "date_of_birth"),
			f("morada", street, "street_address"),
			f("codigo_postal", str(func(x g) string { return strconv.Itoa(x.n(1000, 9999)) + "-" + x.digits(3) }), "postal_code"),
			f("senha", password, "password"),
			f("conta.iban", iban, "iban"),
			neg("numero_encomenda", orderNo),
			neg("estado", status),
		}},
		{name: "klanten_nl.ndjson", fields: []field{
			f("voornaam", first, "person_name"),
			f("achternaam", last, "person_name"),
			f("e_mailadres", email, "email"),
			f("telefoonnummer", phoneAny, "phone"),
			f("geboortedatum", dob, "date_of_birth"),
			f("adres.straat", street, "street_address"),
			f("adres.postcode", str(func(x g) string { return strconv.Itoa(x.n(1000, 9999)) + " " + x.chars(2, "ABCDEFGHJKLMNPRSTVWXZ") }), "postal_code"),
			f("bsn", str(g.bsn), "national_id"),
			f("wachtwoord", pwHash, "password_hash"),
			f("rekeningnummer", iban, "iban"),
			neg("klantnummer", str(func(x g) string { return x.digits(8) })),
		}},
		{name: "orders.ndjson", fields: []field{
			neg("order_id", orderNo),
			neg("invoice_number", invoice16),
			neg("items[].sku", sku),
			neg("items[].price", price),
			neg("items[].qty", integer(func(x g) int { return x.n(1, 9) })),
			neg("items[].product_code", productCode),
			neg("items[].ean", ean),
			f("customer_email", email, "email"),
			f("payment.card_number", card, "credit_card"),
			f("payment.cvv", str(func(x g) string { return x.digits(x.pick2(3, 3, 4)) }), "card_cvv"),
			f("payment.expiry", str(func(x g) string { return fmt.Sprintf("%02d/%s", x.n(1, 12), x.pick("26", "27", "28", "2029", "30")) }), "card_expiry"),
			f("payment.cardholder", fullName, "person_name"),
			f("billing.card.exp_month", integer(func(x g) int { return x.n(1, 12) }), "card_expiry"),
			f("billing.card.exp_year", integer(func(x g) int { return x.n(2025, 2032) }), "card_expiry"),
			neg("shipping.tracking_number", str(func(x g) string { return "1Z" + x.chars(16, "0123456789ABCDEFGHJKLMNPRSTUVWXY") })),
			neg("currency", currency),
			neg("total", price),
			neg("created_at", timestamp),
			opt(0.3, f("refund.iban", iban, "iban")),
			// a routing number identifies the bank's branch, not the person
			opt(0.3, neg("refund.routing_number", str(g.aba))),
			opt(0.3, f("refund.account_number", str(func(x g) string { return x.digits(x.n(8, 12)) }), "bank_account")),
			neg("discount_code", str(func(x g) string { return x.pick("SUMMER", "WELCOME", "BF") + strconv.Itoa(x.n(10, 50)) })),
		}},
		{name: "devices.ndjson", fields: []field{
			f("device_id", str(g.deviceID), "device_id"),
			f("imei", str(g.imei), "device_id"),
			f("wifi.bssid", mac, "mac_address"),
			f("mac_address", mac, "mac_address"),
			f("advertising.idfa", str(func(x g) string { return strings.ToUpper(x.uuid()) }), "device_id"),
			f("advertising.gaid", uuid, "device_id"),
			f("push_token", str(g.pushToken), "device_id"),
			f("hardware.serial_number", str(func(x g) string { return x.chars(12, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") }), "device_id"),
			neg("model", str(func(x g) string { return x.pick("iPhone14,2", "SM-G991B", "Pixel 8", "iPad13,4") })),
			neg("os_version", str(func(x g) string { return x.pick("17.2.1", "14", "16.7.4", "13.0.0") })),
			neg("app_version", version),
			neg("firmware", version),
			f("last_ip", ipv4, "ip_address"),
			f("network.ipv6", ipv6, "ip_address"),
			neg("battery", num(func(x g) float64 { return float64(x.n(1, 100)) / 100 })),
			neg("user_agent", userAgent),
			neg("screen", str(func(x g) string { return x.pick("1170x2532", "1080x2400") })),
		}},
		{name: "checkins.ndjson", fields: []field{
			neg("venue_id", uuid),
			neg("venue.name", str(func(x g) string { return x.pick("Café Central", "Blue Bottle", "Starbucks Reserve", "Hotel Adlon") })),
			f("lat", lat, "geo_coordinates"),
			f("lng", lon, "geo_coordinates"),
			at("location.coordinates", f("location", func(x g) any {
				a, b := x.latLon()
				return map[string]any{"type": "Point", "coordinates": []any{b, a}}
			}, "geo_coordinates")),
			at("coords", f("coords", func(x g) any { a, b := x.latLon(); return []any{b, a} }, "geo_coordinates")),
			f("geo.latitude", lat, "geo_coordinates"),
			f("geo.longitude", lon, "geo_coordinates"),
			f("position", str(func(x g) string { a, b := x.latLon(); return fmt.Sprintf("%.6f,%.6f", a, b) }), "geo_coordinates"),
			f("geohash", str(g.geohash), "geo_coordinates"),
			neg("rating", num(func(x g) float64 { return float64(x.n(10, 50)) / 10 })),
			neg("visited_at", timestamp),
			f("client_ip", ipv4, "ip_address"),
			neg("dimensions", func(x g) any { return []any{float64(x.n(10, 300)), float64(x.n(10, 300))} }),
		}},
		{name: "bookings.ndjson", fields: []field{
			f("pnr", pnr, "travel_booking"),
			f("booking_reference", pnr, "travel_booking"),
			f("segments[].flight_number", flight, "travel_booking"),
			f("segments[].flugnummer", flight, "travel_booking"),
			neg("segments[].cabin", str(func(x g) string { return x.pick("Y", "J", "F", "W") })),
			neg("segments[].seat", str(func(x g) string { return strconv.Itoa(x.n(1, 45)) + x.pick("A", "C", "D", "F") })),
			f("ticket_number", eticket, "travel_booking"),
			f("itinerary", itinerary, "travel_booking"),
			f("passengers[].first_name", first, "person_name"),
			f("passengers[].last_name", last, "person_name"),
			f("passengers[].passport_number", passport, "passport_number"),
			f("passengers[].date_of_birth", dob, "date_of_birth"),
			neg("fare", price),
			neg("currency_pair", str(func(x g) string { return x.pick("USD-EUR", "EUR-GBP", "GBP-CHF") })),
			neg("support_ticket", str(func(x g) string { return x.digits(13) })),
			neg("created_at", timestamp),
		}},
		{name: "reservas_es.ndjson", fields: []field{
			f("codigo_de_reserva", pnr, "travel_booking"),
			f("vuelo", flight, "travel_booking"),
			f("pasajero.nombre", first, "person_name"),
			f("pasajero.pasaporte", passport, "passport_number"),
			f("buchungscode", pnr, "travel_booking"),
			f("reisepass", passport, "passport_number"),
			f("numero_de_billete", eticket, "travel_booking"),
			neg("tarifa", price),
			neg("moneda", currency),
		}},
		{name: "config_sessions.ndjson", fields: []field{
			neg("request_id", uuid),
			f("api_key", str(g.apiSecret), "api_secret"),
			f("aws_access_key_id", str(func(x g) string { return "AKIA" + x.chars(16, upper+"234567") }), "api_secret"),
			f("github_token", str(func(x g) string { return "ghp_" + x.chars(36, alnum) }), "api_secret"),
			f("jwt_secret", str(g.token), "api_secret"),
			f("session_id", str(g.token), "api_secret"),
			f("refresh_token", str(g.jwt), "api_secret"),
			truth("refresh_token<jwt>.name", "person_name"), // the claims name the user
			truth("api_key<jwt>.name", "person_name"),
			f("database_url", str(g.connString), "api_secret"),
			neg("webhook_url", str(func(x g) string {
				return "https://hooks.example.com/" + x.pick("orders", "users") + "?v=" + strconv.Itoa(x.n(1, 3))
			})),
			f("client_secret", str(g.token), "api_secret"),
			f("headers.authorization", str(func(x g) string { return "Bearer " + x.jwt() }), "api_secret"),
			truth("headers.authorization<jwt>.name", "person_name"),
			neg("etag", str(func(x g) string { return x.hexDigest(32) })),
			neg("file_sha256", str(func(x g) string { return x.hexDigest(64) })),
			neg("commit", str(func(x g) string { return x.hexDigest(40) })),
			neg("checksum", str(func(x g) string { return x.hexDigest(32) })),
			neg("token_type", lit("Bearer")),
			neg("expires_in", integer(func(x g) int { return x.n(300, 86400) })),
			opt(0.2, f("tls.private_key", str(func(x g) string {
				return "-----BEGIN RSA PRIVATE KEY-----\nMIIEow" + x.chars(60, b64std) + "\n-----END RSA PRIVATE KEY-----"
			}), "api_secret")),
		}},
		{name: "tickets.ndjson", fields: []field{
			neg("subject", sentence),
			f("body", str(func(x g) string { return x.message(x.email) }), "email"),
			f("chat.text", str(func(x g) string { return x.message(func() string { return x.phone(true) }) }), "phone"),
			f("notes", str(func(x g) string {
				return x.message(func() string { return groupDigits(x.cardDigits(), " ") })
			}), "credit_card"),
			f("log.line", str(func(x g) string {
				return x.message(func() string {
					return x.pick("ghp_"+x.chars(36, alnum), "AKIA"+x.chars(16, upper+"234567"), x.connString())
				})
			}), "api_secret"),
			neg("comment", lorem),
			neg("description", lorem),
			neg("opened_at", timestamp),
			neg("priority", str(func(x g) string { return x.pick("low", "normal", "high") })),
		}},
		{name: "misc_opaque.ndjson", fields: []field{
			f("f1", email, "email"),
			f("f2", phoneIntl, "phone"),
			f("f3", card, "credit_card"),
			f("f4", iban, "iban"),
			f("f5", str(func(x g) string { return x.pick(firstNames[:38]...) + " " + x.pick(lastNames[:30]...) }), "person_name"),
			f("f6", ipv4, "ip_address"),
			f("f7", mac, "mac_address"),
			f("f8", str(g.bcrypt), "password_hash"),
			f("f9", str(g.jwt), "api_secret"),
			truth("f9<jwt>.name", "person_name"),
			f("f10", str(func(x g) string { return "AKIA" + x.chars(16, upper+"234567") }), "api_secret"),
			f("f11", str(func(x g) string { a, b := x.latLon(); return fmt.Sprintf("%.5f, %.5f", a, b) }), "geo_coordinates"),
			f("f12", ipv6, "ip_address"),
			neg("val", uuid),
			neg("data", timestamp),
			neg("f13", orderNo),
			neg("f14", invoice16),
			neg("f15", price),
			neg("f16", lorem),
			neg("f17", fileHash),
			neg("f18", sku),
			neg("f19", str(func(x g) string { return x.pick("DE", "FR", "EUR", "USD", "en", "de") })),
			neg("f20", counter),
		}},
		{name: "abbrev.ndjson", fields: []field{
			f("pwd", password, "password"),
			f("passwd", password, "password"),
			f("dob", dob, "date_of_birth"),
			f("tel", phoneAny, "phone"),
			f("addr", street, "street_address"),
			f("fname", first, "person_name"),
			f("lname", last, "person_name"),
			f("zip", str(func(x g) string { return x.digits(5) }), "postal_code"),
			f("cc_num", card, "credit_card"),
			f("cvc", integer(func(x g) int { return x.n(100, 999) }), "card_cvv"),
			f("cc_exp", str(func(x g) string { return fmt.Sprintf("%02d%02d", x.n(1, 12), x.n(26, 31)) }), "card_expiry"),
			neg("exp", integer(func(x g) int { return x.n(100, 9999) })),
			f("ip_addr", ipv4, "ip_address"),
			f("ssn", str(g.ssn), "national_id"),
			f("acct_no", str(func(x g) string { return x.digits(9) }), "bank_account"),
			f("pw_hash", str(func(x g) string { return x.hexDigest(32) }), "password_hash"),
			neg("qty", counter),
			neg("amt", price),
			neg("ts", timestamp),
			neg("ver", version),
			neg("ref", orderNo),
		}},
		{name: "newsletter.csv", csv: true, fields: []field{
			f("email", email, "email"),
			f("name", fullName, "person_name"),
			f("mobile", phoneAny, "phone"),
			f("plz", str(func(x g) string { return strconv.Itoa(x.n(10000, 99999)) }), "postal_code"),
			f("geburtstag", dob, "date_of_birth"),
			f("signup_ip", ipv4, "ip_address"),
			neg("consent", lit("yes")),
			neg("source", str(func(x g) string { return x.pick("landing-page", "checkout", "app") })),
			neg("signup_date", timestamp),
		}},
		{name: "profiles_mixed.ndjson", fields: []field{
			neg("username", str(func(x g) string { return ascii(x.first())[:3] + ascii(x.last()) + x.digits(2) })),
			neg("company_name", str(func(x g) string {
				return x.pick("Acme GmbH", "Müller & Söhne KG", "Schmidt Logistik AG", "Dupont Frères SARL", "García y Asociados SL", "Rossi Costruzioni S.p.A.")
			})),
			neg("website", str(func(x g) string { return "https://www." + x.pick("example.com", "beispiel.de", "exemple.fr") + "/" })),
			f("contact.value", email, "email"),
			neg("contacts[].type", str(func(x g) string { return x.pick("mobile", "home", "work") })),
			// {type, value} pairs: the value is reported under its type
			neg("contacts[].value", phoneIntl),
			truth("contacts[type=mobile].value", "phone"),
			truth("contacts[type=home].value", "phone"),
			truth("contacts[type=work].value", "phone"),
			neg("home_city", city),
			neg("avatar_url", str(func(x g) string { return "https://cdn.example.com/avatars/" + x.hexDigest(16) + ".png" })),
			neg("bio", lorem),
			f("emergency_contact.name", fullName, "person_name"),
			f("support.contact.name", str(func(x g) string { return x.pick(firstNames[38:]...) + " " + x.pick(lastNames[30:]...) }), "person_name"),
			f("user.name", fullName, "person_name"),
			f("emergency_contact.phone", phoneAny, "phone"),
			neg("preferences.language", str(func(x g) string { return x.pick("de", "fr", "es", "it", "pt", "nl", "en") })),
			neg("ids.customer", str(func(x g) string { return "CUST-" + x.digits(8) })),
			neg("password_changed_at", timestamp),
			neg("password_hint", str(func(x g) string { return x.pick("my first pet", "favourite city", "mother's maiden name") })),
			f("reset_token", str(g.token), "api_secret"),
			f("security.pin", str(func(x g) string { return x.digits(4) }), "password"),
			neg("readings", func(x g) any { return []any{float64(x.n(10000, 40000)) / 1000, float64(x.n(10000, 90000)) / 1000} }),
			neg("f21", str(func(x g) string { return strconv.Itoa(x.n(100000000, 899999999)) })),
			neg("tracking", str(func(x g) string {
				return "9400 1000 " + x.digits(4) + " " + x.digits(4) + " " + x.digits(4) + " " + x.digits(2)
			})),
			neg("payment.last4", str(func(x g) string { return x.digits(4) })),
			neg("payment.brand", str(func(x g) string { return x.pick("visa", "mastercard", "amex") })),
			neg("f22", city),
			neg("cache.key", str(func(x g) string {
				return x.pick("user", "session", "cart") + ":" + x.digits(6) + ":" + x.pick("profile", "items", "prefs")
			})),
			neg("device", str(func(x g) string { return x.pick("SM-G991B", "iPhone14,2", "Pixel-8-Pro", "MacBookPro18,3") })),
			neg("next_page_token", str(func(x g) string { return x.chars(40, b64url) })),
			neg("hash", str(func(x g) string { return x.hexDigest(64) })),
			neg("coupon.expires", str(func(x g) string { return fmt.Sprintf("%02d/%d", x.n(1, 12), x.n(2025, 2027)) })),
			neg("referrer", str(func(x g) string { return x.pick("google", "newsletter", "partner-") + x.digits(3) })),
		}},
		{name: "wild_camel.ndjson", fields: []field{
			f("customerEmailAddress", email, "email"),
			f("contactPhoneNumber", phoneAny, "phone"),
			f("userPassword", password, "password"),
			f("billingAddress.line1", street, "street_address"),
			f("zipCode", postal, "postal_code"),
			f("DateOfBirth", dob, "date_of_birth"),
			f("CardNumber", card, "credit_card"),
			f("ipAddress", ipv4, "ip_address"),
			f("macAddr", mac, "mac_address"),
			f("FullName", str(func(x g) string { return strings.ToUpper(x.first() + " " + x.last()) }), "person_name"),
			f("e-mail", email, "email"),
			f("Telefon-Nr", phoneAny, "phone"),
			f("Geb.-Datum", dob, "date_of_birth"),
			f("Straße und Hausnummer", street, "street_address"),
			f("N° de téléphone", phoneAny, "phone"),
			f("Cod. Postal", str(func(x g) string { return fmt.Sprintf("%05d", x.n(1000, 52999)) }), "postal_code"),
			f("nationalInsuranceNumber", str(g.nino), "national_id"),
			f("nie", str(func(x g) string {
				n := x.n(0, 9999999)
				p := x.pick("X", "Y", "Z")
				v := map[string]int{"X": 0, "Y": 10000000, "Z": 20000000}[p] + n
				return fmt.Sprintf("%s%07d%c", p, n, "TRWAGMYFPDXBNJZSQVHLCKE"[v%23])
			}), "national_id"),
			f("stripeKey", str(func(x g) string { return "sk_live_" + x.chars(24, alnum) }), "api_secret"),
			f("slackWebhook", str(func(x g) string {
				return "https://hooks.slack.com/services/T" + x.chars(8, upper+digitsA) + "/B" + x.chars(8, upper+digitsA) + "/" + x.chars(24, alnum)
			}), "api_secret"),
			f("googleMapsKey", str(func(x g) string { return "AIza" + x.chars(35, alnum+"-_") }), "api_secret"),
			f("adminPass", password, "password"),
			f("kennwort", password, "password"),
			f("password_digest", str(g.bcrypt), "password_hash"),
			f("encrypted_password", str(g.bcrypt), "password_hash"),
			f("pass_sha1", str(func(x g) string { return x.hexDigest(40) }), "password_hash"),
			f("ccnum", card, "credit_card"),
			f("loc.lat", lat, "geo_coordinates"),
			f("loc.lon", lon, "geo_coordinates"),
			at("geometry.coordinates", f("geometry", func(x g) any {
				a, b := x.latLon()
				return map[string]any{"type": "Point", "coordinates": []any{b, a}}
			}, "geo_coordinates")),
			f("confirmationCode", pnr, "travel_booking"),
			f("recordLocator", pnr, "travel_booking"),
			f("flightNo", flight, "travel_booking"),
			f("eTicketNumber", eticket, "travel_booking"),
			f("deviceToken", str(g.pushToken), "device_id"),
			f("androidId", str(func(x g) string { return x.hexDigest(16) }), "device_id"),
			f("advertisingId", uuid, "device_id"),
			neg("routingNumber", str(g.aba)),
			f("IBAN", iban, "iban"),
			f("cardExpiry", str(func(x g) string { return fmt.Sprintf("%02d/%02d", x.n(1, 12), x.n(26, 31)) }), "card_expiry"),
			f("securityCode", str(func(x g) string { return x.digits(3) }), "card_cvv"),
			f("passportNo", passport, "passport_number"),
			neg("orderNumber", orderNo),
			neg("createdAt", timestamp),
			neg("appVersion", version),
			neg("fileHash", fileHash),
			neg("productName", str(func(x g) string { return x.pick("Blue Widget", "Garden Chair", "Coffee Grinder Deluxe") })),
		}},
		{name: "sql_export.ndjson", fields: []field{
			neg("id", integer(func(x g) int { return x.n(1, 999999) })),
			f("customer.name", str(func(x g) string {
				n := x.first() + " " + x.last()
				if x.chance(0.3) {
					n = strings.ToLower(n)
				}
				return n
			}), "person_name"),
			f("contact", str(func(x g) string {
				if x.chance(0.5) {
					return x.email()
				}
				return x.phone(true)
			}), "email", "phone"),
			f("phone", str(func(x g) string {
				p := x.phone(false)
				if x.chance(0.1) {
					p += " ext. " + strconv.Itoa(x.n(10, 999))
				}
				return p
			}), "phone"),
			f("remote_addr", str(func(x g) string { return x.ipv4() + ":" + strconv.Itoa(x.n(1024, 65535)) }), "ip_address"),
			f("mac", str(func(x g) string { return strings.ToUpper(x.hexDigest(12)) }), "mac_address"),
			f("geom", str(func(x g) string { a, b := x.latLon(); return fmt.Sprintf("POINT(%.5f %.5f)", b, a) }), "geo_coordinates"),
			neg("updated", timestamp),
			neg("row_hash", str(func(x g) string { return x.hexDigest(32) })),
		}},
		{name: "mongoexport/shop.customers.json", fields: []field{
			neg("_id", func(x g) any { return map[string]any{"$oid": x.hexDigest(24)} }),
			f("name", fullName, "person_name"),
			f("email", email, "email"),
			f("dob", func(x g) any {
				return map[string]any{"$date": fmt.Sprintf("%04d-%02d-%02dT00:00:00.000Z", x.n(1940, 2005), x.n(1, 12), x.n(1, 28))}
			}, "date_of_birth"),
			f("billing.card", func(x g) any { return map[string]any{"$numberLong": x.cardDigits()} }, "credit_card"),
			f("billing.card_exp.month", func(x g) any { return map[string]any{"$numberInt": strconv.Itoa(x.n(1, 12))} }, "card_expiry"),
			f("login.password_md5", str(func(x g) string { return x.hexDigest(32) }), "password_hash"),
			neg("login.last_login", func(x g) any {
				return map[string]any{"$date": map[string]any{"$numberLong": strconv.Itoa(1700000000000 + x.n(0, 99999999))}}
			}),
			neg("balance", func(x g) any {
				return map[string]any{"$numberDecimal": fmt.Sprintf("%d.%02d", x.n(0, 9999), x.n(0, 99))}
			}),
			neg("created", func(x g) any { return map[string]any{"$date": x.timestamp()} }),
		}},
		{name: "elasticdump/app-logs.json", esdump: true, fields: []field{
			neg("@timestamp", timestamp),
			neg("level", str(func(x g) string { return x.pick("info", "warn", "error") })),
			f("message", str(func(x g) string {
				return x.message(func() string { return x.email() + " from " + x.ipv4() })
			}), "email"),
			f("client.ip", ipv4, "ip_address"),
			f("client.geo.location", str(func(x g) string { a, b := x.latLon(); return fmt.Sprintf("%.5f,%.5f", a, b) }), "geo_coordinates"),
			f("user.email", email, "email"),
			neg("user.id", str(func(x g) string { return "usr_" + x.digits(5) })),
			f("http.headers.authorization", str(func(x g) string { return "Bearer " + x.jwt() }), "api_secret"),
			truth("http.headers.authorization<jwt>.name", "person_name"),
			neg("http.path", str(func(x g) string { return x.pick("/v1/orders/", "/v1/users/", "/health") + x.digits(4) })),
			neg("http.status", integer(func(x g) int { return x.pick2(200, 201, 404, 500) })),
			neg("duration_ms", num(func(x g) float64 { return float64(x.n(1, 90000)) / 10 })),
			neg("trace_id", str(func(x g) string { return x.hexDigest(32) })),
		}},
		// shapes of well-known exports: WordPress users, Firebase Auth,
		// Auth0, Stripe charges, Shopify orders
		{name: "wp_users.csv", csv: true, fields: []field{
			neg("ID", integer(func(x g) int { return x.n(1, 99999) })),
			neg("user_login", str(func(x g) string { return ascii(x.first()) + x.digits(2) })),
			f("user_pass", str(func(x g) string { return "$P$B" + x.chars(30, cryptA) }), "password_hash"),
			neg("user_nicename", str(func(x g) string { return ascii(x.first()) + "-" + ascii(x.last()) })),
			f("user_email", email, "email"),
			neg("user_url", str(func(x g) string { return "https://" + ascii(x.last()) + ".example.org" })),
			neg("user_registered", str(func(x g) string {
				return fmt.Sprintf("20%02d-%02d-%02d %02d:%02d:%02d", x.n(10, 25), x.n(1, 12), x.n(1, 28), x.n(0, 23), x.n(0, 59), x.n(0, 59))
			})),
			neg("user_status", lit("0")),
			f("display_name", str(func(x g) string { return x.first() + " " + x.last() }), "person_name"),
		}},
		{name: "firebase_auth_export.ndjson", fields: []field{
			neg("localId", str(func(x g) string { return x.chars(28, alnum) })),
			f("email", email, "email"),
			neg("emailVerified", lit(true)),
			f("passwordHash", str(func(x g) string { return x.chars(86, b64std) + "==" }), "password_hash"),
			neg("salt", str(func(x g) string { return x.chars(22, b64std) + "==" })),
			f("displayName", fullName, "person_name"),
			f("phoneNumber", phoneIntl, "phone"),
			neg("photoUrl", str(func(x g) string { return "https://lh3.example.com/a/" + x.chars(20, alnum) })),
			neg("createdAt", str(func(x g) string { return strconv.Itoa(1600000000000 + x.n(0, 99999999)) })),
			neg("lastSignedInAt", str(func(x g) string { return strconv.Itoa(1700000000000 + x.n(0, 99999999)) })),
			neg("providerUserInfo[].providerId", str(func(x g) string { return x.pick("password", "google.com", "apple.com") })),
			f("providerUserInfo[].email", email, "email"),
		}},
		{name: "auth0_users.ndjson", fields: []field{
			neg("user_id", str(func(x g) string { return "auth0|" + x.hexDigest(24) })),
			f("email", email, "email"),
			f("name", fullName, "person_name"),
			neg("nickname", str(func(x g) string { return ascii(x.first()) })),
			neg("picture", str(func(x g) string { return "https://s.gravatar.com/avatar/" + x.hexDigest(32) })),
			neg("logins_count", counter),
			f("last_ip", ipv4, "ip_address"),
			neg("last_login", timestamp),
			neg("identities[].provider", lit("auth0")),
			neg("identities[].connection", lit("Username-Password-Authentication")),
			neg("identities[].isSocial", lit(false)),
		}},
		{name: "stripe_charges.ndjson", fields: []field{
			neg("id", str(func(x g) string { return "ch_3" + x.chars(23, alnum) })),
			neg("amount", integer(func(x g) int { return x.n(100, 99999) })),
			neg("currency", str(func(x g) string { return x.pick("eur", "usd", "gbp") })),
			neg("customer", str(func(x g) string { return "cus_" + x.chars(14, alnum) })),
			neg("payment_method_details.card.brand", str(func(x g) string { return x.pick("visa", "mastercard", "amex") })),
			neg("payment_method_details.card.last4", str(func(x g) string { return x.digits(4) })),
			f("payment_method_details.card.exp_month", integer(func(x g) int { return x.n(1, 12) }), "card_expiry"),
			f("payment_method_details.card.exp_year", integer(func(x g) int { return x.n(2025, 2032) }), "card_expiry"),
			neg("payment_method_details.card.fingerprint", str(func(x g) string { return x.chars(16, alnum) })),
			neg("payment_method_details.card.country", country),
			f("billing_details.name", fullName, "person_name"),
			f("billing_details.email", email, "email"),
			f("billing_details.phone", phoneIntl, "phone"),
			f("billing_details.address.line1", street, "street_address"),
			f("billing_details.address.postal_code", postal, "postal_code"),
			neg("billing_details.address.city", city),
			neg("billing_details.address.country", country),
			neg("created", integer(func(x g) int { return 1700000000 + x.n(0, 9999999) })),
			neg("receipt_url", str(func(x g) string { return "https://pay.stripe.com/receipts/" + x.chars(40, alnum) })),
		}},
		{name: "shopify_orders.ndjson", fields: []field{
			neg("id", integer(func(x g) int { return 450789469 + x.n(0, 999999) })),
			neg("order_number", integer(func(x g) int { return x.n(1000, 99999) })),
			f("email", email, "email"),
			f("phone", phoneIntl, "phone"),
			f("browser_ip", ipv4, "ip_address"),
			neg("total_price", str(func(x g) string { return fmt.Sprintf("%d.%02d", x.n(1, 999), x.n(0, 99)) })),
			neg("currency", currency),
			f("customer.first_name", first, "person_name"),
			f("customer.last_name", last, "person_name"),
			f("billing_address.address1", street, "street_address"),
			f("billing_address.zip", postal, "postal_code"),
			neg("billing_address.city", city),
			neg("billing_address.country_code", country),
			f("billing_address.latitude", lat, "geo_coordinates"),
			f("billing_address.longitude", lon, "geo_coordinates"),
			neg("client_details.user_agent", userAgent),
			f("client_details.browser_ip", ipv4, "ip_address"),
			neg("line_items[].sku", sku),
			neg("line_items[].title", str(func(x g) string { return x.pick("IPod Nano - 8GB", "Gift Card", "Organic Tea") })),
			neg("line_items[].price", str(func(x g) string { return fmt.Sprintf("%d.00", x.n(1, 300)) })),
			neg("processed_at", timestamp),
		}},
		{name: "django_auth_user.csv", csv: true, fields: []field{
			neg("id", integer(func(x g) int { return x.n(1, 99999) })),
			f("password", str(func(x g) string {
				return "pbkdf2_sha256$" + x.pick("600000", "870000") + "$" + x.chars(22, alnum) + "$" + x.chars(43, b64std) + "="
			}), "password_hash"),
			neg("last_login", timestamp),
			neg("is_superuser", lit("f")),
			neg("username", str(func(x g) string { return ascii(x.first()) + "_" + ascii(x.last()) })),
			f("first_name", first, "person_name"),
			f("last_name", last, "person_name"),
			f("email", email, "email"),
			neg("is_staff", lit("f")),
			neg("date_joined", timestamp),
		}},
		{name: "devise_users.ndjson", fields: []field{
			neg("id", integer(func(x g) int { return x.n(1, 99999) })),
			f("email", email, "email"),
			f("encrypted_password", str(g.bcrypt), "password_hash"),
			opt(0.3, f("reset_password_token", str(func(x g) string { return x.hexDigest(64) }), "api_secret")),
			opt(0.3, neg("reset_password_sent_at", timestamp)),
			neg("sign_in_count", counter),
			f("current_sign_in_ip", ipv4, "ip_address"),
			f("last_sign_in_ip", ipv4, "ip_address"),
			opt(0.5, f("confirmation_token", str(func(x g) string { return x.chars(20, b64url) }), "api_secret")),
			neg("confirmed_at", timestamp),
			f("remember_token", str(func(x g) string { return x.chars(60, alnum) }), "api_secret"),
		}},
		{name: "mailchimp_members.csv", csv: true, fields: []field{
			f("Email Address", email, "email"),
			f("First Name", first, "person_name"),
			f("Last Name", last, "person_name"),
			f("Address", str(func(x g) string {
				return x.street() + ", " + x.pick(cities...) + ", " + x.postal()
			}), "street_address"),
			f("Phone Number", phoneAny, "phone"),
			neg("MEMBER_RATING", integer(func(x g) int { return x.n(1, 5) })),
			neg("OPTIN_TIME", str(func(x g) string {
				return fmt.Sprintf("20%02d-%02d-%02d %02d:%02d:%02d", x.n(15, 25), x.n(1, 12), x.n(1, 28), x.n(0, 23), x.n(0, 59), x.n(0, 59))
			})),
			f("OPTIN_IP", ipv4, "ip_address"),
			f("CONFIRM_IP", ipv4, "ip_address"),
			f("LATITUDE", str(func(x g) string { a, _ := x.latLon(); return fmt.Sprintf("%.7f", a) }), "geo_coordinates"),
			f("LONGITUDE", str(func(x g) string { _, b := x.latLon(); return fmt.Sprintf("%.7f", b) }), "geo_coordinates"),
			neg("GMTOFF", integer(func(x g) int { return x.n(-8, 9) })),
			neg("TIMEZONE", str(func(x g) string { return x.pick("Europe/Berlin", "America/New_York", "Europe/Paris") })),
			neg("CC", country),
			neg("REGION", str(func(x g) string { return x.pick("BE", "NY", "IDF", "MD") })),
			neg("LEID", integer(func(x g) int { return x.n(100000000, 999999999) })),
			neg("EUID", str(func(x g) string { return x.hexDigest(10) })),
			neg("NOTES", sentence),
		}},
		{name: "products.ndjson", fields: []field{
			neg("name", str(func(x g) string {
				return x.pick("Blue Widget", "Wireless Mouse", "Garden Chair", "Coffee Grinder Deluxe", "Oak Table", "Summer Dress", "Victoria Sponge Cake", "Jack Daniels Glass")
			})),
			neg("sku", sku),
			neg("ean", ean),
			neg("product.name", str(func(x g) string {
				return x.pick("Blue Widget", "Wireless Mouse", "Garden Chair", "Coffee Grinder Deluxe")
			})),
			neg("product_code", productCode),
			neg("price", price),
			neg("stock", counter),
			neg("category", str(func(x g) string { return x.pick("Garden", "Kitchen", "Office") })),
			neg("supplier.country", country),
			neg("dimensions_cm", str(func(x g) string { return fmt.Sprintf("%dx%dx%d", x.n(5, 90), x.n(5, 90), x.n(5, 90)) })),
			neg("firmware_version", version),
			neg("release", str(func(x g) string { return fmt.Sprintf("%d.%d.%d", x.n(1, 9), x.n(0, 20), x.n(0, 99)) })),
			neg("image_md5", str(func(x g) string { return x.hexDigest(32) })),
			neg("description", lorem),
			neg("updated_at", timestamp),
		}},
	}
}
