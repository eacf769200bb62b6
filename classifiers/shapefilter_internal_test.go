package classifiers

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/internal/benchgen"
)

func TestShapeFilter(t *testing.T) {
	for _, tc := range []struct {
		patterns []string
		pass     []string // values the pattern matches (the filter must let them through)
		reject   []string // values the filter must reject
		off      bool     // the filter cannot restrict the pattern
	}{
		{patterns: []string{`(?i)[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}`},
			pass:   []string{"DE89 3704 0044 0532 0130 00", "gb82west12345698765432"},
			reject: []string{"SKU-415371", "c3dca1c6426c0fa46be43f94", "ORD-2025-450633", "DE89"}},
		{patterns: []string{`(?i)[0-9XYZ][0-9]{7}-?[A-Z]`, `[12][0-9]{2}(?:0[1-9]|1[0-2]|[2-9][0-9])(?:[0-9]{2}|2A|2B)[0-9]{6}[0-9]{2}`,
			`(?i)[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]`},
			pass:   []string{"12345678Z", "x1234567-l", "185057800608436", "RSSMRA85T10A562S"},
			reject: []string{"SKU-415371", "6879962899235", "e33f985105617cc5", "06-93770180", "13-11-1944"}},
		{patterns: []string{`(?i)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]`},
			pass:   []string{"AB 12 34 56 C", "jg103759a"},
			reject: []string{"SKU-266805", "AB123456E"}},
		{patterns: []string{`(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}`},
			pass:   []string{"00:1A:2b:3c:4d:5e"},
			reject: []string{"148.132.173.214"}},
		{patterns: []string{`\+?[0-9 ().-]{7,20}`}, pass: []string{"+49 30 1234567"}, reject: []string{"12345", "abc defgh"}},
		{patterns: []string{`(?i)k[a-z]+`}, pass: []string{"Kelvin", "kx"}, reject: []string{"xk", "k"}},
		{patterns: []string{`\p{L}+ \p{L}+`}, pass: []string{"Jane Doe", "José Ñúñez"}, reject: []string{"12 34"}},
		{patterns: []string{`.*`}, off: true},
		{patterns: []string{`a`, `(?s).*`}, off: true},
		{patterns: []string{`[`}, off: true},
	} {
		f := newShapeFilter(tc.patterns)
		if f.on == tc.off {
			t.Errorf("%q: on = %v", tc.patterns, f.on)
			continue
		}
		if tc.off {
			continue
		}
		whole := regexp.MustCompile(`^(?:` + strings.Join(wrapEach(tc.patterns), "|") + `)$`)
		for _, v := range tc.pass {
			if !whole.MatchString(v) {
				t.Fatalf("%q: test value %q does not match", tc.patterns, v)
			}
			if !mayShape(&f, v) {
				t.Errorf("%q: %q rejected", tc.patterns, v)
			}
		}
		for _, v := range tc.reject {
			if mayShape(&f, v) {
				t.Errorf("%q: %q let through", tc.patterns, v)
			}
		}
	}
}

func wrapEach(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = "(?:" + p + ")"
	}
	return out
}

func mayShape(f *shapeFilter, s string) bool {
	var p profile
	p.compute(s)
	return f.may(s, &p)
}

// shapeCorpus is values the filters are checked with: the accuracy cases
// and the values of generated benchmark documents.
func shapeCorpus(t testing.TB) []string {
	var vals []string
	data, err := os.ReadFile("testdata/cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Split(line, " | "); len(f) == 5 && !strings.HasPrefix(line, "#") {
			vals = append(vals, f[4])
		}
	}
	var buf bytes.Buffer
	if err := benchgen.WriteMixed(&buf, 2000, 7); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&buf)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var doc any
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		vals = appendScalars(vals, doc)
	}
	return vals
}

