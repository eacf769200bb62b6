package mongotest

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestCollectionName(t *testing.T) {
	tests := map[string]string{
		"users.ndjson":             "users",
		"dir/x.jsonl":              "x",
		"shop.customers.json":      "shop.customers",
		"exports/s.ndjson.gz":      "s",
		"no-extension":             "no-extension",
		"UPPER.NDJSON":             "UPPER",
		"mongoexport/a.b.json.gz":  "a.b",
		"backup/admins.json":       "admins",
		"deeper/nested/file.jsonl": "file",
	}
	for in, want := range tests {
		if got := CollectionName(in); got != want {
			t.Errorf("%s: got %q, want %q", in, got, want)
		}
	}
}

func TestLoadExampleDir(t *testing.T) {
	s := Start(t)
	c := s.Client(t)
	ctx := context.Background()
	counts, err := LoadExampleDir(ctx, c, "testdata/example", "app")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"app.users": 2, "shop.customers": 1, "app.admins": 2, "app.sessions": 3}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("counts %v, want %v", counts, want)
	}
	var doc bson.M
	if err := c.Database("app").Collection("users").FindOne(ctx, bson.D{{Key: "_id", Value: 2}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if dt, ok := doc["created"].(bson.DateTime); !ok || !dt.Time().Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("Extended JSON date not loaded as a date: %#v", doc["created"])
	}
	if err := c.Database("shop").Collection("customers").FindOne(ctx, bson.D{}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc["_id"].(bson.ObjectID); !ok || doc["card"] != int64(378282246310005) || doc["balance"] != 12.5 {
		t.Errorf("mongoexport types: %#v", doc)
	}
}

func TestLoadNDJSONDirAndErrors(t *testing.T) {
	s := Start(t)
	c := s.Client(t)
	ctx := context.Background()
	counts, err := LoadNDJSONDir(ctx, c, "d", "testdata/example")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(counts, map[string]int64{"users": 2}) {
		t.Errorf("counts %v", counts)
	}
	if _, err := LoadNDJSONDir(ctx, c, "d", t.TempDir()); err == nil {
		t.Error("no error for a directory without NDJSON")
	}
	tests := []struct {
		name, in, wantErr string
		want              int64
	}{
		{"empty", "", "", 0},
		{"blank lines", "\n\n{\"a\":1}\n\n", "", 1},
		{"pretty object", "{\n \"a\": 1\n}\n{\"b\":2}", "", 2},
		{"bad json", "{\"a\":1}\n{oops}\n", "after document 1", 0},
		{"not a document", "{\"a\":1}\n42\n", "document 2", 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := LoadNDJSON(ctx, c.Database("e").Collection(string(rune('a'+i))), strings.NewReader(tt.in))
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err %v, want %q", err, tt.wantErr)
			}
			if n != tt.want {
				t.Errorf("%d documents, want %d", n, tt.want)
			}
		})
	}
}

func TestInsertGenerated(t *testing.T) {
	s := Start(t)
	c := s.Client(t)
	ctx := context.Background()
	coll := c.Database("g").Collection("n")
	if err := InsertGenerated(ctx, coll, 2500, func(i int) any { return bson.D{{Key: "_id", Value: i}} }); err != nil {
		t.Fatal(err)
	}
	if n, err := coll.CountDocuments(ctx, bson.D{}); err != nil || n != 2500 {
		t.Errorf("count %d, %v", n, err)
	}
	if err := InsertGenerated(ctx, c.Database("g").Collection("zero"), 0, nil); err != nil {
		t.Fatal(err)
	}
	names, err := c.Database("g").ListCollectionNames(ctx, bson.D{})
	if err != nil || !reflect.DeepEqual(names, []string{"n", "zero"}) && !reflect.DeepEqual(names, []string{"zero", "n"}) {
		t.Errorf("collections %v, %v", names, err)
	}
}

func TestLoadLeakyApp(t *testing.T) {
	dir, err := LeakyAppDir()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the bundled example is missing: %v", err)
	}
	s := Start(t)
	c := s.Client(t)
	counts, err := LoadLeakyApp(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range []string{"leakyapp.users", "leakyapp.orders", "leakyapp.bookings", "leakyapp.checkins",
		"leakyapp.devices", "shop.customers", "leakyapp.admins", "leakyapp.sessions", "leakyapp.app"} {
		if counts[ns] == 0 {
			t.Errorf("%s: no document loaded (%v)", ns, counts)
		}
	}
}

func TestServerClose(t *testing.T) {
	s, err := New(t.TempDir(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s.Close()
}

func TestSetInt32Fields(t *testing.T) {
	doc := func(d bson.D) []byte {
		b, err := bson.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		in   bson.D
		want bson.D
	}{
		{"hello reply", bson.D{{Key: "ok", Value: 1.0}, {Key: "maxWireVersion", Value: int32(21)}, {Key: "minWireVersion", Value: int32(0)}},
			bson.D{{Key: "ok", Value: 1.0}, {Key: "maxWireVersion", Value: int32(5)}, {Key: "minWireVersion", Value: int32(0)}}},
		{"nested and repeated", bson.D{{Key: "a", Value: bson.D{{Key: "maxWireVersion", Value: int32(9)}}}, {Key: "maxWireVersion", Value: int32(17)}},
			bson.D{{Key: "a", Value: bson.D{{Key: "maxWireVersion", Value: int32(5)}}}, {Key: "maxWireVersion", Value: int32(5)}}},
		{"other types untouched", bson.D{{Key: "maxWireVersion", Value: int64(21)}, {Key: "name", Value: "maxWireVersion"}},
			bson.D{{Key: "maxWireVersion", Value: int64(21)}, {Key: "name", Value: "maxWireVersion"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := doc(tt.in)
			setInt32Fields(b, "maxWireVersion", func(int32) int32 { return 5 })
			if want := doc(tt.want); !reflect.DeepEqual(b, want) {
				t.Errorf("got %v, want %v", bson.Raw(b), bson.Raw(want))
			}
		})
	}
	// A field cut off by the end of the message is left alone.
	cut := append([]byte{0x10}, "maxWireVersion\x00\x15\x00"...)
	setInt32Fields(cut, "maxWireVersion", func(int32) int32 { return 5 })
	if cut[len(cut)-2] != 0x15 {
		t.Errorf("a truncated field was rewritten: %x", cut)
	}
}
