package connectors

import "path"

// Filter selects names with shell-style globs (path.Match syntax).
// An empty Include selects everything; Exclude wins over Include.
type Filter struct {
	Include []string
	Exclude []string
}

// Match reports whether name passes the filter.
func (f Filter) Match(name string) bool {
	for _, p := range f.Exclude {
		if ok, _ := path.Match(p, name); ok {
			return false
		}
	}
	if len(f.Include) == 0 {
		return true
	}
	for _, p := range f.Include {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// Validate reports the first malformed pattern.
func (f Filter) Validate() error {
	for _, list := range [][]string{f.Include, f.Exclude} {
		for _, p := range list {
			if _, err := path.Match(p, ""); err != nil {
				return &PatternError{Pattern: p, Err: err}
			}
		}
	}
	return nil
}

// PatternError is a malformed glob.
type PatternError struct {
	Pattern string
	Err     error
}

func (e *PatternError) Error() string {
	return "bad pattern " + quote(e.Pattern) + ": " + e.Err.Error()
}

func quote(s string) string { return "\"" + s + "\"" }
