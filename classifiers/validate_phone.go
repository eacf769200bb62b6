package classifiers

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers"
)

var phoneRegions = []string{"US", "GB", "DE", "FR", "ES", "IT", "PT", "NL", "BE", "CH", "AT", "IE", "CA", "BR", "MX", "AU"}

// validPhone validates with libphonenumber. An international number (+ or
// 00) must be valid for its country; a national one is accepted only when
// the field's name says phone and some common region validates it.
func validPhone(s string, named bool) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "tel:"), "TEL:")
	if notPhoneShape(s) {
		return false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits++
		}
	}
	if digits < 7 || digits > 15 {
		return false
	}
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "00") {
		if strings.HasPrefix(s, "00") && !named && isDigits(s) {
			return false // an unformatted number starting with 00 is more often an id
		}
		return validIntlPhone(s)
	}
	if !named {
		return false
	}
	// any region will do: the one that accepted the last number is tried
	// first (numbers of one data set tend to share a region), then the
	// others in order
	h := int(phoneRegionHint.Load())
	if validForRegion(s, phoneRegions[h]) {
		return true
	}
	for i, r := range phoneRegions {
		if i != h && validForRegion(s, r) {
			phoneRegionHint.Store(uint32(i))
			return true
		}
	}
	return false
}

// phoneRegionHint is the index in phoneRegions of the region that last
// validated a national number in validPhone. It only orders the tries.
var phoneRegionHint atomic.Uint32

// validForRegion reports whether libphonenumber parses s for the region
// into a number valid there. A number written with digits and separators
// only is checked against precompiled metadata (regionMeta.valid), which
// gives libphonenumber's answer without its parse; anything else is
// parsed.
func validForRegion(s, region string) bool {
	var a [24]byte
	if d, plain := nationalDigits(s, a[:0]); plain && len(d) >= 3 {
		if m := metaFor(region); m != nil {
			if v, ok := m.valid(d); ok {
				return v
			}
		}
	}
	n, err := parsePhone(s, region)
	return err == nil && phonenumbers.IsValidNumberForRegion(n, region)
}

// nationalDigits appends the digits of s to d. plain is false when s holds
// anything but digits and the separators " -()./" (letters, which
// libphonenumber would read as a vanity number or an extension).
func nationalDigits(s string, d []byte) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if len(d) == cap(d) {
				return d, false
			}
			d = append(d, c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		default:
			return d, false
		}
	}
	return d, true
}

// numDesc is a number description of the metadata (general, fixed line,
// mobile...): its possible lengths and its anchored pattern.
type numDesc struct {
	lens  []int32
	re    *regexp.Regexp
	shape shapeFilter // lengths and digits at fixed positions a match can have
	dfa   *asciiDFA   // re as an automaton (dfa.go)
}

func newNumDesc(d *phonenumbers.PhoneNumberDesc) *numDesc {
	if d == nil || d.GetNationalNumberPattern() == "" {
		return nil
	}
	re, err := regexp.Compile("^(?:" + d.GetNationalNumberPattern() + ")$")
	if err != nil {
		return nil
	}
	return &numDesc{lens: d.GetPossibleLength(), re: re, dfa: newASCIIDFA(re.String()),
		shape: newShapeFilter([]string{d.GetNationalNumberPattern()})}
}

// matches is libphonenumber's isNumberMatchingDesc.
func (nd *numDesc) matches(n []byte) bool {
	if nd == nil {
		return false
	}
	if len(nd.lens) > 0 && !slices.Contains(nd.lens, int32(len(n))) {
		return false
	}
	if !nd.shape.mayBytes(n) {
		return false
	}
	if ok, decided := nd.dfa.matchBytes(n); decided {
		return ok
	}
	return nd.re.Match(n)
}

// regionMeta is what validating a national number of one region needs
// from the libphonenumber metadata, compiled once.
type regionMeta struct {
	id        uint32         // a number of its own, for phoneMemo
	cc        []byte         // country calling code
	idd       *regexp.Regexp // international prefix, anchored
	npp       *regexp.Regexp // national prefix for parsing, anchored (nil: none)
	iddFirst  firstSet       // bytes a match of idd can start with
	nppFirst  firstSet       // bytes a match of npp can start with
	nppRule   string         // transform rule of the national prefix ("$2")
	general   *numDesc
	genRE     *regexp.Regexp // the general pattern, without the length check
	types     []*numDesc     // fixed line, mobile, then the other types
	possible  []int32        // general possible lengths
	local     []int32        // general local-only lengths
	leading   *regexp.Regexp // leading digits of a region sharing its calling code, anchored (nil: none)
	leadFirst firstSet       // bytes a match of leading can start with
}

