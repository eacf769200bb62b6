package classifiers_test

import (
	"fmt"
	"github.com/piisniff/piisniff/internal/benchstat"
	"testing"

	"github.com/piisniff/piisniff/classifiers"
)

// BenchmarkPhoneCount is what a scan does with each value of a field named
// phone: the rules classify it, and a phone found is placed in E.164 for the
// people count. The values are national numbers of several regions, all
// different, so that nothing is remembered from one value to the next.
func BenchmarkPhoneCount(b *testing.B) {
	e := defaultEngine(b)
	f := e.Field("phone", "")
	formats := []string{"030 1234%04d", "01 23 45 %02d %02d", "020 7946 %04d", "06 1234 %04d", "912 345 %03d",
		"020 123 %04d", "(415) 555-%04d", "(11) 91234-%04d"}
	var values []string
	for i := 0; len(values) < 20000; i++ {
		for _, fm := range formats {
			var s string
			if fm == "01 23 45 %02d %02d" {
				s = fmt.Sprintf(fm, i%100, i/100%100)
			} else {
				s = fmt.Sprintf(fm, i)
			}
			values = append(values, s)
		}
	}
	var dst []classifiers.Hit
	found := 0
	b.ResetTimer()
	c0 := benchstat.ProcessCPU()
	for i := 0; i < b.N; i++ {
		s := values[i%len(values)]
		dst = f.Classify(classifiers.Value{S: s}, dst[:0])
		for _, h := range dst {
			if h.Category == "phone" && classifiers.NormaliseIdentifier("phone", s, "") != "" {
				found++
			}
		}
	}
	if found == 0 {
		b.Fatal("no phone found")
	}
	b.ReportMetric(float64(benchstat.ProcessCPU()-c0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(found)/float64(b.N), "found/value")
}