func appendScalars(vals []string, v any) []string {
	switch x := v.(type) {
	case map[string]any:
		for _, y := range x {
			vals = appendScalars(vals, y)
		}
	case []any:
		for _, y := range x {
			vals = appendScalars(vals, y)
		}
	case string:
		vals = append(vals, x)
	case json.Number:
		vals = append(vals, x.String())
	case float64:
		b, _ := json.Marshal(x)
		vals = append(vals, string(b))
	}
	return vals
}

// TestShapeFilterRules checks the filter of every default rule against its
// whole-value pattern on the corpus: never a value rejected that the
// pattern matches; and that the filters reject something.
func TestShapeFilterRules(t *testing.T) {
	e, err := Load(Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	vals := shapeCorpus(t)
	on, rejected, matched := 0, 0, 0
	for _, r := range e.rules {
		if !r.shape.on {
			continue
		}
		on++
		for _, v := range vals {
			s := trimSpace(v)
			if s == "" {
				continue
			}
			var p profile
			p.compute(s)
			m := r.whole.match(s)
			if m {
				matched++
			}
			if !r.shape.may(s, &p) {
				rejected++
				if m {
					t.Errorf("rule %s: filter rejects %q that the pattern matches", r.id, s)
				}
			}
		}
	}
	t.Logf("%d rules filtered, %d values rejected, %d matched", on, rejected, matched)
	if on < 10 || rejected == 0 || matched == 0 {
		t.Errorf("%d rules filtered, %d values rejected, %d matched: the test checks nothing", on, rejected, matched)
	}
}

// FuzzShapeFilter checks that the shape filter of every default rule never
// rejects a value its whole-value pattern matches.
func FuzzShapeFilter(f *testing.F) {
	e, err := Load(Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		f.Fatal(err)
	}
	for _, v := range []string{"DE89 3704 0044 0532 0130 00", "12345678Z", "RSSMRA85T10A562S", "AB 12 34 56 C",
		"jane.doe@example.com", "+49 30 1234567", "4111 1111 1111 1111", "192.168.0.1", "00:1A:2b:3c:4d:5e",
		"123-45-6789", "1985-04-12", "SKU-415371", "Jane Doe"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		s := trimSpace(v)
		if s == "" {
			return
		}
		var p profile
		p.compute(s)
		for _, r := range e.rules {
			if r.shape.on && !r.shape.may(s, &p) && r.whole.match(s) {
				t.Fatalf("rule %s: filter rejects %q that the pattern matches", r.id, s)
			}
		}
	})
}

// phoneDescs is the number descriptions of every region's metadata.
func phoneDescs(t testing.TB) []*numDesc {
	var out []*numDesc
	for r := range phonenumbers.GetSupportedRegions() {
		m := metaFor(r)
		if m == nil {
			continue
		}
		out = append(out, m.general)
		out = append(out, m.types...)
	}
	if len(out) < 200 {
		t.Fatalf("%d number descriptions", len(out))
	}
	return out
}

func checkPhoneShapes(t *testing.T, descs []*numDesc, d []byte) (rejected int) {
	for _, nd := range descs {
		if nd == nil || !nd.shape.on {
			continue
		}
		if !nd.shape.mayBytes(d) {
			rejected++
			if nd.re.Match(d) {
				t.Fatalf("pattern %s: filter rejects %q that it matches", nd.re, d)
			}
		}
	}
	return rejected
}

