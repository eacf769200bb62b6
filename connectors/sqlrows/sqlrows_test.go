package sqlrows_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/piisniff/piisniff"
	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors/sqlrows"
	"github.com/piisniff/piisniff/pipeline"
)

// paths flattens a document the way the pipeline does and returns path=value pairs.
type collect struct{ got []string }

func (c *collect) Scalar(path []byte, v classifiers.Value) {
	c.got = append(c.got, string(path)+"="+v.S)
}
func (c *collect) Node([]byte, any) {}

func flat(t *testing.T, fields map[string]any) []string {
	t.Helper()
	var f pipeline.Flattener
	var c collect
	if err := f.Flatten(fields, &c); err != nil {
		t.Fatal(err)
	}
	sort.Strings(c.got)
	return c.got
}

func TestDocumentPaths(t *testing.T) {
	cols := []sqlrows.Column{
		sqlrows.NewColumn("id", "integer"),
		sqlrows.NewColumn("address", "jsonb"),
		sqlrows.NewColumn("notes", "text"),
		sqlrows.NewColumn("tags", "text[]"),
		sqlrows.NewColumn("ips", "_inet"),
		sqlrows.NewColumn("active", "boolean"),
		sqlrows.NewColumn("photo", "bytea"),
		sqlrows.NewColumn("label", "bytea"),
		sqlrows.NewColumn("price", "numeric(10,2)"),
		sqlrows.NewColumn("plain", "varchar(20)"),
		sqlrows.NewColumn("nothing", "text"),
		sqlrows.NewColumn("id2", "uuid"),
	}
	conv := sqlrows.NewConverter(cols, 0)
	doc, ok, reason := conv.Document([]any{
		"42",
		`{"street": "11 Linden Lane", "geo": {"lat": 51.5}, "phones": ["+1 202-555-0197"]}`,
		`[{"email": "a@example.org"}]`,
		[]any{"x", nil, "y"},
		[]any{"192.0.2.1", []any{"198.51.100.7"}},
		"t",
		[]byte{0xff, 0xfe, 0x00},
		[]byte("hello"),
		"12.50",
		"{not json}",
		nil,
		"0b5e7d4a-2f0e-4c1e-9a5e-6d5b1b0f6a11",
	})
	if !ok {
		t.Fatal(reason)
	}
	want := []string{
		"active=true",
		"address.geo.lat=51.5",
		"address.phones[]=+1 202-555-0197",
		"address.street=11 Linden Lane",
		"id2=0b5e7d4a-2f0e-4c1e-9a5e-6d5b1b0f6a11",
		"id=42",
		"ips[]=192.0.2.1",
		"ips[]=198.51.100.7",
		"label=hello",
		"notes[].email=a@example.org",
		"plain={not json}",
		"price=12.50",
		"tags[]=x",
		"tags[]=y",
	}
	if got := flat(t, doc.Fields); !reflect.DeepEqual(got, want) {
		t.Errorf("paths:\n got %q\nwant %q", got, want)
	}
	if _, has := doc.Fields["photo"]; has {
		t.Error("binary photo kept")
	}
	if got := conv.SkippedValues(); got[sqlrows.ReasonBinary] != 1 || len(got) != 1 {
		t.Errorf("skipped %v", got)
	}
	if n := conv.Notes(); len(n) != 1 || !strings.Contains(n[0], `column "photo": 1 value skipped (binary`) {
		t.Errorf("notes %q", n)
	}
	if _, isNum := doc.Fields["price"].(json.Number); !isNum {
		t.Errorf("price is %T", doc.Fields["price"])
	}
}

