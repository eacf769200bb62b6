package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors"
)

// ExplainRequest asks how the rules judge the values of one field.
type ExplainRequest struct {
	Target    string
	Container string // container name; empty: every container holding the path
	Path      string // field path in the report's convention
	MaxValues int    // distinct values explained per container; default 5
}

// ValueExplanation is how the rules judged one sampled value.
type ValueExplanation struct {
	Value string // masked unless data is shown
	Kind  classifiers.Kind
	// Region is the region of the document the value was found in
	// (Engine.DocumentRegion), which the scan classifies it in too.
	Region string
	Rules  []classifiers.Explanation
}

// ContainerExplanation gathers the explained values of one container.
type ContainerExplanation struct {
	Container string
	StoreType string // store-declared type of the field, if any
	Documents int    // sampled documents that hold the field
	Values    []ValueExplanation
	// Structure lists findings the field's shape gave (GeoJSON, lat/lng).
	Structure []classifiers.Hit
	// Reached says how the path was reached when it is not a plain
	// field: the key/value pair whose sibling key names it, the encodings
	// decoded on the way (DescribePath).
	Reached []string
	// Name is how field-name patterns read the path.
	Name string
}

// PathError says that no sampled document holds the field asked about.
type PathError struct {
	Path    string
	Closest []string // the paths seen that are closest to Path, best first
}

func (e *PathError) Error() string {
	msg := fmt.Sprintf("no sampled document holds the field %q", e.Path)
	if len(e.Closest) > 0 {
		msg += "; the closest paths are: " + strings.Join(e.Closest, ", ")
	}
	return msg
}

// Explain samples the target like a scan does and explains, value by
// value, which rules matched the field at req.Path and where the others
// stopped, so a person can check a verdict. Each value is classified in
// the region of its document, as the scan classifies it. When no sampled
// document holds the field the error is a *PathError.
func Explain(ctx context.Context, req ExplainRequest, cfg Config) ([]ContainerExplanation, error) {
	cfg.defaults()
	if req.MaxValues <= 0 {
		req.MaxValues = 5
	}
	conn, err := connectors.Open(ctx, req.Target, cfg.Connector)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	containers, err := conn.Containers(ctx)
	if err != nil {
		return nil, err
	}
	var out []ContainerExplanation
	found := false
	seen := map[string]bool{} // every path sampled, for a *PathError
	for _, c := range containers {
		if req.Container != "" && c.Name != req.Container {
			continue
		}
		found = true
		ce := ContainerExplanation{Container: c.Name, StoreType: c.FieldTypes[req.Path], Reached: DescribePath(req.Path)}
		field := cfg.Engine.Field(req.Path, ce.StoreType)
		ce.Name = field.Name()
		col := &collector{path: req.Path, engine: cfg.Engine, seen: map[valueIn]bool{}, max: req.MaxValues, paths: seen}
		fl := Flattener{MaxDepth: cfg.MaxDepth}
		_, err := conn.Sample(ctx, c, connectors.SampleOptions{Size: cfg.SampleSize, Seed: cfg.Seed}, func(d connectors.Document) error {
			fields, _, ok := d.Decode()
			if !ok {
				return nil
			}
			col.inDoc = false
			col.region = cfg.Engine.DocumentRegion(fields)
			_ = fl.Flatten(fields, col)
			if col.inDoc {
				ce.Documents++
			}
			return nil
		})
		if err != nil {
			return out, fmt.Errorf("%s: %w", c.Name, err)
		}
		if ce.Documents == 0 {
			continue
		}
		for _, vr := range col.values {
			v := vr.v
			text := classifiers.Mask("", v.S)
			var matched []string
			rules := explainIn(field, v, vr.region)
			for _, x := range rules {
				if x.Matched {
					matched = append(matched, x.Category)
				}
			}
			if cfg.ShowData && !anyCredential(matched) {
				text = v.S
			} else if len(matched) > 0 {
				text = classifiers.Mask(matched[0], v.S)
			}
			ce.Values = append(ce.Values, ValueExplanation{Value: text, Kind: v.Kind, Region: vr.region, Rules: rules})
		}
		ce.Structure = col.structure
		out = append(out, ce)
	}
	if req.Container != "" && !found {
		names := make([]string, 0, len(containers))
		for _, c := range containers {
			names = append(names, c.Name)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("no container %q in %s (containers: %v)", req.Container, conn.URI(), names)
	}
	if len(out) == 0 {
		return nil, &PathError{Path: req.Path, Closest: closestPaths(req.Path, seen, 5)}
	}
	return out, nil
}

// explainIn is Field.Explain with the verdicts of Field.ClassifyIn in the
// document's region, which is what the scan decides by.
func explainIn(field *classifiers.Field, v classifiers.Value, region string) []classifiers.Explanation {
	rules := field.Explain(v)
	if region == "" {
		return rules // Explain classifies without a region
	}
	byRule := map[string]classifiers.Hit{}
	for _, h := range field.ClassifyIn(v, region, nil) {
		byRule[h.Rule] = h
	}
	for i := range rules {
		x := &rules[i]
		if h, ok := byRule[x.Rule]; ok {
			x.Matched, x.Confidence, x.Evidence, x.Start, x.End, x.Stage = true, h.Confidence, h.Evidence, h.Start, h.End, ""
		} else if x.Matched {
			x.Matched, x.Stage = false, "region "+region
		}
	}
	return rules
}

// closestPaths returns up to n of the paths closest to path: those that
// end with its last key first, then by edit distance.
func closestPaths(path string, paths map[string]bool, n int) []string {
	type cand struct {
		p string
		d int
	}
	last := path
	if i := strings.LastIndexAny(path, ".]"); i >= 0 {
		last = path[i+1:]
	}
	var cs []cand
	for p := range paths {
		d := editDistance(strings.ToLower(path), strings.ToLower(p))
		if last != "" && strings.HasSuffix(strings.ToLower(p), strings.ToLower(last)) {
			d = min(d, 1)
		}
		if d > max(3, len(path)/2) && !strings.Contains(strings.ToLower(p), strings.ToLower(last)) {
			continue
		}
		cs = append(cs, cand{p, d})
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].p < cs[j].p
	})
	var out []string
	for i := 0; i < len(cs) && i < n; i++ {
		out = append(out, cs[i].p)
	}
	return out
}

