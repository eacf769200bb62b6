package classifiers

import "math"

// FieldStats are the counts behind one (field, category) finding, gathered
// over a container's sample.
type FieldStats struct {
	MeanConfidence   float64  // mean confidence of the matching values
	MaxConfidence    float64  // highest confidence of a matching value
	MatchedValues    int64    // values that matched
	Values           int64    // non-empty values of the field
	MatchedDocuments int64    // documents with at least one matching value
	Documents        int64    // documents holding the field
	Evidence         Evidence // union of the evidence of the matching values
	// TextValues counts the matching values where the match was found
	// inside free text (a log message, a comment) rather than as the
	// whole value.
	TextValues int64
}

// inText reports whether every match was found inside free text and
// nothing but the values backs the finding.
func (s FieldStats) inText() bool {
	return s.TextValues > 0 && s.TextValues == s.MatchedValues && s.Evidence&(EvFieldName|EvStoreType|EvStructure) == 0
}

// FieldEvidence is the evidence a field-level finding reports: that of its
// values, and context when the values were found inside free text.
func FieldEvidence(s FieldStats) Evidence {
	if s.inText() {
		return s.Evidence | EvContext
	}
	return s.Evidence
}

// minTextMatches is the number of matches inside free text from which a
// finding counts in full whatever their share: a log field where 2% of the
// messages hold an e-mail address holds personal data.
const minTextMatches = 2

// FieldConfidence turns per-value confidences into the confidence of a
// field-level finding. Evidence from the field's name, the store's declared
// type or the document's structure stands on its own; a finding from value
// shapes alone is discounted when only a small share of the field's values
// match, since sporadic matches in a column are more often coincidences.
func FieldConfidence(s FieldStats) float64 {
	if s.MatchedValues == 0 {
		return 0
	}
	c := s.MeanConfidence
	if s.inText() {
		// Inside free text the matched span is validated on its own (an
		// e-mail address, a card number with its checksum): a few messages
		// holding one are a finding. A single match is discounted.
		if s.MatchedValues < minTextMatches {
			c *= 0.5
		}
		return min(1, max(0, c))
	}
	if s.Evidence&(EvStoreType|EvStructure) == 0 && s.Evidence&(EvFieldName|EvContext) != 0 && s.Values > 0 {
		// The field's name says what it holds: most of its values should
		// then agree. A "name" column where one product in six carries a
		// first name ("Victoria Sponge") is not a column of people.
		ratio := float64(s.MatchedValues) / float64(s.Values)
		if ratio < namedRatio {
			c *= ratio / namedRatio
		}
	} else if s.Evidence&(EvFieldName|EvStoreType|EvStructure|EvContext) == 0 && s.Values > 0 {
		// Checksums such as Luhn pass for one random number in ten: a
		// column of order numbers yields a few "cards". Below a fifth of
		// the values, value-only findings lose confidence with the square
		// root of their share, so 4% of matches at 0.9 stay under 0.5.
		ratio := float64(s.MatchedValues) / float64(s.Values)
		if ratio < valueOnlyRatio {
			c *= math.Sqrt(ratio / valueOnlyRatio)
		}
	}
	return min(1, max(0, c))
}

// valueOnlyRatio is the share of a field's values from which value-only
// evidence counts in full.
const valueOnlyRatio = 0.2

// namedRatio is the share of a field's values from which findings backed by
// the field's name count in full; below it they lose confidence linearly.
const namedRatio = 0.5
