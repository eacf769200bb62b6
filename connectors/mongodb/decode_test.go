package mongodb

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := bson.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeValues(t *testing.T) {
	oid, _ := bson.ObjectIDFromHex("6a6a6f699b536e8fb7757a1c")
	dec, _ := bson.ParseDecimal128("4357.68")
	decExp, _ := bson.ParseDecimal128("1.5E+3")
	nan, _ := bson.ParseDecimal128("NaN")
	when := time.Date(2026, 6, 12, 10, 20, 30, 123e6, time.UTC)
	uuid := []byte{0xc4, 0x48, 0x77, 0x07, 0x04, 0xbd, 0x48, 0xdf, 0x87, 0xb0, 0xc3, 0x90, 0x0c, 0x69, 0x2e, 0x9c}
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"double", 0.25, 0.25},
		{"string", "ada@example.org", "ada@example.org"},
		{"int32", int32(7), int32(7)},
		{"int64", int64(378282246310005), int64(378282246310005)},
		{"bool", true, true},
		{"null", nil, nil},
		{"objectid", oid, "6a6a6f699b536e8fb7757a1c"},
		{"datetime", bson.NewDateTimeFromTime(when), when},
		{"timestamp", bson.Timestamp{T: 1700000000, I: 3}, time.Unix(1700000000, 0).UTC()},
		{"decimal", dec, json.Number("4357.68")},
		{"decimal exponent", decExp, json.Number("1.5E+3")},
		{"decimal NaN", nan, "NaN"},
		{"binary text", bson.Binary{Subtype: 0, Data: []byte("hello world")}, "hello world"},
		{"binary not utf8", bson.Binary{Subtype: 0, Data: []byte{0xff, 0x00, 0xfe}}, []byte{0xff, 0x00, 0xfe}},
		{"binary control bytes", bson.Binary{Subtype: 0, Data: []byte{1, 2, 3}}, []byte{1, 2, 3}},
		{"binary empty", bson.Binary{Subtype: 0, Data: []byte{}}, []byte{}},
		{"binary uuid", bson.Binary{Subtype: 4, Data: uuid}, "c4487707-04bd-48df-87b0-c3900c692e9c"},
		{"binary old uuid", bson.Binary{Subtype: 3, Data: uuid}, "c4487707-04bd-48df-87b0-c3900c692e9c"},
		{"regex", bson.Regex{Pattern: "^a.*", Options: "i"}, "/^a.*/i"},
		{"javascript", bson.JavaScript("return 1"), "return 1"},
		{"symbol", bson.Symbol("sym"), "sym"},
		{"code with scope", bson.CodeWithScope{Code: "f()", Scope: bson.D{{Key: "x", Value: 1}}}, "f()"},
		{"dbpointer", bson.DBPointer{DB: "shop.users", Pointer: oid}, map[string]any{"$ref": "shop.users", "$id": "6a6a6f699b536e8fb7757a1c"}},
		{"undefined", bson.Undefined{}, nil},
		{"minkey", bson.MinKey{}, nil},
		{"maxkey", bson.MaxKey{}, nil},
		{"nested document", bson.D{{Key: "a", Value: bson.D{{Key: "b", Value: "c"}}}},
			map[string]any{"a": map[string]any{"b": "c"}}},
		{"array of objects", bson.A{bson.D{{Key: "phone", Value: "+1 202-555-0197"}}, bson.D{{Key: "phone", Value: "+1 415-555-0169"}}},
			[]any{map[string]any{"phone": "+1 202-555-0197"}, map[string]any{"phone": "+1 415-555-0169"}}},
		{"nested arrays", bson.A{bson.A{int32(1), int32(2)}, bson.A{}}, []any{[]any{int32(1), int32(2)}, []any{}}},
		{"empty array", bson.A{}, []any{}},
		{"geojson point", bson.D{{Key: "type", Value: "Point"}, {Key: "coordinates", Value: bson.A{13.48, 52.57}}},
			map[string]any{"type": "Point", "coordinates": []any{13.48, 52.57}}},
		{"geojson polygon", bson.D{{Key: "type", Value: "Polygon"}, {Key: "coordinates", Value: bson.A{bson.A{bson.A{0.0, 0.0}, bson.A{1.0, 0.0}, bson.A{0.0, 0.0}}}}},
			map[string]any{"type": "Polygon", "coordinates": []any{[]any{[]any{0.0, 0.0}, []any{1.0, 0.0}, []any{0.0, 0.0}}}}},
		{"invalid utf8 string", string([]byte{'a', 0xff}), []byte{'a', 0xff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(mustMarshal(t, bson.D{{Key: "v", Value: tt.in}}))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got["v"], tt.want) {
				t.Errorf("got %#v (%T), want %#v (%T)", got["v"], got["v"], tt.want, tt.want)
			}
		})
	}
}

