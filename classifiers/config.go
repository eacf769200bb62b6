package classifiers

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/piisniff/piisniff/internal/strictyaml"
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

	Examples []example

	src       string
	line, col int // where the rule's mapping starts
	// where each key's value (and each entry of a list, under
	// key+"\x00"+entry) is written, for errors at the right place; a key
	// is present when the rule's file states it
	at map[string]pos
	// broken is set when a key of the rule could not be read: checks that
	// a missing key would set off are skipped, the error is reported
	broken bool
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

// parseFile reads one rules file; its errors go to d, and what could be
// read is returned.
func parseFile(src Source, d *diag) *fileSpec {
	fs := &fileSpec{risk: riskSpec{groups: map[string]float64{}, categories: map[string]float64{}, combinations: map[string]Combination{}}}
	var doc yaml.Node
	if err := yaml.Unmarshal(src.Data, &doc); err != nil {
		p, msg := yamlErr(err)
		d.errAt(src.Name, p, "%s", msg)
		return fs
	}
	if len(doc.Content) == 0 {
		return fs
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		d.nodeErr(src.Name, root, "a rules file is a mapping with the keys version, risk and rules")
		return fs
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "version":
			var ver int
			if err := v.Decode(&ver); err != nil || ver != 1 {
				d.nodeErr(src.Name, v, "version must be 1")
			}
		case "risk":
			parseRisk(src.Name, v, &fs.risk, d)
		case "rules":
			if v.Kind != yaml.SequenceNode {
				d.nodeErr(src.Name, v, "rules must be a list")
				continue
			}
			for _, rn := range v.Content {
				if r := parseRule(src.Name, rn, d); r != nil {
					fs.rules = append(fs.rules, r)
				}
			}
		default:
			d.nodeErr(src.Name, k, "unknown key %q (want version, risk, rules)", k.Value)
		}
	}
	return fs
}

func parseRisk(src string, n *yaml.Node, rs *riskSpec, d *diag) {
	if n.Kind != yaml.MappingNode {
		d.nodeErr(src, n, "risk must be a mapping with the keys groups, categories and combinations")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var dst map[string]float64
		var valid func(string) bool
		if k.Value == "combinations" {
			parseCombinations(src, v, rs.combinations, d)
			continue
		}
		if handled, err := parseRiskModel(src, k, v, &rs.model); handled {
			if err != nil {
				d.errs = append(d.errs, err.(*LoadError))
			}
			continue
		}
		switch k.Value {
		case "groups":
			dst, valid = rs.groups, IsGroup
		case "categories":
			dst, valid = rs.categories, func(s string) bool { return GroupOf(s) != "" }
		default:
			d.nodeErr(src, k, "unknown key %q in risk (want groups, categories, combinations, sensitivity, matrix, bands, damping)", k.Value)
			continue
		}
		if v.Kind != yaml.MappingNode {
			d.nodeErr(src, v, "risk.%s must be a mapping of id to weight", k.Value)
			continue
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			id, w := v.Content[j], v.Content[j+1]
			if !valid(id.Value) {
				if k.Value == "categories" {
					d.nodeErr(src, id, "%s", unknownCategory(id.Value, " in risk"))
				} else {
					d.nodeErr(src, id, "unknown group %q in risk (valid groups: %s)", id.Value, groupList())
				}
				continue
			}
			var f float64
			if err := w.Decode(&f); err != nil || f < 0 || f > 1 {
				d.nodeErr(src, w, "risk weight of %q must be a number in [0, 1]", id.Value)
				continue
			}
			dst[id.Value] = f
		}
	}
}

// decodeStrings reads a string or a list of strings, recording where each
// entry is; ok is false (and the error recorded) otherwise.
func decodeStrings(src string, n *yaml.Node, key string, at map[string]pos, d *diag) ([]string, bool) {
	if n.Kind == yaml.ScalarNode {
		at[key+"\x00"+n.Value] = posOf(n)
		return []string{n.Value}, true
	}
	if n.Kind != yaml.SequenceNode {
		d.nodeErr(src, n, "%s must be a string or a list of strings", key)
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode {
			d.nodeErr(src, c, "%s must be a list of strings", key)
			return nil, false
		}
		at[key+"\x00"+c.Value] = posOf(c)
		out = append(out, c.Value)
	}
	return out, true
}

var yamlDecodeLineRE = regexp.MustCompile(`^(?:yaml: )?(?:unmarshal errors:\n\s*)?line \d+: `)

// decodeScalar decodes a single value into dst; ok is false (and the error
// recorded) otherwise.
func decodeScalar(src string, n *yaml.Node, key string, dst any, d *diag) bool {
	if n.Kind != yaml.ScalarNode {
		d.nodeErr(src, n, "%s must be a single value", key)
		return false
	}
	if err := n.Decode(dst); err != nil {
		d.nodeErr(src, n, "%s: %s", key, yamlDecodeLineRE.ReplaceAllString(err.Error(), ""))
		return false
	}
	return true
}

