package estate

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// SchemaID is the $id of the inventory's JSON Schema.
const SchemaID = "https://github.com/piisniff/piisniff/docs/estate.schema.json"

// Schema returns the JSON Schema (draft 2020-12) of the inventory for
// editors, with the options that fs's flags allow per target. It accepts
// exactly the keys the parser accepts: docs/estate.schema.json is its output
// for the scan command's flags, and a test keeps the two equal.
func Schema(fs *pflag.FlagSet) ([]byte, error) {
	type obj = map[string]any
	// a YAML scalar: the parser reads 2024 or true as the text it is
	scalar := []string{"string", "number", "boolean"}
	str := obj{"type": scalar, "minLength": 1}
	closed := func(desc string, props obj, required ...string) obj {
		o := obj{"type": "object", "additionalProperties": false, "properties": props}
		if desc != "" {
			o["description"] = desc
		}
		if len(required) > 0 {
			o["required"] = required
		}
		return o
	}
	tags := obj{}
	for _, k := range TagKeys {
		tags[k] = obj{"type": scalar}
	}
	secret := obj{
		"description":          "where a credential is: an environment variable or a file, never the value",
		"type":                 "object",
		"additionalProperties": false,
		"properties":           obj{"env": obj{"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}, "file": str},
		"minProperties":        1,
		"maxProperties":        1,
	}
	options := obj{}
	for _, name := range FlagNames(fs) {
		f := fs.Lookup(name)
		options[name] = optionSchema(f)
	}
	schema := obj{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  SchemaID,
		"title":                "piisniff targets inventory",
		"description":          "piisniff scan --targets FILE: the stores of an estate, their tags, where their credentials are and their own scan options. ${VAR} in any value is replaced by the environment variable.",
		"type":                 "object",
		"additionalProperties": false,
		"required":             []string{"version", "targets"},
		"properties": obj{
			"version": obj{"enum": []any{Version, strconv.Itoa(Version)}},
			"defaults": closed("tags and options of every target", obj{
				"tags":    obj{"$ref": "#/$defs/tags"},
				"options": obj{"$ref": "#/$defs/options"},
			}),
			"targets": obj{"type": "array", "minItems": 1, "items": obj{"$ref": "#/$defs/target"}},
		},
		"$defs": obj{
			"tags":    closed("who owns the target and where it runs", tags),
			"secret":  secret,
			"options": closed("scan flags by name, without the dashes; a list sets the flag once per element", options),
			"target": closed("one store", obj{
				"name": obj{"type": scalar, "minLength": 1, "description": "unique name of the target in reports"},
				"uri":  obj{"type": scalar, "minLength": 1, "description": "the target as piisniff scan takes it, without a password"},
				"tags": obj{"$ref": "#/$defs/tags"},
				"credentials": closed("where the target's credentials are", obj{
					"username": str,
					"password": obj{"$ref": "#/$defs/secret"},
					"secrets": obj{
						"description":          "values of the environment variables connectors read credentials from (ELASTIC_API_KEY, ...), for this target",
						"type":                 "object",
						"propertyNames":        obj{"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
						"additionalProperties": obj{"$ref": "#/$defs/secret"},
					},
				}),
				"options": obj{"$ref": "#/$defs/options"},
			}, "name", "uri"),
		},
	}
	b, err := json.MarshalIndent(schema, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// optionSchema is the schema of one flag's value: a string always works
// (it is what the command line gives); numbers and booleans may be
// written as such; list flags take a list.
func optionSchema(f *pflag.Flag) map[string]any {
	desc := strings.TrimSpace(f.Usage)
	typ := f.Value.Type()
	var alts []any
	switch {
	case typ == "bool":
		alts = []any{map[string]any{"type": "boolean"}, map[string]any{"enum": []string{"true", "false"}}}
	case strings.HasPrefix(typ, "int") || strings.HasPrefix(typ, "uint"):
		alts = []any{map[string]any{"type": "integer"}, map[string]any{"type": "string", "pattern": "^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$|^-?[0-9]+$"}}
	case strings.HasPrefix(typ, "float"):
		alts = []any{map[string]any{"type": "number"}, map[string]any{"type": "string"}}
	default:
		alts = []any{map[string]any{"type": []string{"string", "number", "boolean"}}}
	}
	// every flag may be given as a list: each element sets it once
	item := map[string]any{"anyOf": alts}
	all := append(append([]any{}, alts...), map[string]any{"type": "array", "items": item})
	return map[string]any{"description": desc, "anyOf": all}
}
