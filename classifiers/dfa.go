package classifiers

import (
	"regexp/syntax"
	"slices"
	"sync"
	"sync/atomic"
)

// asciiDFA decides whether an ASCII text matches an anchored regular
// expression (`^(?:…)$`, as the whole-value patterns are compiled) with
// one table lookup per byte, where Go's regexp runs a backtracker or an
// NFA over every byte. It is the subset construction of the program
// regexp itself compiles, restricted to ASCII input, where a byte is a
// rune: the answer is the one regexp gives (FuzzASCIIDFA checks it).
// Non-ASCII or empty texts are not decided and go to regexp.
//
// The automaton is built in full the first time it is used, once, and is
// read-only after: workers share it without locks. An expression whose
// automaton would exceed maxDFAStates, or that uses assertions other than
// the text's beginning and end (\b, multi-line ^ and $), gets none.
type asciiDFA struct {
	once  sync.Once
	expr  string
	ok    bool // built
	class [128]uint8
	n     int     // classes
	trans []int32 // state*n + class: next state, or dfaDead
	acc   []bool  // the text may end in this state
	start int32
}

const (
	maxDFAStates = 2048
	dfaDead      = -1
)

// newASCIIDFA is the automaton of expr, shared by every engine of the
// process that compiles the same expression (tests and estates load the
// default rules many times; each automaton is built once, when first
// used). Past maxSharedDFAs expressions, each gets its own.
func newASCIIDFA(expr string) *asciiDFA {
	if d, ok := sharedDFAs.Load(expr); ok {
		return d.(*asciiDFA)
	}
	if sharedDFACount.Load() >= maxSharedDFAs {
		return &asciiDFA{expr: expr}
	}
	d, loaded := sharedDFAs.LoadOrStore(expr, &asciiDFA{expr: expr})
	if !loaded {
		sharedDFACount.Add(1)
	}
	return d.(*asciiDFA)
}

var (
	sharedDFAs     sync.Map // expression → *asciiDFA
	sharedDFACount atomic.Int32
)

const maxSharedDFAs = 4096

// match reports whether s matches; decided is false when s is empty or
// not ASCII, or the expression has no automaton.
func (d *asciiDFA) match(s string) (matched, decided bool) { return runDFA(d, s) }

// matchBytes is match for a byte slice.
func (d *asciiDFA) matchBytes(s []byte) (matched, decided bool) { return runDFA(d, s) }

func runDFA[T string | []byte](d *asciiDFA, s T) (matched, decided bool) {
	d.once.Do(d.build)
	if !d.ok || len(s) == 0 {
		return false, false
	}
	st, n := d.start, int32(d.n)
	if st == dfaDead {
		return false, true // the expression matches nothing
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= 0x80 {
			return false, false
		}
		if st = d.trans[st*n+int32(d.class[b])]; st == dfaDead {
			return false, true // no match can start this way, whatever follows
		}
	}
	return d.acc[st], true
}

func (d *asciiDFA) build() {
	re, err := syntax.Parse(d.expr, syntax.Perl)
	if err != nil || !anchored(re) {
		return
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return
	}
	b := &dfaBuilder{prog: prog, index: map[string]int32{}, seen: make([]uint32, len(prog.Inst))}
	if !b.supported() {
		return
	}
	b.classes(d)
	b.gen++
	start := b.closure(nil, uint32(prog.Start), true, false)
	if b.unsupported {
		return
	}
	d.start = b.state(start)
	for i := 0; i < len(b.states); i++ {
		set := b.states[i]
		for c := 0; c < d.n; c++ {
			r := rune(b.rep[c])
			var next []uint32
			b.gen++
			for _, pc := range set {
				in := &prog.Inst[pc]
				if runeInst(in) && matchesRune(in, r) {
					next = b.closure(next, in.Out, false, false)
				}
			}
			d.trans = append(d.trans, b.state(next))
			if len(b.states) > maxDFAStates || b.unsupported {
				return
			}
		}
	}
	d.acc = make([]bool, len(b.states))
	for i, set := range b.states {
		var end []uint32
		b.gen++
		for _, pc := range set {
			end = b.closure(end, pc, false, true)
		}
		d.acc[i] = slices.ContainsFunc(end, func(pc uint32) bool { return prog.Inst[pc].Op == syntax.InstMatch })
	}
	if b.unsupported {
		return
	}
	d.ok = true
}

