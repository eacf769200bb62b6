package redis

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

func TestDecodeString(t *testing.T) {
	mp, _ := msgpack.Marshal(map[string]any{"email": "a@example.com", "tags": []string{"x"}})
	tests := []struct {
		name   string
		in     []byte
		want   any
		reason string
	}{
		{"JSON object", []byte(`{"profile":{"email":"a@example.com"}}`), map[string]any{"profile": map[string]any{"email": "a@example.com"}}, ""},
		{"JSON array", []byte(` [1,"x"] `), []any{json.Number("1"), "x"}, ""},
		{"plain text", []byte("hello"), "hello", ""},
		{"number text", []byte("42"), "42", ""},
		{"not quite JSON", []byte(`{"a":`), `{"a":`, ""},
		{"two JSON values", []byte(`{} {}`), `{} {}`, ""},
		{"gzip JSON", gz([]byte(`{"a":"b"}`)), map[string]any{"a": "b"}, ""},
		{"gzip text", gz([]byte(`hello`)), "hello", ""},
		{"base64 JSON", []byte(base64.StdEncoding.EncodeToString([]byte(`{"a":"b","c":"d"}`))), map[string]any{"a": "b", "c": "d"}, ""},
		{"base64 gzip JSON", []byte(base64.StdEncoding.EncodeToString(gz([]byte(`{"a":"b"}`)))), map[string]any{"a": "b"}, ""},
		{"base64 of binary stays text", []byte("c2Vzc2lvbjp0b2tlbjoxMjM0NTY3OA"), "c2Vzc2lvbjp0b2tlbjoxMjM0NTY3OA", ""},
		{"MessagePack", mp, map[string]any{"email": "a@example.com", "tags": []any{"x"}}, ""},
		{"binary", []byte{0, 1, 2, 0xff}, nil, ReasonBinary},
		{"corrupt gzip", []byte{0x1f, 0x8b, 1, 2, 3}, nil, ReasonBadGzip},
		{"gzip bomb", gz(bytes.Repeat([]byte("a"), 5000)), nil, ReasonTooLarge},
		{"msgpack map32 header claiming 2^31 entries", []byte{0xdf, 0x7f, 0xff, 0xff, 0xff, 0xa1, 'a'}, nil, ReasonBinary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := DecodeString(tt.in, 1000)
			if reason != tt.reason || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecodeString = %#v %q, want %#v %q", got, reason, tt.want, tt.reason)
			}
		})
	}
}

// FuzzDecodeString: never panics, never allocates by declared lengths, and
// a JSON object's encoding decodes back to the object.
func FuzzDecodeString(f *testing.F) {
	mp, _ := msgpack.Marshal(map[string]any{"a": []any{1, "x", map[string]any{"b": true}}})
	for _, s := range [][]byte{[]byte(`{"a":1}`), []byte("text"), gz([]byte(`{"a":"b"}`)), mp, {0xdf, 0xff, 0xff, 0xff, 0xff},
		{0xdd, 0, 0, 0, 9, 0xc0}, []byte(base64.StdEncoding.EncodeToString([]byte(`{"x":"y"}`)))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, reason := DecodeString(b, 1<<16)
		if reason == "" && v == nil && string(b) != "null" {
			if _, ok := decodeJSON(b); !ok {
				t.Fatalf("no value and no reason for %q", b)
			}
		}
		if reason != "" && v != nil {
			t.Fatalf("a value and a reason for %q", b)
		}
		// oracle: any JSON object survives its own encoding
		if m, ok := v.(map[string]any); ok && bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
			raw, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := DecodeString(raw, 1<<16)
			if !reflect.DeepEqual(normalize(again), normalize(m)) {
				t.Fatalf("%s decodes to %#v, its encoding to %#v", b, m, again)
			}
		}
	})
}

// FuzzMsgpackWalk: every input the library decodes completely (it is
// MessagePack) the walker accepts with the same end, and the walker never
// reads past the input.
func FuzzMsgpackWalk(f *testing.F) {
	for _, v := range []any{map[string]any{"a": 1}, []any{"x", 1.5, nil, true, []byte{1}}, map[string]any{"n": map[string]any{"m": []any{-1, 300, 70000}}}} {
		b, _ := msgpack.Marshal(v)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		end, ok := msgpackWalk(b, 0, 0)
		if ok && (end < 1 || end > len(b)) {
			t.Fatalf("walk end %d of %d", end, len(b))
		}
		if len(b) == 0 || len(b) > 256 || b[0] >= 0xc7 && b[0] <= 0xc9 || b[0] >= 0xd4 && b[0] <= 0xd8 {
			return // the library reads ext types its own way (interned strings, time)
		}
		for _, c := range []byte{0xc5, 0xc6, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf} {
			if bytes.IndexByte(b, c) >= 0 {
				return // large declared lengths: the library allocates them before it fails
			}
		}
		r := bytes.NewReader(b)
		_, err := msgpack.NewDecoder(r).DecodeInterface()
		if err == nil && r.Len() == 0 && (!ok || end != len(b)) {
			t.Fatalf("the library decodes %x completely, the walker says %v at %d", b, ok, end)
		}
	})
}

