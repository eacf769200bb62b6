package report

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math"
	"slices"
	"strings"

	"github.com/axiomhq/hyperloglog"
)

// People is the estimated number of distinct data subjects (people) of a
// container, a target, a tag or the whole scan, counted from the strongest
// identifier found there.
type People struct {
	// Estimate is the number of distinct values of Identifier found in the
	// documents read.
	Estimate int64 `json:"estimate"`
	// Identifier is the category counted: email (case-folded), phone
	// (E.164), national_id, passport_number or credit_card.
	Identifier string `json:"identifier"`
	// ErrorBound is the relative half-width of the 95% interval of
	// Estimate: 0 for an exact count, about 0.016 for a sketch.
	ErrorBound float64 `json:"error_bound"`
	// Exact says that Estimate is an exact count of distinct values.
	Exact bool `json:"exact"`
	// LowerBound says that not every document was read (a sample): the
	// container holds at least Estimate people, probably more.
	LowerBound bool `json:"lower_bound"`
	// Extrapolated scales a sample's estimate to the whole container
	// (Estimate × estimated documents ÷ documents read); 0 when every
	// document was read. It assumes the identifiers of the documents not
	// read are as often new as those read, and so overstates the count of
	// a container where people recur.
	Extrapolated int64 `json:"extrapolated,omitempty"`
	// Method says how Estimate was counted, in words.
	Method string `json:"method"`
	// Sketches are the distinct-count sketches by identifier category,
	// which report merge combines exactly (containers only). Each holds
	// keyed hashes only: no value can be recovered from it.
	Sketches map[string]string `json:"sketches,omitempty"`
}

// PeopleIdentifiers are the categories whose values identify a person, from
// the strongest: when several are found, the one with the most distinct
// values is used, the strongest on ties.
var PeopleIdentifiers = []string{"national_id", "passport_number", "email", "phone", "credit_card"}

// IsPeopleIdentifier says whether values of category are counted as people.
func IsPeopleIdentifier(category string) bool { return slices.Contains(PeopleIdentifiers, category) }

// ExactLimit is the number of distinct values counted exactly; above it a
// HyperLogLog sketch (precision 14, 16,384 one-byte registers) takes over.
const ExactLimit = 2048

// sketchError is the relative half-width of the 95% interval of a
// precision-14 HyperLogLog estimate: 1.96 × 1.04 / √16384.
var sketchError = round1000(1.96 * 1.04 / math.Sqrt(16384))

// Distinct counts distinct keyed hashes: exactly up to ExactLimit, then
// with a HyperLogLog sketch. The zero value is empty and ready to use.
type Distinct struct {
	exact map[uint64]struct{}
	hll   *hyperloglog.Sketch
}

// Add counts one keyed hash.
func (d *Distinct) Add(h uint64) {
	if d.hll != nil {
		d.hll.InsertHash(h)
		return
	}
	if d.exact == nil {
		d.exact = make(map[uint64]struct{})
	}
	d.exact[h] = struct{}{}
	if len(d.exact) > ExactLimit {
		d.toSketch()
	}
}

func (d *Distinct) toSketch() {
	d.hll = hyperloglog.NewNoSparse()
	for h := range d.exact {
		d.hll.InsertHash(h)
	}
	d.exact = nil
}

// Merge adds every value counted by o to d.
func (d *Distinct) Merge(o *Distinct) {
	if o == nil {
		return
	}
	if o.hll != nil {
		if d.hll == nil {
			d.toSketch()
		}
		_ = d.hll.Merge(o.hll) // same precision: cannot fail
		return
	}
	for h := range o.exact {
		d.Add(h)
	}
}

// Count is the number of distinct values and whether it is exact.
func (d *Distinct) Count() (int64, bool) {
	if d == nil {
		return 0, true
	}
	if d.hll != nil {
		return int64(d.hll.Estimate()), false
	}
	return int64(len(d.exact)), true
}

// Empty says that nothing was counted.
func (d *Distinct) Empty() bool { return d == nil || (d.hll == nil && len(d.exact) == 0) }

// Encode writes d as text: "x:" and the sorted hashes (8 bytes each) for an
// exact count, "h:" and the sketch's registers for a sketch, in base64.
func (d *Distinct) Encode() string {
	if d.hll != nil {
		b, err := d.hll.MarshalBinary()
		if err != nil {
			return ""
		}
		return "h:" + base64.StdEncoding.EncodeToString(b)
	}
	hs := make([]uint64, 0, len(d.exact))
	for h := range d.exact {
		hs = append(hs, h)
	}
	slices.Sort(hs)
	b := make([]byte, 0, 8*len(hs))
	for _, h := range hs {
		b = binary.BigEndian.AppendUint64(b, h)
	}
	return "x:" + base64.StdEncoding.EncodeToString(b)
}

