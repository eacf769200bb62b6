package classifiers

import (
	"sort"
	"sync/atomic"
)

// MaxMatchTimeouts is how many of its matches a regexp2 pattern may see
// time out (each after its MatchTimeout) before it is given up for the rest
// of the scan: a pattern that backtracks catastrophically on the values of
// a store would otherwise cost its timeout on every value.
const MaxMatchTimeouts = 3

// timeoutGuard counts the timed-out matches of one pattern.
type timeoutGuard struct{ n atomic.Int32 }

func (g *timeoutGuard) gaveUp() bool { return g.n.Load() >= MaxMatchTimeouts }

// failed records a match that ended in an error; regexp2 fails a match
// only when it runs past its MatchTimeout.
func (g *timeoutGuard) failed(err error) {
	if err != nil {
		g.n.Add(1)
	}
}

// GivenUpPattern is a regexp2 pattern that timed out MaxMatchTimeouts
// times and found nothing afterwards.
type GivenUpPattern struct {
	RuleID  string
	Pattern string
}

// GivenUp lists the patterns given up so far, by rule id.
func (e *Engine) GivenUp() []GivenUpPattern {
	var out []GivenUpPattern
	seen := map[*re2xMatcher]bool{}
	for _, r := range e.rules {
		for _, m := range append(append([]matcher(nil), r.matchers...), r.textMatchers...) {
			x, ok := m.(*re2xMatcher)
			if !ok || seen[x] || !x.guard.gaveUp() {
				continue
			}
			seen[x] = true
			out = append(out, GivenUpPattern{RuleID: r.id, Pattern: x.src})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RuleID < out[j].RuleID })
	return out
}
