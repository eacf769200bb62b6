package classifiers

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// Source is one rules file: its name (for file:line errors) and content.
type Source struct {
	Name string
	Data []byte
}

// RuleInfo describes a compiled rule for `piisniff rules list`.
type RuleInfo struct {
	ID          string
	Category    string
	Group       string
	Description string
	Confidence  float64
	Validator   string
	Engine      string
	Source      string // file:line of the rule's definition
}

// Engine is an immutable, compiled rule set. It is safe for concurrent use.
type Engine struct {
	names  *sync.Map // normalised field name → *nameEval
	nNames *atomic.Int64
	rules  []*rule
	geo    bool // some rule reports geo_coordinates: Structure applies
	groupW map[string]float64
	catW   map[string]float64
	combos map[string]Combination // risk.combinations by id
	// riskModel is the merged risk model (sensitivity, matrix, bands).
	riskModel RiskModelSpec
}

// regexp2Timeout bounds one regexp2 match.
const regexp2Timeout = 50 * time.Millisecond

// Load compiles the default rules and then each user source in order. A
// user rule with the id of an earlier rule changes the keys it states and
// keeps the others (`disabled: true` alone removes the rule); a new id adds
// a rule.
func Load(sources ...Source) (*Engine, error) {
	e, _, err := load(sources)
	return e, err
}

// Check compiles one rules file merged over the given default rules (nil
// for none) and returns the warnings about that file (nested quantifiers,
// rules that can never fire); errors carry file:line.
func Check(src Source, defaults []byte) ([]Warning, error) {
	var sources []Source
	if defaults != nil {
		sources = append(sources, Source{Name: "rules.yaml (built in)", Data: defaults})
	}
	_, ws, err := load(append(sources, src))
	if err != nil {
		return nil, err
	}
	var out []Warning
	for _, w := range ws {
		if w.Source == src.Name {
			out = append(out, w)
		}
	}
	return out, nil
}

func load(sources []Source) (*Engine, []Warning, error) {
	var order []string
	specs := map[string]*ruleSpec{}
	e := &Engine{groupW: map[string]float64{}, catW: map[string]float64{}, combos: map[string]Combination{}, names: new(sync.Map), nNames: new(atomic.Int64)}
	for _, src := range sources {
		fs, err := parseFile(src)
		if err != nil {
			return nil, nil, err
		}
		seen := map[string]int{}
		for _, r := range fs.rules {
			if l, dup := seen[r.ID]; dup {
				return nil, nil, r.errf(r.line, "duplicate id (first defined on line %d)", l)
			}
			seen[r.ID] = r.line
			if base, ok := specs[r.ID]; ok {
				r = r.mergeOver(base)
			} else {
				order = append(order, r.ID)
			}
			specs[r.ID] = r
		}
		for k, v := range fs.risk.groups {
			e.groupW[k] = v
		}
		for k, v := range fs.risk.categories {
			e.catW[k] = v
		}
		mergeRiskModel(&e.riskModel, fs.risk.model)
		for id, c := range fs.risk.combinations {
			if base, ok := e.combos[id]; ok {
				e.combos[id] = mergeCombination(base, c)
			} else {
				e.combos[id] = finishCombination(c)
			}
		}
	}
	if err := checkRiskModel(e.riskModel); err != nil {
		return nil, nil, err
	}
	var warns []Warning
	for _, id := range order {
		s := specs[id]
		if s.Disabled {
			continue
		}
		r, w, err := compileRule(s)
		if err != nil {
			return nil, nil, err
		}
		warns = append(warns, w...)
		e.rules = append(e.rules, r)
		e.geo = e.geo || r.category == "geo_coordinates"
	}
	return e, warns, nil
}

// Restrict returns an engine that reports only the given categories or
// groups (all when only is empty) minus those in except.
func (e *Engine) Restrict(only, except []string) (*Engine, error) {
	for _, s := range append(append([]string(nil), only...), except...) {
		if GroupOf(s) == "" && !IsGroup(s) {
			return nil, fmt.Errorf("unknown category or group %q", s)
		}
	}
	in := func(list []string, r *rule) bool {
		for _, s := range list {
			if s == r.category || s == r.group {
				return true
			}
		}
		return false
	}
	ne := &Engine{groupW: e.groupW, catW: e.catW, combos: e.combos, names: new(sync.Map), nNames: new(atomic.Int64)}
	for _, r := range e.rules {
		if (len(only) == 0 || in(only, r)) && !in(except, r) {
			ne.rules = append(ne.rules, r)
			ne.geo = ne.geo || r.category == "geo_coordinates"
		}
	}
	return ne, nil
}