// DecodeDistinct reads what Encode wrote.
func DecodeDistinct(s string) (*Distinct, error) {
	kind, data, ok := strings.Cut(s, ":")
	if !ok {
		return nil, errors.New("a sketch is \"x:\" or \"h:\" and base64")
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, fmt.Errorf("sketch: %w", err)
	}
	d := &Distinct{}
	switch kind {
	case "x":
		if len(b)%8 != 0 || len(b)/8 > ExactLimit {
			return nil, fmt.Errorf("exact sketch of %d bytes: want at most %d hashes of 8 bytes", len(b), ExactLimit)
		}
		d.exact = make(map[uint64]struct{}, len(b)/8)
		for i := 0; i < len(b); i += 8 {
			d.exact[binary.BigEndian.Uint64(b[i:])] = struct{}{}
		}
	case "h":
		sk := hyperloglog.NewNoSparse()
		if err := sk.UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("sketch: %w", err)
		}
		ref := hyperloglog.NewNoSparse()
		if err := ref.Merge(sk); err != nil {
			return nil, fmt.Errorf("sketch: not of precision 14: %w", err)
		}
		d.hll = ref
	default:
		return nil, fmt.Errorf("unknown sketch kind %q", kind)
	}
	return d, nil
}

// PeopleHasher hashes identifier values with a key, so that sketches hold
// no value and cannot be tested against a guessed value without the key.
// Shards of one scan must use the same key for their sketches to merge: it
// is derived from the scan's seed and an optional secret
// ($PIISNIFF_PEOPLE_KEY), never stored in the report. Not safe for
// concurrent use: one per worker.
type PeopleHasher struct {
	mac hash.Hash
	in  []byte // category, a zero byte and the value: one Write
	buf []byte
}

// NewPeopleHasher returns a hasher keyed by seed and secret.
func NewPeopleHasher(seed int64, secret string) *PeopleHasher {
	return &PeopleHasher{mac: hmac.New(sha256.New, peopleKey(seed, secret))}
}

func peopleKey(seed int64, secret string) []byte {
	k := sha256.New()
	fmt.Fprintf(k, "piisniff people v1\x00%d\x00%s", seed, secret)
	return k.Sum(nil)
}

// PeopleKeyCheck identifies the key of the people sketches without
// revealing it (the first 8 bytes of an HMAC of a constant, in hex), for
// Settings.PeopleKey: shards hashing with different keys would count one
// person once per key, so the check is part of the merge fingerprint.
func PeopleKeyCheck(seed int64, secret string) string {
	m := hmac.New(sha256.New, peopleKey(seed, secret))
	m.Write([]byte("piisniff people key check"))
	return fmt.Sprintf("%x", m.Sum(nil)[:8])
}

// Sum is the keyed hash of an identifier of a category, already normalised.
func (p *PeopleHasher) Sum(category, normalised string) uint64 {
	p.mac.Reset()
	p.in = append(append(append(p.in[:0], category...), 0), normalised...)
	p.mac.Write(p.in)
	p.buf = p.mac.Sum(p.buf[:0])
	return binary.BigEndian.Uint64(p.buf)
}

// PeopleCounter counts distinct identifiers by category.
type PeopleCounter map[string]*Distinct

// Add counts one keyed hash of a category.
func (pc PeopleCounter) Add(category string, h uint64) {
	d := pc[category]
	if d == nil {
		d = &Distinct{}
		pc[category] = d
	}
	d.Add(h)
}

// Merge adds o to pc.
func (pc PeopleCounter) Merge(o PeopleCounter) {
	for cat, d := range o {
		if d.Empty() {
			continue
		}
		mine := pc[cat]
		if mine == nil {
			mine = &Distinct{}
			pc[cat] = mine
		}
		mine.Merge(d)
	}
}

