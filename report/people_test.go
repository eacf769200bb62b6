package report

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

// hashOf is a well-mixed 64-bit hash of i (splitmix64), standing for the
// keyed hash of identity i.
func hashOf(i uint64) uint64 {
	x := i + 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// TestDistinct: exact up to ExactLimit, a sketch within its error bound
// above; the encoding round-trips; two halves merged count what the whole
// counts, exactly.
func TestDistinct(t *testing.T) {
	for _, n := range []int{0, 1, 100, ExactLimit, ExactLimit + 1, 10_000, 200_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var whole, a, b Distinct
			for i := 0; i < n; i++ {
				h := hashOf(uint64(i))
				whole.Add(h)
				whole.Add(h) // repeats do not count
				if i%2 == 0 {
					a.Add(h)
				} else {
					b.Add(h)
				}
			}
			got, exact := whole.Count()
			if exact != (n <= ExactLimit) {
				t.Errorf("exact %v for %d values", exact, n)
			}
			if exact && got != int64(n) {
				t.Errorf("count %d, want %d", got, n)
			}
			if rel := math.Abs(float64(got)-float64(n)) / math.Max(1, float64(n)); !exact && rel > sketchError {
				t.Errorf("estimate %d of %d: error %.4f beyond the bound %.4f", got, n, rel, sketchError)
			}
			a.Merge(&b)
			if m, _ := a.Count(); m != got {
				t.Errorf("halves merged count %d, the whole %d", m, got)
			}
			d, err := DecodeDistinct(whole.Encode())
			if err != nil {
				t.Fatal(err)
			}
			if c, ex := d.Count(); c != got || ex != exact {
				t.Errorf("decoded count %d/%v, want %d/%v", c, ex, got, exact)
			}
			if size := len(whole.Encode()) * 3 / 4; size > 20<<10 {
				t.Errorf("sketch of %d bytes, want under 20 KiB", size)
			}
		})
	}
}

func TestDecodeDistinctErrors(t *testing.T) {
	tooMany := make([]byte, 8*(ExactLimit+1))
	for i := 0; i <= ExactLimit; i++ {
		binary.BigEndian.PutUint64(tooMany[8*i:], uint64(i))
	}
	for _, tc := range []struct{ in, want string }{
		{"", "base64"},
		{"x:@@", "sketch"},
		{"x:AAA=", "hashes of 8 bytes"},
		{"x:" + b64(tooMany), "at most"},
		{"h:AAAA", "sketch"},
		{"q:AAAA", "unknown sketch kind"},
	} {
		if _, err := DecodeDistinct(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeDistinct(%.20q) = %v, want an error saying %q", tc.in, err, tc.want)
		}
	}
}

// TestPeopleHasher: the same key gives the same hash; another seed or
// secret, or another category, another.
func TestPeopleHasher(t *testing.T) {
	h := NewPeopleHasher(7, "")
	base := h.Sum("email", "a@example.org")
	for _, tc := range []struct {
		name string
		h    *PeopleHasher
		cat  string
		same bool
	}{
		{"same key", NewPeopleHasher(7, ""), "email", true},
		{"other seed", NewPeopleHasher(8, ""), "email", false},
		{"secret", NewPeopleHasher(7, "k"), "email", false},
		{"other category", NewPeopleHasher(7, ""), "phone", false},
	} {
		if got := tc.h.Sum(tc.cat, "a@example.org"); (got == base) != tc.same {
			t.Errorf("%s: same hash %v, want %v", tc.name, got == base, tc.same)
		}
	}
	// the hash is the first 8 bytes of HMAC-SHA256(key, category 0x00
	// value), as shards of other versions compute it; reusing the hasher's
	// buffers with values of other lengths does not change it
	for _, v := range []string{"a@example.org", "b@x.io", "", "a-much-longer-address@example.org"} {
		m := hmac.New(sha256.New, peopleKey(7, ""))
		m.Write([]byte("email\x00" + v))
		if got, want := h.Sum("email", v), binary.BigEndian.Uint64(m.Sum(nil)); got != want {
			t.Errorf("Sum(email, %q) = %x, want %x", v, got, want)
		}
	}
}

