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

// Scan returns e.DocumentRegion(doc), appends e.Record(doc, dst) to dst,
// and reports whether a top-level key of doc is of the Extra kind.
func (d *DocumentFacts) Scan(e *Engine, doc map[string]any, dst []PathHit) (region string, extra bool, hits []PathHit) {
	var cands [4]string
	n := 0
	user, file, nested := false, false, false
	regionKey := ""
	for k, v := range doc {
		f := d.facts(k)
		extra = extra || f.extra
		switch v := v.(type) {
		case string:
			// regionOf: the first key in byte order whose value gives one
			if f.country && (region == "" || k < regionKey) && len(v) >= 2 && len(v) <= 40 {
				if r := regionFromValue(v); r != "" {
					region, regionKey = r, k
				}
			}
			if rk := f.record; rk.digest > 0 && n < len(cands) && len(v) == rk.digest && isHexString(v) {
				cands[n] = k
				n++
			}
		case map[string]any:
			nested = true
		}
		// as Record's switch: a digest key says nothing else
		if f.record.digest == 0 {
			user = user || f.record.user
			file = file || f.record.file && !f.record.user
		}
	}
	if region == "" && nested {
		region = d.nestedRegion(doc)
	}
	return region, extra, e.recordHits(cands[:n], user, file, dst)
}

// nestedRegion is DocumentRegion one level down: the first key, in byte
// order, whose object says.
func (d *DocumentFacts) nestedRegion(doc map[string]any) string {
	best, bestKey := "", ""
	for k, v := range doc {
		m, ok := v.(map[string]any)
		if !ok || best != "" && k >= bestKey {
			continue
		}
		if r := d.region(m); r != "" {
			best, bestKey = r, k
		}
	}
	return best
}

// region is regionOf with the keys' facts remembered.
func (d *DocumentFacts) region(m map[string]any) string {
	best, bestKey := "", ""
	for k, v := range m {
		if best != "" && k > bestKey {
			continue
		}
		s, ok := v.(string)
		if !ok || len(s) < 2 || len(s) > 40 || !d.facts(k).country {
			continue
		}
		if r := regionFromValue(s); r != "" {
			best, bestKey = r, k
		}
	}
	return best
}
