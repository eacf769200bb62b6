package classifiers

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/piisniff/piisniff/internal/strictyaml"
)

// pos is a position in a rules file; line and column count from 1.
type pos struct{ line, col int }

func posOf(n *yaml.Node) pos {
	if n == nil {
		return pos{}
	}
	return pos{n.Line, n.Column}
}

// Warning is a problem in a rules file that does not stop it from loading.
type Warning struct {
	Source  string
	Line    int
	Column  int
	RuleID  string
	Message string
}

func (w Warning) String() string {
	return fmt.Sprintf("%s: rule %q: %s", position(w.Source, w.Line, w.Column), w.RuleID, w.Message)
}

// LoadError is a rules file error with its position. Line and Column count
// from 1; Column is 1 when the YAML parser tells only the line, and both
// are 0 for an error about the file as a whole.
type LoadError struct {
	Source string
	Line   int
	Column int
	Msg    string
}

func (e *LoadError) Error() string { return position(e.Source, e.Line, e.Column) + ": " + e.Msg }

// position writes file:line:column, or file alone without a line.
func position(src string, line, col int) string {
	if line <= 0 {
		return src
	}
	if col <= 0 {
		col = 1
	}
	return fmt.Sprintf("%s:%d:%d", src, line, col)
}

// LoadErrors is every error found while loading rules files, in the order
// of the files and, within a file, mostly of the lines. Load and Check
// return it as their error; each element prints as file:line:column:
// message.
type LoadErrors []*LoadError

func (l LoadErrors) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// diag collects the errors and warnings of a load.
type diag struct {
	errs    LoadErrors
	warns   []Warning
	sources []string // in load order, to sort errors by file
}

func (d *diag) errAt(src string, p pos, format string, a ...any) {
	d.errs = append(d.errs, &LoadError{Source: src, Line: p.line, Column: p.col, Msg: fmt.Sprintf(format, a...)})
}

// nodeErr records an error at a YAML node.
func (d *diag) nodeErr(src string, n *yaml.Node, format string, a ...any) {
	d.errAt(src, posOf(n), format, a...)
}

// err returns the collected errors as an error, nil when there are none.
func (d *diag) err() error {
	if len(d.errs) == 0 {
		return nil
	}
	rank := func(src string) int {
		for i, s := range d.sources {
			if s == src {
				return i
			}
		}
		return len(d.sources)
	}
	sort.SliceStable(d.errs, func(i, j int) bool {
		a, b := d.errs[i], d.errs[j]
		if ra, rb := rank(a.Source), rank(b.Source); ra != rb {
			return ra < rb
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return d.errs
}

// yamlErr turns an error of the YAML parser ("yaml: line 4: did not find
// expected key") into a position and a message.
func yamlErr(err error) (pos, string) {
	se := strictyaml.Syntax(err)
	if se.Line > 0 {
		return pos{se.Line, 1}, se.Msg
	}
	return pos{}, se.Msg
}

// categoryList is the valid category ids, for error messages.
func categoryList() string {
	ids := make([]string, len(Taxonomy))
	for i, t := range Taxonomy {
		ids[i] = t.Category
	}
	return strings.Join(ids, ", ")
}

// unknownCategory is the message for a category id outside the taxonomy.
func unknownCategory(id, where string) string {
	return fmt.Sprintf("unknown category %q%s (valid categories: %s)", id, where, categoryList())
}

// groupList is the valid group ids, for error messages.
func groupList() string {
	var ids []string
	for _, t := range Taxonomy {
		if len(ids) == 0 || ids[len(ids)-1] != t.Group {
			ids = append(ids, t.Group)
		}
	}
	return strings.Join(ids, ", ")
}
