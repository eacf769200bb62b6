package classifiers_test

import (
	"testing"

	"github.com/piisniff/piisniff/classifiers"
)

func BenchmarkClassifyFields(b *testing.B) {
	e := defaultEngine(b)
	for _, c := range []struct{ path, v string }{
		{"_id", "00000000a1b2c3d4e5f60718"}, {"name", "Maria Schmidt"}, {"email", "Maria.Schmidt12@example.com"},
		{"phone", "+49 30 12345678"}, {"password", "hunter123456!"}, {"created_at", "2025-03-04T10:22:00Z"},
		{"status", "active"}, {"address.street", "12 Hauptstraße"}, {"address.city", "Berlin"}, {"address.zip", "01234"},
		{"orders[].sku", "SKU-123456"}, {"orders[].card", "4242424242424242"}, {"last_ip", "203.0.113.7"},
		{"tags[]", "newsletter"}, {"bio", "Enjoys hiking and coffee. Member since 2019."},
	} {
		fl := e.Field(c.path, "")
		v := classifiers.Value{S: c.v}
		b.Run(c.path, func(b *testing.B) {
			var dst []classifiers.Hit
			for i := 0; i < b.N; i++ {
				dst = fl.Classify(v, dst[:0])
			}
		})
	}
}