// TestPhoneShapeFilters checks the filters of the national number patterns
// of every region against the patterns, on the national numbers of the
// regions' example numbers and on random digit strings.
func TestPhoneShapeFilters(t *testing.T) {
	descs := phoneDescs(t)
	on := 0
	for _, nd := range descs {
		if nd != nil && nd.shape.on {
			on++
		}
	}
	var nums [][]byte
	for r := range phonenumbers.GetSupportedRegions() {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE} {
			if n := phonenumbers.GetExampleNumberForType(r, typ); n != nil {
				nums = append(nums, []byte(phonenumbers.GetNationalSignificantNumber(n)))
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 800 {
		d := make([]byte, 3+rng.IntN(15))
		for i := range d {
			d[i] = byte('0' + rng.IntN(10))
		}
		nums = append(nums, d)
	}
	rejected, matched := 0, 0
	for _, d := range nums {
		rejected += checkPhoneShapes(t, descs, d)
		for _, nd := range descs {
			if nd != nil && nd.re.Match(d) {
				matched++
			}
		}
	}
	t.Logf("%d of %d patterns filtered; %d rejections, %d matches", on, len(descs), rejected, matched)
	if on < len(descs)/2 || rejected == 0 || matched == 0 {
		t.Error("the test checks nothing")
	}
}

// FuzzPhoneShapeFilter checks the filters of every region's national
// number patterns against the patterns.
func FuzzPhoneShapeFilter(f *testing.F) {
	descs := phoneDescs(f)
	for _, s := range []string{"2015550123", "30123456", "7911123456", "0123", "8001234567"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, d []byte) { checkPhoneShapes(t, descs, d) })
}

func TestContainFilter(t *testing.T) {
	for _, tc := range []struct {
		pattern   string
		pass, rej []string
		off       bool
	}{
		{pattern: `[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}`, pass: []string{"pay to DE89 3704 0044 0532 today"},
			rej: []string{"order ORD-2025-450633 shipped", "nothing here"}},
		{pattern: `[0-9]{3}-[0-9]{2}-[0-9]{4}|[0-9]{3} [0-9]{2} [0-9]{4}`, pass: []string{"ssn 123-45-6789 ok", "ssn 123 45 6789"},
			rej: []string{"call 030 1234567", "on 2025-1-02"}},
		{pattern: `(?i)k[0-9]`, pass: []string{"x K1"}, rej: []string{"k x1"}},
		{pattern: `(?:\+|00)?[0-9]+`, off: true},
	} {
		f := newContainFilter(tc.pattern)
		if f.on == tc.off {
			t.Errorf("%s: on = %v", tc.pattern, f.on)
			continue
		}
		re := regexp.MustCompile(tc.pattern)
		for _, s := range tc.pass {
			if !re.MatchString(s) {
				t.Fatalf("%s: test text %q does not match", tc.pattern, s)
			}
			if !f.may(s) {
				t.Errorf("%s: %q rejected", tc.pattern, s)
			}
		}
		for _, s := range tc.rej {
			if f.may(s) {
				t.Errorf("%s: %q let through", tc.pattern, s)
			}
		}
	}
}

// checkContain checks the contain filter of every default rule's text
// patterns against the pattern's search on the ASCII text s.
func checkContain(t *testing.T, e *Engine, s string) (rejected int) {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return 0
		}
	}
	for _, r := range e.rules {
		for _, m := range r.textMatchers {
			rm, ok := m.(*re2Matcher)
			if !ok || !rm.contain.on || rm.contain.may(s) {
				continue
			}
			rejected++
			if a, b, found := rm.find(s, 0); found {
				t.Fatalf("rule %s: filter rejects %q where %q matches", r.id, s, s[a:b])
			}
		}
	}
	return rejected
}

// TestContainFilterRules checks the contain filters of the default rules
// on the accuracy cases and generated documents.
func TestContainFilterRules(t *testing.T) {
	e, err := Load(Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	rejected := 0
	for _, s := range shapeCorpus(t) {
		rejected += checkContain(t, e, s)
	}
	if rejected == 0 {
		t.Error("no text rejected: the test checks nothing")
	}
}

// FuzzContainFilter checks the contain filters of the default rules'
// text patterns against the patterns' search.
func FuzzContainFilter(f *testing.F) {
	e, err := Load(Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"pay to DE89 3704 0044 0532 0130 00 today", "ssn 123-45-6789", "mail jane@example.com now",
		"call +49 30 1234567", "card 4111 1111 1111 1111 exp"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkContain(t, e, s) })
}
