package classifiers

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
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
	model        RiskModelSpec
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
		if handled, err := parseRiskModel(src, k, v, &rs.model); handled {
			if err != nil {
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
			return errAt(src, k, "unknown key %q in risk (want groups, categories, combinations, sensitivity, matrix, bands, damping)", k.Value)
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

func isSingleChar(n *syntax.Regexp) bool {
	switch n.Op {
	case syntax.OpLiteral:
		return len(n.Rune) == 1
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return true
	}
	return false
}

var nestedQuantRE = regexp.MustCompile(`\([^()]*[+*]\)[+*{]`)

// RiskModelSpec is the risk model of rules.yaml beyond the weights: the
// sensitivity level of each group and category, the matrix of risk levels by
// sensitivity and exposure, the band of each risk level and the damping of
// roll-ups (see the report package for their meaning).
type RiskModelSpec struct {
	// SensitivityGroups and SensitivityCategories map ids to low, moderate,
	// high or very_high; a category without its own level takes its
	// group's.
	SensitivityGroups     map[string]string
	SensitivityCategories map[string]string
	// Matrix maps sensitivity → exposure (anonymous, no_tls,
	// authenticated_tls, unknown) → risk level (low, moderate, high,
	// critical).
	Matrix map[string]map[string]string
	// Bands maps a risk level to its band.
	Bands map[string]RiskBand
	// Damping in (0, 1]; 0 when no file set it.
	Damping float64

	src string // the last file that set matrix or bands, for errors
}

// RiskBand is the part of the 0–100 scale a risk level owns, with the
// sentence saying what a score in it means.
type RiskBand struct {
	Min, Max float64
	Meaning  string
}

// Level names of the risk model, lowest first.
var (
	SensitivityLevels = []string{"low", "moderate", "high", "very_high"}
	ExposureLevels    = []string{"authenticated_tls", "unknown", "no_tls", "anonymous"}
	RiskLevels        = []string{"low", "moderate", "high", "critical"}
)

func levelIndex(levels []string, s string) int {
	for i, l := range levels {
		if l == s {
			return i
		}
	}
	return -1
}

// RiskModel returns the merged risk model of the rules files.
func (e *Engine) RiskModel() RiskModelSpec { return e.riskModel }

// Sensitivity is the configured sensitivity level of a category: its own,
// else its group's, else "".
func (e *Engine) Sensitivity(category string) string {
	if s, ok := e.riskModel.SensitivityCategories[category]; ok {
		return s
	}
	return e.riskModel.SensitivityGroups[GroupOf(category)]
}

// parseRiskModel parses the keys sensitivity, matrix, bands and damping of
// the risk section; handled is false for any other key.
func parseRiskModel(src string, k, v *yaml.Node, m *RiskModelSpec) (handled bool, err error) {
	levelOf := func(levels []string, n *yaml.Node, what string) (string, error) {
		if n.Kind != yaml.ScalarNode || levelIndex(levels, n.Value) < 0 {
			return "", errAt(src, n, "%s must be one of %s", what, strings.Join(levels, ", "))
		}
		return n.Value, nil
	}
	mapping := func(n *yaml.Node, what string) error {
		if n.Kind != yaml.MappingNode {
			return errAt(src, n, "%s must be a mapping", what)
		}
		return nil
	}
	switch k.Value {
	case "sensitivity":
		if err := mapping(v, "risk.sensitivity"); err != nil {
			return true, err
		}
		for i := 0; i+1 < len(v.Content); i += 2 {
			kk, vv := v.Content[i], v.Content[i+1]
			var dst *map[string]string
			var valid func(string) bool
			switch kk.Value {
			case "groups":
				dst, valid = &m.SensitivityGroups, IsGroup
			case "categories":
				dst, valid = &m.SensitivityCategories, func(s string) bool { return GroupOf(s) != "" }
			default:
				return true, errAt(src, kk, "unknown key %q in risk.sensitivity (want groups, categories)", kk.Value)
			}
			if err := mapping(vv, "risk.sensitivity."+kk.Value); err != nil {
				return true, err
			}
			if *dst == nil {
				*dst = map[string]string{}
			}
			for j := 0; j+1 < len(vv.Content); j += 2 {
				id, lv := vv.Content[j], vv.Content[j+1]
				if !valid(id.Value) {
					return true, errAt(src, id, "unknown %s %q in risk.sensitivity", map[string]string{"groups": "group", "categories": "category"}[kk.Value], id.Value)
				}
				l, err := levelOf(SensitivityLevels, lv, "the sensitivity of "+strconv.Quote(id.Value))
				if err != nil {
					return true, err
				}
				(*dst)[id.Value] = l
			}
		}
	case "matrix":
		if err := mapping(v, "risk.matrix"); err != nil {
			return true, err
		}
		if m.Matrix == nil {
			m.Matrix = map[string]map[string]string{}
		}
		for i := 0; i+1 < len(v.Content); i += 2 {
			row, cols := v.Content[i], v.Content[i+1]
			if _, err := levelOf(SensitivityLevels, row, "a row of risk.matrix"); err != nil {
				return true, err
			}
			if err := mapping(cols, "risk.matrix."+row.Value); err != nil {
				return true, err
			}
			if m.Matrix[row.Value] == nil {
				m.Matrix[row.Value] = map[string]string{}
			}
			for j := 0; j+1 < len(cols.Content); j += 2 {
				col, lv := cols.Content[j], cols.Content[j+1]
				if _, err := levelOf(ExposureLevels, col, "an exposure of risk.matrix."+row.Value); err != nil {
					return true, err
				}
				l, err := levelOf(RiskLevels, lv, "risk.matrix."+row.Value+"."+col.Value)
				if err != nil {
					return true, err
				}
				m.Matrix[row.Value][col.Value] = l
			}
		}
		m.src = src
	case "bands":
		if err := mapping(v, "risk.bands"); err != nil {
			return true, err
		}
		if m.Bands == nil {
			m.Bands = map[string]RiskBand{}
		}
		for i := 0; i+1 < len(v.Content); i += 2 {
			lv, bn := v.Content[i], v.Content[i+1]
			if _, err := levelOf(RiskLevels, lv, "a key of risk.bands"); err != nil {
				return true, err
			}
			if err := mapping(bn, "risk.bands."+lv.Value); err != nil {
				return true, err
			}
			b, seen := m.Bands[lv.Value], map[string]bool{}
			for j := 0; j+1 < len(bn.Content); j += 2 {
				bk, bv := bn.Content[j], bn.Content[j+1]
				seen[bk.Value] = true
				switch bk.Value {
				case "min", "max":
					var f float64
					if err := bv.Decode(&f); err != nil || f < 0 || f > 100 {
						return true, errAt(src, bv, "risk.bands.%s.%s must be a number from 0 to 100", lv.Value, bk.Value)
					}
					if bk.Value == "min" {
						b.Min = f
					} else {
						b.Max = f
					}
				case "means":
					if bv.Kind != yaml.ScalarNode || strings.TrimSpace(bv.Value) == "" {
						return true, errAt(src, bv, "risk.bands.%s.means must say in one sentence what a score in the band means", lv.Value)
					}
					b.Meaning = strings.TrimSpace(bv.Value)
				default:
					return true, errAt(src, bk, "unknown key %q in risk.bands.%s (want min, max, means)", bk.Value, lv.Value)
				}
			}
			if seen["min"] && seen["max"] && b.Min > b.Max {
				return true, errAt(src, bn, "risk.bands.%s: min %g is above max %g", lv.Value, b.Min, b.Max)
			}
			m.Bands[lv.Value] = b
		}
		m.src = src
	case "damping":
		var f float64
		if err := v.Decode(&f); err != nil || f <= 0 || f > 1 {
			return true, errAt(src, v, "risk.damping must be a number in (0, 1]")
		}
		m.Damping = f
	default:
		return false, nil
	}
	return true, nil
}

// mergeRiskModel lays the risk model of a later file over the merged one,
// key by key.
func mergeRiskModel(dst *RiskModelSpec, over RiskModelSpec) {
	merge := func(d *map[string]string, o map[string]string) {
		for k, v := range o {
			if *d == nil {
				*d = map[string]string{}
			}
			(*d)[k] = v
		}
	}
	merge(&dst.SensitivityGroups, over.SensitivityGroups)
	merge(&dst.SensitivityCategories, over.SensitivityCategories)
	for row, cols := range over.Matrix {
		if dst.Matrix == nil {
			dst.Matrix = map[string]map[string]string{}
		}
		if dst.Matrix[row] == nil {
			dst.Matrix[row] = map[string]string{}
		}
		for c, l := range cols {
			dst.Matrix[row][c] = l
		}
	}
	for l, b := range over.Bands {
		if dst.Bands == nil {
			dst.Bands = map[string]RiskBand{}
		}
		dst.Bands[l] = b
	}
	if over.Damping > 0 {
		dst.Damping = over.Damping
	}
	if over.src != "" {
		dst.src = over.src
	}
}

// checkRiskModel checks the merged model keeps the README's promises: the
// level never falls as sensitivity or exposure rises (anonymous ≥ no_tls ≥
// authenticated_tls, unknown ≥ authenticated_tls), very_high × anonymous is
// critical, bands are ordered and disjoint. Cells and bands no file set are
// left to the report's defaults and not compared.
func checkRiskModel(m RiskModelSpec) error {
	fail := func(format string, a ...any) error {
		return &LoadError{Source: m.src, Msg: fmt.Sprintf(format, a...)}
	}
	if m.Matrix != nil {
		cell := func(s, e int) int { return levelIndex(RiskLevels, m.Matrix[SensitivityLevels[s]][ExposureLevels[e]]) }
		for s := range SensitivityLevels {
			for e := range ExposureLevels {
				if s > 0 && cell(s, e) >= 0 && cell(s, e) < cell(s-1, e) {
					return fail("risk.matrix: %s × %s is lower than %s × %s: a more sensitive finding never has a lower level",
						SensitivityLevels[s], ExposureLevels[e], SensitivityLevels[s-1], ExposureLevels[e])
				}
			}
			for _, p := range [][2]int{{2, 0}, {3, 2}, {1, 0}} {
				if cell(s, p[0]) >= 0 && cell(s, p[0]) < cell(s, p[1]) {
					return fail("risk.matrix: %s × %s is lower than %s × %s: a more exposed store never has a lower level",
						SensitivityLevels[s], ExposureLevels[p[0]], SensitivityLevels[s], ExposureLevels[p[1]])
				}
			}
		}
		if cell(3, 3) >= 0 && cell(3, 3) != 3 {
			return fail("risk.matrix: very_high × anonymous must be critical")
		}
	}
	if m.Bands != nil {
		for i, l := range RiskLevels {
			b, ok := m.Bands[l]
			prev, hasPrev := RiskBand{}, false
			if i > 0 {
				prev, hasPrev = m.Bands[RiskLevels[i-1]]
			}
			if ok && hasPrev && b.Min <= prev.Max {
				return fail("risk.bands: %s starts at %g, inside %s (up to %g): bands must be ordered and disjoint", l, b.Min, RiskLevels[i-1], prev.Max)
			}
		}
	}
	return nil
}
