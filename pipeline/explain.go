package pipeline

import (
	"context"
	"fmt"
	"sort"

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
	Rules []classifiers.Explanation
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

// Explain samples the target like a scan does and explains, value by
// value, which rules matched the field at req.Path and where the others
// stopped, so a person can check a verdict.
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
	for _, c := range containers {
		if req.Container != "" && c.Name != req.Container {
			continue
		}
		found = true
		ce := ContainerExplanation{Container: c.Name, StoreType: c.FieldTypes[req.Path], Reached: DescribePath(req.Path)}
		field := cfg.Engine.Field(req.Path, ce.StoreType)
		ce.Name = field.Name()
		col := &collector{path: req.Path, engine: cfg.Engine, seen: map[string]bool{}, max: req.MaxValues}
		fl := Flattener{MaxDepth: cfg.MaxDepth}
		_, err := conn.Sample(ctx, c, connectors.SampleOptions{Size: cfg.SampleSize, Seed: cfg.Seed}, func(d connectors.Document) error {
			col.inDoc = false
			_ = fl.Flatten(d.Fields, col)
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
		for _, v := range col.values {
			text := classifiers.Mask("", v.S)
			var matched []string
			rules := field.Explain(v)
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
			ce.Values = append(ce.Values, ValueExplanation{Value: text, Kind: v.Kind, Rules: rules})
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
	return out, nil
}

func anyCredential(categories []string) bool {
	for _, c := range categories {
		if classifiers.IsCredential(c) {
			return true
		}
	}
	return false
}

// collector keeps the first distinct values found at one path.
type collector struct {
	path      string
	engine    *classifiers.Engine
	seen      map[string]bool
	max       int
	values    []classifiers.Value
	structure []classifiers.Hit
	inDoc     bool
}

func (c *collector) Scalar(path []byte, v classifiers.Value) {
	if string(path) != c.path {
		return
	}
	c.inDoc = true
	if len(c.values) < c.max && !c.seen[v.S] {
		c.seen[v.S] = true
		c.values = append(c.values, v)
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
