package postgres

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"strconv"
	"strings"
)

// PostGIS prints geometry and geography values as hex EWKB
// ("0101000020E6100000..."): useless to a reader and to the classifiers.
// ewkbToWKT turns them into WKT, as SQL databases export geometries and as
// the MySQL connector reports its POINT columns: POINT(lon lat),
// POLYGON((...)), ... (the SRID is left out).

// WKB geometry types (OGC, and PostGIS's curve and surface types).
const (
	wkbPoint              = 1
	wkbLineString         = 2
	wkbPolygon            = 3
	wkbMultiPoint         = 4
	wkbMultiLineString    = 5
	wkbMultiPolygon       = 6
	wkbGeometryCollection = 7
	wkbCircularString     = 8
	wkbCompoundCurve      = 9
	wkbCurvePolygon       = 10
	wkbMultiCurve         = 11
	wkbMultiSurface       = 12
	wkbPolyhedralSurface  = 15
	wkbTIN                = 16
	wkbTriangle           = 17
)

// EWKB flags in the high bits of the type.
const (
	ewkbZ    = 0x80000000
	ewkbM    = 0x40000000
	ewkbSRID = 0x20000000
)

// maxWKBDepth bounds the nesting of collections.
const maxWKBDepth = 32

var wkbNames = map[uint32]string{
	wkbPoint: "POINT", wkbLineString: "LINESTRING", wkbPolygon: "POLYGON", wkbMultiPoint: "MULTIPOINT",
	wkbMultiLineString: "MULTILINESTRING", wkbMultiPolygon: "MULTIPOLYGON", wkbGeometryCollection: "GEOMETRYCOLLECTION",
	wkbCircularString: "CIRCULARSTRING", wkbCompoundCurve: "COMPOUNDCURVE", wkbCurvePolygon: "CURVEPOLYGON",
	wkbMultiCurve: "MULTICURVE", wkbMultiSurface: "MULTISURFACE", wkbPolyhedralSurface: "POLYHEDRALSURFACE",
	wkbTIN: "TIN", wkbTriangle: "TRIANGLE",
}

var errWKB = errors.New("invalid WKB geometry")

// ewkbToWKT decodes a hex (E)WKB geometry, as PostGIS prints geometry and
// geography values, into WKT. It fails on anything else (the caller keeps
// the text as it came).
func ewkbToWKT(hexText string) (string, error) {
	if len(hexText)%2 != 0 || len(hexText) < 10 {
		return "", errWKB
	}
	b, err := hex.DecodeString(hexText)
	if err != nil {
		return "", errWKB
	}
	return wkbToWKT(b)
}

// wkbToWKT decodes one (E)WKB geometry, every byte of b, into WKT.
func wkbToWKT(b []byte) (string, error) {
	d := wkbDecoder{b: b}
	var out strings.Builder
	if err := d.geometry(&out, true, 0); err != nil {
		return "", err
	}
	if len(d.b) != 0 {
		return "", errWKB // trailing bytes
	}
	return out.String(), nil
}

type wkbDecoder struct {
	b     []byte
	order binary.ByteOrder
}

func (d *wkbDecoder) u32() (uint32, error) {
	if len(d.b) < 4 {
		return 0, errWKB
	}
	v := d.order.Uint32(d.b)
	d.b = d.b[4:]
	return v, nil
}

// count reads an element count, no larger than the bytes left could hold
// (each element at least min bytes): a forged count cannot make the
// decoder allocate or loop beyond the input's size.
func (d *wkbDecoder) count(min int) (int, error) {
	n, err := d.u32()
	if err != nil {
		return 0, err
	}
	if uint64(n)*uint64(min) > uint64(len(d.b)) {
		return 0, errWKB
	}
	return int(n), nil
}

// header reads a geometry's byte order and type; it returns the base type
// and the number of ordinates of each point.
func (d *wkbDecoder) header() (typ uint32, dims int, zm string, err error) {
	if len(d.b) < 5 {
		return 0, 0, "", errWKB
	}
	switch d.b[0] {
	case 0:
		d.order = binary.BigEndian
	case 1:
		d.order = binary.LittleEndian
	default:
		return 0, 0, "", errWKB
	}
	d.b = d.b[1:]
	raw, _ := d.u32()
	z, m := raw&ewkbZ != 0, raw&ewkbM != 0
	if raw&ewkbSRID != 0 {
		if _, err := d.u32(); err != nil {
			return 0, 0, "", err
		}
	}
	typ = raw &^ (ewkbZ | ewkbM | ewkbSRID)
	if typ >= 1000 && typ < 4000 { // ISO WKB: 1000 Z, 2000 M, 3000 ZM
		if z || m {
			return 0, 0, "", errWKB
		}
		iso := typ / 1000
		z, m = iso == 1 || iso == 3, iso == 2 || iso == 3
		typ %= 1000
	}
	if _, ok := wkbNames[typ]; !ok {
		return 0, 0, "", errWKB
	}
	dims = 2
	switch {
	case z && m:
		dims, zm = 4, " ZM"
	case z:
		dims, zm = 3, " Z"
	case m:
		dims, zm = 3, " M"
	}
	return typ, dims, zm, nil
}