// normalize makes json.Number and float64 comparable.
func normalize(v any) any {
	raw, _ := json.Marshal(v)
	var out any
	json.Unmarshal(raw, &out)
	return out
}

// FuzzDecodeFieldString: the string path (text taken as it is when no
// decoder would take it) gives what DecodeField gives for the same bytes.
func FuzzDecodeFieldString(f *testing.F) {
	for _, s := range []string{"", "hello", "u1@example.com", `{"a":1}`, " [1] ", "c2Vzc2lvbjp0b2tlbjoxMjM0NTY3OA",
		base64.StdEncoding.EncodeToString([]byte(`{"x":"y"}`)), "\x1f\x8b", "\x81\xa1a\x01", "ܐܐ", "a\x00b", "é", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, want := decodeFieldString(s, 1<<16), DecodeField([]byte(s), 1<<16)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeFieldString(%q) = %#v, DecodeField = %#v", s, got, want)
		}
	})
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{"Ann Example", true},
		{"u123@example.com", true},
		{"SKU-1", true},
		{"short+b64/alpha=", false}, // 16 characters of the alphabet: maybe base64
		{"shortb64", true},          // too short to be taken as base64
		{`{"a":1}`, false},
		{"x [1]", false},
		{"tab\tand\nnewline", true},
		{"nul\x00", false},
		{"\x1f\x8bgzip", false},
		{"\xdc\x00\x01", false}, // MessagePack array 16
		{"café au lait", true},
		{"\xff\xfe", false},
	}
	for _, tt := range tests {
		if got := plainText(tt.in); got != tt.want {
			t.Errorf("plainText(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestDecodeJSONReuse: decoders are reused from one value to the next; a
// value that fails, or leaves bytes behind, leaves nothing for the next.
func TestDecodeJSONReuse(t *testing.T) {
	seq := []struct {
		in string
		ok bool
	}{
		{`{"a":1}`, true},
		{`{"a":`, false},
		{`{"b":2}`, true},
		{`{} {"c":3}`, false},
		{`{"d":4}`, true},
		{`{}}`, false},
		{`[1,2]`, true},
		{`{"x":"` + string(bytes.Repeat([]byte("y"), 5000)) + `"}`, true},
		{`{"e":5}`, true},
	}
	for round := 0; round < 3; round++ {
		for _, s := range seq {
			v, ok := decodeJSON([]byte(s.in))
			if ok != s.ok {
				t.Fatalf("decodeJSON(%.20q) ok = %v, want %v", s.in, ok, s.ok)
			}
			if !ok {
				continue
			}
			var want any
			d := json.NewDecoder(bytes.NewReader([]byte(s.in)))
			d.UseNumber()
			if err := d.Decode(&want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(v, want) {
				t.Fatalf("decodeJSON(%.20q) = %v, want %v", s.in, v, want)
			}
		}
	}
}

// FuzzDecodeText: a value held as a string decodes as its bytes do, and a
// string textual says is text is never skipped (values are handed over
// undecoded on that promise: see rawDoc).
func FuzzDecodeText(f *testing.F) {
	for _, s := range []string{"", "hello", `{"a":1}`, " [1] ", "[1", "c2Vzc2lvbjp0b2tlbjoxMjM0NTY3OA",
		base64.StdEncoding.EncodeToString([]byte(`{"x":"y"}`)), "\x1f\x8b", "\x81\xa1a\x01", "ܐܐ", "\xdc\x00\x01", "a\x00b", "é", "\xff", "a\x7f",
		`{"a":"\u00e9","b":[1.5e3,-0,true,null,{}]}`, "\u00a0{\"a\":1}\u00a0", `{"a":1,"a":2}`, `{"a":"x\ty"}`, `[1,]`, `{"a":01}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, reason := decodeText(s, 1<<16)
		want, wantReason := DecodeString([]byte(s), 1<<16)
		if reason != wantReason || !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeText(%q) = %#v %q, DecodeString = %#v %q", s, got, reason, want, wantReason)
		}
		if textual(s) && reason != "" {
			t.Fatalf("textual(%q), but it is skipped: %s", s, reason)
		}
	})
}

func TestTextual(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{`{"user":1,"ip":"198.51.100.7"}`, true},
		{"tab\tand\r\nnewline", true},
		{"café", true},
		{"\xdc\x80", true}, // valid UTF-8 that starts like MessagePack: text at worst
		{"nul\x00", false},
		{"del\x7f", false},
		{"\x1f\x8bgzip", false},
		{"caf\xe9", false},
	}
	for _, tt := range tests {
		if got := textual(tt.in); got != tt.want {
			t.Errorf("textual(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
