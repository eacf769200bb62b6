package classifiers

import (
	"regexp"
	"strings"
)

// PLACEHOLDER: this minimal engine fixes the API the pipeline uses. The real
// rules engine (rules.yaml, validators, every category) replaces the bodies
// without changing the exported signatures.

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
}

// Engine is an immutable, compiled rule set. It is safe for concurrent use.
type Engine struct {
	email *regexp.Regexp
}

// Load compiles the default rules and then each user source in order; a user
// rule replaces the rule with the same id, a new id adds a rule.
func Load(sources ...Source) (*Engine, error) {
	return &Engine{email: regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[a-z]{2,}$`)}, nil
}

// Restrict returns an engine that reports only the given categories or
// groups (all when only is empty) minus those in except.
func (e *Engine) Restrict(only, except []string) (*Engine, error) { return e, nil }

// Rules lists the compiled rules.
func (e *Engine) Rules() []RuleInfo { return nil }

// RiskWeight is the risk weight of a category in [0, 1], from rules.yaml.
func (e *Engine) RiskWeight(category string) float64 { return 0.5 }

// Field returns what the engine knows about a field path. Everything that
// depends on the path alone is computed here, once; callers cache the result
// per path. storeType is the store-declared type ("" when unknown).
func (e *Engine) Field(path, storeType string) *Field {
	return &Field{e: e, path: path, pw: strings.Contains(strings.ToLower(path), "password")}
}

// Structure inspects a map[string]any or []any node at path for findings
// that only its shape reveals (GeoJSON Point, lat/lng siblings, [lon, lat]
// pairs) and appends them to dst.
func (e *Engine) Structure(path string, node any, dst []PathHit) []PathHit { return dst }

// Field is the compiled view of the engine for one field path. It is
// immutable and safe for concurrent use.
type Field struct {
	e    *Engine
	path string
	pw   bool
}

// TypeHits are the findings implied by the store-declared type alone (for
// example an Elasticsearch geo_point), reported even for fields no sampled
// document holds.
func (f *Field) TypeHits() []Hit { return nil }

// Classify appends the hits of one scalar value to dst. This is the hot
// path: it must not allocate when nothing matches.
func (f *Field) Classify(v Value, dst []Hit) []Hit {
	if v.Kind == KindString && f.e.email.MatchString(v.S) {
		dst = append(dst, Hit{Category: "email", Confidence: 0.9, Evidence: EvValue, Rule: "email"})
	}
	if f.pw && v.Kind == KindString && v.S != "" {
		dst = append(dst, Hit{Category: "password", Confidence: 0.8, Evidence: EvFieldName, Rule: "password"})
	}
	return dst
}

// Mask returns a masked form of a value of the given category that keeps at
// most a few characters readable. Credentials are masked entirely.
func Mask(category, s string) string {
	if IsCredential(category) || len(s) <= 4 {
		return strings.Repeat("*", min(len(s), 8))
	}
	return strings.Repeat("*", len(s)-4) + s[len(s)-4:]
}
