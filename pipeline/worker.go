package pipeline

import (
	"errors"
	"strings"

	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/report"
)

// maxExampleLen bounds an unmasked example shown with --show-data.
const maxExampleLen = 80

// worker classifies whole documents. It is the Visitor of its flattener.
type worker struct {
	id    int
	s     *scanner
	flat  Flattener
	facts classifiers.DocumentFacts // region, place and record of a document

	// state of the document being processed
	cs      *containerState
	sh      *shard
	region  string // the document's region, for national phone numbers
	place   bool   // the document describes a place, not a person (isPlaceKey)
	hits    []classifiers.Hit
	phits   []classifiers.PathHit
	pending []pendingHit
	touched []*fieldAgg
	people  *report.PeopleHasher
}

// errInternal is the skip reason of a document whose classification panicked.
var errInternal = errors.New("internal error while classifying the document")

type pendingHit struct {
	fa    *fieldAgg
	hit   classifiers.Hit
	value string
}

func newWorker(id int, s *scanner) *worker {
	return &worker{id: id, s: s, flat: Flattener{MaxDepth: s.cfg.MaxDepth},
		facts:  classifiers.DocumentFacts{Extra: isPlaceKey},
		people: report.NewPeopleHasher(s.cfg.Seed, s.cfg.PeopleSecret)}
}

func (sh *shard) skip(reason string) {
	if sh.skipReasons == nil {
		sh.skipReasons = map[string]int64{}
	}
	sh.skipReasons[reason]++
}

func (w *worker) process(cs *containerState, doc connectors.Document) {
	sh := cs.shards[w.id]
	sh.seq++
	if w.cs != cs {
		w.flat.ResetShapes()
	}
	w.cs, w.sh = cs, sh
	w.pending = w.pending[:0]
	w.touched = w.touched[:0]
	fields, err := w.flatten(doc)
	if rc, ok := doc.Raw.(connectors.Recycler); ok && fields != nil {
		// nothing of the document's maps and slices is read past flatten:
		// findings and pending values hold strings only
		rc.Recycle(fields)
	}
	if err != nil {
		for _, fa := range w.touched {
			fa.docValues = 0
		}
		reason := err.Error()
		if errors.As(err, new(ErrTooDeep)) {
			reason = ReasonTooDeep
		}
		sh.skip(reason)
		return
	}
	sh.docs++
	for _, fa := range w.touched {
		fa.docs++
		fa.values += fa.docValues
		fa.docValues = 0
	}
	k := w.s.cfg.MaxExamples
	for i := range w.pending {
		p := &w.pending[i]
		h := p.hit
		c := p.fa.cat(h.Category)
		if c.lastDoc != sh.seq {
			c.lastDoc = sh.seq
			c.matchedDocs++
		}
		c.matchedValues++
		c.confMicro += report.ConfidenceMicro(h.Confidence)
		c.confMax = max(c.confMax, h.Confidence)
		c.evidence |= h.Evidence
		if h.End > h.Start {
			c.textValues++
		}
		if h.Rule != "" {
			c.addRule(h.Rule)
		}
		if p.value == "" {
			continue
		}
		text := p.value
		if h.End > h.Start && h.End <= len(text) {
			text = text[h.Start:h.End]
		}
		if report.IsPeopleIdentifier(h.Category) {
			// only identifier values reach here: off the hot path
			if id := classifiers.NormaliseIdentifier(h.Category, text, w.region); id != "" {
				if c.people == nil {
					c.people = &report.Distinct{}
				}
				c.people.Add(w.people.Sum(h.Category, id))
			}
		}
		hash := w.s.hasher.sum(text)
		if c.examples.wants(hash, k) {
			c.examples.offer(hash, w.render(h.Category, text), k)
		}
		p.value = ""
	}
}

// flatten visits the document; a panic in a classifier is contained to the
// document, which is counted as skipped (the panic's message is not kept:
// it could hold a value).
func (w *worker) flatten(doc connectors.Document) (fields map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errInternal
		}
	}()
	fields, reason, ok := doc.Decode() // a raw document is decoded here, on the worker
	if !ok {
		return nil, skipReason(reason)
	}
	// the document's region, whether it describes a place, and what the
	// record's other fields say (a digest in a users' record): one pass
	// over its keys (Engine.DocumentRegion, isPlaceKey, Engine.Record)
	w.region, w.place, w.phits = w.facts.Scan(w.s.cfg.Engine, fields, w.phits[:0])
	for _, ph := range w.phits {
		w.pending = append(w.pending, pendingHit{fa: w.fieldByName(ph.Path), hit: ph.Hit})
	}
	return fields, w.flat.Flatten(fields, w)
}

// skipReason is the error of a raw document that did not decode: its
// text is the connector's skip reason.
type skipReason string

func (r skipReason) Error() string { return string(r) }

// render is how an example is shown: masked unless --show-data, and always
// masked for credentials. The example is a copy: a value may share the
// memory of its whole record (the files connector hands out substrings),
// which an example kept until the report must not hold on to.
func (w *worker) render(category, text string) string {
	if w.s.cfg.ShowData && !classifiers.IsCredential(category) {
		if len(text) > maxExampleLen {
			return text[:maxExampleLen] + "…"
		}
		return strings.Clone(text)
	}
	return strings.Clone(classifiers.Mask(category, text))
}

func (w *worker) field(path []byte) *fieldAgg {
	fa, ok := w.sh.fields[string(path)]
	if !ok {
		fa = w.newField(string(path))
	}
	return w.touch(fa)
}

func (w *worker) fieldByName(path string) *fieldAgg {
	fa, ok := w.sh.fields[path]
	if !ok {
		fa = w.newField(path)
	}
	return w.touch(fa)
}

func (w *worker) newField(p string) *fieldAgg {
	fa := &fieldAgg{path: p, field: w.s.cfg.Engine.Field(p, w.cs.fieldTypes[p]), lastDoc: -1}
	w.sh.fields[p] = fa
	return fa
}

func (w *worker) touch(fa *fieldAgg) *fieldAgg {
	if fa.lastDoc != w.sh.seq {
		fa.lastDoc = w.sh.seq
		w.touched = append(w.touched, fa)
	}
	return fa
}

// Scalar implements Visitor.
func (w *worker) Scalar(path []byte, v classifiers.Value) {
	fa := w.field(path)
	fa.docValues++
	w.hits = fa.classify(v, w.region, w.hits[:0])
	for _, h := range w.hits {
		if w.place && h.Category == "geo_coordinates" {
			continue
		}
		w.pending = append(w.pending, pendingHit{fa: fa, hit: h, value: v.S})
	}
}

// Node implements Visitor.
func (w *worker) Node(path []byte, node any) {
	name, ok := w.sh.nodePaths[string(path)]
	if !ok {
		name = string(path)
		w.sh.nodePaths[name] = name
	}
	w.phits = w.s.cfg.Engine.Structure(name, node, w.phits[:0])
	for _, ph := range w.phits {
		if w.place && ph.Hit.Category == "geo_coordinates" {
			continue
		}
		fa := w.fieldByName(ph.Path)
		w.pending = append(w.pending, pendingHit{fa: fa, hit: ph.Hit})
	}
}
