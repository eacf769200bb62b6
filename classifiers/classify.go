package classifiers

import "math/bits"

// validate runs the rule's validator.
func (r *rule) validate(s string, named bool, region string) bool {
	if region != "" && r.regionCheck != nil {
		return r.regionCheck(s, named, region)
	}
	return r.validator(s, named)
}

func (r *rule) excludedValue(s string) bool { return r.excl != nil && r.excl.match(s) }

// minTextLen is the shortest value searched as free text; only the first
// maxTextLen bytes of a longer text are searched.
const (
	minTextLen = 12
	maxTextLen = 64 << 10
)

// Classify appends the hits of one scalar value to dst. This is the hot
// path: it does not allocate when nothing matches.
func (f *Field) Classify(v Value, dst []Hit) []Hit { return f.ClassifyIn(v, "", dst) }

// tryRule classifies s by one rule of the field, unless a hit already in
// dst[start:] covers it, and adds its hit.
func tryRule(fr *fieldRule, s string, p *profile, region string, dst []Hit, start int) []Hit {
	if covered(dst[start:], fr) {
		return dst
	}
	if h, ok := fr.classify(s, p, region, nil); ok {
		dst = addHit(dst, start, h)
	}
	return dst
}

// ClassifyIn is Classify with the region (CLDR code such as "DE") the
// value's document belongs to, from Engine.DocumentRegion: phone numbers in
// national notation are then validated for that region, and accepted
// under any field name when written with separators.
func (f *Field) ClassifyIn(v Value, region string, dst []Hit) []Hit {
	if len(f.rules) == 0 {
		return dst
	}
	s := trimSpace(v.S)
	if s == "" {
		return dst
	}
	p := profile{kw: f.kw}
	p.compute(s)
	start := len(dst)
	kb := uint8(1) << v.Kind
	text := p.spaces > 0 && p.n >= minTextLen && p.letterRun >= 3
	if m, ok := f.gate.candidates(v.Kind, &p, text); ok {
		// only the rules whose bounds the value meets, in order
		for ; m != 0; m &= m - 1 {
			dst = tryRule(&f.rules[bits.TrailingZeros64(m)], s, &p, region, dst, start)
		}
	} else {
		for i := range f.rules {
			fr := &f.rules[i]
			r := fr.r
			if r.kinds&kb == 0 {
				continue
			}
			// the length and digit bounds, inline: most rules stop here
			if (p.n < r.minLen || p.n > r.maxLen || p.digits < r.minDigits || p.digits > r.maxDigits || p.letters < r.minLetters) &&
				!(text && r.hasText && p.digitRun >= r.minDigits) {
				continue
			}
			dst = tryRule(fr, s, &p, region, dst, start)
		}
	}
	if len(dst)-start > 1 {
		dst = suppress(f, dst, start)
	}
	return dst
}

// RegionMatters reports whether the region of the value's document can
// change what ClassifyIn finds in v: only rules with a region check (phone
// numbers) read it, and only for values with as many digits as they need.
// When it is false, ClassifyIn(v, region) equals Classify(v) for every
// region, and callers may reuse a result across documents.
func (f *Field) RegionMatters(v Value) bool {
	if len(f.regional) == 0 {
		return false
	}
	digits := 0
	for i := 0; i < len(v.S); i++ {
		if v.S[i] >= '0' && v.S[i] <= '9' {
			digits++
		}
	}
	kb := uint8(1) << v.Kind
	for _, r := range f.regional {
		if r.kinds&kb != 0 && digits >= r.minDigits {
			return true
		}
	}
	return false
}

// covered reports whether hits already hold fr's category with at least
// the confidence fr could give, which makes running fr pointless.
func covered(hits []Hit, fr *fieldRule) bool {
	for i := range hits {
		if hits[i].Category == fr.r.category {
			return hits[i].Confidence >= fr.maxConf
		}
	}
	return false
}

// trace records why a rule did or did not fire, for Explain.
type trace struct{ stage string }