func TestDocumentBounds(t *testing.T) {
	big := `{"a": "` + strings.Repeat("x", 2000) + `"}`
	deep := strings.Repeat("[", 80) + strings.Repeat("]", 80)
	tests := []struct {
		name       string
		col        sqlrows.Column
		value      any
		conv       func(*sqlrows.Converter)
		wantReason string // value skipped for this reason
		wantRow    string // row skipped for this reason
	}{
		{"json over the value cap", sqlrows.NewColumn("doc", "jsonb"), big, func(c *sqlrows.Converter) { c.MaxValueBytes = 1000 }, sqlrows.ReasonTooLarge, ""},
		{"text JSON over the value cap", sqlrows.NewColumn("doc", "text"), big, func(c *sqlrows.Converter) { c.MaxValueBytes = 1000 }, sqlrows.ReasonTooLarge, ""},
		{"bytes over the value cap", sqlrows.NewColumn("doc", "bytea"), []byte(big), func(c *sqlrows.Converter) { c.MaxValueBytes = 1000 }, sqlrows.ReasonTooLarge, ""},
		{"json too deep", sqlrows.NewColumn("doc", "json"), deep, nil, sqlrows.ReasonTooDeep, ""},
		{"text JSON too deep", sqlrows.NewColumn("doc", "text"), deep, nil, sqlrows.ReasonTooDeep, ""},
		{"invalid json column", sqlrows.NewColumn("doc", "json"), `{"a":`, nil, sqlrows.ReasonBadJSON, ""},
		{"invalid UTF-8 text", sqlrows.NewColumn("doc", "text"), "a\xffb", nil, sqlrows.ReasonBinary, ""},
		{"row over the document cap", sqlrows.NewColumn("doc", "text"), big, func(c *sqlrows.Converter) { c.MaxDocumentBytes = 100 }, "", sqlrows.ReasonRowTooBig},
		{"within bounds", sqlrows.NewColumn("doc", "jsonb"), big, nil, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conv := sqlrows.NewConverter([]sqlrows.Column{tc.col}, 0)
			if tc.conv != nil {
				tc.conv(conv)
			}
			doc, ok, reason := conv.Document([]any{tc.value})
			if tc.wantRow != "" {
				if ok || reason != tc.wantRow {
					t.Fatalf("ok %v reason %q, want row skipped: %q", ok, reason, tc.wantRow)
				}
				return
			}
			if !ok {
				t.Fatalf("row skipped: %s", reason)
			}
			skipped := conv.SkippedValues()
			_, kept := doc.Fields["doc"]
			if tc.wantReason == "" {
				if !kept || len(skipped) != 0 {
					t.Fatalf("kept %v skipped %v", kept, skipped)
				}
				return
			}
			if kept || skipped[tc.wantReason] != 1 {
				t.Fatalf("kept %v skipped %v, want one %q", kept, skipped, tc.wantReason)
			}
		})
	}
}

func TestClassAndStoreType(t *testing.T) {
	tests := []struct {
		dbType    string
		class     sqlrows.Class
		array     bool
		storeType string
	}{
		{"jsonb", sqlrows.JSON, false, "jsonb"},
		{"JSON", sqlrows.JSON, false, "json"},
		{"inet", sqlrows.Opaque, false, "ip"},
		{"cidr", sqlrows.Opaque, false, "ip"},
		{"inet[]", sqlrows.Opaque, true, "ip"},
		{"_inet", sqlrows.Opaque, true, "ip"},
		{"macaddr", sqlrows.Opaque, false, "mac"},
		{"macaddr8", sqlrows.Opaque, false, "mac"},
		{"geometry(Point,4326)", sqlrows.Opaque, false, "geo_point"},
		{"public.geography(Point,4326)", sqlrows.Opaque, false, "geo_point"},
		{"geometry(Polygon,4326)", sqlrows.Opaque, false, "geo_shape"},
		{"geometry", sqlrows.Opaque, false, "geo_shape"},
		{"POINT", sqlrows.Opaque, false, "geo_point"},
		{"point", sqlrows.Opaque, false, "geo_point"},
		{"uuid", sqlrows.Opaque, false, "uuid"},
		{"character varying(255)", sqlrows.Text, false, "character varying"},
		{"character varying[]", sqlrows.Text, true, "character varying"},
		{"LONGTEXT", sqlrows.Text, false, "longtext"},
		{"int(11) unsigned", sqlrows.Number, false, "int unsigned"},
		{"numeric(10,2)", sqlrows.Number, false, "numeric"},
		{"double precision", sqlrows.Number, false, "double precision"},
		{"bytea", sqlrows.Binary, false, "bytea"},
		{"BLOB", sqlrows.Binary, false, "blob"},
		{"bit varying(8)", sqlrows.Opaque, false, "bit varying"},
		{"boolean", sqlrows.Bool, false, "boolean"},
		{"timestamp(3) with time zone", sqlrows.Time, false, "timestamp with time zone"},
		{"date", sqlrows.Time, false, "date"},
	}
	for _, tc := range tests {
		c := sqlrows.NewColumn("c", tc.dbType)
		if c.Class != tc.class || c.Array != tc.array {
			t.Errorf("%s: class %v array %v, want %v %v", tc.dbType, c.Class, c.Array, tc.class, tc.array)
		}
		if got := sqlrows.StoreType(tc.dbType); got != tc.storeType {
			t.Errorf("StoreType(%q) = %q, want %q", tc.dbType, got, tc.storeType)
		}
	}
}

