package classifiers

import (
	"math"
	"regexp"
	"regexp/syntax"
)

// Whole-value patterns often bound a repetition with a large count
// (`[\p{L}\p{N}._%+-]{1,64}@`), which Go's regexp expands into a copy of
// the repeated expression per count: a program of a thousand instructions
// or more, too large for its backtracker, so that every value is matched
// by the slower NFA. A value shorter than (max+1) times the fewest runes
// one repetition takes cannot repeat it more than max times, so for such
// values the pattern with that bound removed (`{1,}`) matches exactly
// the same strings, and compiles to a small program.

// A repetition is relaxed when its upper bound is over relaxAbove
// (smaller ones cost little to expand) and it cannot matter for values
// shorter than relaxBelow bytes (so that the relaxed form serves most
// values); the relaxed form is kept when its program fits Go's
// backtracker (maxBacktrackInsts, regexp's own limit), which is what
// makes it faster.
const (
	relaxAbove        = 16
	relaxBelow        = 48
	maxBacktrackInsts = 500
)

// relaxedWhole is a whole-value regular expression with its large
// repetition bounds removed, and the length (in bytes) under which it
// matches exactly what the exact one matches.
type relaxedWhole struct {
	re    *regexp.Regexp
	below int
}

// relaxWhole returns the relaxed form of the anchored expression expr
// (as compiled by regexp.Compile), or ok false when it has no bound worth
// relaxing, or none that can be; and whether expr or its relaxed form fit
// regexp's backtracker.
func relaxWhole(expr string) (r relaxedWhole, ok, backtracks bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return relaxedWhole{}, false, false
	}
	exact := progLen(re)
	backtracks = exact <= maxBacktrackInsts
	below := math.MaxInt
	if !relaxRepeats(re, &below) {
		return relaxedWhole{}, false, backtracks
	}
	if n := progLen(re); n > maxBacktrackInsts || n >= exact {
		return relaxedWhole{}, false, backtracks
	}
	compiled, err := regexp.Compile(re.String())
	if err != nil {
		return relaxedWhole{}, false, backtracks
	}
	return relaxedWhole{re: compiled, below: below}, true, true
}

// progLen is the number of instructions re compiles to (math.MaxInt if
// it does not compile).
func progLen(re *syntax.Regexp) int {
	p, err := syntax.Compile(re.Simplify())
	if err != nil {
		return math.MaxInt
	}
	return len(p.Inst)
}

// relaxRepeats removes, in place, the upper bound of every repetition of
// re whose bound is over relaxAbove, whose expression takes at least one
// rune and which cannot matter below relaxBelow bytes, lowering *below to
// (max+1)*runes of each; it reports whether it removed any.
func relaxRepeats(re *syntax.Regexp, below *int) bool {
	relaxed := false
	for _, sub := range re.Sub {
		if relaxRepeats(sub, below) {
			relaxed = true
		}
	}
	if re.Op == syntax.OpRepeat && re.Max > relaxAbove {
		if n := minRunes(re.Sub[0]); n >= 1 && n < math.MaxInt/(re.Max+1) && (re.Max+1)*n >= relaxBelow {
			*below = min(*below, (re.Max+1)*n)
			re.Max = -1
			relaxed = true
		}
	}
	return relaxed
}

// minRunes is the fewest runes a match of re takes (math.MaxInt for an
// expression that matches nothing).
func minRunes(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpNoMatch:
		return math.MaxInt
	case syntax.OpLiteral:
		return len(re.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minRunes(re.Sub[0])
	case syntax.OpRepeat:
		n := minRunes(re.Sub[0])
		if n == math.MaxInt {
			if re.Min == 0 {
				return 0
			}
			return math.MaxInt
		}
		if re.Min > 0 && n > math.MaxInt/re.Min {
			return math.MaxInt
		}
		return re.Min * n
	case syntax.OpConcat:
		total := 0
		for _, sub := range re.Sub {
			n := minRunes(sub)
			if n == math.MaxInt || total > math.MaxInt-n {
				return math.MaxInt
			}
			total += n
		}
		return total
	case syntax.OpAlternate:
		least := math.MaxInt
		for _, sub := range re.Sub {
			least = min(least, minRunes(sub))
		}
		return least
	}
	return 0 // empty match, assertions, star, quest
}