var regionMetas sync.Map // region → *regionMeta (nil: not known)

// regionMetaFast holds the metadata of two-letter regions once looked up
// (noRegionMeta: none), so that the validation loops over regions skip the
// map; other region codes ("001") go through regionMetas.
var (
	regionMetaFast [26 * 26]atomic.Pointer[regionMeta]
	noRegionMeta   = new(regionMeta)
	regionMetaIDs  atomic.Uint32
)

func metaFor(region string) *regionMeta {
	var fast *atomic.Pointer[regionMeta]
	if len(region) == 2 && region[0] >= 'A' && region[0] <= 'Z' && region[1] >= 'A' && region[1] <= 'Z' {
		fast = &regionMetaFast[int(region[0]-'A')*26+int(region[1]-'A')]
		if m := fast.Load(); m != nil {
			if m == noRegionMeta {
				return nil
			}
			return m
		}
	}
	v, ok := regionMetas.Load(region)
	if !ok {
		var m *regionMeta
		if coll, err := phonenumbers.MetadataCollection(); err == nil {
			for _, md := range coll.GetMetadata() {
				if md.GetId() == region {
					m = newRegionMeta(md)
					break
				}
			}
		}
		if m != nil {
			m.id = regionMetaIDs.Add(1)
		}
		v, _ = regionMetas.LoadOrStore(region, m)
	}
	m := v.(*regionMeta)
	if fast != nil {
		if m == nil {
			fast.Store(noRegionMeta)
		} else {
			fast.Store(m)
		}
	}
	return m
}

func newRegionMeta(md *phonenumbers.PhoneMetadata) *regionMeta {
	m := &regionMeta{cc: []byte(strconv.Itoa(int(md.GetCountryCode()))), nppRule: md.GetNationalPrefixTransformRule(),
		general: newNumDesc(md.GetGeneralDesc())}
	if m.general == nil || len(md.GetGeneralDesc().GetPossibleLength()) == 0 {
		return nil
	}
	m.genRE = m.general.re
	m.possible = md.GetGeneralDesc().GetPossibleLength()
	m.local = md.GetGeneralDesc().GetPossibleLengthLocalOnly()
	var err error
	if m.idd, err = regexp.Compile("^(?:" + md.GetInternationalPrefix() + ")"); err != nil || md.GetInternationalPrefix() == "" {
		return nil
	}
	m.iddFirst, _ = patternFirstSet(md.GetInternationalPrefix())
	if p := md.GetNationalPrefixForParsing(); p != "" {
		if m.npp, err = regexp.Compile("^(?:" + p + ")"); err != nil {
			return nil
		}
		m.nppFirst, _ = patternFirstSet(p)
	}
	if p := md.GetLeadingDigits(); p != "" {
		if m.leading, err = regexp.Compile("^(?:" + p + ")"); err != nil {
			return nil
		}
		m.leadFirst, _ = patternFirstSet(p)
	}
	for _, d := range []*phonenumbers.PhoneNumberDesc{md.GetFixedLine(), md.GetMobile(), md.GetPremiumRate(), md.GetTollFree(),
		md.GetSharedCost(), md.GetVoip(), md.GetPersonalNumber(), md.GetPager(), md.GetUan(), md.GetVoicemail()} {
		if nd := newNumDesc(d); nd != nil {
			m.types = append(m.types, nd)
		}
	}
	return m
}

// valid reports what phonenumbers.Parse(s, region) followed by
// IsValidNumberForRegion says of a number written in national notation
// whose digits are d, following the library's steps: ok is false where
// those steps are not reproduced here (the digits start with an
// international prefix or the calling code), and the caller parses. TestPhoneRegionPatternsAgree and
// FuzzPhoneRegionPatterns compare it with the library.
func (m *regionMeta) valid(d []byte) (valid, ok bool) {
	n, ok := m.nsn(d)
	if !ok {
		return false, false
	}
	return len(n) >= 2 && len(n) <= 17 && m.validNSN(n), true
}

// validNSN is libphonenumber's getNumberTypeHelper(n) != UNKNOWN: n, a
// national significant number, matches the general description and one
// of the types of the region.
func (m *regionMeta) validNSN(n []byte) bool {
	e, sl := validNSNMemo.get(m, n)
	if e != nil {
		return e.ok
	}
	v := m.computeValidNSN(n)
	if e := newPhoneMemoEntry(m, n, nil, v); e != nil {
		sl.Store(e)
	}
	return v
}

