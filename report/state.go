package report

import (
	"math"
	"sort"
	"strconv"
)

// MergeState is the raw aggregation of one container (or one slice of it):
// the counters from which its findings are computed, every category seen
// including those below the reporting threshold, and the examples with their
// seeded hashes. A shard report carries it so that report merge can fold
// the slices of a container read by several shards into the findings one
// machine would have computed. Examples stay masked as they are in the
// findings.
type MergeState struct {
	// TotalDocuments is what the connector counted in the container (or
	// its slice), -1 when it could not count.
	TotalDocuments int64 `json:"total_documents"`
	// ListedDocuments is the store's estimate of the whole container when
	// it was listed, -1 when unknown.
	ListedDocuments int64 `json:"listed_documents"`
	// Slice says which slice of the container the shard read, in a full
	// scan that cut it (nil: the whole container). Report merge folds the
	// slices of a container; a whole container is final as it is read.
	Slice  *ShardInfo   `json:"slice,omitempty"`
	Fields []FieldState `json:"fields"`
	// MappingFields are fields the store declares but no document read
	// held, with their findings from the declared type.
	MappingFields []Field `json:"mapping_fields,omitempty"`
}

// FieldState is the aggregation of one field path.
type FieldState struct {
	Path       string          `json:"path"`
	Documents  int64           `json:"documents"`
	Values     int64           `json:"values"`
	Categories []CategoryState `json:"categories"`
}

// CategoryState is the aggregation of one category in one field.
type CategoryState struct {
	Category         string `json:"category"`
	MatchedDocuments int64  `json:"matched_documents"`
	MatchedValues    int64  `json:"matched_values"`
	// TextValues counts the matches found inside free text.
	TextValues    int64    `json:"text_values,omitempty"`
	ConfidenceSum float64  `json:"confidence_sum"`
	ConfidenceMax float64  `json:"confidence_max"`
	Evidence      []string `json:"evidence"`
	Rules         []string `json:"rules,omitempty"`
	// Examples are the kept examples, smallest seeded hash first.
	Examples []Example `json:"examples"`
	// People is the sketch of the distinct identifiers of this category
	// in this field (identifier categories only; see People).
	People string `json:"people,omitempty"`
	// Counter is People decoded, or counted by the scan.
	Counter *Distinct `json:"-"`
}

// Example is a kept example (masked unless --show-data) and the seeded
// hash of its value that chose it: the examples of a finding are the k
// values with the smallest hashes, whatever the order they were seen in.
type Example struct {
	Hash string `json:"hash"` // 16 hex digits
	Text string `json:"text"`
}

// HashString writes an example hash as Example.Hash holds it.
func HashString(h uint64) string {
	s := strconv.FormatUint(h, 16)
	for len(s) < 16 {
		s = "0" + s
	}
	return s
}

// ParseHash reads Example.Hash.
func ParseHash(s string) (uint64, error) { return strconv.ParseUint(s, 16, 64) }

// FindingStats are the counters a finding's confidence is computed from.
type FindingStats struct {
	MeanConfidence   float64
	MaxConfidence    float64
	MatchedValues    int64
	Values           int64
	MatchedDocuments int64
	Documents        int64
	Evidence         []string
	TextValues       int64 // matches found inside free text
}

// BuildOptions say how findings are computed from a state: the classifiers'
// field confidence, the reporting threshold and the examples kept.
type BuildOptions struct {
	Confidence    func(FindingStats) float64
	MinConfidence float64
	// Evidence, when set, gives a finding's evidence (default: the union
	// of its values' evidence).
	Evidence func(FindingStats) []string
}

// ContainerTotal is a container's estimated documents: what the connector
// counted, else the store's estimate, and never fewer than read.
func ContainerTotal(counted, listed, read int64) int64 {
	total := counted
	if total < 0 {
		total = listed
	}
	return max(total, read)
}

// BuildFields computes the fields and findings of a container from its
// state: the one computation of both a scan and report merge. read is the
// documents read, total the container's estimated documents. Fields are
// sorted by path; the findings are not yet weighed (see Finish).
//
// It also returns the people counted in the fields whose finding is
// reported: the identifiers of a category not reported (a few order numbers
// that pass the Luhn check) are not people.
func BuildFields(st *MergeState, read, total int64, o BuildOptions) ([]Field, PeopleCounter) {
	out := []Field{}
	people := PeopleCounter{}
	for _, fs := range st.Fields {
		var f Field
		for _, ca := range fs.Categories {
			conf := 0.0
			fst := FindingStats{
				MeanConfidence:   ca.ConfidenceSum / float64(max(ca.MatchedValues, 1)),
				MaxConfidence:    ca.ConfidenceMax,
				MatchedValues:    ca.MatchedValues,
				Values:           fs.Values,
				MatchedDocuments: ca.MatchedDocuments,
				Documents:        fs.Documents,
				Evidence:         ca.Evidence,
				TextValues:       ca.TextValues,
			}
			if o.Confidence != nil {
				conf = o.Confidence(fst)
			}
			evidence := append([]string(nil), ca.Evidence...)
			if o.Evidence != nil {
				evidence = o.Evidence(fst)
			}
			if conf < o.MinConfidence || conf == 0 {
				continue
			}
			ratio := 0.0
			if read > 0 {
				ratio = float64(ca.MatchedDocuments) / float64(read)
			}
			texts := make([]string, 0, len(ca.Examples))
			for _, e := range ca.Examples {
				texts = append(texts, e.Text)
			}
			sort.Strings(texts)
			if ca.Counter != nil && IsPeopleIdentifier(ca.Category) {
				people.Merge(PeopleCounter{ca.Category: ca.Counter})
			}
			rules := append([]string(nil), ca.Rules...)
			sort.Strings(rules)
			f.Findings = append(f.Findings, Finding{
				Category:                   ca.Category,
				Group:                      Categories[ca.Category],
				Confidence:                 roundDigits(conf, 3),
				Evidence:                   evidence,
				MatchedDocuments:           ca.MatchedDocuments,
				MatchRatio:                 roundDigits(ratio, 4),
				EstimatedAffectedDocuments: int64(ratio*float64(total) + 0.5),
				Examples:                   texts,
				Rules:                      rules,
			})
		}
		if len(f.Findings) > 0 {
			f.Path = fs.Path
			out = append(out, f)
		}
	}
	seen := make(map[string]bool, len(st.Fields))
	for _, fs := range st.Fields {
		seen[fs.Path] = true
	}
	for _, f := range st.MappingFields {
		if !seen[f.Path] {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Path < out[b].Path })
	return out, people
}

// roundDigits rounds half up to digits decimals, as the pipeline always has.
func roundDigits(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return float64(int64(x*p+0.5)) / p
}

// ConfidenceMicro is a confidence (or a sum of them) in millionths. Sums
// are kept in whole millionths so that adding the same confidences in any
// order (workers, shards) gives the same mean, and the same rounded
// confidence in the report.
func ConfidenceMicro(x float64) int64 { return int64(math.Round(x * 1e6)) }
