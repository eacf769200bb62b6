package classifiers

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// keywordIndex finds the prefilter keywords of all an engine's rules in one
// pass over a value, instead of each rule searching the value for each of
// its keywords in turn. It is an Aho-Corasick automaton compiled into a
// table: one lookup per byte of the value, whatever the number of keywords.
//
// A rule needs one keyword of its list. The index numbers the distinct
// lists of the engine's rules (rules with the same list share a number)
// and tells, for a value, the set of lists one keyword of which occurs in
// it, as bits; each rule then tests its own bit. The set is computed when
// the first rule of a value asks for it, at most once per value
// (profile.keywordLists). Until then, a rule none of whose keywords has all
// its bytes in the value (the value's profile tells, without reading it)
// gets its answer without the pass: most values a keyword rule sees lack
// a byte of each of its keywords.
//
// A keyword is found where containsFold finds it: the value's ASCII
// letters are read in lower case (an upper-case letter has the input class
// of its lower-case form) and every other byte, non-ASCII ones included,
// must equal the keyword's. Keywords are lower case (compileRule lowers
// them); one holding an upper-case ASCII letter would never be found by
// containsFold, and is left out.
//
// Only maxKeywordLists lists get a bit: the rules of any further list look
// for their keywords one by one (rule.hasKeywordEach), which answers the
// same.
type keywordIndex struct {
	class  [256]uint8  // input class of each byte; 0 for the bytes of no keyword
	trans  []uint32    // at state<<shift + class: the next state<<shift, with kwOut set when keywords end there
	out    []uint64    // by state: the lists of the keywords that end there
	shift  uint        // log2 of a state's row: a power of two, at least the number of classes
	always uint64      // lists holding the empty keyword, found in every value
	list   []uint8     // by index of the engine's rules: 1 + the number of the rule's list, or 0 (no keywords, or past maxKeywordLists)
	chars  [][]charSet // by list: the ASCII bytes of each of its keywords
}

// kwOut flags, in a transition, a state where keywords end.
const kwOut = 1 << 31

// maxKeywordLists is the number of keyword lists an index tells apart:
// the bits of a uint64.
const maxKeywordLists = 64

// newKeywordIndex compiles the keywords of rules.
func newKeywordIndex(rules []*rule) *keywordIndex {
	x := &keywordIndex{list: make([]uint8, len(rules))}
	lists := map[string]int{}    // a rule's keywords, sorted and quoted → the list's number
	masks := map[string]uint64{} // keyword → the lists holding it
	var words []string           // the keywords, in the order of the rules
	size := 1                    // the automaton's states: at most the keywords' bytes and the start
	for i, r := range rules {
		if len(r.keywords) == 0 {
			continue
		}
		ks := slices.Compact(slices.Sorted(slices.Values(r.keywords)))
		key := fmt.Sprintf("%q", ks)
		l, ok := lists[key]
		if !ok {
			if len(lists) == maxKeywordLists {
				continue
			}
			l = len(lists)
			lists[key] = l
			x.chars = append(x.chars, keywordChars(ks))
		}
		x.list[i] = uint8(1 + l)
		bit := uint64(1) << l
		for _, k := range ks {
			switch {
			case k == "":
				x.always |= bit
			case strings.ContainsFunc(k, func(c rune) bool { return c >= 'A' && c <= 'Z' }):
				// never found
			default:
				if masks[k] == 0 {
					words = append(words, k)
					size += len(k)
				}
				masks[k] |= bit
			}
		}
	}
	n := 1 // classes; 0 is every byte of no keyword
	for _, k := range words {
		for i := 0; i < len(k); i++ {
			if x.class[k[i]] == 0 {
				x.class[k[i]] = uint8(n)
				n++
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		x.class[c] = x.class[c+'a'-'A']
	}
	for 1<<x.shift < n {
		x.shift++
	}
	stride := 1 << x.shift
	if uint64(size)<<x.shift >= kwOut {
		clear(x.list) // a table this size is no use: every rule looks for its own keywords
		return x
	}

	// The trie of the keywords: next[s*stride+c] is the state after s on
	// class c, 0 (the start, which no edge of the trie leads to) for none.
	next := make([]int32, stride, size*stride)
	out := make([]uint64, 1, size)
	for _, k := range words {
		s := 0
		for i := 0; i < len(k); i++ {
			e := s*stride + int(x.class[k[i]])
			if next[e] == 0 {
				next[e] = int32(len(out))
				out = append(out, 0)
				next = append(next, make([]int32, stride)...)
			}
			s = int(next[e])
		}
		out[s] |= masks[k]
	}

	// Breadth first, a state's fail state is the longest proper suffix of
	// its text that is a state too; it is nearer the start, so its row is
	// complete already. The state takes the fail state's move on each class
	// it has no edge for, and ends the keywords the fail state ends.
	fail := make([]int32, len(out))
	queue := make([]int32, 0, len(out))
	for c := 0; c < stride; c++ {
		if t := next[c]; t != 0 {
			queue = append(queue, t) // fail 0, the start
		}
	}
	for h := 0; h < len(queue); h++ {
		s := int(queue[h])
		f := int(fail[s])
		out[s] |= out[f]
		for c := 0; c < stride; c++ {
			e := s*stride + c
			if t := next[e]; t != 0 {
				fail[t] = next[f*stride+c]
				queue = append(queue, t)
			} else {
				next[e] = next[f*stride+c]
			}
		}
	}

	x.trans = make([]uint32, len(next))
	for e, t := range next {
		x.trans[e] = uint32(t) << x.shift
		if out[t] != 0 {
			x.trans[e] |= kwOut
		}
	}
	x.out = out
	return x
}

// keywordChars is the set of ASCII bytes of each keyword of ks.
func keywordChars(ks []string) []charSet {
	cs := make([]charSet, len(ks))
	for j, k := range ks {
		for i := 0; i < len(k); i++ {
			if k[i] < utf8.RuneSelf {
				cs[j].add(k[i])
			}
		}
	}
	return cs
}

// find returns the lists one keyword of which occurs in s.
func (x *keywordIndex) find(s string) uint64 {
	found := x.always
	trans, class, out, shift := x.trans, &x.class, x.out, x.shift
	st := uint32(0)
	for i := 0; i < len(s); i++ {
		st = trans[st+uint32(class[s[i]])]
		if st&kwOut != 0 {
			st &^= kwOut
			found |= out[st>>shift]
		}
	}
	return found
}

// mayHoldOne reports whether the value p profiles holds every byte of
// one of the sets, an upper-case letter standing for its lower case as
// well: whether one of the keywords whose bytes they are may occur in it.
func (p *profile) mayHoldOne(sets []charSet) bool {
	const upper = 0x07fffffe // 'A'-'Z' in the second word of a charSet
	set := p.set
	set[1] |= set[1] & upper << 32
	for _, c := range sets {
		if c.within(set) {
			return true
		}
	}
	return false
}

// keywordLists returns the keyword lists found in s, the value p profiles,
// searching it the first time only.
func (p *profile) keywordLists(s string) uint64 {
	if !p.kwDone {
		p.kwFound, p.kwDone = p.kw.find(s), true
	}
	return p.kwFound
}