func (m *regionMeta) computeValidNSN(n []byte) bool {
	if !m.general.matches(n) {
		return false
	}
	for _, t := range m.types {
		if t.matches(n) {
			return true
		}
	}
	return false
}

// nsn is the national significant number phonenumbers.Parse(s, region)
// finds in a number written in national notation whose digits are d: d
// with the region's national prefix stripped (or rewritten) where the
// library strips it. ok is false where those steps are not reproduced
// here (the digits start with an international prefix or the calling
// code). The result may share d's memory.
func (m *regionMeta) nsn(d []byte) (n []byte, ok bool) {
	e, sl := nsnMemo.get(m, d)
	if e != nil {
		return e.digits(), e.ok
	}
	n, ok = m.computeNSN(d)
	if e := newPhoneMemoEntry(m, d, n, ok); e != nil {
		sl.Store(e)
	}
	return n, ok
}

func (m *regionMeta) computeNSN(d []byte) (n []byte, ok bool) {
	if m.iddFirst.accepts(d[0]) && m.idd.Match(d) {
		return nil, false
	}
	if bytes.HasPrefix(d, m.cc) {
		return m.ccNSN(d)
	}
	return m.stripPrefix(d), true
}

// ccNSN is computeNSN for digits d that start with the region's calling
// code, as libphonenumber's maybeExtractCountryCode reads them: the code
// is taken off when the number was not of the general pattern and is
// without it (its national prefix stripped as the library strips it
// there), or when the number is too long. The rest then has its national
// prefix stripped with the metadata of the calling code's main region. ok
// is false where the calling code has no main region with compiled
// metadata.
func (m *regionMeta) ccNSN(d []byte) (n []byte, ok bool) {
	var a [32]byte
	rest := m.stripNationalPrefix(d[len(m.cc):], a[:0])
	if m.genRE.Match(d) || !m.genRE.Match(rest) {
		if m.testLength(len(d)) != phonenumbers.TOO_LONG {
			return m.stripPrefix(d), true // the code stays
		}
	}
	cc, err := strconv.Atoi(string(m.cc))
	if err != nil {
		return nil, false
	}
	main := metaFor(phonenumbers.GetRegionCodeForCountryCode(cc))
	if main == nil {
		return nil, false
	}
	if len(rest) < 2 {
		return rest, true // too short: not a valid number
	}
	return main.stripPrefix(slices.Clone(rest)), true
}

// stripNationalPrefix is libphonenumber's
// maybeStripNationalPrefixAndCarrierCode: the national prefix stripped
// (or rewritten by the transform rule) from n unless that turns a number
// of the general pattern into one that is not, without the length check
// of stripPrefix. The result may share n's memory or buf's.
func (m *regionMeta) stripNationalPrefix(n, buf []byte) []byte {
	if m.npp == nil || len(n) == 0 || !m.nppFirst.accepts(n[0]) {
		return n
	}
	loc := m.npp.FindSubmatchIndex(n)
	if loc == nil {
		return n
	}
	cand := n[loc[1]:]
	if m.nppRule != "" && loc[len(loc)-2] >= 0 {
		cand = append(m.npp.Expand(buf, []byte(m.nppRule), n, loc), n[loc[1]:]...)
	}
	if m.genRE.Match(n) && !m.genRE.Match(cand) {
		return n
	}
	return cand
}

// stripPrefix is libphonenumber's stripping of the national prefix from
// the digits n as Parse applies it: stripNationalPrefix, kept only when
// what remains has a possible length.
func (m *regionMeta) stripPrefix(n []byte) []byte {
	var a [32]byte
	cand := m.stripNationalPrefix(n, a[:0])
	if r := m.testLength(len(cand)); r == phonenumbers.IS_POSSIBLE || r == phonenumbers.TOO_LONG {
		return cand
	}
	return n
}

// nationalE164 is what phonenumbers.Parse(s, region), IsValidNumber and
// Format(E164) give for s, a number in national notation: the E.164 form,
// or "" when the number is not valid. ok is false where the steps of the
// library are not reproduced here (anything but digits and separators, an
// international prefix, a region without compiled metadata), and the
// caller parses. IsValidNumber accepts the number for the region among
// those of the calling code that libphonenumber picks: the first whose
// leading digits start the number, or else the first where it is valid.
// TestPhoneE164SkipsOnlyInvalidRegions and FuzzPhoneE164 compare it with
// the library.
func nationalE164(s, region string) (e164 string, ok bool) {
	var a [24]byte
	d, plain := nationalDigits(s, a[:0])
	if !plain || len(d) < 3 {
		return "", false
	}
	m := metaFor(region)
	if m == nil {
		return "", false
	}
	n, ok := m.nsn(d)
	if !ok {
		return "", false
	}
	return placeE164(m, phonenumbers.GetCountryCodeForRegion(region), region, n)
}

