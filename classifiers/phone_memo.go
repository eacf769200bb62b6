package classifiers

import (
	"hash/maphash"
	"strings"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers"
)

// The steps of validating a number in national notation (the national
// significant number a region's metadata make of the digits, and whether
// that number is valid there) are pure functions of the region and the
// digits, and the same value meets them twice: once when a rule validates
// it, once when the people count places it (NormaliseIdentifier), each
// time for the document's region and then the common regions in the same
// order. phoneMemo keeps the last results in a fixed number of slots, so
// that the second pass finds what the first computed. A slot holds one
// immutable entry; a collision replaces it, which costs only a recomputation.
type phoneMemo struct {
	slots [phoneMemoSlots]atomic.Pointer[phoneMemoEntry]
}

const phoneMemoSlots = 4096

type phoneMemoEntry struct {
	m    *regionMeta
	klen uint8
	nlen uint8
	ok   bool             // nsn: whether the steps are reproduced; validNSN: the answer
	key  [memoDigits]byte // the digits looked up
	n    [memoDigits]byte // nsn: the national significant number
}

// memoDigits bounds the digits an entry holds: longer keys or results are
// computed every time (numbers have at most 17 digits; nationalDigits
// stops at 24).
const memoDigits = 32

// newPhoneMemoEntry is an entry for key holding n, or nil when either is
// too long to keep. One allocation: the digits are held inline, and a hit
// hands out a slice of them (callers only read it).
func newPhoneMemoEntry(m *regionMeta, key, n []byte, ok bool) *phoneMemoEntry {
	if len(key) > memoDigits || len(n) > memoDigits {
		return nil
	}
	e := &phoneMemoEntry{m: m, klen: uint8(len(key)), nlen: uint8(len(n)), ok: ok}
	copy(e.key[:], key)
	copy(e.n[:], n)
	return e
}

// digits is the entry's n, capped so that an append copies.
func (e *phoneMemoEntry) digits() []byte { return e.n[:e.nlen:e.nlen] }

var (
	phoneMemoSeed = maphash.MakeSeed()
	nsnMemo       phoneMemo
	validNSNMemo  phoneMemo
)

func (pm *phoneMemo) slot(m *regionMeta, key []byte) *atomic.Pointer[phoneMemoEntry] {
	h := maphash.Bytes(phoneMemoSeed, key) + uint64(m.id)*0x9e3779b97f4a7c15
	return &pm.slots[h%phoneMemoSlots]
}

func (pm *phoneMemo) get(m *regionMeta, key []byte) (*phoneMemoEntry, *atomic.Pointer[phoneMemoEntry]) {
	sl := pm.slot(m, key)
	if e := sl.Load(); e != nil && e.m == m && string(e.key[:e.klen]) == string(key) {
		return e, sl
	}
	return nil, sl
}

// parsedMemo keeps the last results of phonenumbers.Parse by (text,
// region), for the numbers the precompiled metadata do not decide: the
// rule's validation and the people count parse the same values.
var parsedMemo [phoneMemoSlots]atomic.Pointer[parsedEntry]

type parsedEntry struct {
	s, region string
	n         *phonenumbers.PhoneNumber
	err       error
}

// parsePhone is phonenumbers.Parse(s, region). The number it returns is
// shared: callers only read it.
func parsePhone(s, region string) (*phonenumbers.PhoneNumber, error) {
	h := maphash.String(phoneMemoSeed, s)
	for i := 0; i < len(region); i++ {
		h = h*31 + uint64(region[i])
	}
	sl := &parsedMemo[h%phoneMemoSlots]
	if e := sl.Load(); e != nil && e.s == s && e.region == region {
		return e.n, e.err
	}
	n, err := phonenumbers.Parse(s, region)
	sl.Store(&parsedEntry{s: strings.Clone(s), region: region, n: n, err: err}) // s may share its record's memory
	return n, err
}