// parseRule reads one rule. A rule without an id is reported and dropped;
// a rule with other errors is kept, marked broken, so that its remaining
// keys are still checked.
func parseRule(src string, n *yaml.Node, d *diag) *ruleSpec {
	if n.Kind != yaml.MappingNode {
		d.nodeErr(src, n, "a rule must be a mapping")
		return nil
	}
	r := &ruleSpec{src: src, line: n.Line, col: n.Column, at: map[string]pos{}, Confidence: -1, FieldConfidence: -1}
	nerr := len(d.errs)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		r.at[k.Value] = posOf(v)
		ok := true
		switch k.Value {
		case "id":
			ok = decodeScalar(src, v, k.Value, &r.ID, d)
		case "category":
			ok = decodeScalar(src, v, k.Value, &r.Category, d)
		case "description":
			ok = decodeScalar(src, v, k.Value, &r.Description, d)
		case "engine":
			ok = decodeScalar(src, v, k.Value, &r.Engine, d)
		case "kinds":
			r.Kinds, ok = decodeStrings(src, v, k.Value, r.at, d)
		case "patterns":
			r.Patterns, ok = decodeStrings(src, v, k.Value, r.at, d)
		case "text_patterns":
			r.TextPatterns, ok = decodeStrings(src, v, k.Value, r.at, d)
		case "text":
			ok = decodeScalar(src, v, k.Value, &r.Text, d)
		case "validator":
			ok = decodeScalar(src, v, k.Value, &r.Validator, d)
		case "field_names":
			r.FieldNames, ok = decodeStrings(src, v, k.Value, r.at, d)
		case "context":
			r.Context, ok = decodeStrings(src, v, k.Value, r.at, d)
		case "exclude":
			ok = parseExclude(src, v, r, d)
		case "confidence":
			ok = decodeScalar(src, v, k.Value, &r.Confidence, d)
			if ok && (r.Confidence < 0 || r.Confidence > 1) {
				d.nodeErr(src, v, "confidence must be in [0, 1]")
				ok = false
			}
		case "field_confidence":
			ok = decodeScalar(src, v, k.Value, &r.FieldConfidence, d)
			if ok && (r.FieldConfidence < 0 || r.FieldConfidence > 1) {
				d.nodeErr(src, v, "field_confidence must be in [0, 1]")
				ok = false
			}
		case "requires_field_name":
			ok = decodeScalar(src, v, k.Value, &r.RequiresFieldName, d)
		case "field_name_only":
			ok = decodeScalar(src, v, k.Value, &r.FieldNameOnly, d)
		case "prefilter":
			ok = parsePrefilter(src, v, r, d)
		case "store_types":
			r.StoreTypes, ok = decodeStrings(src, v, k.Value, r.at, d)
		case "suppress":
			r.Suppress, ok = decodeStrings(src, v, k.Value, r.at, d)
		case "min_entropy":
			ok = decodeScalar(src, v, k.Value, &r.MinEntropy, d)
		case "disabled":
			ok = decodeScalar(src, v, k.Value, &r.Disabled, d)
		case "examples":
			ok = parseExamples(src, v, r, d)
		default:
			d.nodeErr(src, k, "unknown key %q in rule (%s)", k.Value, suggestKey(k.Value, ruleKeys))
			delete(r.at, k.Value)
			ok = false
		}
		if !ok {
			r.broken = true
		}
	}
	if r.ID == "" {
		if len(d.errs) == nerr {
			d.nodeErr(src, n, "rule without id")
		}
		return nil
	}
	for i := nerr; i < len(d.errs); i++ {
		if !strings.HasPrefix(d.errs[i].Msg, "rule ") {
			d.errs[i].Msg = fmt.Sprintf("rule %q: %s", r.ID, d.errs[i].Msg)
		}
	}
	return r
}

// suggestKey names the known key closest to an unknown one (a typo), or
// lists them all.
func suggestKey(key string, known []string) string {
	if dym := strictyaml.DidYouMean(key, known, 2); dym != "" {
		return dym
	}
	return "want " + strings.Join(known, ", ")
}

// ruleKeys are the keys of a rule, for the message about an unknown one.
var ruleKeys = []string{"id", "category", "description", "engine", "kinds", "patterns", "text_patterns", "text",
	"validator", "field_names", "context", "exclude", "confidence", "field_confidence", "requires_field_name",
	"field_name_only", "prefilter", "store_types", "suppress", "min_entropy", "disabled", "examples"}

func parseExclude(src string, n *yaml.Node, r *ruleSpec, d *diag) bool {
	if n.Kind != yaml.MappingNode {
		d.nodeErr(src, n, "exclude must be a mapping with the keys values and field_names")
		return false
	}
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var good bool
		switch k.Value {
		case "values":
			r.at["exclude.values"] = posOf(v)
			r.ExcludeValues, good = decodeStrings(src, v, "exclude.values", r.at, d)
		case "field_names":
			r.at["exclude.field_names"] = posOf(v)
			r.ExcludeFieldNames, good = decodeStrings(src, v, "exclude.field_names", r.at, d)
		default:
			d.nodeErr(src, k, "unknown key %q in exclude (want values, field_names)", k.Value)
		}
		ok = ok && good
	}
	return ok
}

