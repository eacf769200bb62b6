package report

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// Differences lists how two reports of the same data differ, finding by
// finding, ignoring what differs between two runs of one scan: the times,
// the shard, fingerprint and merge fields, the containers' merge state, the
// encoding of the people sketches (their counts are compared) and the order
// of findings of equal risk. It is empty when a merged report equals the
// report one machine wrote.
func Differences(a, b *Report) []string {
	a, b = comparable(a), comparable(b)
	var out []string
	diff := func(where string, x, y any) {
		if !reflect.DeepEqual(x, y) {
			xj, _ := json.Marshal(x)
			yj, _ := json.Marshal(y)
			out = append(out, fmt.Sprintf("%s: %s ≠ %s", where, xj, yj))
		}
	}
	diff("complete", a.Complete, b.Complete)
	diff("notes", a.Notes, b.Notes)
	diff("tool", a.Tool, b.Tool)
	diff("settings", a.Settings, b.Settings)
	diff("summary", a.Summary, b.Summary)
	if len(a.Targets) != len(b.Targets) {
		out = append(out, fmt.Sprintf("targets: %d ≠ %d", len(a.Targets), len(b.Targets)))
		return out
	}
	for i := range a.Targets {
		ta, tb := a.Targets[i], b.Targets[i]
		tw := "target " + ta.URI
		ca, cb := ta.Containers, tb.Containers
		ta.Containers, tb.Containers = nil, nil
		diff(tw, ta, tb)
		names := map[string]bool{}
		ia, ib := map[string]Container{}, map[string]Container{}
		for _, c := range ca {
			ia[c.Name], names[c.Name] = c, true
		}
		for _, c := range cb {
			ib[c.Name], names[c.Name] = c, true
		}
		for _, n := range sortedKeys(names) {
			x, okx := ia[n]
			y, oky := ib[n]
			cw := tw + " container " + n
			if !okx || !oky {
				out = append(out, fmt.Sprintf("%s: only in one report", cw))
				continue
			}
			fx, fy := x.Fields, y.Fields
			x.Fields, y.Fields = nil, nil
			diff(cw, x, y)
			paths := map[string]bool{}
			px, py := map[string]Finding{}, map[string]Finding{}
			for _, f := range fx {
				for _, g := range f.Findings {
					k := f.Path + " " + g.Category
					px[k], paths[k] = g, true
				}
			}
			for _, f := range fy {
				for _, g := range f.Findings {
					k := f.Path + " " + g.Category
					py[k], paths[k] = g, true
				}
			}
			for _, k := range sortedKeys(paths) {
				g, okg := px[k]
				h, okh := py[k]
				if !okg || !okh {
					out = append(out, fmt.Sprintf("%s finding %s: only in one report", cw, k))
					continue
				}
				diff(cw+" finding "+k, g, h)
			}
		}
	}
	return out
}

// comparable is a deep copy of r without what Differences ignores.
func comparable(r *Report) *Report {
	var c Report
	b, _ := json.Marshal(r)
	_ = json.Unmarshal(b, &c)
	c.StartedAt, c.FinishedAt = time.Time{}, time.Time{}
	c.Shard, c.Fingerprint, c.Merge = nil, "", nil
	if c.Settings != nil {
		c.Settings.Interrupted = false
	}
	noSketch := func(p *People) {
		if p != nil {
			p.Sketches = nil
		}
	}
	noSketch(c.Summary.People)
	for i := range c.Summary.NotificationGuidance {
		noSketch(c.Summary.NotificationGuidance[i].People)
	}
	for ti := range c.Targets {
		t := &c.Targets[ti]
		noSketch(t.People)
		for ci := range t.Containers {
			ct := &t.Containers[ci]
			ct.MergeState = nil
			noSketch(ct.People)
		}
	}
	return &c
}
