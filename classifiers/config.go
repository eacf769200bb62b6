package classifiers

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ruleSpec is one rule as written in a rules file, before compilation.
type ruleSpec struct {
	ID                string
	Category          string
	Description       string
	Engine            string
	Kinds             []string
	Patterns          []string
	TextPatterns      []string
	Text              bool
	Validator         string
	FieldNames        []string
	Context           []string
	ExcludeValues     []string
	ExcludeFieldNames []string
	Confidence        float64
	FieldConfidence   float64
	RequiresFieldName bool
	FieldNameOnly     bool
	MinLen, MaxLen    int
	MinDigits         int
	MaxDigits         int
	MinLetters        int
	MinWord           int
	AnyChars          string
	OnlyChars         string
	Keywords          []string
	StoreTypes        []string
	Suppress          []string
	MinEntropy        float64
	Disabled          bool

	src  string
	line int
	// lines of individual entries, for errors on a specific pattern
	lines map[string]int
}

type riskSpec struct {
	groups       map[string]float64
	categories   map[string]float64
	combinations map[string]Combination
}

// fileSpec is a parsed rules file.
type fileSpec struct {
	rules []*ruleSpec
	risk  riskSpec
}

// Warning is a problem in a rules file that does not stop it from loading.
type Warning struct {
	Source  string
	Line    int
	RuleID  string
	Message string
}

func (w Warning) String() string {
	return fmt.Sprintf("%s:%d: rule %q: %s", w.Source, w.Line, w.RuleID, w.Message)
}

// LoadError is a rules file error with its position.
type LoadError struct {
	Source string
	Line   int
	Msg    string
}

func (e *LoadError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Source, e.Line, e.Msg)
	}
	return e.Source + ": " + e.Msg
}

func errAt(src string, n *yaml.Node, format string, a ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &LoadError{Source: src, Line: line, Msg: fmt.Sprintf(format, a...)}
}

func parseFile(src Source) (*fileSpec, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src.Data, &doc); err != nil {
		return nil, &LoadError{Source: src.Name, Msg: err.Error()}
	}
	fs := &fileSpec{risk: riskSpec{groups: map[string]float64{}, categories: map[string]float64{}, combinations: map[string]Combination{}}}
	if len(doc.Content) == 0 {
		return fs, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, errAt(src.Name, root, "a rules file is a mapping with the keys version, risk and rules")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "version":
			var ver int
			if err := v.Decode(&ver); err != nil || ver != 1 {
				return nil, errAt(src.Name, v, "version must be 1")
			}
		case "risk":
			if err := parseRisk(src.Name, v, &fs.risk); err != nil {
				return nil, err
			}
		case "rules":
			if v.Kind != yaml.SequenceNode {
				return nil, errAt(src.Name, v, "rules must be a list")
			}
			for _, rn := range v.Content {
				r, err := parseRule(src.Name, rn)
				if err != nil {
					return nil, err
				}
				fs.rules = append(fs.rules, r)
			}
		default:
			return nil, errAt(src.Name, k, "unknown key %q (want version, risk, rules)", k.Value)
		}
	}
	return fs, nil
}

func parseRisk(src string, n *yaml.Node, rs *riskSpec) error {
	if n.Kind != yaml.MappingNode {
		return errAt(src, n, "risk must be a mapping with the keys groups, categories and combinations")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var dst map[string]float64
		var valid func(string) bool
		if k.Value == "combinations" {
			if err := parseCombinations(src, v, rs.combinations); err != nil {
				return err
			}
			continue
		}
		switch k.Value {
		case "groups":
			dst, valid = rs.groups, IsGroup
		case "categories":
			dst, valid = rs.categories, func(s string) bool { return GroupOf(s) != "" }
		default:
			return errAt(src, k, "unknown key %q in risk (want groups, categories, combinations)", k.Value)
		}
		if v.Kind != yaml.MappingNode {
			return errAt(src, v, "risk.%s must be a mapping of id to weight", k.Value)
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			id, w := v.Content[j], v.Content[j+1]
			if !valid(id.Value) {
				return errAt(src, id, "unknown %s %q in risk", strings.TrimSuffix(k.Value, "s"), id.Value)
			}
			var f float64
			if err := w.Decode(&f); err != nil || f < 0 || f > 1 {
				return errAt(src, w, "risk weight of %q must be a number in [0, 1]", id.Value)
			}
			dst[id.Value] = f
		}
	}
	return nil
}

func decodeStrings(src string, n *yaml.Node, key string, lines map[string]int) ([]string, error) {
	if n.Kind == yaml.ScalarNode {
		lines[key+"\x00"+n.Value] = n.Line
		return []string{n.Value}, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(src, n, "%s must be a string or a list of strings", key)
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode {
			return nil, errAt(src, c, "%s must be a list of strings", key)
		}
		lines[key+"\x00"+c.Value] = c.Line
		out = append(out, c.Value)
	}
	return out, nil
}

