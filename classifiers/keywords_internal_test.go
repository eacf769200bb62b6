package classifiers

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// keywordsEach is how each rule looked for its keywords before the keyword
// index: containsFold for each keyword whose bytes all occur in the value.
// It is the oracle of the index's tests.
func keywordsEach(s string, keywords []string) bool {
	var p profile
	p.compute(s)
	for _, k := range keywords {
		if p.hasChars(k) && containsFold(s, k) {
			return true
		}
	}
	return false
}

// bitOf is the bit of rule i's list in what find returns (0: none).
func (x *keywordIndex) bitOf(i int) uint64 {
	if x.list[i] == 0 {
		return 0
	}
	return 1 << (x.list[i] - 1)
}

// classifyEach classifies as ClassifyIn does with every rule looking for
// its own keywords in turn (rule.hasKeywordEach) instead of in the index.
func classifyEach(f *Field, v Value, region string) []Hit {
	u := *f
	u.rules = slices.Clone(f.rules)
	for i := range u.rules {
		u.rules[i].kwList = 0
	}
	return u.ClassifyIn(v, region, nil)
}

// keywordRules are rules with the given keyword lists.
func keywordRules(lists ...[]string) []*rule {
	rules := make([]*rule, len(lists))
	for i, l := range lists {
		rules[i] = &rule{id: fmt.Sprint("r", i), keywords: l}
	}
	return rules
}

// checkKeywords checks the index of rules against keywordsEach for s,
// rule by rule: what find returns, and what hasKeyword answers, the rules
// asking in turn about one profile of s as the prefilters do.
func checkKeywords(t *testing.T, x *keywordIndex, rules []*rule, s string) {
	t.Helper()
	found := x.find(s)
	p := profile{kw: x}
	p.compute(s)
	for i, r := range rules {
		if len(r.keywords) == 0 {
			continue
		}
		want := keywordsEach(s, r.keywords)
		if x.bitOf(i) != 0 && found&x.bitOf(i) != 0 != want {
			t.Fatalf("value %q, keywords %q: find %v, each keyword in turn %v", s, r.keywords, !want, want)
		}
		fr := fieldRule{r: r, kwList: x.list[i]}
		if got := fr.hasKeyword(&p, s); got != want {
			t.Fatalf("value %q, keywords %q: hasKeyword %v, each keyword in turn %v", s, r.keywords, got, want)
		}
	}
}

func TestKeywordIndex(t *testing.T) {
	rules := keywordRules(
		[]string{"bearer", "key", "secret", "token"},
		[]string{"sk_live_", "sk_test_"},
		[]string{"sg.", "sk", "key-"},
		[]string{"private key"},
		[]string{"://"},
		[]string{"clé", "straße"},
		nil,
		[]string{"token", "key", "secret", "bearer", "key"}, // the first list again
		[]string{"Upper"}, // never found, as containsFold never finds it
		[]string{"hers", "she", "his", "he"},
	)
	x := newKeywordIndex(rules)
	if x.bitOf(7) != x.bitOf(0) || x.bitOf(6) != 0 || x.bitOf(0) == x.bitOf(1) {
		t.Fatalf("lists %v", x.list)
	}
	for _, tc := range []struct {
		s    string
		want []int // rules with a keyword in s
	}{
		{"", nil},
		{"Authorization: Bearer abc", []int{0, 7}},
		{"BEARER", []int{0, 7}},
		{"my API KEY is", []int{0, 7}},
		{"kkkkkkkkkkkkkkkkkkkK Key", []int{0, 7}},
		{"KKKKKKKKKKkkkkkkkkke", nil},
		{"sk_live_4eC39HqLyjWDarjtT1zdp7dc", []int{1, 2}},
		{"SK_TEST_x", []int{1, 2}},
		{"s k", nil},
		{"ask", []int{2}},
		{"my-key-here", []int{0, 2, 7, 9}},
		{"-----BEGIN PRIVATE KEY-----", []int{0, 2, 3, 7}},
		{"private  key", []int{0, 7}},
		{"postgres://u:p@h/db", []int{4}},
		{":/:/", nil},
		{"Clé", []int{5}},
		{"CLÉ", nil}, // É is not ASCII: not folded
		{"STRAßE", []int{5}},
		{"STRASSE", nil},
		{"Upper", nil},
		{"ushers", []int{9}},
		{"xhe", []int{9}},
		{"hi", nil},
		{"toke", nil},
		{"tokentoken", []int{0, 7}},
		{"\xff\x00token\x80", []int{0, 7}},
	} {
		found := x.find(tc.s)
		var got []int
		for i := range rules {
			if found&x.bitOf(i) != 0 {
				got = append(got, i)
			}
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("find(%q): rules %v, want %v", tc.s, got, tc.want)
		}
		checkKeywords(t, x, rules, tc.s)
	}
}

