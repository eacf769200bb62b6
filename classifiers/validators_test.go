package classifiers_test

import (
	"testing"
	"time"

	"github.com/piisniff/piisniff/classifiers"
)

func TestValidators(t *testing.T) {
	for _, tc := range []struct {
		validator string
		value     string
		named     bool
		want      bool
	}{
		{"luhn", "79927398713", false, true},
		{"luhn", "79927398710", false, false},
		{"card", "4111 1111 1111 1111", false, true},
		{"card", "5555-5555-5555-4444", false, true},
		{"card", "2223003122003222", false, true},     // Mastercard 2-series
		{"card", "378282246310005", false, true},      // Amex
		{"card", "6011111111111117", false, true},     // Discover
		{"card", "3530111333300000", false, true},     // JCB
		{"card", "6200000000000005", false, true},     // UnionPay
		{"card", "36227206271667", false, true},       // Diners
		{"card", "4111 1111-1111 1111", false, false}, // mixed separators
		{"card", "1234567812345670", false, false},    // Luhn ok, no issuer
		{"card", "4222222222222", false, false},       // 13-digit Visa
		{"card", "0000000000000000", false, false},
		{"iban", "DE89 3704 0044 0532 0130 00", false, true},
		{"iban", "GB82 WEST 1234 5698 7654 32", false, true},
		{"iban", "NL91ABNA0417164300", false, true},
		{"iban", "FR1420041010050500013M02606", false, true},
		{"iban", "fr1420041010050500013m02606", false, true},
		{"iban", "DE89 3704 0044 0532 0130", false, false}, // short for DE
		{"iban", "DE88 3704 0044 0532 0130 00", false, false},
		{"aba", "021000021", false, true},
		{"aba", "011000015", false, true},
		{"aba", "021000022", false, false},
		{"imei", "490154203237518", false, true},
		{"imei", "490154203237517", false, false},
		{"phonenumber", "+1 415-555-2671", false, true},
		{"phonenumber", "+49 30 1234567", false, true},
		{"phonenumber", "0044 20 7946 0958", false, true},
		{"phonenumber", "+33 6 12 34 56 78", false, true},
		{"phonenumber", "030 1234567", true, true},
		{"phonenumber", "030 1234567", false, false},
		{"phonenumber", "+1 000-000-0000", false, false},
		{"phonenumber", "+999 1234 5678", false, false},
		{"jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", false, true},
		{"jwt", "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.sig", false, false}, // no alg
		{"ssn", "123-45-6780", false, true},
		{"ssn", "900-12-3456", false, false},
		{"ssn", "123-00-4567", false, false},
		{"ssn", "078-05-1120", false, false},
		{"ssn", "12-345-6789", false, false},
		{"bcrypt", "$2b$12$KIXQJ0yq8F7Fh3r2Sx8eUe3hX9h1uQ6bYb3cJrGQ0W8K3XJ6lN4yW", false, true},
		{"bcrypt", "$2b$99$KIXQJ0yq8F7Fh3r2Sx8eUe3hX9h1uQ6bYb3cJrGQ0W8K3XJ6lN4yW", false, false},
		{"email", "jane@example.com", false, true},
		{"email", "jane@example.local", false, false},
		{"ipv4", "192.168.1.1", false, true},
		{"ipv4", "192.168.1.1:8080", false, true},
		{"ipv4", "192.168.1", false, false},
		{"ipv6", "2001:db8::1", false, true},
		{"ipv6", "::", false, false},
		{"mac", "00:1a:2b:3c:4d:5e", false, true},
		{"mac", "ff:ff:ff:ff:ff:ff", false, false},
		{"latlon", "48.8584, 2.2945", false, true},
		{"latlon", "95.0, 2.2945", false, false},
		{"latitude", "-33.8688", false, true},
		{"latitude", "91.00", false, false},
		{"longitude", "151.2093", false, true},
		{"card_expiry", "12/27", false, true},
		{"card_expiry", "0927", false, true},
		{"card_expiry", "2028-03", false, true},
		{"card_expiry", "13/27", false, false},
		{"geohash", "u09tunquc", false, true},
		{"geohash", "aaaaaa", false, false},
		{"dni", "12345678Z", false, true},
		{"dni", "X1234567L", false, true},
		{"dni", "12345678A", false, false},
		{"nir", "185057800608491", false, true},
		{"nir", "185057800608436", false, false},
		{"codice_fiscale", "RSSMRA85T10A562S", false, true},
		{"codice_fiscale", "RSSMRA85T10A562T", false, false},
		{"bsn", "111222333", false, true},
		{"bsn", "111222334", false, false},
		{"steuer_id", "86095742719", false, true},
		{"steuer_id", "86095742718", false, false},
		{"nif_pt", "123456789", false, true},
		{"nif_pt", "123456780", false, false},
		{"connection_uri", "postgres://app:s3cret@db:5432/x", false, true},
		{"connection_uri", "postgres://app:***@db:5432/x", false, false},
		{"connection_uri", "postgres://app@db:5432/x", false, false},
		{"uuid", "550e8400-e29b-41d4-a716-446655440000", false, true},
		{"uuid", "00000000-0000-0000-0000-000000000000", false, false},
		{"eticket", "2201234567890", false, true},
		{"eticket", "0001234567890", false, false},
		{"person_name", "Maria Schmidt", false, true},
		{"person_name", "Zoltán Haugland", false, false},
		{"person_name", "Zoltán Haugland", true, true},
		{"person_name", "quarterly report", true, false},
		{"person_name_known", "Zoltán Schmidt", true, true},
		{"person_name_known", "Blue Widget", true, false},
		{"street_address", "12 Main Street", false, true},
		{"street_address", "Main Street", false, false},
		{"not_placeholder", "hunter2", false, true},
		{"not_placeholder", "********", false, false},
		{"not_placeholder", "${DB_PASSWORD}", false, false},
	} {
		got, ok := classifiers.Validate(tc.validator, tc.value, tc.named)
		if !ok {
			t.Fatalf("unknown validator %s", tc.validator)
		}
		if got != tc.want {
			t.Errorf("%s(%q, named=%v) = %v, want %v", tc.validator, tc.value, tc.named, got, tc.want)
		}
	}
}

func TestBirthDate(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"1985-03-12", true}, {"12.03.1985", true}, {"12/03/1985", true}, {"March 12, 1985", true},
		{"12 March 1985", true}, {"19850312", true}, {"1985-03-12T00:00:00Z", true},
		{"2.3.1985", true}, {"Mar 12, 1985", true}, {"1985-03-12 10:00:00", true}, {"02 Mar 1985", true},
		{"2030-01-01", false}, {"1890-01-01", false}, {"1985-13-12", false}, {"not a date", false},
		{"123.4.1985", false}, {"1985.03.12", false}, {"", false},
	} {
		if got := classifiers.ValidBirthDate(tc.s, now); got != tc.want {
			t.Errorf("ValidBirthDate(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestLuhnCheckDigit(t *testing.T) {
	tests := map[string]byte{
		"7992739871":      '3', // 79927398713
		"424242424242424": '2',
		"35145120624811":  '4', // an IMEI body
		"0":               '0',
	}
	for payload, want := range tests {
		if got := classifiers.LuhnCheckDigit(payload); got != want {
			t.Errorf("%s: %c, want %c", payload, got, want)
		}
		if !classifiers.Luhn(payload + string(want)) {
			t.Errorf("%s%c does not pass Luhn", payload, want)
		}
	}
}
