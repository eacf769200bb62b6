package classifiers

import (
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
func parseCombinations(src string, n *yaml.Node, dst map[string]Combination) error {
	if n.Kind != yaml.MappingNode {
		return errAt(src, n, "risk.combinations must be a mapping of id to {name, boost, requires}")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		id, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.MappingNode {
			return errAt(src, v, "combination %q must be a mapping with name, boost and requires", id.Value)
		}
		c := Combination{ID: id.Value, Boost: -1}
		for j := 0; j+1 < len(v.Content); j += 2 {
			k, val := v.Content[j], v.Content[j+1]
			switch k.Value {
			case "name":
				c.Name = val.Value
			case "boost":
				if err := val.Decode(&c.Boost); err != nil || c.Boost < 0 || c.Boost > 1 {
					return errAt(src, val, "boost of combination %q must be a number in [0, 1]", id.Value)
				}
			case "disabled":
				if err := val.Decode(&c.Disabled); err != nil {
					return errAt(src, val, "disabled of combination %q must be true or false", id.Value)
				}
			case "requires":
				var parts [][]string
				if err := val.Decode(&parts); err != nil || len(parts) < 2 {
					return errAt(src, val, "requires of combination %q must be a list of at least two parts, each a list of categories", id.Value)
				}
				for _, p := range parts {
					if len(p) == 0 {
						return errAt(src, val, "combination %q has an empty part", id.Value)
					}
					for _, cat := range p {
						if GroupOf(cat) == "" {
							return errAt(src, val, "unknown category %q in combination %q", cat, id.Value)
						}
					}
				}
				c.Requires = parts
			default:
				return errAt(src, k, "unknown key %q in combination %q (want name, boost, requires, disabled)", k.Value, id.Value)
			}
		}
		dst[c.ID] = c
	}
	return nil
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