// anchored reports whether re must match the whole text (it begins with
// the beginning of the text and ends with its end, as `^(?:…)$` does):
// the automaton decides whole matches, while regexp searches.
func anchored(re *syntax.Regexp) bool {
	return re.Op == syntax.OpConcat && len(re.Sub) >= 2 &&
		re.Sub[0].Op == syntax.OpBeginText && re.Sub[len(re.Sub)-1].Op == syntax.OpEndText
}

type dfaBuilder struct {
	prog        *syntax.Prog
	states      [][]uint32
	index       map[string]int32
	rep         []byte // a byte of each class
	unsupported bool
	// seen[pc] == gen: pc was reached in the closure being computed
	seen  []uint32
	gen   uint32
	stack []uint32
}

// supported reports whether every assertion of the program is one the
// automaton handles: the beginning or end of the text.
func (b *dfaBuilder) supported() bool {
	for _, in := range b.prog.Inst {
		if in.Op == syntax.InstEmptyWidth && syntax.EmptyOp(in.Arg)&^(syntax.EmptyBeginText|syntax.EmptyEndText) != 0 {
			return false
		}
	}
	return true
}

// classes splits ASCII into the classes of bytes that every instruction
// of the program treats alike.
func (b *dfaBuilder) classes(d *asciiDFA) {
	var runeInsts []*syntax.Inst
	for i := range b.prog.Inst {
		if in := &b.prog.Inst[i]; runeInst(in) {
			runeInsts = append(runeInsts, in)
		}
	}
	seen := map[string]uint8{}
	sig := make([]byte, len(runeInsts))
	for c := 0; c < 128; c++ {
		for i, in := range runeInsts {
			sig[i] = 0
			if matchesRune(in, rune(c)) {
				sig[i] = 1
			}
		}
		id, ok := seen[string(sig)]
		if !ok {
			id = uint8(len(b.rep))
			seen[string(sig)] = id
			b.rep = append(b.rep, byte(c))
		}
		d.class[c] = id
	}
	d.n = len(b.rep)
}

// closure adds to set the instructions reachable from pc without reading
// a byte: the rune instructions and Match, and, when not at the end, the
// assertions of the end of the text still to be met there. Instructions
// already reached since gen was last advanced are not visited again.
func (b *dfaBuilder) closure(set []uint32, pc uint32, atStart, atEnd bool) []uint32 {
	stack := append(b.stack[:0], pc)
	defer func() { b.stack = stack[:0] }()
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if b.seen[pc] == b.gen {
			continue
		}
		b.seen[pc] = b.gen
		in := &b.prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, in.Arg, in.Out)
		case syntax.InstCapture, syntax.InstNop:
			stack = append(stack, in.Out)
		case syntax.InstEmptyWidth:
			op := syntax.EmptyOp(in.Arg)
			if op&syntax.EmptyBeginText != 0 && !atStart {
				continue
			}
			if op&syntax.EmptyEndText != 0 && !atEnd {
				set = append(set, pc) // met, or not, at the end
				continue
			}
			stack = append(stack, in.Out)
		case syntax.InstMatch:
			set = append(set, pc)
		case syntax.InstFail:
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			set = append(set, pc)
		default:
			b.unsupported = true
		}
	}
	return set
}

// state is the number of the state of set, added when new.
func (b *dfaBuilder) state(set []uint32) int32 {
	if len(set) == 0 {
		return dfaDead
	}
	slices.Sort(set)
	key := make([]byte, 0, 4*len(set))
	for _, pc := range set {
		key = append(key, byte(pc), byte(pc>>8), byte(pc>>16), byte(pc>>24))
	}
	if id, ok := b.index[string(key)]; ok {
		return id
	}
	id := int32(len(b.states))
	b.index[string(key)] = id
	b.states = append(b.states, slices.Clone(set))
	return id
}

func runeInst(in *syntax.Inst) bool {
	switch in.Op {
	case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
		return true
	}
	return false
}

// matchesRune is how regexp's matchers test a rune instruction.
func matchesRune(in *syntax.Inst, r rune) bool {
	switch in.Op {
	case syntax.InstRune:
		return in.MatchRune(r)
	case syntax.InstRune1:
		return r == in.Rune[0]
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return r != '\n'
	}
	return false
}