// geometry decodes one geometry; named says whether its WKT type name is
// written (members of MULTIPOINT, MULTILINESTRING, MULTIPOLYGON,
// POLYHEDRALSURFACE and TIN are written bare).
func (d *wkbDecoder) geometry(out *strings.Builder, named bool, depth int) error {
	if depth > maxWKBDepth {
		return errWKB
	}
	typ, dims, zm, err := d.header()
	if err != nil {
		return err
	}
	if named {
		out.WriteString(wkbNames[typ])
		if zm != "" {
			out.WriteString(zm)
			out.WriteByte(' ') // POINT Z (1 2 3), POINT Z EMPTY
		}
	}
	bare := !named
	named = named && zm == "" // whether " EMPTY" needs its space
	switch typ {
	case wkbPoint:
		if len(d.b) < 8*dims {
			return errWKB
		}
		empty := true
		for i := 0; i < dims; i++ {
			if !math.IsNaN(math.Float64frombits(d.order.Uint64(d.b[8*i:]))) {
				empty = false
			}
		}
		if empty {
			d.b = d.b[8*dims:]
			if bare {
				return errWKB // an empty point inside a MULTIPOINT has no bare form
			}
			out.WriteString(emptyWord(named))
			return nil
		}
		out.WriteByte('(')
		d.coords(out, dims)
		out.WriteByte(')')
		return nil
	case wkbLineString, wkbCircularString:
		return d.points(out, dims, named)
	case wkbPolygon, wkbTriangle:
		return d.list(out, 4, named, func() error { return d.points(out, dims, false) })
	}
	// collections: each member a whole geometry with its own header
	bareMembers := typ == wkbMultiPoint || typ == wkbMultiLineString || typ == wkbMultiPolygon ||
		typ == wkbPolyhedralSurface || typ == wkbTIN
	order := d.order
	err = d.list(out, 5, named, func() error {
		memberName := !bareMembers
		if typ == wkbCompoundCurve || typ == wkbCurvePolygon || typ == wkbMultiCurve {
			// plain line strings are written bare, curves by name
			memberName = len(d.b) >= 5 && d.peekType() != wkbLineString
		}
		return d.geometry(out, memberName, depth+1)
	})
	d.order = order
	return err
}

// list decodes a counted list whose items take at least min bytes each:
// "EMPTY" when it has none, else "(item,item)" with each item written by
// item.
func (d *wkbDecoder) list(out *strings.Builder, min int, named bool, item func() error) error {
	n, err := d.count(min)
	if err != nil {
		return err
	}
	if n == 0 {
		out.WriteString(emptyWord(named))
		return nil
	}
	out.WriteByte('(')
	for i := 0; i < n; i++ {
		if i > 0 {
			out.WriteByte(',')
		}
		if err := item(); err != nil {
			return err
		}
	}
	out.WriteByte(')')
	return nil
}

// peekType is the base type of the geometry that follows (0 when it
// cannot be read).
func (d *wkbDecoder) peekType() uint32 {
	var order binary.ByteOrder
	switch d.b[0] {
	case 0:
		order = binary.BigEndian
	case 1:
		order = binary.LittleEndian
	default:
		return 0
	}
	t := order.Uint32(d.b[1:]) &^ (ewkbZ | ewkbM | ewkbSRID)
	if t >= 1000 && t < 4000 {
		t %= 1000
	}
	return t
}

func emptyWord(named bool) string {
	if named {
		return " EMPTY"
	}
	return "EMPTY"
}

// points decodes a point list: "(x y,x y)".
func (d *wkbDecoder) points(out *strings.Builder, dims int, named bool) error {
	return d.list(out, 8*dims, named, func() error {
		d.coords(out, dims)
		return nil
	})
}

// coords writes the ordinates of one point (the bytes are there: the
// callers checked).
func (d *wkbDecoder) coords(out *strings.Builder, dims int) {
	var buf [32]byte
	for i := 0; i < dims; i++ {
		if i > 0 {
			out.WriteByte(' ')
		}
		v := math.Float64frombits(d.order.Uint64(d.b))
		d.b = d.b[8:]
		format := byte('f')
		if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
			format = 'g' // no hundreds of zeros
		}
		out.Write(strconv.AppendFloat(buf[:0], v, format, -1, 64))
	}
}

// isPostGIS reports whether a column type (format_type's text) is PostGIS's
// geometry or geography, whose values print as hex EWKB.
func isPostGIS(dbType string) bool {
	t := strings.ToLower(strings.TrimSpace(dbType))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = t[:i]
	}
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		t = t[i+1:]
	}
	t = strings.Trim(t, `"`)
	return t == "geometry" || t == "geography"
}
