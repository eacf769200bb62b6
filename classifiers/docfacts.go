package classifiers

import "github.com/piisniff/piisniff/internal/lowerkey"

// DocumentFacts finds what a document's top-level keys say about it, in
// one pass over them: its region (DocumentRegion), the hits of its record
// (Record) and whether a key of the caller's kind is among them (Extra).
// What each key says is remembered: a scan meets the same keys document
// after document, and one lookup of the key then replaces a lookup per
// question. It is not safe for concurrent use: one per goroutine.
type DocumentFacts struct {
	// Extra, when set, tells whether a top-level key is of the caller's
	// kind; it is asked once per key remembered.
	Extra func(key string) bool

	keys map[string]keyFacts
}

// keyFacts is what one key says.
type keyFacts struct {
	country bool      // countryKey
	record  recordKey // Record's keys
	extra   bool
}

// maxFactKeys bounds the keys remembered: documents whose keys are ids
// (one key per user, per day…) would make the memory grow without end.
const maxFactKeys = 4096

func (d *DocumentFacts) facts(k string) keyFacts {
	if f, ok := d.keys[k]; ok {
		return f
	}
	f := keyFacts{country: countryKey(k)}
	f.record, _ = lowerkey.Lookup(recordKeys, k)
	if d.Extra != nil {
		f.extra = d.Extra(k)
	}
	if d.keys == nil || len(d.keys) >= maxFactKeys {
		d.keys = make(map[string]keyFacts, 64)
	}
	// a copy: the key may share the memory of its whole record
	d.keys[string([]byte(k))] = f
	return f
}

// country reports whether k is country-like (countryKey), from what it
// said before.
func (d *DocumentFacts) country(k string) bool { return d.facts(k).country }

// Scan returns e.DocumentRegion(doc), appends e.Record(doc, dst) to dst,
// and reports whether a top-level key of doc is of the Extra kind.
func (d *DocumentFacts) Scan(e *Engine, doc map[string]any, dst []PathHit) (region string, extra bool, hits []PathHit) {
	var rs recordScan
	nested := false
	regionKey := ""
	for k, v := range doc {
		f := d.facts(k)
		extra = extra || f.extra
		rs.add(f.record, k, v)
		switch v := v.(type) {
		case string:
			// regionOf: the first key in byte order whose value gives one
			if f.country && (region == "" || k < regionKey) {
				if r := countryValueRegion(v); r != "" {
					region, regionKey = r, k
				}
			}
		case map[string]any:
			nested = true
		}
	}
	if region == "" && nested {
		region = nestedRegion(doc, d.country)
	}
	return region, extra, rs.hits(e, dst)
}