// TestStoreTypesAreEvidence checks that the store types StoreType gives
// for network and geo columns are ones the classifiers' rules know.
func TestStoreTypesAreEvidence(t *testing.T) {
	eng, err := classifiers.Load(classifiers.Source{Name: "rules.yaml", Data: piisniff.DefaultRules})
	if err != nil {
		t.Fatal(err)
	}
	for dbType, cat := range map[string]string{
		"inet": "ip_address", "cidr": "ip_address", "macaddr": "mac_address",
		"geometry(Point,4326)": "geo_coordinates", "geography": "geo_coordinates", "POINT": "geo_coordinates",
	} {
		hits := eng.Field("col", sqlrows.StoreType(dbType)).TypeHits()
		if len(hits) == 0 || hits[0].Category != cat {
			t.Errorf("%s (%s): type hits %v, want %s", dbType, sqlrows.StoreType(dbType), hits, cat)
		}
	}
	if hits := eng.Field("col", sqlrows.StoreType("uuid")).TypeHits(); len(hits) != 0 {
		t.Errorf("uuid is evidence: %v", hits)
	}
}

func TestFieldTypes(t *testing.T) {
	got := sqlrows.FieldTypes([]sqlrows.Column{
		sqlrows.NewColumn("ip", "inet"), sqlrows.NewColumn("ips", "inet[]"), sqlrows.NewColumn("doc", "jsonb"),
		sqlrows.NewColumn("name", "text"),
	})
	want := map[string]string{"ip": "ip", "ips[]": "ip", "name": "text"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestParseJSON(t *testing.T) {
	tests := []struct {
		in      string
		depth   int
		wantErr bool
	}{
		{`{"a":[1,{"b":2}]}`, 3, false},
		{`{"a":[1,{"b":2}]}`, 2, true},
		{`"[[[[" `, 1, false}, // brackets in a string do not count
		{`{"a":"\"[[["}`, 1, false},
		{`{} {}`, 5, true},
		{`{`, 5, true},
		{` 12 `, 5, false},
	}
	for _, tc := range tests {
		_, err := sqlrows.ParseJSON([]byte(tc.in), tc.depth)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseJSON(%q, %d) err = %v, want error %v", tc.in, tc.depth, err, tc.wantErr)
		}
	}
}

// FuzzParseJSON checks ParseJSON against encoding/json: within the depth
// bound they accept the same inputs and give the same values.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a":{"b":[1,2,"x"]}}`, `[]`, `"s"`, `12e3`, `{"a":"\"]"}`, `[[[[[]]]]]`, `{"a":1} x`, `nul`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		const limit = 8
		got, err := sqlrows.ParseJSON(b, limit)
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var want any
		oerr := dec.Decode(&want)
		if oerr == nil {
			if _, terr := dec.Token(); terr == nil || terr.Error() != "EOF" {
				oerr = terr
				if oerr == nil {
					oerr = errSentinel
				}
			}
		}
		if oerr == nil && !json.Valid(b) {
			oerr = errSentinel
		}
		var de *sqlrows.DepthError
		if err != nil && asDepth(err, &de) {
			if sqlrows.Depth(b) <= limit {
				t.Fatalf("depth error for depth %d", sqlrows.Depth(b))
			}
			return
		}
		if (err == nil) != (oerr == nil) {
			t.Fatalf("ParseJSON err %v, encoding/json err %v for %q", err, oerr, b)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseJSON = %#v, encoding/json = %#v", got, want)
		}
	})
}