// TestPeopleChoice: the identifier with the most distinct values is used,
// the strongest on ties; samples are lower bounds, extrapolated.
func TestPeopleChoice(t *testing.T) {
	counter := func(counts map[string]int) PeopleCounter {
		pc := PeopleCounter{}
		k := uint64(0)
		for cat, n := range counts {
			for i := 0; i < n; i++ {
				k++
				pc.Add(cat, hashOf(k))
			}
		}
		return pc
	}
	for _, tc := range []struct {
		counts      map[string]int
		sampled     bool
		read, total int64
		want        People
	}{
		{map[string]int{"email": 10, "phone": 30}, false, 40, 40, People{Estimate: 30, Identifier: "phone", Exact: true}},
		{map[string]int{"email": 30, "national_id": 30}, false, 40, 40, People{Estimate: 30, Identifier: "national_id", Exact: true}},
		{map[string]int{"email": 100}, true, 100, 1000, People{Estimate: 100, Identifier: "email", Exact: true, LowerBound: true, Extrapolated: 1000}},
		{map[string]int{"credit_card": 5000}, false, 5000, 5000, People{Identifier: "credit_card", ErrorBound: sketchError}},
	} {
		got := counter(tc.counts).People(tc.sampled, tc.read, tc.total, false)
		if got == nil {
			t.Fatalf("%v: no people", tc.counts)
		}
		if tc.want.Estimate == 0 {
			tc.want.Estimate = got.Estimate // a sketch: checked by TestDistinct
		}
		got.Method = ""
		if !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%v: %+v, want %+v", tc.counts, *got, tc.want)
		}
	}
	if p := (PeopleCounter{}).People(false, 1, 1, true); p != nil {
		t.Errorf("no identifiers: %+v", p)
	}
}

// TestPeopleInEveryFormat: "≈ N people" with the identifier and the bound
// in the table, Markdown and HTML reports and the notification guidance.
func TestPeopleInEveryFormat(t *testing.T) {
	r := sampleReport()
	pc := PeopleCounter{}
	for i := 0; i < 1234; i++ {
		pc.Add("phone", hashOf(uint64(i)))
	}
	c := &r.Targets[0].Containers[0]
	c.People = pc.People(true, c.SampledDocuments, c.EstimatedDocuments, true)
	Finish(r, RiskModel{}, false)
	if r.Summary.People == nil || r.Targets[0].People == nil || r.Summary.NotificationGuidance[0].People == nil {
		t.Fatalf("people not rolled up: %+v %+v", r.Summary.People, r.Targets[0].People)
	}
	want := "≈ 1,234 people or more (phone, exact; lower bound: a sample)"
	for _, format := range []string{"table", "markdown", "html"} {
		var buf bytes.Buffer
		if err := Write(&buf, r, format, TableOptions{Width: 200}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if n := strings.Count(out, want); n < 3 {
			t.Errorf("%s: %q appears %d times, want at least 3 (container, target or summary, guidance):\n%s", format, want, n, out)
		}
		if !strings.Contains(strings.Join(strings.Fields(out), " "), "scaled by documents") {
			t.Errorf("%s: the extrapolation method is not stated", format)
		}
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// TestPeopleByTag: the people of the targets carrying a tag value, a
// person found in two of them counted once, in every format.
func TestPeopleByTag(t *testing.T) {
	target := func(uri, owner string, from, to int) Target {
		pc := PeopleCounter{}
		for i := from; i < to; i++ {
			pc.Add("email", hashOf(uint64(i)))
		}
		return Target{URI: uri, Kind: "file", Tags: map[string]string{"owner": owner}, Exposure: Exposure{Notes: []string{}},
			Containers: []Container{{Name: "users.ndjson", SampledDocuments: 10, EstimatedDocuments: 10, Fields: []Field{},
				People: pc.People(false, 10, 10, true)}}}
	}
	r := &Report{SchemaVersion: SchemaVersion, Targets: []Target{
		target("/a", "payments", 0, 100), target("/b", "payments", 50, 200), target("/c", "growth", 0, 30)}}
	Finish(r, RiskModel{}, false)
	for _, tc := range []struct {
		owner string
		want  int64
	}{{"payments", 200}, {"growth", 30}} {
		if p := r.Summary.PeopleByTag["owner"][tc.owner]; p == nil || p.Estimate != tc.want {
			t.Errorf("owner=%s: %+v, want %d", tc.owner, p, tc.want)
		}
	}
	if r.Summary.People.Estimate != 200 {
		t.Errorf("whole scan: %d people, want 200", r.Summary.People.Estimate)
	}
	data, _ := json.Marshal(r)
	if err := Validate(data); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"table", "markdown", "html"} {
		var buf bytes.Buffer
		if err := Write(&buf, r, format, TableOptions{Width: 200}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "≈ 200 people (email, exact)") || !strings.Contains(buf.String(), "People by tag") {
			t.Errorf("%s: no people by tag:\n%s", format, buf.String())
		}
	}
}