// placeE164 is IsValidNumber and Format(E164) of the national significant
// number n of calling code cc parsed with the metadata m of region: the
// number is valid for the region libphonenumber picks among those of the
// calling code, the first whose leading digits start the number, or else
// the first where it is valid.
func placeE164(m *regionMeta, cc int, region string, n []byte) (string, bool) {
	if len(n) < 2 || len(n) > 17 {
		return "", true
	}
	valid := false
	for _, rc := range phonenumbers.GetRegionCodesForCountryCode(cc) {
		o := m
		if rc != region {
			if o = metaFor(rc); o == nil {
				return "", false
			}
		}
		if o.leading != nil {
			if o.leadFirst.accepts(n[0]) && o.leading.Match(n) {
				valid = o.validNSN(n)
				break
			}
		} else if o.validNSN(n) {
			valid = true
			break
		}
	}
	if !valid {
		return "", true
	}
	return "+" + string(m.cc) + string(n), true
}

// intlE164 is what phonenumbers.Parse(s, "ZZ"), IsValidNumber and
// Format(E164) give for s, a number written with a leading "+": the
// E.164 form, or "" when the number is not valid. ok is false where the
// steps of the library are not reproduced here (anything but digits and
// separators after the "+", a calling code without a region), and the
// caller parses. The calling code is the shortest prefix of the digits
// that is one (they are prefix-free); the national prefix is stripped
// from the rest with the metadata of the calling code's main region.
func intlE164(s string) (e164 string, ok bool) {
	if len(s) < 2 || s[0] != '+' {
		return "", false
	}
	var a [24]byte
	d, plain := nationalDigits(s[1:], a[:0])
	if !plain || len(d) <= 2 || d[0] == '0' {
		return "", false
	}
	for l := 1; l <= 3; l++ {
		cc := 0
		for _, c := range d[:l] {
			cc = cc*10 + int(c-'0')
		}
		rc := phonenumbers.GetRegionCodeForCountryCode(cc)
		if rc == phonenumbers.UNKNOWN_REGION {
			continue
		}
		m := metaFor(rc)
		if m == nil || len(d)-l < 2 {
			return "", false
		}
		return placeE164(m, cc, rc, m.stripPrefix(d[l:]))
	}
	return "", false
}

// testLength is libphonenumber's testNumberLength for the general
// description.
func (m *regionMeta) testLength(l int) phonenumbers.ValidationResult {
	n := int32(l)
	if m.possible[0] == -1 {
		return phonenumbers.INVALID_LENGTH
	}
	if slices.Contains(m.local, n) {
		return phonenumbers.IS_POSSIBLE_LOCAL_ONLY
	}
	switch {
	case m.possible[0] == n:
		return phonenumbers.IS_POSSIBLE
	case m.possible[0] > n:
		return phonenumbers.TOO_SHORT
	case m.possible[len(m.possible)-1] < n:
		return phonenumbers.TOO_LONG
	case slices.Contains(m.possible[1:], n):
		return phonenumbers.IS_POSSIBLE
	}
	return phonenumbers.INVALID_LENGTH
}

// validPhoneIn validates a phone number found in a document of a known
// region: a national number valid there is accepted, under a phone-like
// field name or, written with separators ("030 1234567"), under any name.
func validPhoneIn(s string, named bool, region string) bool {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "tel:"), "TEL:")
	if notPhoneShape(t) {
		return false
	}
	if strings.HasPrefix(t, "+") || strings.HasPrefix(t, "00") || phonenumbers.GetCountryCodeForRegion(region) == 0 {
		return validPhone(s, named)
	}
	if !named && !strings.ContainsAny(t, " -()./") {
		return false
	}
	digits := 0
	for i := 0; i < len(t); i++ {
		if t[i] >= '0' && t[i] <= '9' {
			digits++
		}
	}
	if digits < 6 || digits > 15 {
		return false
	}
	if validForRegion(t, region) {
		return true
	}
	return named && validPhone(s, named)
}

