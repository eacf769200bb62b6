// Package piisniff holds what the whole module shares: the default rules.
package piisniff

import _ "embed"

// DefaultRules is the content of rules.yaml, the built-in rule set.
//
//go:embed rules.yaml
var DefaultRules []byte