// Rules lists the compiled rules.
func (e *Engine) Rules() []RuleInfo {
	out := make([]RuleInfo, 0, len(e.rules))
	for _, r := range e.rules {
		out = append(out, RuleInfo{ID: r.id, Category: r.category, Group: r.group, Description: r.desc,
			Confidence: r.conf, Validator: r.validatorName, Engine: r.engine, Source: r.source})
	}
	return out
}

// RiskWeight is the risk weight of a category in [0, 1], from rules.yaml:
// the category's own weight, else its group's, else 0.5.
func (e *Engine) RiskWeight(category string) float64 {
	if w, ok := e.catW[category]; ok {
		return w
	}
	if w, ok := e.groupW[GroupOf(category)]; ok {
		return w
	}
	return 0.5
}

// RiskWeights returns the configured weights: per group and per category.
func (e *Engine) RiskWeights() (groups, categories map[string]float64) {
	groups, categories = map[string]float64{}, map[string]float64{}
	for k, v := range e.groupW {
		groups[k] = v
	}
	for k, v := range e.catW {
		categories[k] = v
	}
	return groups, categories
}

// matcher is a compiled value pattern of either engine.
type matcher interface {
	match(s string) bool
	// find returns the first match at or after byte offset from.
	find(s string, from int) (start, end int, ok bool)
	String() string
}

type re2Matcher struct {
	whole, text *regexp.Regexp
	src         string
}

func (m *re2Matcher) match(s string) bool { return m.whole.MatchString(s) }
func (m *re2Matcher) String() string      { return m.src }
func (m *re2Matcher) find(s string, from int) (int, int, bool) {
	loc := m.text.FindStringSubmatchIndex(s[from:])
	if loc == nil {
		return 0, 0, false
	}
	return from + loc[2], from + loc[3], true
}

type re2xMatcher struct {
	whole, text *regexp2.Regexp
	src         string
	guard       timeoutGuard
}

func (m *re2xMatcher) match(s string) bool {
	if m.guard.gaveUp() {
		return false
	}
	ok, err := m.whole.MatchString(s)
	m.guard.failed(err)
	return ok && err == nil
}
func (m *re2xMatcher) String() string { return m.src }
func (m *re2xMatcher) find(s string, from int) (int, int, bool) {
	if m.guard.gaveUp() {
		return 0, 0, false
	}
	runeFrom := utf8.RuneCountInString(s[:from])
	mt, err := m.text.FindStringMatchStartingAt(s, runeFrom)
	m.guard.failed(err)
	if err != nil || mt == nil {
		return 0, 0, false
	}
	g := mt.GroupByNumber(1)
	if g == nil {
		return 0, 0, false
	}
	start := runeOffset(s, g.Index)
	return start, start + len(g.String()), true
}

func runeOffset(s string, n int) int {
	i := 0
	for n > 0 && i < len(s) {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
		n--
	}
	return i
}

// boundaries around a pattern searched inside free text
const (
	textBefore = `(?:^|[^\p{L}\p{N}_])(`
	textAfter  = `)(?:[^\p{L}\p{N}_]|$)`
)

