package postgres

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"testing"
)

// wkbCases are hex EWKB values as PostGIS 3 prints them (SELECT
// 'SRID=4326;POINT(...)'::geometry::text, ...), with the WKT they stand for.
var wkbCases = []struct{ name, hex, want string }{
	{"point with SRID", "0101000020E6100000A835CD3B4ED1024076E09C11A56D4840", "POINT(2.3522 48.8566)"},
	{"point without SRID", "0101000000000000000000F03F0000000000000040", "POINT(1 2)"},
	{"point big endian", "00000000013FF00000000000004000000000000000", "POINT(1 2)"},
	{"point Z", "01010000A0E6100000000000000000F03F00000000000000400000000000000840", "POINT Z (1 2 3)"},
	{"point M (ISO)", "01D1070000000000000000F03F00000000000000400000000000000840", "POINT M (1 2 3)"},
	{"point ZM (ISO)", "01B90B0000000000000000F03F000000000000004000000000000008400000000000001040", "POINT ZM (1 2 3 4)"},
	{"empty point", "0101000000000000000000F87F000000000000F87F", "POINT EMPTY"},
	{"linestring", "01020000000200000000000000000000000000000000000000000000000000F03F000000000000F03F", "LINESTRING(0 0,1 1)"},
	{"polygon", "0103000000010000000400000000000000000000000000000000000000000000000000F03F0000000000000000000000000000F03F000000000000F03F00000000000000000000000000000000", "POLYGON((0 0,1 0,1 1,0 0))"},
	{"multipoint", "0104000000020000000101000000000000000000F03F0000000000000040010100000000000000000008400000000000001040", "MULTIPOINT((1 2),(3 4))"},
	{"collection", "0107000000020000000101000000000000000000F03F000000000000004001020000000200000000000000000000000000000000000000000000000000F03F000000000000F03F", "GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1))"},
	{"empty collection", "010700000000000000", "GEOMETRYCOLLECTION EMPTY"},
	{"curve polygon", "010A000000020000000108000000050000000000000000000000000000000000000000000000000010400000000000000000000000000000104000000000000010400000000000000000000000000000104000000000000000000000000000000000010200000004000000000000000000F03F000000000000F03F000000000000084000000000000008400000000000000840000000000000F03F000000000000F03F000000000000F03F", "CURVEPOLYGON(CIRCULARSTRING(0 0,4 0,4 4,0 4,0 0),(1 1,3 3,3 1,1 1))"},
	{"multipolygon with SRID", "0106000020E6100000020000000103000000010000000400000000000000000000000000000000000000000000000000F03F0000000000000000000000000000F03F000000000000F03F000000000000000000000000000000000103000000010000000400000000000000000014400000000000001440000000000000184000000000000014400000000000001840000000000000184000000000000014400000000000001440", "MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))"},
	{"empty point Z", "0101000080000000000000F87F000000000000F87F000000000000F87F", "POINT Z EMPTY"},
	{"linestring Z", "01020000800200000000000000000000000000000000000000000000000000F03F000000000000F03F000000000000F03F0000000000000040", "LINESTRING Z (0 0 1,1 1 2)"},
	{"tiny and huge", "0101000000000000000000D03C0000000000009C46", "POINT(8.881784197001252e-16 1.419768672255617e+32)"},
	{"negative and small", "0101000000CDCCCCCCCC4C52C0000000000000D0BE", "POINT(-73.2 -0.000003814697265625)"},
}

func TestEWKBToWKT(t *testing.T) {
	for _, tc := range wkbCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ewkbToWKT(tc.hex)
			if err != nil {
				t.Fatalf("ewkbToWKT(%s): %v", tc.hex, err)
			}
			if got != tc.want {
				t.Errorf("ewkbToWKT(%s) = %q, want %q", tc.hex, got, tc.want)
			}
			// lower-case hex decodes the same
			if low, err := ewkbToWKT(strings.ToLower(tc.hex)); err != nil || low != got {
				t.Errorf("lower case: %q, %v", low, err)
			}
		})
	}
}

