package report

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The merge writes its containers with goccy/go-json's encoder
// (newContainerEncoder); WriteJSON writes reports with encoding/json's:
// both must write the same bytes.

func compareEncoders(t *testing.T, c *Container) {
	t.Helper()
	var want, got bytes.Buffer
	errW := stdContainerEncoder(&want).Encode(c)
	errG := newContainerEncoder(&got).Encode(c)
	if (errW == nil) != (errG == nil) {
		t.Fatalf("encoding/json: %v, goccy: %v", errW, errG)
	}
	if errW == nil && !bytes.Equal(want.Bytes(), got.Bytes()) {
		t.Fatalf("encoding/json and goccy write different bytes:\n%s\n----\n%s", want.Bytes(), got.Bytes())
	}
}

// TestContainerEncodersAgree: every container of the repository's JSON
// reports, of synthetic shard reports and finished ones, and containers
// with awkward strings and numbers are written alike.
func TestContainerEncodersAgree(t *testing.T) {
	var cs []Container
	for _, name := range []string{"report.json.golden", "kits.json.golden"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		var r Report
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		for _, tg := range r.Targets {
			cs = append(cs, tg.Containers...)
		}
	}
	for _, r := range []*Report{shardReport(0, 2), sampleReport()} {
		for _, tg := range r.Targets {
			cs = append(cs, tg.Containers...)
		}
	}
	p := filepath.Join(t.TempDir(), "shard.json")
	if err := writeSyntheticShard(p, 1, 3, 20, true); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	var shard Report
	if err := json.Unmarshal(b, &shard); err != nil {
		t.Fatal(err)
	}
	for _, c := range shard.Targets[0].Containers {
		cs = append(cs, c)
		if err := finishContainer(&c, testBuild); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	msg := "<b>&amp;\u2028\u2029 \x00\x1f\x7f \xff\xfe invalid UTF-8, é 😀 \"quoted\" \\"
	for _, f := range []float64{0, -0.0, 1e-7, 1e-6, 0.000001234, 1e20, 1e21, 123456789e15, 0.1 + 0.2, 1.0 / 3, math.MaxFloat64, math.SmallestNonzeroFloat64, -2.5e-300, 5e-324, 1e300} {
		cs = append(cs, Container{Name: msg, RiskScore: f, MarginOfError: -f, Error: &msg, Notes: []string{msg, ""},
			SkipReasons: map[string]int64{"z": 1, "a": -2, msg: math.MaxInt64, "": math.MinInt64},
			Fields:      []Field{{Path: msg, Findings: []Finding{{Category: "email", Confidence: f, MatchRatio: f / 7, Risk: f * 3, Examples: []string{msg}, Evidence: nil}}}},
			People:      &People{Estimate: 3, ErrorBound: f, Method: msg, Sketches: map[string]string{"b": "x", "a": msg}}})
	}
	cs = append(cs, Container{}, Container{Fields: []Field{}, Notes: []string{}, SkipReasons: map[string]int64{}})
	for _, c := range cs {
		compareEncoders(t, &c)
	}
	// NaN is an error for both
	compareEncoders(t, &Container{RiskScore: math.NaN()})
}

// FuzzContainerEncoders: a container read from any JSON is written alike
// by both encoders.
func FuzzContainerEncoders(f *testing.F) {
	for _, tg := range shardReport(0, 2).Targets {
		for _, c := range tg.Containers {
			c.MergeState = nil // (its sketches are large: the fuzzer stalls on them)
			b, _ := json.Marshal(c)
			f.Add(b)
		}
	}
	f.Add([]byte(`{"name":"a\u2028<\u00e9>","risk_score":1e-7,"margin_of_error":1e21,"skip_reasons":{"b":1,"a":2},"notes":["\ud800"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Container
		if err := json.Unmarshal(data, &c); err == nil {
			compareEncoders(t, &c)
		}
	})
}

// FuzzContainerEncodersValues: a container holding any string and number
// (any bits: NaN and the infinities too) is written alike.
func FuzzContainerEncodersValues(f *testing.F) {
	f.Add("x", math.Float64bits(0.5))
	f.Add("<\u2028>\xff", math.Float64bits(1e21))
	f.Fuzz(func(t *testing.T, s string, bits uint64) {
		x := math.Float64frombits(bits)
		c := Container{Name: s, RiskScore: x, Notes: []string{s}, SkipReasons: map[string]int64{s: 1, "m": 2},
			Fields: []Field{{Path: s, Findings: []Finding{{Category: s, Confidence: x, Examples: []string{s}}}}}}
		compareEncoders(t, &c)
	})
}
