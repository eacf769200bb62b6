package classifiers

import (
	"fmt"
	"math"
	"regexp"
	"strings"
)

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
		if _, err := regexp.Compile(p); err != nil {
			return nil, nil, s.errf(s.lineOf("exclude.field_names", p), "bad field name pattern %q: %s", p, cleanRegexpErr(err))
		}
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