// validIntlPhone validates a number written with + or 00 against the
// libphonenumber metadata without the cost of a full parse: the country
// calling code is the shortest prefix of the digits that names a country
// (calling codes are prefix-free), the rest is the national number.
func validIntlPhone(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if strings.HasPrefix(s, "00") {
		s = s[2:]
	}
	// digits only; a "(0)" trunk prefix written inside the number is dropped
	var a [24]byte
	d := a[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if len(d) == len(a) {
				return false
			}
			d = append(d, c)
		case c == '(' && i+2 < len(s) && s[i+1] == '0' && s[i+2] == ')':
			i += 2
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		default:
			return false
		}
	}
	for l := 1; l <= 3 && l < len(d); l++ {
		cc := 0
		for _, c := range d[:l] {
			cc = cc*10 + int(c-'0')
		}
		if phonenumbers.GetRegionCodeForCountryCode(cc) == phonenumbers.UNKNOWN_REGION {
			continue
		}
		nat := d[l:]
		if len(nat) < 4 || len(nat) > 17 {
			return false
		}
		re := nationalPatterns()[cc]
		return re != nil && re.Match(nat)
	}
	return false
}

// nationalPatterns maps each country calling code to the union of the
// general national-number patterns of its regions in the libphonenumber
// metadata: what IsValidNumber checks, without parsing and per-type
// pattern compilation on every call.
var nationalPatterns = sync.OnceValue(func() map[int]*regexp.Regexp {
	out := map[int]*regexp.Regexp{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return out
	}
	pats := map[int][]string{}
	for _, md := range coll.GetMetadata() {
		p := md.GetGeneralDesc().GetNationalNumberPattern()
		if p != "" {
			cc := int(md.GetCountryCode())
			pats[cc] = append(pats[cc], p)
		}
	}
	for cc, ps := range pats {
		if re, err := regexp.Compile("^(?:" + strings.Join(ps, "|") + ")$"); err == nil {
			out[cc] = re
		}
	}
	return out
})

// notPhoneShape reports whether s, though made of digits and separators,
// has the shape of something else: a calendar date (17.01.1940,
// 1940-01-17, 01/17/1940), four dot-separated groups of one to three
// digits (an IPv4 address or a version such as 4.2.17.3), a US Social
// Security number (123-45-6789) or a decimal number with a short integer
// part (52.520008, a coordinate). These are rejected before
// libphonenumber, which would accept many of them as national numbers.
func notPhoneShape(s string) bool {
	if len(s) < 6 || len(s) > 24 || s[0] < '0' || s[0] > '9' {
		return false
	}
	// split into digit groups and the separators between them
	var groups [5]string
	var seps [4]byte
	n, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			continue
		}
		if i == start || n == len(groups) {
			return false
		}
		groups[n] = s[start:i]
		if i < len(s) {
			if n == len(seps) {
				return false
			}
			seps[n] = s[i]
		}
		n++
		start = i + 1
	}
	switch n {
	case 2:
		a, b := groups[0], groups[1]
		if seps[0] == '.' && len(a) <= 3 && (a == "0" || a[0] != '0') && len(b) >= 4 {
			return true // 52.520008: a decimal number such as a coordinate
		}
	case 3:
		if seps[0] != seps[1] {
			return false
		}
		a, b, c := groups[0], groups[1], groups[2]
		switch seps[0] {
		case '.', '/', '-':
			if seps[0] == '-' && len(a) == 3 && len(b) == 2 && len(c) == 4 {
				return true // SSN
			}
			if len(c) == 4 && len(a) <= 2 && len(b) <= 2 && validYear(c) &&
				(dayMonth(a, b) || dayMonth(b, a)) {
				return true // 17.01.1940, 01/17/1940
			}
			if len(a) == 4 && len(b) <= 2 && len(c) <= 2 && validYear(a) && dayMonth(c, b) {
				return true // 1940-01-17
			}
		}
	case 4:
		if seps[0] == '.' && seps[1] == '.' && seps[2] == '.' {
			for _, g := range groups[:4] {
				if len(g) > 3 {
					return false
				}
			}
			return true // 192.168.10.20, 4.2.17.3
		}
	}
	return false
}

func atoiSmall(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func validYear(s string) bool { y := atoiSmall(s); return y >= 1800 && y <= 2199 }

func dayMonth(d, m string) bool {
	dd, mm := atoiSmall(d), atoiSmall(m)
	return dd >= 1 && dd <= 31 && mm >= 1 && mm <= 12
}