// TestKeywordIndexEmpty checks an index without keywords, and the empty
// keyword (which compileRule refuses), found in every value.
func TestKeywordIndexEmpty(t *testing.T) {
	x := newKeywordIndex(keywordRules(nil, nil))
	if x.bitOf(0) != 0 || x.bitOf(1) != 0 {
		t.Fatalf("lists %v", x.list)
	}
	rules := keywordRules([]string{""}, []string{"a"})
	x = newKeywordIndex(rules)
	for _, s := range []string{"", "b", "A"} {
		checkKeywords(t, x, rules, s)
	}
	if x.find("b") != x.bitOf(0) {
		t.Fatalf("find(b) = %b", x.find("b"))
	}
}

// TestKeywordIndexPastBits checks that the rules of lists past the index's
// bits look for their own keywords, and find what the rules with a bit
// find.
func TestKeywordIndexPastBits(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nrules:\n")
	n := maxKeywordLists + 6
	for i := range n {
		fmt.Fprintf(&b, "  - id: kw%d\n    category: api_secret\n    patterns: [\"KW%d-[0-9]{6}\"]\n    text: true\n    prefilter: {keywords: [kw%d-]}\n", i, i, i)
	}
	e, err := Load(Source{Name: "many.yaml", Data: []byte(b.String())})
	if err != nil {
		t.Fatal(err)
	}
	f := e.Field("notes", "")
	if len(f.rules) != n {
		t.Fatalf("%d rules", len(f.rules))
	}
	for i := range f.rules {
		if l := f.rules[i].kwList; (l == 0) != (i >= maxKeywordLists) {
			t.Fatalf("rule %d: list %d", i, l)
		}
	}
	for _, i := range []int{0, maxKeywordLists - 1, maxKeywordLists, n - 1} {
		for _, s := range []string{fmt.Sprintf("KW%d-123456", i), fmt.Sprintf("the code is KW%d-123456, keep it", i)} {
			hits := f.Classify(Value{S: s}, nil)
			if len(hits) != 1 || hits[0].Rule != fmt.Sprint("kw", i) {
				t.Errorf("%q: hits %+v", s, hits)
			}
			if each := classifyEach(f, Value{S: s}, ""); !reflect.DeepEqual(hits, each) {
				t.Errorf("%q: hits %+v, with each rule's keywords in turn %+v", s, hits, each)
			}
			checkKeywords(t, e.keywords(), e.rules, s)
		}
	}
}

// TestKeywordListsOnce checks that a value's keyword lists are searched
// once and kept.
func TestKeywordListsOnce(t *testing.T) {
	rules := keywordRules([]string{"key"})
	x := newKeywordIndex(rules)
	p := profile{kw: x}
	p.compute("a KEY")
	if got := p.keywordLists("a KEY"); got != x.bitOf(0) || !p.kwDone {
		t.Fatalf("lists %b", got)
	}
	if got := p.keywordLists("no keyword here but the first value's lists"); got != x.bitOf(0) {
		t.Fatalf("lists searched again: %b", got)
	}
}

