package pipeline

import (
	"sort"
	"strings"

	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/report"
)

// shard is one worker's aggregation state for one container: counters and a
// small set of examples per (field, category). Nothing here grows with the
// number of documents, only with the number of distinct field paths.
type shard struct {
	fields      map[string]*fieldAgg
	nodePaths   map[string]string // interned paths of objects and arrays
	docs        int64
	skipReasons map[string]int64
	undecoded   map[string]int64 // strings that looked encoded and did not decode, by encoding
	seq         int64            // document sequence within this shard, for once-per-document counting
}

func newShard() *shard {
	return &shard{fields: make(map[string]*fieldAgg), nodePaths: make(map[string]string)}
}

type fieldAgg struct {
	path   string
	field  *classifiers.Field
	docs   int64 // documents holding the field
	values int64 // non-empty values
	cats   []*catAgg

	// per-document state, committed or discarded when the document ends
	lastDoc   int64
	docValues int64

	// memo remembers the hits of the string values of a low-cardinality
	// field (status, country, tags...), so that each distinct value is
	// classified once per worker. It is dropped for good when the field
	// turns out to have many distinct values.
	memo   map[string][]classifiers.Hit
	noMemo bool
}

// memoLimit is the number of distinct values a field may have and still be
// memoised; memoMaxLen bounds the length of a memoised value.
const (
	memoLimit  = 64
	memoMaxLen = 64
)

// classify returns the hits of one value of a document of the given region
// ("" when the document does not say), from the memo when it can: the memo
// holds results that do not depend on the region (Field.RegionMatters).
func (fa *fieldAgg) classify(v classifiers.Value, region string, dst []classifiers.Hit) []classifiers.Hit {
	if fa.noMemo || v.Kind != classifiers.KindString || len(v.S) > memoMaxLen || region != "" && fa.field.RegionMatters(v) {
		return fa.field.ClassifyIn(v, region, dst)
	}
	if hits, ok := fa.memo[v.S]; ok {
		return append(dst, hits...)
	}
	start := len(dst)
	dst = fa.field.Classify(v, dst)
	if fa.memo == nil {
		fa.memo = make(map[string][]classifiers.Hit, 8)
	}
	if len(fa.memo) >= memoLimit {
		fa.memo, fa.noMemo = nil, true
		return dst
	}
	var hits []classifiers.Hit
	if len(dst) > start {
		hits = append(hits, dst[start:]...)
	}
	fa.memo[strings.Clone(v.S)] = hits // a copy: v.S may share its record's memory
	return dst
}

type catAgg struct {
	category      string
	matchedDocs   int64
	matchedValues int64
	textValues    int64 // matches found inside free text
	confMicro     int64 // sum of confidences in millionths: the same whatever the order of addition
	confMax       float64
	evidence      classifiers.Evidence
	rules         []string
	examples      examples
	lastDoc       int64
	// people counts the distinct values of an identifier category
	// (report.PeopleIdentifiers); nil for other categories.
	people *report.Distinct
}

func (fa *fieldAgg) cat(category string) *catAgg {
	for _, c := range fa.cats {
		if c.category == category {
			return c
		}
	}
	c := &catAgg{category: category, lastDoc: -1}
	fa.cats = append(fa.cats, c)
	return c
}

func (c *catAgg) addRule(r string) {
	for _, x := range c.rules {
		if x == r {
			return
		}
	}
	c.rules = append(c.rules, r)
}

// merge folds o (another worker's shard for the same field) into fa.
func (fa *fieldAgg) merge(o *fieldAgg, maxExamples int) {
	fa.docs += o.docs
	fa.values += o.values
	for _, oc := range o.cats {
		c := fa.cat(oc.category)
		c.matchedDocs += oc.matchedDocs
		c.matchedValues += oc.matchedValues
		c.textValues += oc.textValues
		c.confMicro += oc.confMicro
		c.confMax = max(c.confMax, oc.confMax)
		c.evidence |= oc.evidence
		for _, r := range oc.rules {
			c.addRule(r)
		}
		for _, e := range oc.examples {
			c.examples.offer(e.hash, e.text, maxExamples)
		}
		if oc.people != nil {
			if c.people == nil {
				c.people = &report.Distinct{}
			}
			c.people.Merge(oc.people)
		}
	}
}

// example is a kept example value, already masked unless data is shown.
type example struct {
	hash uint64
	text string
}

// examples keeps the k examples with the smallest hashes: a uniform,
// deterministic choice among distinct values, independent of the order in
// which workers saw them.
type examples []example

func (es *examples) wants(h uint64, k int) bool {
	if k <= 0 {
		return false
	}
	for _, e := range *es {
		if e.hash == h {
			return false
		}
	}
	if len(*es) < k {
		return true
	}
	return h < (*es)[len(*es)-1].hash
}

func (es *examples) offer(h uint64, text string, k int) {
	if !es.wants(h, k) {
		return
	}
	*es = append(*es, example{h, text})
	sort.Slice(*es, func(i, j int) bool { return (*es)[i].hash < (*es)[j].hash })
	if len(*es) > k {
		*es = (*es)[:k]
	}
}

func (es examples) texts() []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, e.text)
	}
	sort.Strings(out)
	return out
}

// exampleHasher hashes example values (FNV-1a, 64 bits) mixed with the
// scan's seed, so the same seed keeps the same examples.
type exampleHasher struct{ seed uint64 }

func (h exampleHasher) sum(s string) uint64 {
	x := uint64(14695981039346656037) ^ h.seed
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= 1099511628211
	}
	// final avalanche (splitmix64) so that similar values spread
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