func compileMatcher(engine, p string, text bool) (matcher, error) {
	if engine == "regexp2" {
		w, err := regexp2.Compile(`^(?:`+p+`)$`, regexp2.RE2)
		if err != nil {
			w, err = regexp2.Compile(`^(?:`+p+`)$`, 0)
		}
		if err != nil {
			return nil, err
		}
		w.MatchTimeout = regexp2Timeout
		m := &re2xMatcher{whole: w, src: p}
		if text {
			t, err := regexp2.Compile(textBefore+p+textAfter, 0)
			if err != nil {
				return nil, err
			}
			t.MatchTimeout = regexp2Timeout
			m.text = t
		}
		return m, nil
	}
	w, err := regexp.Compile(`^(?:` + p + `)$`)
	if err != nil {
		return nil, err
	}
	m := &re2Matcher{whole: w, src: p}
	if text {
		if m.text, err = regexp.Compile(textBefore + p + textAfter); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// combine joins whole-value patterns into one matcher, so a value is
// scanned once for all of them; each was compiled alone first for errors.
func combine(engine string, patterns []string, ms []matcher) matcher {
	switch len(ms) {
	case 0:
		return nil
	case 1:
		return ms[0]
	}
	if engine == "re2" {
		parts := make([]string, len(patterns))
		for i, p := range patterns {
			parts[i] = "(?:" + p + ")"
		}
		if re, err := regexp.Compile("^(?:" + strings.Join(parts, "|") + ")$"); err == nil {
			return &re2Matcher{whole: re, src: strings.Join(patterns, " | ")}
		}
	}
	return multiMatcher(ms)
}

// unionRE compiles patterns (each valid on its own) as one alternation.
func unionRE(patterns []string) *regexp.Regexp {
	if len(patterns) == 0 {
		return nil
	}
	parts := make([]string, len(patterns))
	for i, p := range patterns {
		parts[i] = "(?:" + p + ")"
	}
	re, err := regexp.Compile(strings.Join(parts, "|"))
	if err != nil {
		return nil
	}
	return re
}

// multiMatcher tries several matchers in turn.
type multiMatcher []matcher

func (m multiMatcher) match(s string) bool {
	for _, x := range m {
		if x.match(s) {
			return true
		}
	}
	return false
}

// find returns the earliest match of any of the matchers.
func (m multiMatcher) find(s string, from int) (int, int, bool) {
	start, end, found := 0, 0, false
	for _, x := range m {
		if a, b, ok := x.find(s, from); ok && (!found || a < start) {
			start, end, found = a, b, true
		}
	}
	return start, end, found
}

func (m multiMatcher) String() string {
	parts := make([]string, len(m))
	for i, x := range m {
		parts[i] = x.String()
	}
	return strings.Join(parts, " | ")
}

func cleanRegexpErr(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "error parsing regexp: ")
	return s
}

// rule is a compiled rule.
type rule struct {
	id, category, group, desc, engine, source string

	kinds         uint8
	matchers      []matcher
	whole         matcher  // every whole-value pattern in one
	first         firstSet // bytes a whole-value match can start with
	excl          matcher  // every value exclusion in one (nil: none)
	hasText       bool
	textMatchers  []matcher
	validator     validatorFunc
	regionCheck   func(s string, named bool, region string) bool // validators that use the document's region
	validatorName string
	fieldNames    []*regexp.Regexp
	fieldNameRE   *regexp.Regexp // fieldNames in one
	exclFieldRE   *regexp.Regexp // exclFields in one
	fieldNameLits literalFilter
	exclFieldLits literalFilter
	context       []string
	exclValues    []matcher
	exclFields    []*regexp.Regexp
	conf          float64
	fieldConf     float64
	requiresName  bool
	nameOnly      bool
	minLen        int
	maxLen        int
	minDigits     int
	maxDigits     int
	minLetters    int
	minWord       int
	anySet        charSet
	onlySet       charSet
	hasAny        bool
	hasOnly       bool
	keywords      []string
	storeTypes    []string
	suppress      []string
	minEntropy    float64
}

var kindNames = map[string]Kind{"string": KindString, "number": KindNumber, "bool": KindBool, "date": KindDate, "binary": KindBinary}

func compileRule(s *ruleSpec) (*rule, []Warning, error) {
	r := &rule{id: s.ID, category: s.Category, desc: s.Description, source: fmt.Sprintf("%s:%d", s.src, s.line),
		requiresName: s.RequiresFieldName, nameOnly: s.FieldNameOnly, minLen: s.MinLen, maxLen: s.MaxLen,
		minDigits: s.MinDigits, maxDigits: s.MaxDigits, minLetters: s.MinLetters, minWord: s.MinWord, minEntropy: s.MinEntropy,
		storeTypes: s.StoreTypes}
	var warns []Warning
	warn := func(line int, format string, a ...any) {
		warns = append(warns, Warning{Source: s.src, Line: line, RuleID: s.ID, Message: fmt.Sprintf(format, a...)})
	}
	r.group = GroupOf(s.Category)
	if r.group == "" {
		return nil, nil, s.errf(s.lineOf("category", ""), "unknown category %q (see the taxonomy in the report schema)", s.Category)
	}
	switch s.Engine {
	case "", "re2", "regexp":
		r.engine = "re2"
	case "regexp2":
		r.engine = "regexp2"
	default:
		return nil, nil, s.errf(s.lineOf("engine", ""), "unknown engine %q (want re2 or regexp2)", s.Engine)
	}
	if len(s.Kinds) == 0 {
		r.kinds = 1 << KindString
	}
	for _, k := range s.Kinds {
		kk, ok := kindNames[k]
		if !ok {
			return nil, nil, s.errf(s.lineOf("kinds", k), "unknown kind %q (want string, number, bool, date, binary)", k)
		}
		r.kinds |= 1 << kk
	}
	for _, p := range s.Patterns {
		m, err := compileMatcher(r.engine, p, s.Text && len(s.TextPatterns) == 0)
		if err != nil {
			return nil, nil, s.errf(s.lineOf("patterns", p), "bad pattern %q: %s", p, cleanRegexpErr(err))
		}
		if nestedQuantifier(p, r.engine == "regexp2") {
			warn(s.lineOf("patterns", p), "pattern %q nests quantifiers (like (a+)+); a backtracking engine may take exponential time", p)
		}
		r.matchers = append(r.matchers, m)
		if s.Text && len(s.TextPatterns) == 0 {
			r.textMatchers = append(r.textMatchers, m)
		}
	}
	for _, p := range s.TextPatterns {
		if !s.Text {
			warn(s.lineOf("text_patterns", p), "text_patterns are ignored unless text is true")
			break
		}
		m, err := compileMatcher(r.engine, p, true)
		if err != nil {
			return nil, nil, s.errf(s.lineOf("text_patterns", p), "bad pattern %q: %s", p, cleanRegexpErr(err))
		}
		if nestedQuantifier(p, r.engine == "regexp2") {
			warn(s.lineOf("text_patterns", p), "pattern %q nests quantifiers (like (a+)+)", p)
		}
		r.textMatchers = append(r.textMatchers, m)
	}
	r.whole = combine(r.engine, s.Patterns, r.matchers)
	r.first = firstSet{any: true}
	if r.engine == "re2" && len(s.Patterns) > 0 {
		r.first = firstSet{}
		for _, p := range s.Patterns {
			fs, _ := patternFirstSet(p)
			r.first.union(fs)
		}
	}
	r.hasText = len(r.textMatchers) > 0
	if s.Validator != "" {
		v, ok := validators[s.Validator]
		if !ok {
			return nil, nil, s.errf(s.lineOf("validator", ""), "unknown validator %q (known: %s)", s.Validator, strings.Join(ValidatorNames(), ", "))
		}
		r.validator, r.validatorName = v, s.Validator
		r.regionCheck = regionValidators[s.Validator]
	}
	for _, p := range s.FieldNames {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, nil, s.errf(s.lineOf("field_names", p), "bad field name pattern %q: %s", p, cleanRegexpErr(err))
		}
		r.fieldNames = append(r.fieldNames, re)
	}
	for _, p := range s.ExcludeFieldNames {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, nil, s.errf(s.lineOf("exclude.field_names", p), "bad field name pattern %q: %s", p, cleanRegexpErr(err))
		}
		r.exclFields = append(r.exclFields, re)
	}
	for _, p := range s.ExcludeValues {
		m, err := compileMatcher(r.engine, p, false)
		if err != nil {
			return nil, nil, s.errf(s.lineOf("exclude.values", p), "bad value pattern %q: %s", p, cleanRegexpErr(err))
		}
		r.exclValues = append(r.exclValues, m)
	}
	r.excl = combine(r.engine, s.ExcludeValues, r.exclValues)
	r.fieldNameRE = unionRE(s.FieldNames)
	r.exclFieldRE = unionRE(s.ExcludeFieldNames)
	r.fieldNameLits = newLiteralFilter(s.FieldNames)
	r.exclFieldLits = newLiteralFilter(s.ExcludeFieldNames)
	for _, c := range s.Context {
		r.context = append(r.context, " "+normName(c)+" ")
	}
	for _, k := range s.Keywords {
		k = strings.ToLower(k)
		if k == "" {
			return nil, nil, s.errf(s.lineOf("prefilter.keywords", ""), "empty keyword")
		}
		r.keywords = append(r.keywords, k)
	}
	for _, c := range s.Suppress {
		if GroupOf(c) == "" {
			return nil, nil, s.errf(s.lineOf("suppress", c), "unknown category %q in suppress", c)
		}
		r.suppress = append(r.suppress, c)
	}
	var err error
	if s.AnyChars != "" {
		if r.anySet, err = parseCharSet(s.AnyChars); err != nil {
			return nil, nil, s.errf(s.lineOf("prefilter.any_chars", ""), "any_chars: %v", err)
		}
		r.hasAny = true
	}
	if s.OnlyChars != "" {
		if r.onlySet, err = parseCharSet(s.OnlyChars); err != nil {
			return nil, nil, s.errf(s.lineOf("prefilter.only_chars", ""), "only_chars: %v", err)
		}
		r.hasOnly = true
	}
	if r.maxLen == 0 {
		r.maxLen = math.MaxInt
	}
	if r.minLen > r.maxLen {
		return nil, nil, s.errf(s.lineOf("prefilter.min_len", ""), "min_len %d is above max_len %d", r.minLen, r.maxLen)
	}
	if r.maxDigits == 0 {
		r.maxDigits = math.MaxInt
	}
	r.conf = s.Confidence
	if r.conf < 0 {
		r.conf = 0.8
	}
	r.fieldConf = s.FieldConfidence
	if r.fieldConf < 0 {
		r.fieldConf = math.Min(1, r.conf+0.15)
	}
	switch {
	case r.nameOnly:
		if len(r.fieldNames) == 0 {
			return nil, nil, s.errf(s.line, "field_name_only needs field_names")
		}
		if len(r.matchers) > 0 {
			return nil, nil, s.errf(s.lineOf("patterns", ""), "field_name_only rules take no patterns (use requires_field_name)")
		}
	case len(r.storeTypes) > 0 && len(r.matchers) == 0 && r.validator == nil:
	case len(r.matchers) == 0 && r.validator == nil:
		return nil, nil, s.errf(s.line, "a rule needs patterns, a validator, store_types or field_name_only")
	}
	if r.requiresName && len(r.fieldNames) == 0 {
		return nil, nil, s.errf(s.lineOf("requires_field_name", ""), "requires_field_name needs field_names")
	}
	if s.Text && len(r.textMatchers) == 0 {
		warn(s.lineOf("text", ""), "text is set but the rule has no patterns to search text with")
	}
	return r, warns, nil
}