func decodeScalar(src string, n *yaml.Node, key string, dst any) error {
	if n.Kind != yaml.ScalarNode {
		return errAt(src, n, "%s must be a single value", key)
	}
	if err := n.Decode(dst); err != nil {
		return errAt(src, n, "%s: %v", key, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return nil
}

func parseRule(src string, n *yaml.Node) (*ruleSpec, error) {
	if n.Kind != yaml.MappingNode {
		return nil, errAt(src, n, "a rule must be a mapping")
	}
	r := &ruleSpec{src: src, line: n.Line, lines: map[string]int{}, Confidence: -1, FieldConfidence: -1}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		r.lines[k.Value] = k.Line
		var err error
		switch k.Value {
		case "id":
			err = decodeScalar(src, v, k.Value, &r.ID)
		case "category":
			err = decodeScalar(src, v, k.Value, &r.Category)
		case "description":
			err = decodeScalar(src, v, k.Value, &r.Description)
		case "engine":
			err = decodeScalar(src, v, k.Value, &r.Engine)
		case "kinds":
			r.Kinds, err = decodeStrings(src, v, k.Value, r.lines)
		case "patterns":
			r.Patterns, err = decodeStrings(src, v, k.Value, r.lines)
		case "text_patterns":
			r.TextPatterns, err = decodeStrings(src, v, k.Value, r.lines)
		case "text":
			err = decodeScalar(src, v, k.Value, &r.Text)
		case "validator":
			err = decodeScalar(src, v, k.Value, &r.Validator)
		case "field_names":
			r.FieldNames, err = decodeStrings(src, v, k.Value, r.lines)
		case "context":
			r.Context, err = decodeStrings(src, v, k.Value, r.lines)
		case "exclude":
			err = parseExclude(src, v, r)
		case "confidence":
			err = decodeScalar(src, v, k.Value, &r.Confidence)
			if err == nil && (r.Confidence < 0 || r.Confidence > 1) {
				err = errAt(src, v, "confidence must be in [0, 1]")
			}
		case "field_confidence":
			err = decodeScalar(src, v, k.Value, &r.FieldConfidence)
			if err == nil && (r.FieldConfidence < 0 || r.FieldConfidence > 1) {
				err = errAt(src, v, "field_confidence must be in [0, 1]")
			}
		case "requires_field_name":
			err = decodeScalar(src, v, k.Value, &r.RequiresFieldName)
		case "field_name_only":
			err = decodeScalar(src, v, k.Value, &r.FieldNameOnly)
		case "prefilter":
			err = parsePrefilter(src, v, r)
		case "store_types":
			r.StoreTypes, err = decodeStrings(src, v, k.Value, r.lines)
		case "suppress":
			r.Suppress, err = decodeStrings(src, v, k.Value, r.lines)
		case "min_entropy":
			err = decodeScalar(src, v, k.Value, &r.MinEntropy)
		case "disabled":
			err = decodeScalar(src, v, k.Value, &r.Disabled)
		default:
			err = errAt(src, k, "unknown key %q in rule", k.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	if r.ID == "" {
		return nil, errAt(src, n, "rule without id")
	}
	return r, nil
}

func parseExclude(src string, n *yaml.Node, r *ruleSpec) error {
	if n.Kind != yaml.MappingNode {
		return errAt(src, n, "exclude must be a mapping with the keys values and field_names")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "values":
			r.lines["exclude.values"] = k.Line
			r.ExcludeValues, err = decodeStrings(src, v, "exclude.values", r.lines)
		case "field_names":
			r.lines["exclude.field_names"] = k.Line
			r.ExcludeFieldNames, err = decodeStrings(src, v, "exclude.field_names", r.lines)
		default:
			err = errAt(src, k, "unknown key %q in exclude (want values, field_names)", k.Value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func parsePrefilter(src string, n *yaml.Node, r *ruleSpec) error {
	if n.Kind != yaml.MappingNode {
		return errAt(src, n, "prefilter must be a mapping")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		r.lines["prefilter."+k.Value] = k.Line
		var err error
		switch k.Value {
		case "min_len":
			err = decodeScalar(src, v, k.Value, &r.MinLen)
		case "max_len":
			err = decodeScalar(src, v, k.Value, &r.MaxLen)
		case "min_digits":
			err = decodeScalar(src, v, k.Value, &r.MinDigits)
		case "max_digits":
			err = decodeScalar(src, v, k.Value, &r.MaxDigits)
		case "min_letters":
			err = decodeScalar(src, v, k.Value, &r.MinLetters)
		case "min_word":
			err = decodeScalar(src, v, k.Value, &r.MinWord)
		case "any_chars":
			err = decodeScalar(src, v, k.Value, &r.AnyChars)
		case "only_chars":
			err = decodeScalar(src, v, k.Value, &r.OnlyChars)
		case "keywords":
			r.Keywords, err = decodeStrings(src, v, k.Value, r.lines)
		default:
			err = errAt(src, k, "unknown key %q in prefilter (want min_len, max_len, min_digits, max_digits, min_letters, min_word, any_chars, only_chars, keywords)", k.Value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// has reports whether the rule's file set a key ("confidence",
// "prefilter.min_len", "exclude.values").
func (r *ruleSpec) has(key string) bool { _, ok := r.lines[key]; return ok }

// mergeOver returns base with every key that r sets replaced by r's value:
// a user rule with the id of a default rule changes only what it states.
func (r *ruleSpec) mergeOver(base *ruleSpec) *ruleSpec {
	m := *base
	m.lines = map[string]int{}
	for k, v := range base.lines {
		m.lines[k] = v
	}
	for k, v := range r.lines {
		m.lines[k] = v
	}
	m.src, m.line = r.src, r.line
	type field struct {
		key string
		set func()
	}
	for _, f := range []field{
		{"category", func() { m.Category = r.Category }},
		{"description", func() { m.Description = r.Description }},
		{"engine", func() { m.Engine = r.Engine }},
		{"kinds", func() { m.Kinds = r.Kinds }},
		{"patterns", func() { m.Patterns = r.Patterns }},
		{"text_patterns", func() { m.TextPatterns = r.TextPatterns }},
		{"text", func() { m.Text = r.Text }},
		{"validator", func() { m.Validator = r.Validator }},
		{"field_names", func() { m.FieldNames = r.FieldNames }},
		{"context", func() { m.Context = r.Context }},
		{"exclude.values", func() { m.ExcludeValues = r.ExcludeValues }},
		{"exclude.field_names", func() { m.ExcludeFieldNames = r.ExcludeFieldNames }},
		{"confidence", func() { m.Confidence = r.Confidence }},
		{"field_confidence", func() { m.FieldConfidence = r.FieldConfidence }},
		{"requires_field_name", func() { m.RequiresFieldName = r.RequiresFieldName }},
		{"field_name_only", func() { m.FieldNameOnly = r.FieldNameOnly }},
		{"prefilter.min_len", func() { m.MinLen = r.MinLen }},
		{"prefilter.max_len", func() { m.MaxLen = r.MaxLen }},
		{"prefilter.min_digits", func() { m.MinDigits = r.MinDigits }},
		{"prefilter.max_digits", func() { m.MaxDigits = r.MaxDigits }},
		{"prefilter.min_letters", func() { m.MinLetters = r.MinLetters }},
		{"prefilter.min_word", func() { m.MinWord = r.MinWord }},
		{"prefilter.any_chars", func() { m.AnyChars = r.AnyChars }},
		{"prefilter.only_chars", func() { m.OnlyChars = r.OnlyChars }},
		{"prefilter.keywords", func() { m.Keywords = r.Keywords }},
		{"store_types", func() { m.StoreTypes = r.StoreTypes }},
		{"suppress", func() { m.Suppress = r.Suppress }},
		{"min_entropy", func() { m.MinEntropy = r.MinEntropy }},
		{"disabled", func() { m.Disabled = r.Disabled }},
	} {
		if r.has(f.key) {
			f.set()
		}
	}
	return &m
}

func (r *ruleSpec) lineOf(key, value string) int {
	if l, ok := r.lines[key+"\x00"+value]; ok {
		return l
	}
	if l, ok := r.lines[key]; ok {
		return l
	}
	return r.line
}

func (r *ruleSpec) errf(line int, format string, a ...any) error {
	return &LoadError{Source: r.src, Line: line, Msg: fmt.Sprintf("rule %q: ", r.ID) + fmt.Sprintf(format, a...)}
}

// nestedQuantifier reports whether a pattern repeats a sub-pattern that is
// itself repeated without bound, as in (a+)+. A backtracking engine
// (regexp2) can take exponential time on such patterns; with strict set,
// any unbounded repeat inside another repeat is reported.
func nestedQuantifier(pattern string, strict bool) bool {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nestedQuantRE.MatchString(pattern)
	}
	var walk func(n *syntax.Regexp, inRepeat bool) bool
	walk = func(n *syntax.Regexp, inRepeat bool) bool {
		rep := isRepeat(n, false)
		if rep {
			inner := n.Sub[0]
			for inner.Op == syntax.OpCapture {
				inner = inner.Sub[0]
			}
			if isRepeat(inner, true) {
				return true
			}
			if strict && inRepeat && isRepeat(n, true) {
				return true
			}
		}
		for _, s := range n.Sub {
			if walk(s, inRepeat || rep) {
				return true
			}
		}
		return false
	}
	return walk(re, false)
}

func isRepeat(n *syntax.Regexp, unbounded bool) bool {
	switch n.Op {
	case syntax.OpStar, syntax.OpPlus:
		return true
	case syntax.OpRepeat:
		if unbounded {
			return n.Max == -1
		}
		return n.Max == -1 || n.Max > 1
	}
	return false
}

var nestedQuantRE = regexp.MustCompile(`\([^()]*[+*]\)[+*{]`)