func TestEWKBToWKTRejects(t *testing.T) {
	for _, bad := range []string{
		"",                                 // nothing
		"0101000000",                       // a point without ordinates
		"0101000000000000000000F03F",       // one ordinate of two
		"0201000000000000000000F03F000000", // byte order 2
		"01FF000000000000000000F03F0000000000000040",         // unknown type
		"0101000000000000000000F03F000000000000004000",       // a byte too many
		"0102000000FFFFFFFF000000000000F03F0000000000000040", // a forged count
		"0107000000FFFFFF7F",                                 // a forged collection count
		"zz01000000000000000000F03F0000000000000040",         // not hex
		"1.5, 2.5", // not hex at all
		"0104000000010000000101000000000000000000F87F000000000000F87F", // an empty point inside a MULTIPOINT
	} {
		if got, err := ewkbToWKT(bad); err == nil {
			t.Errorf("ewkbToWKT(%q) = %q, want an error", bad, got)
		}
	}
	// nesting deeper than the bound
	deep := strings.Repeat("010700000001000000", maxWKBDepth+2) + "0101000000000000000000F03F0000000000000040"
	if got, err := ewkbToWKT(deep); err == nil {
		t.Errorf("a collection nested %d deep decoded: %.80s", maxWKBDepth+2, got)
	}
	shallow := strings.Repeat("010700000001000000", 3) + "0101000000000000000000F03F0000000000000040"
	if got, err := ewkbToWKT(shallow); err != nil || got != "GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(POINT(1 2))))" {
		t.Errorf("nested 3 deep: %q, %v", got, err)
	}
}

func TestIsPostGIS(t *testing.T) {
	for typ, want := range map[string]bool{
		"geometry(Point,4326)": true, "geography(Point,4326)": true, "geometry": true, "public.geometry(Polygon,4326)": true,
		`postgis."geography"`: true, "point": false, "polygon": false, "text": false, "geometry[]": false,
	} {
		if got := isPostGIS(typ); got != want {
			t.Errorf("isPostGIS(%q) = %v, want %v", typ, got, want)
		}
	}
}

// FuzzEWKBToWKT: any input, no panic; what decodes is well formed WKT
// bounded by the input's size; and a two-dimensional point, whatever its
// byte order and SRID, decodes to its two ordinates exactly (the oracle:
// the ordinates read with encoding/binary, printed with strconv).
func FuzzEWKBToWKT(f *testing.F) {
	for _, tc := range wkbCases {
		f.Add(tc.hex)
	}
	f.Add("010700000001000000010700000001000000")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ewkbToWKT(s)
		if err != nil {
			return
		}
		name, _, _ := strings.Cut(got, "(")
		name, _, _ = strings.Cut(name, " ")
		known := false
		for _, n := range wkbNames {
			known = known || n == name
		}
		if !known {
			t.Fatalf("ewkbToWKT(%q) = %q: not a WKT type name", s, got)
		}
		if strings.Count(got, "(") != strings.Count(got, ")") {
			t.Fatalf("ewkbToWKT(%q) = %q: unbalanced parentheses", s, got)
		}
		if len(got) > 40*len(s)+64 {
			t.Fatalf("ewkbToWKT: %d bytes of WKT from %d of hex", len(got), len(s))
		}
		b, _ := hex.DecodeString(s)
		var order binary.ByteOrder = binary.LittleEndian
		if b[0] == 0 {
			order = binary.BigEndian
		}
		typ := order.Uint32(b[1:])
		off := 5
		if typ&ewkbSRID != 0 {
			off += 4
		}
		if typ&^ewkbSRID == wkbPoint && len(b) == off+16 {
			x := math.Float64frombits(order.Uint64(b[off:]))
			y := math.Float64frombits(order.Uint64(b[off+8:]))
			if math.IsNaN(x) && math.IsNaN(y) {
				if got != "POINT EMPTY" {
					t.Fatalf("ewkbToWKT(%q) = %q, want POINT EMPTY", s, got)
				}
				return
			}
			want := "POINT(" + fmtOrdinate(x) + " " + fmtOrdinate(y) + ")"
			if got != want {
				t.Fatalf("ewkbToWKT(%q) = %q, want %q", s, got, want)
			}
		}
	})
}

func fmtOrdinate(v float64) string {
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
