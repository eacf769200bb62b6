package report

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/piisniff/piisniff/internal/strictyaml"
)

// IgnoreFileName is the ignore file read from the working directory.
const IgnoreFileName = ".piisniffignore"

// IgnoreFile is a parsed .piisniffignore: a YAML list of entries.
//
//   - fingerprint: 3f2a9c0d1e2b4a5f6c7d8e9f   # one finding
//     reason: synthetic customers of the staging fixtures
//     expires: 2027-03-31                     # optional, last day it applies
//   - target: "file:*"                        # or globs ...
//     container: "fixtures/*"
//     path: "*"
//     categories: [email, phone]              # ... and categories (none: all)
//     reason: test data
type IgnoreFile struct {
	Name    string
	Entries []IgnoreEntry
}

// IgnoreEntry is one entry of an ignore file. An entry names either a
// fingerprint or at least one of target, container, path (globs, where *
// matches any run of characters, / included, and ? one character) and
// categories; Reason is mandatory.
type IgnoreEntry struct {
	Fingerprint string
	Target      string
	Container   string
	Path        string
	Categories  []string
	Reason      string
	// Expires is the last day the entry applies (zero: never expires).
	Expires time.Time
	// Line is the entry's line in the file.
	Line int

	target, container, path *regexp.Regexp
}

// IgnoredFinding is a finding an ignore entry matched, with the entry's
// reason. It is listed in its own section of every format.
type IgnoredFinding struct {
	FlatFinding
	Reason string `json:"reason"`
	// Entry is where the entry is: file:line.
	Entry   string `json:"entry"`
	Expires string `json:"expires,omitempty"`
	// Ignored is always true: it tells ignored findings from the others
	// in the ndjson format.
	Ignored bool `json:"ignored"`
}

// IgnoreEntryNote is an ignore entry that no longer applies.
type IgnoreEntryNote struct {
	Entry   string `json:"entry"`
	Reason  string `json:"reason"`
	Expires string `json:"expires"`
	Message string `json:"message"`
}

// IgnoreError is an error in an ignore file, with its position.
type IgnoreError struct {
	File string
	Line int
	Msg  string
}

func (e *IgnoreError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

var ignoreKeys = []string{"fingerprint", "target", "container", "path", "categories", "reason", "expires"}

// ParseIgnore parses an ignore file. Errors name the file and line.
func ParseIgnore(name string, data []byte) (*IgnoreFile, error) {
	f := &IgnoreFile{Name: name}
	root, err := strictyaml.Root(data)
	if err != nil {
		se := strictyaml.Syntax(err)
		return nil, &IgnoreError{File: name, Line: se.Line, Msg: se.Msg}
	}
	if root == nil {
		return f, nil
	}
	if root.Kind != yaml.SequenceNode {
		return nil, &IgnoreError{File: name, Line: root.Line, Msg: "an ignore file is a list of entries (- reason: ...)"}
	}
	for _, n := range root.Content {
		e, err := parseIgnoreEntry(name, n)
		if err != nil {
			return nil, err
		}
		f.Entries = append(f.Entries, e)
	}
	return f, nil
}

func parseIgnoreEntry(name string, n *yaml.Node) (IgnoreEntry, error) {
	errAt := func(n *yaml.Node, format string, a ...any) error {
		return &IgnoreError{File: name, Line: n.Line, Msg: fmt.Sprintf(format, a...)}
	}
	e := IgnoreEntry{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return e, errAt(n, "an entry is a mapping with the keys %s", strings.Join(ignoreKeys, ", "))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			return e, errAt(k, "%q given twice", k.Value)
		}
		seen[k.Value] = true
		if k.Value == "categories" {
			var cats []string
			if v.Kind == yaml.ScalarNode {
				cats = []string{v.Value}
			} else if err := v.Decode(&cats); err != nil || v.Kind != yaml.SequenceNode {
				return e, errAt(v, "categories must be a list of category ids")
			}
			for _, c := range cats {
				if _, ok := Categories[c]; !ok {
					return e, errAt(v, "unknown category %q (one of %s)", c, strings.Join(sortedKeys(Categories), ", "))
				}
			}
			e.Categories = cats
			continue
		}
		if v.Kind != yaml.ScalarNode {
			if !containsString(ignoreKeys, k.Value) {
				return e, errAt(k, "%s", unknownIgnoreKey(k.Value))
			}
			return e, errAt(v, "%s must be a single value", k.Value)
		}
		val := strings.TrimSpace(v.Value)
		switch k.Value {
		case "fingerprint":
			if !regexp.MustCompile(`^[0-9a-f]{8,64}$`).MatchString(val) {
				return e, errAt(v, "fingerprint %q is not a fingerprint of a report (hexadecimal, as in the report's fingerprint fields)", val)
			}
			e.Fingerprint = val
		case "target", "container", "path":
			re, err := globRegexp(val)
			if err != nil {
				return e, errAt(v, "%s: %v", k.Value, err)
			}
			switch k.Value {
			case "target":
				e.Target, e.target = val, re
			case "container":
				e.Container, e.container = val, re
			default:
				e.Path, e.path = val, re
			}
		case "reason":
			e.Reason = val
		case "expires":
			t, err := time.Parse(time.DateOnly, val)
			if err != nil {
				return e, errAt(v, "expires %q is not a date (YYYY-MM-DD)", val)
			}
			e.Expires = t
		default:
			return e, errAt(k, "%s", unknownIgnoreKey(k.Value))
		}
	}
	switch {
	case e.Reason == "":
		return e, errAt(n, "an entry needs a reason: say why these findings are accepted")
	case e.Fingerprint != "" && (e.Target != "" || e.Container != "" || e.Path != "" || len(e.Categories) > 0):
		return e, errAt(n, "an entry names either a fingerprint or target/container/path/categories, not both")
	case e.Fingerprint == "" && e.Target == "" && e.Container == "" && e.Path == "" && len(e.Categories) == 0:
		return e, errAt(n, "an entry needs a fingerprint, or at least one of target, container, path, categories")
	}
	return e, nil
}

