package redis

import "testing"

// BenchmarkDecodeValues decodes the values of BenchmarkSample10kOf1M's
// database, one of each type's items: the client's decoding cost per key.
func BenchmarkDecodeValues(b *testing.B) {
	hash := []string{"u123455@example.com", "Ann Example", "Springfield"}
	str := `{"user":123456,"ip":"198.51.100.17","ua":"LeakyApp/4.2"}`
	list := []string{"SKU-1", "SKU-2", "SKU-3", "SKU-4", "SKU-5"}
	for b.Loop() {
		for _, v := range hash {
			_ = decodeFieldString(v, 1<<20)
		}
		_, _ = decodeText(str, 1<<20)
		_ = items(list, 1<<20)
	}
}

// BenchmarkPatternKey finds the patterns of two keys of the benchmark's
// database.
func BenchmarkPatternKey(b *testing.B) {
	for b.Loop() {
		_, _ = Pattern("session:9e3779b97f4a7c15")
		_, _ = Pattern("cart:123456:items")
	}
}