// editDistance is the Levenshtein distance of two short strings (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func anyCredential(categories []string) bool {
	for _, c := range categories {
		if classifiers.IsCredential(c) {
			return true
		}
	}
	return false
}

// valueIn is a value with the region of its document.
type valueIn struct {
	v      classifiers.Value
	region string
}

// maxPathsSeen bounds the paths remembered for a *PathError.
const maxPathsSeen = 10000

// collector keeps the first distinct values found at one path, and the
// paths it saw.
type collector struct {
	path      string
	engine    *classifiers.Engine
	seen      map[valueIn]bool
	max       int
	values    []valueIn
	structure []classifiers.Hit
	inDoc     bool
	region    string // of the document being flattened
	paths     map[string]bool
}

func (c *collector) Scalar(path []byte, v classifiers.Value) {
	if string(path) != c.path {
		if len(c.paths) < maxPathsSeen && !c.paths[string(path)] {
			c.paths[string(path)] = true
		}
		return
	}
	c.inDoc = true
	vr := valueIn{v, c.region}
	if len(c.values) < c.max && !c.seen[vr] {
		c.seen[vr] = true
		c.values = append(c.values, vr)
	}
}

func (c *collector) Node(path []byte, node any) {
	for _, ph := range c.engine.Structure(string(path), node, nil) {
		if ph.Path != c.path {
			continue
		}
		c.inDoc = true
		dup := false
		for _, h := range c.structure {
			if h.Category == ph.Hit.Category && h.Rule == ph.Hit.Rule {
				dup = true
			}
		}
		if !dup {
			c.structure = append(c.structure, ph.Hit)
		}
	}
}