func TestDecodeDuplicateKeyLastWins(t *testing.T) {
	got, err := Decode(mustMarshal(t, bson.D{{Key: "a", Value: 1.0}, {Key: "a", Value: 2.0}}))
	if err != nil {
		t.Fatal(err)
	}
	if got["a"] != 2.0 {
		t.Errorf("a = %v, want 2", got["a"])
	}
}

func TestDecodeDepth(t *testing.T) {
	tests := []struct {
		levels  int
		wantErr string
	}{
		{90, ""},
		{maxDepth, ""},
		{maxDepth + 1, "document nested too deeply"},
	}
	for _, tt := range tests {
		d := bson.D{{Key: "x", Value: "leaf"}}
		for i := 0; i < tt.levels; i++ {
			d = bson.D{{Key: "c", Value: d}}
		}
		_, err := Decode(mustMarshal(t, d))
		if tt.wantErr == "" && err != nil {
			t.Errorf("%d levels: %v", tt.levels, err)
		}
		if tt.wantErr != "" && (err == nil || decodeReason(err) != tt.wantErr) {
			t.Errorf("%d levels: err %v, want %q", tt.levels, err, tt.wantErr)
		}
	}
}

func TestDecodeInvalid(t *testing.T) {
	valid := mustMarshal(t, bson.D{{Key: "name", Value: "Ada"}, {Key: "sub", Value: bson.D{{Key: "n", Value: int32(1)}}}})
	tests := []struct {
		name string
		raw  []byte
	}{
		{"empty", nil},
		{"short", []byte{5, 0, 0}},
		{"truncated", valid[:len(valid)-3]},
		{"trailing bytes", append(append([]byte(nil), valid...), 0)},
		{"bad length", append([]byte{0xff, 0, 0, 0}, valid[4:]...)},
		{"no terminator", append(append([]byte(nil), valid[:len(valid)-1]...), 1)},
		{"unknown type", []byte{12, 0, 0, 0, 0x42, 'k', 0, 1, 2, 3, 4, 0}},
		{"string length past end", []byte{16, 0, 0, 0, 0x02, 'k', 0, 0x40, 0, 0, 0, 'a', 'b', 'c', 0, 0}},
		{"bad boolean", []byte{9, 0, 0, 0, 0x08, 'k', 0, 7, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Decode(tt.raw); err == nil {
				t.Fatal("no error")
			} else if r := decodeReason(err); r == "" {
				t.Fatal("empty reason")
			}
		})
	}
}

// checkPlain fails when v holds a type outside those documented on
// connectors.Document.
func checkPlain(t testing.TB, v any) {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			checkPlain(t, e)
		}
	case []any:
		for _, e := range x {
			checkPlain(t, e)
		}
	case string, json.Number, float64, float32, int, int32, int64, uint64, bool, nil, time.Time, []byte:
	default:
		t.Fatalf("value of type %T is not a plain value", v)
	}
}

func FuzzDecode(f *testing.F) {
	oid, _ := bson.ObjectIDFromHex("6a6a6f699b536e8fb7757a1c")
	dec, _ := bson.ParseDecimal128("12.5")
	f.Add(mustMarshal(f, bson.D{{Key: "a", Value: "b"}}))
	f.Add(mustMarshal(f, bson.D{{Key: "id", Value: oid}, {Key: "d", Value: dec}, {Key: "t", Value: bson.DateTime(0)},
		{Key: "bin", Value: bson.Binary{Data: []byte("x")}}, {Key: "arr", Value: bson.A{1, "2", bson.D{{Key: "x", Value: nil}}}}}))
	f.Add([]byte{5, 0, 0, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Decode(raw)
		if err != nil {
			if m != nil {
				t.Fatal("document and error")
			}
			if decodeReason(err) == "" {
				t.Fatal("error without reason")
			}
			return
		}
		checkPlain(t, m)
		// A document the driver's own validator refuses must not decode.
		if verr := bson.Raw(raw).Validate(); verr != nil && !strings.Contains(verr.Error(), "UTF-8") {
			t.Logf("driver refuses what Decode accepted: %v", verr)
		}
	})
}
