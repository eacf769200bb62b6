package classifiers

import (
	"fmt"
	"sort"

	"go.yaml.in/yaml/v3"
)

// Combination is a harmful combination of categories in one container,
// configured under risk.combinations in rules.yaml. The risk model boosts a
// container that holds every part.
type Combination struct {
	ID   string
	Name string
	// Requires lists the parts; a part is present when any of its
	// categories is found.
	Requires [][]string
	// Boost is the combination's weight in [0, 1].
	Boost float64
	// Disabled removes a combination of an earlier file.
	Disabled bool
}

// Combinations lists the configured combinations, sorted by id.
func (e *Engine) Combinations() []Combination {
	out := make([]Combination, 0, len(e.combos))
	for _, c := range e.combos {
		if !c.Disabled {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// parseCombinations reads risk.combinations: a mapping of id to
// {name, boost, requires: [[category or group...], ...], disabled}.
func parseCombinations(src string, n *yaml.Node, dst map[string]Combination, d *diag) {
	if n.Kind != yaml.MappingNode {
		d.nodeErr(src, n, "risk.combinations must be a mapping of id to {name, boost, requires}")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		id, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.MappingNode {
			d.nodeErr(src, v, "combination %q must be a mapping with name, boost and requires", id.Value)
			continue
		}
		c := Combination{ID: id.Value, Boost: -1}
		ok := true
		for j := 0; j+1 < len(v.Content); j += 2 {
			k, val := v.Content[j], v.Content[j+1]
			switch k.Value {
			case "name":
				c.Name = val.Value
			case "boost":
				if err := val.Decode(&c.Boost); err != nil || c.Boost < 0 || c.Boost > 1 {
					d.nodeErr(src, val, "boost of combination %q must be a number in [0, 1]", id.Value)
					ok = false
				}
			case "disabled":
				if err := val.Decode(&c.Disabled); err != nil {
					d.nodeErr(src, val, "disabled of combination %q must be true or false", id.Value)
					ok = false
				}
			case "requires":
				var parts [][]string
				if err := val.Decode(&parts); err != nil || len(parts) < 2 {
					d.nodeErr(src, val, "requires of combination %q must be a list of at least two parts, each a list of categories", id.Value)
					ok = false
					continue
				}
				for pi, p := range parts {
					at := val
					if pi < len(val.Content) {
						at = val.Content[pi]
					}
					if len(p) == 0 {
						d.nodeErr(src, at, "combination %q has an empty part", id.Value)
						ok = false
					}
					for ci, cat := range p {
						if GroupOf(cat) == "" {
							catAt := at
							if ci < len(at.Content) {
								catAt = at.Content[ci]
							}
							d.nodeErr(src, catAt, "%s", unknownCategory(cat, fmt.Sprintf(" in combination %q", id.Value)))
							ok = false
						}
					}
				}
				c.Requires = parts
			default:
				d.nodeErr(src, k, "unknown key %q in combination %q (want name, boost, requires, disabled)", k.Value, id.Value)
				ok = false
			}
		}
		if ok {
			dst[c.ID] = c
		}
	}
}

// mergeCombination lays a combination of a later file over an earlier one:
// the keys it states replace the earlier ones.
func mergeCombination(base, over Combination) Combination {
	if over.Name != "" {
		base.Name = over.Name
	}
	if over.Boost >= 0 {
		base.Boost = over.Boost
	}
	if over.Requires != nil {
		base.Requires = over.Requires
	}
	base.Disabled = over.Disabled
	return base
}

// finishCombination fills what a new combination left unsaid.
func finishCombination(c Combination) Combination {
	if c.Name == "" {
		c.Name = c.ID
	}
	if c.Boost < 0 {
		c.Boost = 1
	}
	return c
}
