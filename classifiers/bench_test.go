package classifiers_test

import (
	"testing"

	"github.com/piisniff/piisniff/classifiers"
)

// benchFields is a typical app-backend document: most values match nothing.
var benchFields = []struct {
	path string
	v    classifiers.Value
}{
	{"_id", classifiers.Value{S: "65a1f0c2e4b0a1b2c3d4e5f6"}},
	{"status", classifiers.Value{S: "active"}},
	{"created_at", classifiers.Value{Kind: classifiers.KindDate, S: "2024-01-05T10:22:33Z"}},
	{"order.total", classifiers.Value{Kind: classifiers.KindNumber, S: "129.99"}},
	{"order.items[].sku", classifiers.Value{S: "SKU-48213-BLU"}},
	{"order.items[].qty", classifiers.Value{Kind: classifiers.KindNumber, S: "2"}},
	{"tags[]", classifiers.Value{S: "premium"}},
	{"user_agent", classifiers.Value{S: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"}},
	{"comment", classifiers.Value{S: "Delivered to the front door, customer happy with the product."}},
	{"flags.beta", classifiers.Value{Kind: classifiers.KindBool, S: "true"}},
}

func BenchmarkClassifyNoMatch(b *testing.B) {
	e := defaultEngine(b)
	fields := make([]*classifiers.Field, len(benchFields))
	for i, f := range benchFields {
		fields[i] = e.Field(f.path, "")
	}
	var dst []classifiers.Hit
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, f := range fields {
			dst = f.Classify(benchFields[j].v, dst[:0])
		}
	}
	if len(dst) != 0 {
		b.Fatalf("unexpected hits %+v", dst)
	}
	b.ReportMetric(float64(b.N*len(fields))/b.Elapsed().Seconds(), "values/s")
}

func BenchmarkClassifyMatch(b *testing.B) {
	e := defaultEngine(b)
	cases := []struct {
		path string
		v    classifiers.Value
	}{
		{"email", classifiers.Value{S: "jane.doe@example.com"}},
		{"phone", classifiers.Value{S: "+1 415-555-2671"}},
		{"card_number", classifiers.Value{S: "4242 4242 4242 4242"}},
		{"iban", classifiers.Value{S: "DE89370400440532013000"}},
		{"ip", classifiers.Value{S: "192.168.1.10"}},
		{"password", classifiers.Value{S: "hunter2"}},
		{"first_name", classifiers.Value{S: "Maria"}},
	}
	fields := make([]*classifiers.Field, len(cases))
	for i, c := range cases {
		fields[i] = e.Field(c.path, "")
	}
	var dst []classifiers.Hit
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, f := range fields {
			dst = f.Classify(cases[j].v, dst[:0])
		}
	}
	b.ReportMetric(float64(b.N*len(fields))/b.Elapsed().Seconds(), "values/s")
}

func TestClassifyNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool (used by regexp) drop items")
	}
	e := defaultEngine(t)
	fields := make([]*classifiers.Field, len(benchFields))
	for i, f := range benchFields {
		fields[i] = e.Field(f.path, "")
	}
	dst := make([]classifiers.Hit, 0, 8)
	allocs := testing.AllocsPerRun(50, func() {
		for j, f := range fields {
			dst = f.Classify(benchFields[j].v, dst[:0])
		}
	})
	if allocs != 0 {
		t.Fatalf("Classify allocates %v times per document with no match", allocs)
	}
}
