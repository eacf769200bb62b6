package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
)

// Categories is the taxonomy of the report format: category id → group.
// It mirrors the shared report schema; report knows it only to validate.
// The one taxonomy is classifiers.Taxonomy; report, a leaf package, does not
// import classifiers, and classifiers/taxonomy_test.go proves that this map,
// classifiers.Taxonomy and the schema's table agree exactly.
var Categories = map[string]string{
	"email": "contact", "phone": "contact", "street_address": "contact", "postal_code": "contact",
	"person_name": "identity", "date_of_birth": "identity", "national_id": "identity", "passport_number": "identity",
	"password": "credentials", "password_hash": "credentials", "api_secret": "credentials",
	"credit_card": "payment", "card_cvv": "payment", "card_expiry": "payment", "iban": "payment", "bank_account": "payment",
	"geo_coordinates": "location", "ip_address": "location",
	"mac_address": "device", "device_id": "device",
	"travel_booking": "travel",
}

var credentialInURI = regexp.MustCompile(`://[^/@\s]*:([^@\s]*)@`)

// Validate checks a JSON report against the report format: every required
// field present with the right type, ids from the taxonomy, numbers in
// range, no credentials in URIs. It returns the first problem found, with a
// JSON path.
func Validate(data []byte) error {
	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	v := validator{}
	v.object(root, "$", map[string]string{
		"schema_version": "number", "tool": "object", "started_at": "string", "finished_at": "string",
		"complete": "bool", "targets": "array", "summary": "object",
	})
	if v.err != nil {
		return v.err
	}
	if n, _ := root["schema_version"].(json.Number).Int64(); n != SchemaVersion {
		return fmt.Errorf("$.schema_version = %d, want %d", n, SchemaVersion)
	}
	v.object(root["tool"].(map[string]any), "$.tool", map[string]string{"name": "string", "version": "string"})
	for i, t := range root["targets"].([]any) {
		p := fmt.Sprintf("$.targets[%d]", i)
		tm, ok := t.(map[string]any)
		if !ok {
			return fmt.Errorf("%s is not an object", p)
		}
		v.object(tm, p, map[string]string{"uri": "string", "kind": "string", "exposure": "object", "error": "string|null", "containers": "array"})
		if v.err != nil {
			return v.err
		}
		if !IsKind(tm["kind"].(string)) {
			return fmt.Errorf("%s.kind %q is not a known kind", p, tm["kind"])
		}
		if m := credentialInURI.FindStringSubmatch(tm["uri"].(string)); m != nil && m[1] != "***" {
			return fmt.Errorf("%s.uri holds a credential", p)
		}
		v.object(tm["exposure"].(map[string]any), p+".exposure", map[string]string{
			"reachable": "bool", "anonymous_access": "bool", "tls": "bool", "server": "string", "notes": "array"})
		if tm["error"] != nil && len(tm["containers"].([]any)) != 0 {
			return fmt.Errorf("%s has an error and containers", p)
		}
		for j, c := range tm["containers"].([]any) {
			cp := fmt.Sprintf("%s.containers[%d]", p, j)
			cm, ok := c.(map[string]any)
			if !ok {
				return fmt.Errorf("%s is not an object", cp)
			}
			v.object(cm, cp, map[string]string{"name": "string", "estimated_documents": "number",
				"sampled_documents": "number", "risk_score": "number", "fields": "array"})
			if v.err != nil {
				return v.err
			}
			v.score(cm["risk_score"], cp+".risk_score")
			v.combinations(cm["combinations"], cp+".combinations")
			v.strings(cm["primary_key"], cp+".primary_key")
			for k, f := range cm["fields"].([]any) {
				fp := fmt.Sprintf("%s.fields[%d]", cp, k)
				fm, ok := f.(map[string]any)
				if !ok {
					return fmt.Errorf("%s is not an object", fp)
				}
				v.object(fm, fp, map[string]string{"path": "string", "findings": "array"})
				if v.err != nil {
					return v.err
				}
				for l, x := range fm["findings"].([]any) {
					xp := fmt.Sprintf("%s.findings[%d]", fp, l)
					xm, ok := x.(map[string]any)
					if !ok {
						return fmt.Errorf("%s is not an object", xp)
					}
					v.object(xm, xp, map[string]string{"category": "string", "group": "string", "confidence": "number",
						"evidence": "array", "matched_documents": "number", "match_ratio": "number",
						"estimated_affected_documents": "number", "risk": "number", "examples": "array"})
					if v.err != nil {
						return v.err
					}
					cat := xm["category"].(string)
					g, known := Categories[cat]
					if !known {
						return fmt.Errorf("%s.category %q is not in the taxonomy", xp, cat)
					}
					if xm["group"] != g {
						return fmt.Errorf("%s.group %q, want %q for %s", xp, xm["group"], g, cat)
					}
					v.unit(xm["confidence"], xp+".confidence")
					v.unit(xm["match_ratio"], xp+".match_ratio")
					v.score(xm["risk"], xp+".risk")
				}
			}
		}
	}
	v.object(root["summary"].(map[string]any), "$.summary", map[string]string{"risk_score": "number",
		"containers_scanned": "number", "containers_with_findings": "number", "documents_sampled": "number", "by_category": "object"})
	if v.err == nil {
		v.guidance(root["summary"].(map[string]any)["notification_guidance"], "$.summary.notification_guidance")
		v.score(root["summary"].(map[string]any)["risk_score"], "$.summary.risk_score")
		for cat := range root["summary"].(map[string]any)["by_category"].(map[string]any) {
			if _, ok := Categories[cat]; !ok && v.err == nil {
				v.err = fmt.Errorf("$.summary.by_category has unknown category %q", cat)
			}
		}
	}
	return v.err
}