// unknownIgnoreKey is the message for an unknown key of an entry.
func unknownIgnoreKey(key string) string {
	msg := fmt.Sprintf("unknown key %q (one of %s)", key, strings.Join(ignoreKeys, ", "))
	if dym := strictyaml.DidYouMean(key, ignoreKeys, 2); dym != "" {
		msg += "; " + dym
	}
	return msg
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// globRegexp compiles a glob: * matches any run of characters, ? one
// character, everything else itself.
func globRegexp(glob string) (*regexp.Regexp, error) {
	if glob == "" {
		return nil, errors.New("an empty glob matches nothing; leave the key out instead")
	}
	var b strings.Builder
	b.WriteString("^")
	for _, r := range glob {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// Expired says the entry's last day is before now's day.
func (e IgnoreEntry) Expired(now time.Time) bool {
	if e.Expires.IsZero() {
		return false
	}
	y, m, d := now.UTC().Date()
	return e.Expires.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// Matches says the entry covers a finding. A target glob is matched against
// the target's URI as written in the report and against its identity.
func (e IgnoreEntry) Matches(targetURI, container, path, category string) bool {
	if e.Fingerprint != "" {
		return e.Fingerprint == Fingerprint(targetURI, container, path, category)
	}
	if e.target != nil && !e.target.MatchString(targetURI) && !e.target.MatchString(TargetIdentity(targetURI)) {
		return false
	}
	if e.container != nil && !e.container.MatchString(container) {
		return false
	}
	if e.path != nil && !e.path.MatchString(path) {
		return false
	}
	return len(e.Categories) == 0 || containsString(e.Categories, category)
}

func (f *IgnoreFile) where(e IgnoreEntry) string { return fmt.Sprintf("%s:%d", f.Name, e.Line) }

// ApplyIgnore moves every finding an unexpired entry matches from the
// report's tree to r.Ignored, with the entry's reason, and lists the expired
// entries in r.IgnoreExpired. The report must be finished again afterwards
// (Finish does both when the model carries the ignore file).
func ApplyIgnore(r *Report, f *IgnoreFile, now time.Time) {
	if f == nil {
		return
	}
	if now.IsZero() {
		now = time.Now()
	}
	r.IgnoreExpired = nil
	var live []IgnoreEntry
	for _, e := range f.Entries {
		if e.Expired(now) {
			r.IgnoreExpired = append(r.IgnoreExpired, IgnoreEntryNote{Entry: f.where(e), Reason: e.Reason,
				Expires: e.Expires.Format(time.DateOnly),
				Message: fmt.Sprintf("ignore entry %s (%s) expired on %s and no longer applies", f.where(e), e.Reason, e.Expires.Format(time.DateOnly))})
			continue
		}
		live = append(live, e)
	}
	for ti := range r.Targets {
		t := &r.Targets[ti]
		for ci := range t.Containers {
			c := &t.Containers[ci]
			fields := c.Fields[:0]
			for _, fd := range c.Fields {
				kept := fd.Findings[:0]
				for _, x := range fd.Findings {
					if e, ok := firstMatch(live, t.URI, c.Name, fd.Path, x.Category); ok {
						x.Fingerprint = Fingerprint(t.URI, c.Name, fd.Path, x.Category)
						ig := IgnoredFinding{FlatFinding: FlatFinding{Target: t.URI, Kind: t.Kind, Container: c.Name, Path: fd.Path, Finding: x,
							AnonymousAccess: t.Exposure.AnonymousAccess}, Reason: e.Reason, Entry: f.where(e), Ignored: true}
						if !e.Expires.IsZero() {
							ig.Expires = e.Expires.Format(time.DateOnly)
						}
						r.Ignored = append(r.Ignored, ig)
						continue
					}
					kept = append(kept, x)
				}
				fd.Findings = kept
				if len(fd.Findings) > 0 {
					fields = append(fields, fd)
				}
			}
			c.Fields = fields
		}
	}
}

func firstMatch(entries []IgnoreEntry, uri, container, path, category string) (IgnoreEntry, bool) {
	for _, e := range entries {
		if e.Matches(uri, container, path, category) {
			return e, true
		}
	}
	return IgnoreEntry{}, false
}

// LoadIgnore reads an ignore file; a missing file gives nil and no error
// when optional is set.
func LoadIgnore(name string, optional bool) (*IgnoreFile, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		if optional && errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	return ParseIgnore(name, data)
}

// AppendIgnore adds an entry for one fingerprint to the ignore file name,
// creating it when missing, and checks the result parses.
func AppendIgnore(name, fingerprint, reason string, expires time.Time) error {
	if strings.TrimSpace(reason) == "" {
		return errors.New("--reason is mandatory: say why this finding is accepted")
	}
	old, err := os.ReadFile(name)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	entry := []map[string]string{{"fingerprint": strings.TrimSpace(fingerprint), "reason": strings.TrimSpace(reason)}}
	if !expires.IsZero() {
		entry[0]["expires"] = expires.Format(time.DateOnly)
	}
	add, err := yaml.Marshal(entry)
	if err != nil {
		return err
	}
	out := append([]byte(nil), old...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	out = append(out, add...)
	if _, err := ParseIgnore(name, out); err != nil {
		return err
	}
	return os.WriteFile(name, out, 0o644)
}