// TestKeywordIndexCorpus checks the default rules' index against each
// keyword in turn on the accuracy cases and generated documents, rule by
// rule and as ClassifyIn reports.
func TestKeywordIndexCorpus(t *testing.T) {
	e, fields := gateEngine(t)
	x := e.keywords()
	found := 0
	seen := map[string]bool{}
	for _, s := range shapeCorpus(t) {
		if seen[s] {
			continue
		}
		seen[s] = true
		checkKeywords(t, x, e.rules, s)
		if x.find(s) != 0 {
			found++
		}
		if len(seen) <= 3000 {
			checkKeywordHits(t, fields, s)
		}
	}
	if found == 0 {
		t.Error("no keyword found: the test compares nothing")
	}
}

func checkKeywordHits(t *testing.T, fields []*Field, s string) {
	t.Helper()
	for _, f := range fields {
		for _, region := range []string{"", "DE"} {
			v := Value{S: s}
			if got, want := f.ClassifyIn(v, region, nil), classifyEach(f, v, region); !reflect.DeepEqual(got, want) {
				t.Fatalf("field %s, region %q, value %q: %+v, with each rule's keywords in turn %+v", f.path, region, s, got, want)
			}
		}
	}
}

// keywordSeeds are values with and without the default rules' keywords.
var keywordSeeds = []string{
	"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc", "AKIAIOSFODNN7EXAMPLE",
	"ghp_16C7e42F292c6912E7710c838347Ae178B4a", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
	"https://hooks.slack.com/services/T000/B000/XXXX", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "AIzaSyD-1234567890abcdefghijklmnopqrstu",
	"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", "-----BEGIN RSA PRIVATE KEY-----",
	"mongodb+srv://admin:hunter2@cluster0.example.net/db", "POINT(13.4050 52.5200)", "srid=4326;point z (1 2 3)",
	"ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]", "the api key is in the vault, the token too", "Delivered to the front door.",
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", "65a1f0c2e4b0a1b2c3d4e5f6", "Straße 12, 10115 Berlin", "",
}

// FuzzKeywordIndex checks the default rules' keyword index against each
// rule's keywords searched in turn, and ClassifyIn against classifying with
// every rule searching its own keywords.
func FuzzKeywordIndex(f *testing.F) {
	e, fields := gateEngine(f)
	x := e.keywords()
	for _, s := range keywordSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkKeywords(t, x, e.rules, s)
		checkKeywordHits(t, fields, s)
	})
}

// FuzzKeywordIndexLists checks indexes of any keyword lists (lists split
// by ";", keywords by ",") against each keyword searched in turn.
func FuzzKeywordIndexLists(f *testing.F) {
	for _, s := range keywordSeeds {
		f.Add(s, "bearer,key,secret,token;sk_live_,sk_test_;sg.,sk,key-;private key;://;point;clé,ß")
	}
	f.Add("ushers", "he,she;his,hers;h")
	f.Add("aaaab", "aab;aaab,b;aaaa")
	f.Fuzz(func(t *testing.T, s, lists string) {
		var ls [][]string
		for _, l := range strings.Split(lists, ";") {
			ls = append(ls, strings.Split(l, ","))
		}
		rules := keywordRules(ls...)
		checkKeywords(t, newKeywordIndex(rules), rules, s)
	})
}

// BenchmarkKeywords compares the default rules' keyword index with each
// rule searching its own keywords, on the values of generated documents:
// each value is profiled, then asks every keyword rule whose length bounds
// it meets, as the prefilters do ("profile" is the profiles alone).
func BenchmarkKeywords(b *testing.B) {
	e, _ := gateEngine(b)
	x := e.keywords()
	var rules []fieldRule
	for i, r := range e.rules {
		if len(r.keywords) > 0 {
			rules = append(rules, fieldRule{r: r, kwList: x.list[i]})
		}
	}
	vals := shapeCorpus(b)
	for _, mode := range []string{"profile", "index", "each"} {
		b.Run(mode, func(b *testing.B) {
			n := 0
			for range b.N {
				for _, s := range vals {
					p := profile{kw: x}
					p.compute(s)
					for i := range rules {
						fr := &rules[i]
						if mode == "profile" || p.n < fr.r.minLen || p.n > fr.r.maxLen {
							continue
						}
						if mode == "index" && fr.hasKeyword(&p, s) || mode == "each" && fr.r.hasKeywordEach(&p, s) {
							n++
						}
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(vals)), "ns/value")
		})
	}
}