func parsePrefilter(src string, n *yaml.Node, r *ruleSpec, d *diag) bool {
	if n.Kind != yaml.MappingNode {
		d.nodeErr(src, n, "prefilter must be a mapping")
		return false
	}
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		r.at["prefilter."+k.Value] = posOf(v)
		var good bool
		switch k.Value {
		case "min_len":
			good = decodeScalar(src, v, k.Value, &r.MinLen, d)
		case "max_len":
			good = decodeScalar(src, v, k.Value, &r.MaxLen, d)
		case "min_digits":
			good = decodeScalar(src, v, k.Value, &r.MinDigits, d)
		case "max_digits":
			good = decodeScalar(src, v, k.Value, &r.MaxDigits, d)
		case "min_letters":
			good = decodeScalar(src, v, k.Value, &r.MinLetters, d)
		case "min_word":
			good = decodeScalar(src, v, k.Value, &r.MinWord, d)
		case "any_chars":
			good = decodeScalar(src, v, k.Value, &r.AnyChars, d)
		case "only_chars":
			good = decodeScalar(src, v, k.Value, &r.OnlyChars, d)
		case "keywords":
			r.Keywords, good = decodeStrings(src, v, k.Value, r.at, d)
		default:
			d.nodeErr(src, k, "unknown key %q in prefilter (want min_len, max_len, min_digits, max_digits, min_letters, min_word, any_chars, only_chars, keywords)", k.Value)
			delete(r.at, "prefilter."+k.Value)
		}
		ok = ok && good
	}
	return ok
}

// has reports whether the rule's file set a key ("confidence",
// "prefilter.min_len", "exclude.values").
func (r *ruleSpec) has(key string) bool { _, ok := r.at[key]; return ok }

// mergeOver returns base with every key that r sets replaced by r's value:
// a user rule with the id of a default rule changes only what it states.
func (r *ruleSpec) mergeOver(base *ruleSpec) *ruleSpec {
	m := *base
	m.at = map[string]pos{}
	for k, v := range base.at {
		m.at[k] = v
	}
	for k, v := range r.at {
		m.at[k] = v
	}
	m.src, m.line, m.col, m.broken = r.src, r.line, r.col, r.broken
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
		{"examples", func() { m.Examples = r.Examples }},
	} {
		if r.has(f.key) {
			f.set()
		}
	}
	return &m
}

// posOf is where the rule states key (the entry value of a list key, when
// given), or where the rule starts.
func (r *ruleSpec) posOf(key, value string) pos {
	if p, ok := r.at[key+"\x00"+value]; ok {
		return p
	}
	if p, ok := r.at[key]; ok {
		return p
	}
	return pos{r.line, r.col}
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
			return "", riskErr(src, n, "%s must be one of %s", what, strings.Join(levels, ", "))
		}
		return n.Value, nil
	}
	mapping := func(n *yaml.Node, what string) error {
		if n.Kind != yaml.MappingNode {
			return riskErr(src, n, "%s must be a mapping", what)
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
				return true, riskErr(src, kk, "unknown key %q in risk.sensitivity (want groups, categories)", kk.Value)
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
					return true, riskErr(src, id, "unknown %s %q in risk.sensitivity", map[string]string{"groups": "group", "categories": "category"}[kk.Value], id.Value)
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
						return true, riskErr(src, bv, "risk.bands.%s.%s must be a number from 0 to 100", lv.Value, bk.Value)
					}
					if bk.Value == "min" {
						b.Min = f
					} else {
						b.Max = f
					}
				case "means":
					if bv.Kind != yaml.ScalarNode || strings.TrimSpace(bv.Value) == "" {
						return true, riskErr(src, bv, "risk.bands.%s.means must say in one sentence what a score in the band means", lv.Value)
					}
					b.Meaning = strings.TrimSpace(bv.Value)
				default:
					return true, riskErr(src, bk, "unknown key %q in risk.bands.%s (want min, max, means)", bk.Value, lv.Value)
				}
			}
			if seen["min"] && seen["max"] && b.Min > b.Max {
				return true, riskErr(src, bn, "risk.bands.%s: min %g is above max %g", lv.Value, b.Min, b.Max)
			}
			m.Bands[lv.Value] = b
		}
		m.src = src
	case "damping":
		var f float64
		if err := v.Decode(&f); err != nil || f <= 0 || f > 1 {
			return true, riskErr(src, v, "risk.damping must be a number in (0, 1]")
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
func checkRiskModel(m RiskModelSpec) *LoadError {
	fail := func(format string, a ...any) *LoadError {
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

// riskErr is an error of the risk model at a YAML node.
func riskErr(src string, n *yaml.Node, format string, a ...any) error {
	p := posOf(n)
	return &LoadError{Source: src, Line: p.line, Column: p.col, Msg: fmt.Sprintf(format, a...)}
}