// charSet is a set of ASCII bytes.
type charSet [2]uint64

func (c *charSet) add(b byte)          { c[b>>6] |= 1 << (b & 63) }
func (c charSet) has(b byte) bool      { return c[b>>6]&(1<<(b&63)) != 0 }
func (c charSet) meets(o charSet) bool { return c[0]&o[0] != 0 || c[1]&o[1] != 0 }
func (c charSet) within(o charSet) bool {
	return c[0]&^o[0] == 0 && c[1]&^o[1] == 0
}

// parseCharSet reads a character class body such as "0-9 +().-".
func parseCharSet(s string) (charSet, error) {
	var c charSet
	re, err := regexp.Compile("[" + s + "]")
	if err != nil {
		return c, fmt.Errorf("bad character class %q: %s", s, cleanRegexpErr(err))
	}
	var buf [1]byte
	for b := 0; b < 128; b++ {
		buf[0] = byte(b)
		if re.Match(buf[:]) {
			c.add(byte(b))
		}
	}
	return c, nil
}

// profile is what one pass over a value tells every prefilter.
type profile struct {
	n, digits, letters, spaces int
	digitRun                   int // most digits in one group joined by single separators ("+1 415-555-2671": 11)
	letterRun                  int // longest run of ASCII letters
	wordRun                    int // longest run of bytes other than white space
	set                        charSet
	nonASCII                   bool
}