type sentinel struct{}

func (sentinel) Error() string { return "invalid" }

var errSentinel error = sentinel{}

func asDepth(err error, de **sqlrows.DepthError) bool {
	d, ok := err.(*sqlrows.DepthError)
	*de = d
	return ok
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339 in UTC, "" for no parse
	}{
		{"1976-06-12", "1976-06-12T00:00:00Z"},
		{"2026-11-30 12:19:43.13248+00", "2026-11-30T12:19:43.13248Z"},
		{"2026-11-30 12:19:43+05:30", "2026-11-30T06:49:43Z"},
		{"2026-11-30 12:19:43", "2026-11-30T12:19:43Z"},
		{"2026-11-30T12:19:43Z", "2026-11-30T12:19:43Z"},
		{"infinity", ""},
		{"12:19:43", ""},
		{"not a date", ""},
	}
	for _, tc := range tests {
		got, ok := sqlrows.ParseTime(tc.in)
		if tc.want == "" {
			if ok {
				t.Errorf("ParseTime(%q) = %v, want no parse", tc.in, got)
			}
			continue
		}
		if !ok || got.UTC().Format(time.RFC3339Nano) != tc.want {
			t.Errorf("ParseTime(%q) = %v %v, want %s", tc.in, got, ok, tc.want)
		}
	}
	c := sqlrows.NewColumn("dob", "timestamp with time zone")
	if c.Class != sqlrows.Time {
		t.Errorf("timestamptz class %v", c.Class)
	}
}

func TestTooLargeSentinel(t *testing.T) {
	conv := sqlrows.NewConverter([]sqlrows.Column{sqlrows.NewColumn("a", "text"), sqlrows.NewColumn("b", "text")}, 0)
	doc, ok, _ := conv.Document([]any{sqlrows.TooLarge, "x"})
	if !ok || doc.Fields["b"] != "x" {
		t.Fatalf("doc %v ok %v", doc.Fields, ok)
	}
	if _, has := doc.Fields["a"]; has || conv.SkippedValues()[sqlrows.ReasonTooLarge] != 1 {
		t.Errorf("fields %v skipped %v", doc.Fields, conv.SkippedValues())
	}
}

// FuzzParseTime checks ParseTime against time.Parse with every layout it
// may choose: it accepts exactly what one of them accepts, with the same
// time.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-11-30", "2026-11-30 12:19:43.13248+00", "2026-11-30 12:19:43+05:30:00", "2026-11-30T12:19:43Z", "2026-02-30"} {
		f.Add(s)
	}
	layouts := []string{"2006-01-02", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999Z07", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z07:00:00",
		"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999Z07", "2006-01-02T15:04:05.999999999Z07:00:00"}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := sqlrows.ParseTime(s)
		if !ok {
			return
		}
		for _, l := range layouts {
			if want, err := time.Parse(l, s); err == nil {
				if !want.Equal(got) {
					t.Fatalf("ParseTime(%q) = %v, time.Parse(%q) = %v", s, got, l, want)
				}
				return
			}
		}
		t.Fatalf("ParseTime(%q) = %v, no layout accepts it", s, got)
	})
}