// classify runs one rule on a trimmed value.
func (fr *fieldRule) classify(s string, p *profile, region string, tr *trace) (Hit, bool) {
	r := fr.r
	conf, ev := fr.maxConf, fr.ev
	note := func(st string) {
		if tr != nil {
			tr.stage = st
		}
	}
	if r.nameOnly {
		if !fr.prefilter(p, s, true) {
			note("prefilter")
			return Hit{}, false
		}
		if r.validator != nil && !r.validate(s, true, region) {
			note("validator")
			return Hit{}, false
		}
		if r.excludedValue(s) {
			note("excluded value")
			return Hit{}, false
		}
		if r.validator != nil {
			ev |= EvValidator
		}
		return Hit{Category: r.category, Confidence: conf, Evidence: ev, Rule: r.id}, true
	}
	if fr.prefilter(p, s, true) {
		if r.minEntropy > 0 && entropy(s) < r.minEntropy {
			note("entropy")
		} else {
			matched := r.whole == nil || r.first.accepts(s[0]) && r.shape.may(s, p) && r.whole.match(s)
			if !matched {
				note("pattern")
			} else if r.validator != nil && !r.validate(s, fr.named, region) {
				note("validator")
			} else if r.excludedValue(s) {
				note("excluded value")
			} else {
				if len(r.matchers) > 0 {
					ev |= EvValue
				}
				if r.validator != nil {
					ev |= EvValidator
				}
				return Hit{Category: r.category, Confidence: conf, Evidence: ev, Rule: r.id}, true
			}
		}
	} else {
		note("prefilter")
	}
	// free text: search inside values that hold words
	if len(r.textMatchers) == 0 || p.spaces == 0 || p.n < minTextLen || p.letterRun < 3 || !fr.prefilter(p, s, false) {
		return Hit{}, false
	}
	if len(s) > maxTextLen {
		s = s[:maxTextLen] // bounded work per value; a match at the cut is lost
	}
	for _, m := range r.textMatchers {
		if rm, ok := m.(*re2Matcher); ok && !p.nonASCII && (!rm.contain.may(s) || !rm.textLits.may(s)) {
			continue // nowhere can a match start, or the text lacks what every match holds
		}
		from := 0
		for from < len(s) {
			a, b, ok := m.find(s, from)
			if !ok {
				break
			}
			sub := s[a:b]
			if (r.validator == nil || r.validate(sub, fr.named, region)) && !r.excludedValue(sub) &&
				(r.minEntropy == 0 || entropy(sub) >= r.minEntropy) {
				ev |= EvValue
				if r.validator != nil {
					ev |= EvValidator
				}
				return Hit{Category: r.category, Confidence: conf, Evidence: ev, Rule: r.id, Start: a, End: b}, true
			}
			if b <= from {
				b = from + 1
			}
			from = b
		}
	}
	note("text search")
	return Hit{}, false
}

// addHit appends h, or merges it into a hit of the same category already in
// dst[start:] (keeping the higher confidence and the union of evidence).
func addHit(dst []Hit, start int, h Hit) []Hit {
	for i := start; i < len(dst); i++ {
		if dst[i].Category == h.Category {
			ev := dst[i].Evidence | h.Evidence
			if h.Confidence > dst[i].Confidence {
				dst[i] = h
			}
			dst[i].Evidence = ev
			return dst
		}
	}
	return append(dst, h)
}

// suppress drops hits whose category another hit's rule suppresses (a
// value that is a valid IBAN is not also reported as a bank account).
func suppress(f *Field, dst []Hit, start int) []Hit {
	var drop [8]string
	nd := 0
	for _, h := range dst[start:] {
		r := f.e.ruleByID(h.Rule)
		if r == nil {
			continue
		}
		for _, c := range r.suppress {
			if nd < len(drop) {
				drop[nd] = c
				nd++
			}
		}
	}
	if nd == 0 {
		return dst
	}
	out := dst[:start]
	for _, h := range dst[start:] {
		keep := true
		for _, c := range drop[:nd] {
			if h.Category == c {
				keep = false
			}
		}
		if keep {
			out = append(out, h)
		}
	}
	return out
}

func (e *Engine) ruleByID(id string) *rule {
	for _, r := range e.rules {
		if r.id == id {
			return r
		}
	}
	return nil
}

func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f'
}