func (p *profile) compute(s string) {
	p.n = len(s)
	run, seps, lrun, wrun := 0, 0, 0, 0
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b == ' ' || b == '\t' || b == '\n' || b == '\r' {
			wrun = 0
		} else {
			wrun++
			if wrun > p.wordRun {
				p.wordRun = wrun
			}
		}
		if b|0x20 >= 'a' && b|0x20 <= 'z' {
			lrun++
			if lrun > p.letterRun {
				p.letterRun = lrun
			}
		} else {
			lrun = 0
		}
		if b >= '0' && b <= '9' {
			run++
			seps = 0
			if run > p.digitRun {
				p.digitRun = run
			}
		} else if seps == 0 && run > 0 && (b == ' ' || b == '-' || b == '.' || b == '/' || b == '(' || b == ')') {
			seps++
		} else if !(b == '(' && seps == 1) {
			run, seps = 0, 0
		}
		switch {
		case b >= utf8.RuneSelf:
			p.nonASCII = true
			continue
		case b >= '0' && b <= '9':
			p.digits++
		case b|0x20 >= 'a' && b|0x20 <= 'z':
			p.letters++
		case b == ' ' || b == '\t' || b == '\n' || b == '\r':
			p.spaces++
		}
		p.set.add(b)
	}
}

