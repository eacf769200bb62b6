// Package classifiers decides which categories of personal data a field's
// values hold. It is driven by rules (rules.yaml at the module root, merged
// with user files by rule id) compiled once by Load into an immutable
// Engine.
//
// The work is split by what it depends on:
//
//   - Engine.Field(path, storeType) does everything that depends on the
//     field path alone, once per path: the path's keys are normalised
//     ("dateOfBirth" → "date of birth"), each rule's field-name patterns,
//     exclusions and context words are evaluated, and only the rules that
//     can fire on this field are kept, with their confidence.
//   - Field.Classify(value, dst) runs per value: kind and length bounds, a
//     character-class and first-byte prefilter, the patterns (one pass for
//     all of a rule's patterns), the validator (Luhn and issuer ranges,
//     IBAN mod 97, ABA, IMEI, libphonenumber, JWT header, SSN rules,
//     national-id checksums…), the exclusions. Values with words are also
//     searched as free text, and a match reports its byte span. It does not
//     allocate when nothing matches.
//   - Engine.Structure(path, node, dst) reads what only a document's shape
//     says (GeoJSON points, latitude/longitude siblings, [lon, lat] arrays);
//     Field.TypeHits what a store-declared type says (geo_point, ip).
//   - FieldConfidence turns the per-value findings of a field into one
//     confidence, weighing the share of values that agree.
//
// Rules test themselves: each carries examples (values it must report and
// values it must not; see the header of rules.yaml for the form). An
// example matches when an engine holding its rule alone reports it for a
// field whose path is the example's field (else the examples' field, else
// ExampleField, which no rule's field names mention) and whose store type
// is the example's store_type: Field(path, storeType).TypeHits, or
// Classify of the value read as the example's kind (string by default),
// whole or as free text. Load checks the form of examples; Check runs those
// of the file it checks. Errors of Load and Check are LoadErrors: every
// error found, each at file:line:column.
//
// Mask hides the values a report shows as examples; credentials are always
// fully masked.
// Field.Explain tells, for one value, how every applicable rule judged it.
package classifiers
