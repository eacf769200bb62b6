package classifiers

// gate is a field's rule table compiled by value kind and shape: for each
// kind, and each length, digit count and letter count of a value, the set
// of the field's rules whose bounds the value meets, as bits in the order
// of Field.rules. ClassifyIn intersects a few sets and visits only the
// rules left, instead of testing every rule's bounds in turn. A field with
// more than 64 rules, or a value longer or with more digits than the
// tables cover, is classified by testing the bounds rule by rule, which
// gives the same rules.
type gate struct {
	kind     [8]uint64
	length   [gateMax + 1]uint64 // minLen <= n <= maxLen
	digits   [gateMax + 1]uint64 // minDigits <= digits <= maxDigits
	letters  [gateMax + 1]uint64 // minLetters <= min(letters, gateMax)
	text     uint64              // rules that search free text
	digitRun [gateMax + 1]uint64 // minDigits <= min(digitRun, gateMax)
}

// gateMax is the largest length and digit count the tables hold.
const gateMax = 64

// maxGates bounds the engine's cache of gates (one per distinct set of
// rules a field gets).
const maxGates = 4096

// newGate compiles the table of rules, or returns nil when it cannot hold
// them.
func newGate(rules []fieldRule) *gate {
	if len(rules) > 64 {
		return nil
	}
	g := new(gate)
	for i := range rules {
		r := rules[i].r
		if r.minLetters > gateMax || r.minDigits > gateMax {
			return nil
		}
		bit := uint64(1) << i
		for k := range g.kind {
			if r.kinds&(1<<k) != 0 {
				g.kind[k] |= bit
			}
		}
		for n := 0; n <= gateMax; n++ {
			if n >= r.minLen && n <= r.maxLen {
				g.length[n] |= bit
			}
			if n >= r.minDigits && n <= r.maxDigits {
				g.digits[n] |= bit
			}
			if n >= r.minLetters {
				g.letters[n] |= bit
			}
			if n >= r.minDigits {
				g.digitRun[n] |= bit
			}
		}
		if r.hasText {
			g.text |= bit
		}
	}
	return g
}

// candidates returns the rules a value of kind k with profile p meets the
// bounds of (the test of ClassifyIn's loop), or ok false when the value is
// outside the tables.
func (g *gate) candidates(k Kind, p *profile, text bool) (uint64, bool) {
	if g == nil || p.n > gateMax || p.digits > gateMax || int(k) >= len(g.kind) {
		return 0, false
	}
	in := g.kind[k]
	bounds := g.length[p.n] & g.digits[p.digits] & g.letters[min(p.letters, gateMax)]
	if text {
		bounds |= g.text & g.digitRun[min(p.digitRun, gateMax)]
	}
	return in & bounds, true
}

// gateFor returns the shared gate of a field's rules (fields with the same
// rules share one), identified by the rules' indices in the engine.
func (e *Engine) gateFor(key string, rules []fieldRule) *gate {
	if v, ok := e.gates.Load(key); ok {
		return v.(*gate)
	}
	g := newGate(rules)
	if e.nGates.Load() < maxGates {
		if v, loaded := e.gates.LoadOrStore(key, g); loaded {
			return v.(*gate)
		}
		e.nGates.Add(1)
	}
	return g
}