// prefilter runs the cheap checks of a rule against a value's profile.
// whole is false for searches inside free text, where length and charset
// bounds do not apply.
func (r *rule) prefilter(p *profile, s string, whole bool) bool {
	if r.hasAny && !p.set.meets(r.anySet) {
		return false
	}
	if p.wordRun < r.minWord || !whole && (p.digitRun < r.minDigits || p.letters < r.minLetters) {
		return false
	}
	if whole {
		if p.n < r.minLen || p.n > r.maxLen || p.digits < r.minDigits || p.digits > r.maxDigits || p.letters < r.minLetters {
			return false
		}
		if r.hasOnly && (p.nonASCII || !p.set.within(r.onlySet)) {
			return false
		}
	}
	return len(r.keywords) == 0 || r.hasKeyword(p, s)
}

// hasKeyword reports whether s holds one of the rule's keywords, ignoring
// ASCII case. A keyword is looked for only when every one of its bytes
// occurs in the value, which the profile tells without a scan.
func (r *rule) hasKeyword(p *profile, s string) bool {
	for _, k := range r.keywords {
		if p.hasChars(k) && containsFold(s, k) {
			return true
		}
	}
	return false
}

// hasChars reports whether every ASCII byte of the lower-case word k occurs
// in the value, in either case.
func (p *profile) hasChars(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= utf8.RuneSelf {
			continue
		}
		if !p.set.has(c) && !(c >= 'a' && c <= 'z' && p.set.has(c-('a'-'A'))) {
			return false
		}
	}
	return true
}