// Sketches encodes every non-empty count.
func (pc PeopleCounter) Sketches() map[string]string {
	if len(pc) == 0 {
		return nil
	}
	out := map[string]string{}
	for cat, d := range pc {
		if !d.Empty() {
			out[cat] = d.Encode()
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// DecodePeople reads the sketches of a People.
func DecodePeople(p *People) (PeopleCounter, error) {
	pc := PeopleCounter{}
	if p == nil {
		return pc, nil
	}
	for cat, s := range p.Sketches {
		if !IsPeopleIdentifier(cat) {
			return nil, fmt.Errorf("people sketch of %q: not an identifier category", cat)
		}
		d, err := DecodeDistinct(s)
		if err != nil {
			return nil, fmt.Errorf("people sketch of %s: %w", cat, err)
		}
		pc[cat] = d
	}
	return pc, nil
}

// People is the estimate of pc: the identifier with the most distinct
// values, the strongest on ties. read and total are the documents read and
// the estimated documents (for a container; pass read = total for a
// roll-up), sampled that not every document was read. It returns nil when
// no identifier was counted.
func (pc PeopleCounter) People(sampled bool, read, total int64, withSketches bool) *People {
	var best string
	var n int64
	exact := true
	for _, cat := range PeopleIdentifiers {
		c, ex := pc[cat].Count()
		if c > n {
			best, n, exact = cat, c, ex
		}
	}
	if best == "" {
		return nil
	}
	p := &People{Estimate: n, Identifier: best, Exact: exact, LowerBound: sampled}
	if !exact {
		p.ErrorBound = sketchError
	}
	how := "exact count of distinct " + identifierWords(best)
	if !exact {
		how = fmt.Sprintf("HyperLogLog estimate (±%.1f%%, 95%%) of distinct %s", 100*sketchError, identifierWords(best))
	}
	if sampled {
		how += " in the documents read: a lower bound"
		if read > 0 && total > read {
			p.Extrapolated = int64(math.Round(float64(n) * float64(total) / float64(read)))
			how += fmt.Sprintf("; scaled by documents (× %d/%d) about %d", total, read, p.Extrapolated)
		}
	} else {
		how += " in every document"
	}
	p.Method = how
	if withSketches {
		p.Sketches = pc.Sketches()
	}
	return p
}

func identifierWords(cat string) string {
	switch cat {
	case "email":
		return "e-mail addresses (case-folded)"
	case "phone":
		return "phone numbers (E.164)"
	case "national_id":
		return "national ids"
	case "passport_number":
		return "passport numbers"
	case "credit_card":
		return "card numbers"
	}
	return cat
}

// PeopleText is how reports show a count of people: "≈ 1,234 people
// (email, exact)", "≈ 25,310 people (email, ±1.6%)", and for a sample
// "≈ 1,234 people or more (email, exact; lower bound: a sample)". It is ""
// when no identifier was found.
func PeopleText(p *People) string {
	if p == nil {
		return ""
	}
	noun := "people"
	if p.Estimate == 1 {
		noun = "person"
	}
	bound := "exact"
	if !p.Exact {
		bound = fmt.Sprintf("±%.1f%%", 100*p.ErrorBound)
	}
	if p.LowerBound {
		return fmt.Sprintf("≈ %s %s or more (%s, %s; lower bound: a sample)", thousands(p.Estimate), noun, p.Identifier, bound)
	}
	return fmt.Sprintf("≈ %s %s (%s, %s)", thousands(p.Estimate), noun, p.Identifier, bound)
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ContainerPeople is one line of the people table of the reports.
type ContainerPeople struct {
	Target, Container string
	Read, Estimated   int64
	People            *People
}

// PeopleByContainer lists the containers where people were counted, the
// most people first.
func PeopleByContainer(r *Report) []ContainerPeople {
	var out []ContainerPeople
	for _, t := range r.Targets {
		for _, c := range t.Containers {
			if c.People != nil {
				out = append(out, ContainerPeople{Target: t.URI, Container: c.Name, Read: c.SampledDocuments,
					Estimated: c.EstimatedDocuments, People: c.People})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b ContainerPeople) int {
		if a.People.Estimate != b.People.Estimate {
			return int(b.People.Estimate - a.People.Estimate)
		}
		return strings.Compare(a.Container, b.Container)
	})
	return out
}

// TagPeople is one line of the people-by-tag list of the reports.
type TagPeople struct {
	Tag, Value string
	People     *People
}

// PeopleByTag lists the people of each tag value, by tag then value.
func PeopleByTag(r *Report) []TagPeople {
	var out []TagPeople
	for k, vals := range r.Summary.PeopleByTag {
		for v, p := range vals {
			if p != nil {
				out = append(out, TagPeople{Tag: k, Value: v, People: p})
			}
		}
	}
	slices.SortFunc(out, func(a, b TagPeople) int {
		if c := strings.Compare(a.Tag, b.Tag); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out
}
