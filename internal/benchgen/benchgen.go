// Package benchgen writes large NDJSON files of fake app-backend documents
// for benchmarks: a realistic mix of personal data and ordinary fields.
package benchgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
)

var (
	first  = []string{"Anna", "Lukas", "Marie", "Jonas", "Sofia", "Noah", "Emma", "Liam", "Mia", "Paul"}
	last   = []string{"Schmidt", "Müller", "Rossi", "Dubois", "García", "Jansen", "Silva", "Smith", "Novak", "Berg"}
	cities = []string{"Berlin", "Paris", "Madrid", "Rome", "Lisbon", "Amsterdam", "London", "Vienna"}
	cards  = []string{"4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "4012888888881881"}
	status = []string{"active", "suspended", "pending", "deleted"}
)

// Write writes n documents as NDJSON to w, deterministically for seed.
func Write(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	for i := 0; i < n; i++ {
		f, l := first[rng.IntN(len(first))], last[rng.IntN(len(last))]
		doc := map[string]any{
			"_id":        fmt.Sprintf("%024x", rng.Uint64()),
			"name":       f + " " + l,
			"email":      fmt.Sprintf("%s.%s%d@example.com", f, l, i),
			"phone":      fmt.Sprintf("+49 30 %08d", rng.IntN(1e8)),
			"password":   fmt.Sprintf("hunter%d!", rng.IntN(1e6)),
			"created_at": fmt.Sprintf("2025-%02d-%02dT%02d:%02d:00Z", 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60)),
			"status":     status[rng.IntN(len(status))],
			"logins":     rng.IntN(5000),
			"address": map[string]any{
				"street": fmt.Sprintf("%d Hauptstraße", 1+rng.IntN(200)),
				"city":   cities[rng.IntN(len(cities))],
				"zip":    fmt.Sprintf("%05d", rng.IntN(100000)),
			},
			"orders": []any{
				map[string]any{"sku": fmt.Sprintf("SKU-%06d", rng.IntN(1e6)), "price": float64(rng.IntN(10000)) / 100, "card": cards[rng.IntN(len(cards))]},
				map[string]any{"sku": fmt.Sprintf("SKU-%06d", rng.IntN(1e6)), "price": float64(rng.IntN(10000)) / 100, "qty": 1 + rng.IntN(4)},
			},
			"last_ip":  fmt.Sprintf("203.0.113.%d", rng.IntN(255)),
			"location": map[string]any{"lat": 52.5 + rng.Float64()/10, "lng": 13.4 + rng.Float64()/10},
			"tags":     []any{"newsletter", "beta"},
			"bio":      "Enjoys hiking and coffee. Member since 2019.",
		}
		if err := enc.Encode(doc); err != nil {
			return err
		}
	}
	return bw.Flush()
}