// containsFold reports whether s contains the lower-case word k, ignoring
// ASCII case, without allocating.
func containsFold(s, k string) bool {
	n := len(k)
	if n == 0 {
		return true
	}
	c0 := k[0]
	u0 := c0
	if c0 >= 'a' && c0 <= 'z' {
		u0 = c0 - ('a' - 'A')
	}
	for i := 0; i+n <= len(s); i++ {
		// jump to the next occurrence of the first byte in either case
		j := strings.IndexByte(s[i:len(s)-n+1], c0)
		if u0 != c0 {
			if ju := strings.IndexByte(s[i:len(s)-n+1], u0); ju >= 0 && (j < 0 || ju < j) {
				j = ju
			}
		}
		if j < 0 {
			return false
		}
		i += j
		if hasPrefixFold(s[i:], k) {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether s starts with the lower-case word k,
// ignoring ASCII case.
func hasPrefixFold(s, k string) bool {
	if len(s) < len(k) {
		return false
	}
	for j := 0; j < len(k); j++ {
		c := s[j]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != k[j] {
			return false
		}
	}
	return true
}

// entropy is the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	h, n := 0.0, float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// validate runs the rule's validator.
func (r *rule) validate(s string, named bool, region string) bool {
	if region != "" && r.regionCheck != nil {
		return r.regionCheck(s, named, region)
	}
	return r.validator(s, named)
}

func (r *rule) excludedValue(s string) bool { return r.excl != nil && r.excl.match(s) }

// fieldRule is a rule as it applies to one field path.
type fieldRule struct {
	r       *rule
	maxConf float64  // the confidence of a hit of this rule on this field
	ev      Evidence // the evidence the field's path gives it
	named   bool     // the field's name matches the rule's field names
	context bool     // a parent's name or a context keyword matches
}

// Field is the compiled view of the engine for one field path. It is
// immutable and safe for concurrent use.
type Field struct {
	e         *Engine
	path      string
	name      string // the normalised key, for explanations
	storeType string
	rules     []fieldRule
	typeHits  []Hit
}

// Field returns what the engine knows about a field path. Everything that
// depends on the path alone is computed here, once; callers cache the result
// per path. storeType is the store-declared type ("" when unknown).
func (e *Engine) Field(path, storeType string) *Field {
	f := &Field{e: e, path: path, storeType: storeType}
	pn := newPathNames(path)
	f.name = pn.leaf
	if pn.combined != "" {
		f.name = pn.combined
	}
	names := pn.names()
	st := strings.ToLower(storeType)
	for i, r := range e.rules {
		if st != "" {
			for _, t := range r.storeTypes {
				if strings.EqualFold(t, st) {
					f.typeHits = append(f.typeHits, Hit{Category: r.category, Confidence: r.conf, Evidence: EvStoreType, Rule: r.id})
				}
			}
		}
		if len(r.matchers) == 0 && r.validator == nil && !r.nameOnly {
			continue // store-type rule
		}
		if e.nameMatches(i, names, true) {
			continue
		}
		fr := fieldRule{r: r, named: e.nameMatches(i, names, false)}
		if !fr.named {
			fr.context = e.nameMatches(i, pn.ancestor, false)
			for _, c := range r.context {
				if strings.Contains(pn.tokens, c) {
					fr.context = true
				}
			}
		}
		if (r.nameOnly || r.requiresName) && !fr.named {
			continue
		}
		fr.maxConf, fr.ev = fr.confidence()
		f.rules = append(f.rules, fr)
	}
	return f
}

// nameEval is what the rules' field-name patterns say about one
// normalised name: bit i of match is set when rule i's field_names match
// it, of excl when its exclude.field_names do.
type nameEval struct{ match, excl []uint64 }

// maxNameCache bounds the per-engine cache of evaluated names (stores with
// keys that are ids have unbounded distinct names).
const maxNameCache = 1 << 16

// nameMatches reports whether rule i's field-name patterns (or, with excl,
// its field-name exclusions) match any of names. Names are evaluated against
// every rule once per engine and cached: containers share field names.
func (e *Engine) nameMatches(i int, names []string, excl bool) bool {
	for _, n := range names {
		if n == "" {
			continue
		}
		ev := e.evalName(n)
		bits := ev.match
		if excl {
			bits = ev.excl
		}
		if bits[i>>6]&(1<<(i&63)) != 0 {
			return true
		}
	}
	return false
}

func (e *Engine) evalName(n string) *nameEval {
	if v, ok := e.names.Load(n); ok {
		return v.(*nameEval)
	}
	words := (len(e.rules) + 63) / 64
	ev := &nameEval{match: make([]uint64, words), excl: make([]uint64, words)}
	for i, r := range e.rules {
		if r.fieldNameRE != nil && r.fieldNameLits.mayMatch(n) && r.fieldNameRE.MatchString(n) {
			ev.match[i>>6] |= 1 << (i & 63)
		}
		if r.exclFieldRE != nil && r.exclFieldLits.mayMatch(n) && r.exclFieldRE.MatchString(n) {
			ev.excl[i>>6] |= 1 << (i & 63)
		}
	}

	if e.nNames.Add(1) <= maxNameCache {
		e.names.Store(n, ev)
	}
	return ev
}

func anyMatch(res []*regexp.Regexp, names []string) bool {
	for _, re := range res {
		for _, n := range names {
			if n != "" && re.MatchString(n) {
				return true
			}
		}
	}
	return false
}

// Path is the field path this view was made for.
func (f *Field) Path() string { return f.path }

// Name is how field-name patterns read the path's last key (with its
// parent): "billingAddress.zipCode" → "billing address zip code".
func (f *Field) Name() string { return f.name }

// TypeHits are the findings implied by the store-declared type alone (for
// example an Elasticsearch geo_point), reported even for fields no sampled
// document holds.
func (f *Field) TypeHits() []Hit { return f.typeHits }

// confidence of a hit of fr on a value match.
func (fr *fieldRule) confidence() (float64, Evidence) {
	r := fr.r
	switch {
	case r.nameOnly:
		return r.conf, EvFieldName
	case fr.named:
		if r.requiresName {
			return r.conf, EvFieldName
		}
		return r.fieldConf, EvFieldName
	case fr.context:
		return math.Min(1, (r.conf+r.fieldConf)/2), EvContext
	}
	return r.conf, 0
}

// minTextLen is the shortest value searched as free text; only the first
// maxTextLen bytes of a longer text are searched.
const (
	minTextLen = 12
	maxTextLen = 64 << 10
)

// Classify appends the hits of one scalar value to dst. This is the hot
// path: it does not allocate when nothing matches.
func (f *Field) Classify(v Value, dst []Hit) []Hit { return f.ClassifyIn(v, "", dst) }

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
	var p profile
	p.compute(s)
	start := len(dst)
	kb := uint8(1) << v.Kind
	text := p.spaces > 0 && p.n >= minTextLen && p.letterRun >= 3
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
		if covered(dst[start:], fr) {
			continue
		}
		if h, ok := fr.classify(s, &p, region, nil); ok {
			dst = addHit(dst, start, h)
		}
	}
	if len(dst)-start > 1 {
		dst = suppress(f, dst, start)
	}
	return dst
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
		if !r.prefilter(p, s, true) {
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
	if r.prefilter(p, s, true) {
		if r.minEntropy > 0 && entropy(s) < r.minEntropy {
			note("entropy")
		} else {
			matched := r.whole == nil || r.first.accepts(s[0]) && r.whole.match(s)
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
	if len(r.textMatchers) == 0 || p.spaces == 0 || p.n < minTextLen || p.letterRun < 3 || !r.prefilter(p, s, false) {
		return Hit{}, false
	}
	if len(s) > maxTextLen {
		s = s[:maxTextLen] // bounded work per value; a match at the cut is lost
	}
	for _, m := range r.textMatchers {
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

// Explanation is how one rule judged one value of a field.
type Explanation struct {
	Rule       string
	Category   string
	Matched    bool
	Confidence float64  // when matched
	Evidence   Evidence // when matched
	// Stage is where a rule that did not match stopped: "kind", "prefilter",
	// "entropy", "pattern", "validator", "excluded value", "text search",
	// "suppressed".
	Stage      string
	FieldName  bool // the field's name matched the rule's field names
	Context    bool // a parent's name or a context keyword matched
	Start, End int  // span of a match inside free text
}

// String is a one-line account of the explanation, for `piisniff explain`:
//
//	phone: matched (value, field_name, validator) 0.97
//	credit-card: no match, stopped at validator (field name matches)
func (x Explanation) String() string {
	var b strings.Builder
	b.WriteString(x.Rule)
	b.WriteString(": ")
	if x.Matched {
		fmt.Fprintf(&b, "matched %s (%s) %.2f", x.Category, x.Evidence, x.Confidence)
		if x.End > x.Start {
			fmt.Fprintf(&b, " at bytes %d-%d", x.Start, x.End)
		}
		return b.String()
	}
	b.WriteString("no match, stopped at " + x.Stage)
	switch {
	case x.FieldName:
		b.WriteString(" (field name matches)")
	case x.Context:
		b.WriteString(" (context matches)")
	}
	return b.String()
}

// Explain reports, for every rule that applies to the field, whether it
// matched the value and if not where it stopped. Rules whose field-name
// conditions exclude the field are listed by ExcludedRules.
func (f *Field) Explain(v Value) []Explanation {
	s := trimSpace(v.S)
	var p profile
	p.compute(s)
	kb := uint8(1) << v.Kind
	out := make([]Explanation, 0, len(f.rules))
	hits := f.Classify(v, nil)
	for i := range f.rules {
		fr := &f.rules[i]
		x := Explanation{Rule: fr.r.id, Category: fr.r.category, FieldName: fr.named, Context: fr.context}
		if fr.r.kinds&kb == 0 {
			x.Stage = "kind"
		} else if s == "" {
			x.Stage = "prefilter"
		} else {
			var tr trace
			h, ok := fr.classify(s, &p, "", &tr)
			if ok {
				x.Matched, x.Confidence, x.Evidence, x.Start, x.End = true, h.Confidence, h.Evidence, h.Start, h.End
				kept := false
				for _, k := range hits {
					if k.Category == h.Category {
						kept = true
					}
				}
				if !kept {
					x.Matched, x.Stage = false, "suppressed"
				}
			} else {
				x.Stage = tr.stage
			}
		}
		out = append(out, x)
	}
	return out
}

// ExcludedRules lists the rules that cannot fire on this field because of
// its name: rules that need a field name it does not have, and rules whose
// field-name exclusions match it.
func (f *Field) ExcludedRules() []string {
	in := map[string]bool{}
	for _, fr := range f.rules {
		in[fr.r.id] = true
	}
	var out []string
	for _, r := range f.e.rules {
		if !in[r.id] && (len(r.matchers) > 0 || r.validator != nil || r.nameOnly) {
			out = append(out, r.id)
		}
	}
	sort.Strings(out)
	return out
}