type validator struct{ err error }

func (v *validator) object(m map[string]any, path string, fields map[string]string) {
	if v.err != nil {
		return
	}
	for name, typ := range fields {
		val, ok := m[name]
		if !ok {
			v.err = fmt.Errorf("%s.%s is missing", path, name)
			return
		}
		if !hasType(val, typ) {
			v.err = fmt.Errorf("%s.%s is %T, want %s", path, name, val, typ)
			return
		}
	}
}

func hasType(val any, typ string) bool {
	switch typ {
	case "string|null":
		return val == nil || hasType(val, "string")
	case "string":
		_, ok := val.(string)
		return ok
	case "number":
		_, ok := val.(json.Number)
		return ok
	case "bool":
		_, ok := val.(bool)
		return ok
	case "array":
		_, ok := val.([]any)
		return ok
	case "object":
		_, ok := val.(map[string]any)
		return ok
	}
	return false
}

func (v *validator) rangeCheck(val any, path string, hi float64) {
	if v.err != nil {
		return
	}
	f, err := val.(json.Number).Float64()
	if err != nil || f < 0 || f > hi {
		v.err = fmt.Errorf("%s = %v, want a number in [0, %g]", path, val, hi)
	}
}

func (v *validator) unit(val any, path string)  { v.rangeCheck(val, path, 1) }
func (v *validator) score(val any, path string) { v.rangeCheck(val, path, 100) }

// objects checks an optional array of objects: each must have the given
// fields; each, then holds further checks of one element.
func (v *validator) objects(val any, path string, fields map[string]string, each func(m map[string]any, p string)) {
	if v.err != nil || val == nil {
		return
	}
	list, ok := val.([]any)
	if !ok {
		v.err = fmt.Errorf("%s is %T, want array", path, val)
		return
	}
	for i, el := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		m, ok := el.(map[string]any)
		if !ok {
			v.err = fmt.Errorf("%s is not an object", p)
			return
		}
		v.object(m, p, fields)
		if v.err != nil {
			return
		}
		if each != nil {
			each(m, p)
		}
	}
}

// combinations checks a container's optional combinations.
func (v *validator) combinations(val any, path string) {
	v.objects(val, path, map[string]string{"id": "string", "name": "string", "categories": "array", "risk": "number"},
		func(m map[string]any, p string) {
			v.score(m["risk"], p+".risk")
			for _, cat := range m["categories"].([]any) {
				if s, ok := cat.(string); !ok || Categories[s] == "" {
					if v.err == nil {
						v.err = fmt.Errorf("%s.categories holds %v, not a category of the taxonomy", p, cat)
					}
					return
				}
			}
		})
}

// strings checks an optional array of non-empty strings (a container's
// primary_key).
func (v *validator) strings(val any, path string) {
	if v.err != nil || val == nil {
		return
	}
	list, ok := val.([]any)
	if !ok {
		v.err = fmt.Errorf("%s is %T, want array", path, val)
		return
	}
	for i, el := range list {
		if s, ok := el.(string); !ok || s == "" {
			v.err = fmt.Errorf("%s[%d] is %v, want a non-empty string", path, i, el)
			return
		}
	}
}

// guidance checks the summary's optional notification guidance.
func (v *validator) guidance(val any, path string) {
	v.objects(val, path, map[string]string{"group": "string", "categories": "array", "usually_notifiable": "bool",
		"estimated_affected_documents": "number", "reason": "string"}, nil)
}
