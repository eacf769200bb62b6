package classifiers

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"strings"
)

// rule is a compiled rule.
type rule struct {
	id, category, group, desc, engine, source string

	kinds         uint8
	matchers      []matcher
	whole         matcher     // every whole-value pattern in one
	first         firstSet    // bytes a whole-value match can start with
	shape         shapeFilter // lengths and bytes a whole-value match can have
	excl          matcher     // every value exclusion in one (nil: none)
	hasText       bool
	textMatchers  []matcher
	validator     validatorFunc
	regionCheck   func(s string, named bool, region string) bool // validators that use the document's region
	validatorName string
	fieldNames    []*regexp.Regexp
	fieldNameRE   *regexp.Regexp // fieldNames in one
	exclFieldRE   *regexp.Regexp // exclude.field_names in one
	fieldNameLits literalFilter
	exclFieldLits literalFilter
	context       []string
	exclValues    []matcher
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

// compileRule compiles one merged rule. Its errors and warnings go to d;
// the rule is nil when it has errors.
func compileRule(s *ruleSpec, d *diag) *rule {
	r := &rule{id: s.ID, category: s.Category, desc: s.Description, source: fmt.Sprintf("%s:%d", s.src, s.line),
		requiresName: s.RequiresFieldName, nameOnly: s.FieldNameOnly, minLen: s.MinLen, maxLen: s.MaxLen,
		minDigits: s.MinDigits, maxDigits: s.MaxDigits, minLetters: s.MinLetters, minWord: s.MinWord, minEntropy: s.MinEntropy,
		storeTypes: s.StoreTypes}
	nerr := len(d.errs)
	warn := func(p pos, format string, a ...any) {
		d.warns = append(d.warns, Warning{Source: s.src, Line: p.line, Column: p.col, RuleID: s.ID, Message: fmt.Sprintf(format, a...)})
	}
	fail := func(p pos, format string, a ...any) {
		d.errAt(s.src, p, "rule %q: %s", s.ID, fmt.Sprintf(format, a...))
	}
	r.group = GroupOf(s.Category)
	switch {
	case r.group != "":
	case s.has("category"):
		fail(s.posOf("category", ""), "%s", unknownCategory(s.Category, ""))
	case !s.broken:
		fail(pos{s.line, s.col}, "a rule needs a category (valid categories: %s)", categoryList())
	}
	switch s.Engine {
	case "", "re2", "regexp":
		r.engine = "re2"
	case "regexp2":
		r.engine = "regexp2"
	default:
		fail(s.posOf("engine", ""), "unknown engine %q (want re2 or regexp2)", s.Engine)
		r.engine = "re2"
	}
	if len(s.Kinds) == 0 {
		r.kinds = 1 << KindString
	}
	for _, k := range s.Kinds {
		kk, ok := kindNames[k]
		if !ok {
			fail(s.posOf("kinds", k), "unknown kind %q (want string, number, bool, date, binary)", k)
			continue
		}
		r.kinds |= 1 << kk
	}
	for _, p := range s.Patterns {
		m, err := compileMatcher(r.engine, p, s.Text && len(s.TextPatterns) == 0)
		if err != nil {
			fail(s.posOf("patterns", p), "bad pattern %q: %s", p, patternErr(r.engine, p, err))
			continue
		}
		if nestedQuantifier(p, r.engine == "regexp2") {
			warn(s.posOf("patterns", p), "pattern %q nests quantifiers (like (a+)+); a backtracking engine may take exponential time", p)
		}
		r.matchers = append(r.matchers, m)
		if s.Text && len(s.TextPatterns) == 0 {
			r.textMatchers = append(r.textMatchers, m)
		}
	}
	for _, p := range s.TextPatterns {
		if !s.Text {
			warn(s.posOf("text_patterns", p), "text_patterns are ignored unless text is true")
			break
		}
		m, err := compileMatcher(r.engine, p, true)
		if err != nil {
			fail(s.posOf("text_patterns", p), "bad pattern %q: %s", p, patternErr(r.engine, p, err))
			continue
		}
		if nestedQuantifier(p, r.engine == "regexp2") {
			warn(s.posOf("text_patterns", p), "pattern %q nests quantifiers (like (a+)+)", p)
		}
		r.textMatchers = append(r.textMatchers, m)
	}
	if s.Validator != "" {
		v, ok := validators[s.Validator]
		if !ok {
			fail(s.posOf("validator", ""), "unknown validator %q (known: %s)", s.Validator, strings.Join(ValidatorNames(), ", "))
		}
		r.validator, r.validatorName = v, s.Validator
		r.regionCheck = regionValidators[s.Validator]
	}
	for _, p := range s.FieldNames {
		re, err := regexp.Compile(p)
		if err != nil {
			fail(s.posOf("field_names", p), "bad field name pattern %q: %s", p, cleanRegexpErr(err))
			continue
		}
		r.fieldNames = append(r.fieldNames, re)
	}
	for _, p := range s.ExcludeFieldNames {
		if _, err := regexp.Compile(p); err != nil {
			fail(s.posOf("exclude.field_names", p), "bad field name pattern %q: %s", p, cleanRegexpErr(err))
		}
	}
	for _, p := range s.ExcludeValues {
		m, err := compileMatcher(r.engine, p, false)
		if err != nil {
			fail(s.posOf("exclude.values", p), "bad value pattern %q: %s", p, patternErr(r.engine, p, err))
			continue
		}
		r.exclValues = append(r.exclValues, m)
	}
	for _, k := range s.Keywords {
		k = strings.ToLower(k)
		if k == "" {
			fail(s.posOf("prefilter.keywords", ""), "empty keyword")
			continue
		}
		r.keywords = append(r.keywords, k)
	}
	for _, c := range s.Suppress {
		if GroupOf(c) == "" {
			fail(s.posOf("suppress", c), "%s", unknownCategory(c, " in suppress"))
			continue
		}
		r.suppress = append(r.suppress, c)
	}
	var err error
	if s.AnyChars != "" {
		if r.anySet, err = parseCharSet(s.AnyChars); err != nil {
			fail(s.posOf("prefilter.any_chars", ""), "any_chars: %v", err)
		}
		r.hasAny = true
	}
	if s.OnlyChars != "" {
		if r.onlySet, err = parseCharSet(s.OnlyChars); err != nil {
			fail(s.posOf("prefilter.only_chars", ""), "only_chars: %v", err)
		}
		r.hasOnly = true
	}
	if r.maxLen == 0 {
		r.maxLen = math.MaxInt
	}
	if r.minLen > r.maxLen {
		fail(s.posOf("prefilter.min_len", ""), "min_len %d is above max_len %d", r.minLen, r.maxLen)
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
	// what the rule as a whole lacks; not said of a rule with a key that
	// could not be read (the missing key may be the one)
	if !s.broken {
		start := pos{s.line, s.col}
		switch {
		case r.nameOnly:
			if len(s.FieldNames) == 0 {
				fail(start, "field_name_only needs field_names")
			}
			if len(s.Patterns) > 0 {
				fail(s.posOf("patterns", ""), "field_name_only rules take no patterns (use requires_field_name)")
			}
		case len(r.storeTypes) > 0 && len(s.Patterns) == 0 && s.Validator == "":
		case len(s.Patterns) == 0 && s.Validator == "":
			fail(start, "a rule needs patterns, a validator, store_types or field_name_only")
		}
		if r.requiresName && len(s.FieldNames) == 0 {
			fail(s.posOf("requires_field_name", ""), "requires_field_name needs field_names")
		}
	}
	if s.Text && len(r.textMatchers) == 0 && len(s.Patterns)+len(s.TextPatterns) == 0 {
		warn(s.posOf("text", ""), "text is set but the rule has no patterns to search text with")
	}
	if len(d.errs) > nerr {
		return nil
	}
	r.whole = combine(r.engine, s.Patterns, r.matchers)
	r.first = firstSet{any: true}
	if r.engine == "re2" && len(s.Patterns) > 0 {
		r.first = firstSet{}
		for _, p := range s.Patterns {
			fs, _ := patternFirstSet(p)
			r.first.union(fs)
		}
		r.shape = newShapeFilter(s.Patterns)
	}
	r.hasText = len(r.textMatchers) > 0
	r.excl = combine(r.engine, s.ExcludeValues, r.exclValues)
	r.fieldNameRE = unionRE(s.FieldNames)
	r.exclFieldRE = unionRE(s.ExcludeFieldNames)
	r.fieldNameLits = newLiteralFilter(s.FieldNames)
	r.exclFieldLits = newLiteralFilter(s.ExcludeFieldNames)
	for _, c := range s.Context {
		r.context = append(r.context, " "+normName(c)+" ")
	}
	return r
}

// patternErr describes why a value pattern did not compile, in terms of
// the pattern as written (not of the anchored form compiled), with a hint
// at regexp2 where it would help.
func patternErr(engine, p string, err error) string {
	if engine == "re2" {
		if _, bare := regexp.Compile(p); bare != nil {
			err = bare
		}
	}
	return cleanRegexpErr(err) + engineHint(engine, err)
}

// engineHint suggests the backtracking engine when Go's regexp rejected a
// pattern for a look-around ((?=, (?!, (?<=, (?<!) or a backreference
// (\1, \k<name>), which only regexp2 supports.
func engineHint(engine string, err error) string {
	var se *syntax.Error
	if engine != "re2" || !errors.As(err, &se) {
		return ""
	}
	switch {
	case se.Code == syntax.ErrInvalidPerlOp && (strings.HasPrefix(se.Expr, "(?=") || strings.HasPrefix(se.Expr, "(?!")),
		se.Code == syntax.ErrInvalidNamedCapture && (strings.HasPrefix(se.Expr, "(?<=") || strings.HasPrefix(se.Expr, "(?<!")):
		return "; Go's regexp has no look-arounds: set engine: regexp2 on the rule"
	case se.Code == syntax.ErrInvalidEscape && len(se.Expr) == 2 && (se.Expr[1] >= '1' && se.Expr[1] <= '9' || se.Expr[1] == 'k'):
		return "; Go's regexp has no backreferences: set engine: regexp2 on the rule"
	}
	return ""
}
