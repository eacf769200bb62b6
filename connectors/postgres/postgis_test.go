package postgres

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/pgtest"
	"github.com/piisniff/piisniff/pipeline"
	"github.com/piisniff/piisniff/report"
)

// TestPostGIS: a table with a geometry(Point,4326), a geography point, a
// polygon and an untyped geometry column. The connector reads PostGIS's
// hex EWKB and hands on WKT, the value PostGIS's own ST_AsText gives; the
// point columns are reported as geo coordinates from their values (rule
// wkt-point: the hex EWKB PostGIS prints matched no rule, and a field
// that holds values is not reported from its declared type alone); the
// polygons are not read as points.
func TestPostGIS(t *testing.T) {
	db := pgtest.NewDB(t)
	db.RequireExtension(t, "postgis")
	db.Exec(t,
		`CREATE TABLE places (id int PRIMARY KEY, home geometry(Point,4326), seen_at geography(Point,4326),
			area geometry(Polygon,4326), anything geometry, note text)`,
		`INSERT INTO places SELECT g,
			ST_SetSRID(ST_MakePoint(-0.1276 + g / 1000.0, 51.5072 + g / 1000.0), 4326),
			ST_SetSRID(ST_MakePoint(13.405 - g / 1000.0, 52.52 - g / 1000.0), 4326)::geography,
			ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))', 4326),
			CASE WHEN g % 3 = 0 THEN ST_GeomFromText('LINESTRING Z (0 0 1,1 1 2)')
			     WHEN g % 3 = 1 THEN ST_GeomFromText('MULTIPOINT((1 2),(3 4))')
			     ELSE ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2),CURVEPOLYGON(CIRCULARSTRING(0 0,4 0,4 4,0 4,0 0)))') END,
			'row ' || g
		FROM generate_series(1, 60) g`,
		`INSERT INTO places VALUES (61, NULL, NULL, NULL, 'POINT EMPTY', 'empty')`,
		`ANALYZE places`)
	c := openURI(t, db.URI, connectors.Options{}, nil)
	cs, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	places := containerNamed(t, cs, db.Name+".public.places")
	for field, want := range map[string]string{"home": "geo_point", "seen_at": "geo_point", "area": "geo_shape", "anything": "geo_shape"} {
		if got := places.FieldTypes[field]; got != want {
			t.Errorf("FieldTypes[%s] = %q, want %q", field, got, want)
		}
	}
	docs, _ := sampleAll(t, c, places, connectors.SampleOptions{Size: 0, Seed: 1})
	if len(docs) != 61 {
		t.Fatalf("%d documents, want 61", len(docs))
	}
	// the oracle: PostGIS's own WKT of every value
	conn := db.Conn(t)
	rows, err := conn.Query(context.Background(), `SELECT id, ST_AsText(home), ST_AsText(seen_at), ST_AsText(area), ST_AsText(anything) FROM places`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64][4]*string{}
	for rows.Next() {
		var id int64
		var v [4]*string
		if err := rows.Scan(&id, &v[0], &v[1], &v[2], &v[3]); err != nil {
			t.Fatal(err)
		}
		want[id] = v
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	for _, d := range docs {
		id, _ := d.Fields["id"].(int32)
		w := want[int64(id)]
		for i, col := range []string{"home", "seen_at", "area", "anything"} {
			got, present := d.Fields[col]
			if !present {
				t.Errorf("row %d: column %s missing", id, col)
				continue
			}
			if w[i] == nil {
				if got != nil {
					t.Errorf("row %d %s = %v, want NULL", id, col, got)
				}
				continue
			}
			if got != *w[i] {
				t.Errorf("row %d %s = %v, PostGIS says %q", id, col, got, *w[i])
			}
		}
	}

	// through the classifiers, as a scan reports it
	rules, err := os.ReadFile(filepath.Join("..", "..", "rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := classifiers.Load(classifiers.Source{Name: "rules.yaml", Data: rules})
	if err != nil {
		t.Fatal(err)
	}
	r := pipeline.Run(context.Background(), []string{db.URI}, pipeline.Config{Engine: engine, Workers: 1, SampleSize: 0, Seed: 1,
		MinConfidence: 0.5, Tool: report.Tool{Name: "piisniff", Version: "test"}})
	found := map[string][]string{} // field -> rules of its geo finding
	for _, tg := range r.Targets {
		for _, ct := range tg.Containers {
			if ct.Name != places.Name {
				continue
			}
			for _, f := range ct.Fields {
				for _, fi := range f.Findings {
					if fi.Category == "geo_coordinates" {
						found[f.Path] = fi.Rules
					}
				}
			}
		}
	}
	for _, field := range []string{"home", "seen_at"} {
		if !slices.Contains(found[field], "wkt-point") {
			t.Errorf("%s: geo_coordinates from rules %v, want the values themselves (wkt-point) too; all: %v", field, found[field], found)
		}
	}
	if slices.Contains(found["area"], "wkt-point") {
		t.Errorf("area's polygons read as points: %v", found["area"])
	}
}
