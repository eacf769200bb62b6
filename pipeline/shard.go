package pipeline

import (
	"fmt"
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/report"
)

// TargetSpec is one target of a scan with what a targets inventory says of
// it. The zero values of the optional fields mean the scan's settings.
type TargetSpec struct {
	// Target is the target as the scan command takes it (a path or a URI,
	// possibly with credentials: it is redacted in the report).
	Target string
	// Name and Tags (owner, application, environment, region) go into the
	// report as they are.
	Name string
	Tags map[string]string
	// Connector replaces Config.Connector for this target.
	Connector *connectors.Options
	// SampleSize replaces Config.SampleSize for this target.
	SampleSize *int
	// Err, when set, fails the target without contacting it (its
	// credentials could not be read, its options are wrong): the other
	// targets are scanned.
	Err error
}

// Specs turns plain targets into specs.
func Specs(targets []string) []TargetSpec {
	out := make([]TargetSpec, len(targets))
	for i, t := range targets {
		out[i] = TargetSpec{Target: t}
	}
	return out
}

// ParseShard reads "I/N" (0 <= I < N): shard I of N, as the Kubernetes
// Job completion index I of N completions.
func ParseShard(s string) (*report.ShardInfo, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return nil, fmt.Errorf("--shard %q: want I/N, for example 0/4 (shard 0 of 4)", s)
	}
	if n < 1 || i < 0 || i >= n {
		return nil, fmt.Errorf("--shard %q: I must be from 0 to N-1 and N at least 1", s)
	}
	return &report.ShardInfo{Index: i, Count: n}, nil
}

// Identity is what identifies a target for the work split, without
// credentials: the inventory name when it has one, else the URI without
// its user information. It is the same on every machine of a sharded scan.
func Identity(spec TargetSpec) string {
	if spec.Name != "" {
		return "name:" + spec.Name
	}
	t := spec.Target
	if strings.Contains(t, "://") {
		if u, err := url.Parse(t); err == nil {
			u.User = nil
			return "uri:" + u.String()
		}
		// an unparsable URI: drop everything up to the last @ of the authority
		scheme, rest, _ := strings.Cut(t, "://")
		auth, path, _ := strings.Cut(rest, "/")
		if i := strings.LastIndex(auth, "@"); i >= 0 {
			auth = auth[i+1:]
		}
		return "uri:" + scheme + "://" + auth + "/" + path
	}
	return "path:" + t
}

// UnitShard is the shard that reads the unit (target, container) whole:
// FNV-1a of the target's identity and the container name, mod count.
func UnitShard(identity, container string, count int) int {
	if count <= 1 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(identity))
	h.Write([]byte{0})
	h.Write([]byte(container))
	return int(h.Sum64() % uint64(count))
}

// unit is a container this shard reads: whole, or one slice of it.
type unit struct {
	c     connectors.Container
	slice connectors.Slice
}

// units returns the containers of a target this scan reads. Unsharded,
// every container whole. Sharded, a full scan reads its slice of every
// container the connector can cut, and every other container is read whole
// by the one shard UnitShard names.
func (s *scanner) units(spec TargetSpec, conn connectors.Connector, containers []connectors.Container, sampleSize int) []unit {
	sh := s.cfg.Shard
	if sh == nil || sh.Count <= 1 {
		out := make([]unit, len(containers))
		for i, c := range containers {
			out[i] = unit{c: c}
		}
		return out
	}
	slicer, _ := conn.(connectors.Slicer)
	id := Identity(spec)
	var out []unit
	for _, c := range containers {
		switch {
		case sampleSize == 0 && slicer != nil && slicer.CanSlice(c):
			out = append(out, unit{c: c, slice: connectors.Slice{Index: sh.Index, Count: sh.Count}})
		case UnitShard(id, c.Name, sh.Count) == sh.Index:
			out = append(out, unit{c: c})
		}
	}
	return out
}
