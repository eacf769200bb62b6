package estate

import (
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Encode writes f back as YAML that Parse reads to the same targets: the
// defaults are folded into each target, and every $ is written $$ so that
// expanded values stay as they are.
func Encode(f *File) ([]byte, error) {
	str := func(s string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: strings.ReplaceAll(s, "$", "$$")}
	}
	mapping := func(kv ...*yaml.Node) *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Content: kv} }
	secret := func(s Secret) *yaml.Node {
		if s.Env != "" {
			return mapping(str("env"), str(s.Env))
		}
		return mapping(str("file"), str(s.File))
	}
	targets := &yaml.Node{Kind: yaml.SequenceNode}
	for _, t := range f.Targets {
		tn := mapping(str("name"), str(t.Name), str("uri"), str(t.URI))
		if tags := t.Tags.Map(); len(tags) > 0 {
			m := mapping()
			for _, k := range TagKeys {
				if v, ok := tags[k]; ok {
					m.Content = append(m.Content, str(k), str(v))
				}
			}
			tn.Content = append(tn.Content, str("tags"), m)
		}
		c := t.Credentials
		if c.Username != "" || c.Password != nil || c.Secrets != nil {
			m := mapping()
			if c.Username != "" {
				m.Content = append(m.Content, str("username"), str(c.Username))
			}
			if c.Password != nil {
				m.Content = append(m.Content, str("password"), secret(*c.Password))
			}
			if c.Secrets != nil {
				sm := mapping()
				names := make([]string, 0, len(c.Secrets))
				for n := range c.Secrets {
					names = append(names, n)
				}
				sort.Strings(names)
				for _, n := range names {
					sm.Content = append(sm.Content, str(n), secret(c.Secrets[n]))
				}
				m.Content = append(m.Content, str("secrets"), sm)
			}
			tn.Content = append(tn.Content, str("credentials"), m)
		}
		if len(t.Options) > 0 {
			// an option given in the defaults and again by the target is
			// one key: its values are the target's (applied last, they win
			// for single-valued flags; list flags get both, in order)
			m := mapping()
			idx := map[string]*yaml.Node{}
			for _, o := range t.Options {
				seq, ok := idx[o.Name]
				if !ok {
					seq = &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{}}
					idx[o.Name] = seq
					m.Content = append(m.Content, str(o.Name), seq)
				}
				for _, v := range o.Values {
					seq.Content = append(seq.Content, str(v))
				}
			}
			tn.Content = append(tn.Content, str("options"), m)
		}
		targets.Content = append(targets.Content, tn)
	}
	doc := mapping(str("version"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(Version)}, str("targets"), targets)
	return yaml.Marshal(doc)
}
