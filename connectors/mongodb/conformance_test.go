package mongodb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/connectors/connectortest"
	"github.com/piisniff/piisniff/internal/mongotest"
)

func TestConformance(t *testing.T) {
	ctx := context.Background()
	const db = "conformance"
	events := srvClient.Database(db).Collection("events")
	if err := mongotest.InsertGenerated(ctx, events, 1200, func(i int) any {
		return bson.D{{Key: "_id", Value: int64(i)}, {Key: "email", Value: fmt.Sprintf("u%d@example.org", i)}}
	}); err != nil {
		t.Fatal(err)
	}
	if err := mongotest.InsertGenerated(ctx, srvClient.Database(db).Collection("colors"), 2, func(i int) any {
		return bson.D{{Key: "_id", Value: int64(i)}, {Key: "name", Value: []string{"red", "blue"}[i]}}
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srvClient.Database(db).Drop(context.Background()) })

	rec := &recorder{}
	connectortest.Run(t, connectortest.Instance{
		Target:  srv.URI,
		Options: connectors.Options{Databases: connectors.Filter{Include: []string{db}}},
		Open: func(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
			return open(ctx, target, opts.WithDefaults(), rec.monitor())
		},
		Log: func() []string {
			var out []string
			for _, c := range rec.all() {
				out = append(out, c.Name+" "+c.Cmd.String())
			}
			return out
		},
		ReadOnly: func(e string) bool {
			name, cmd, _ := strings.Cut(e, " ")
			if !slices.Contains(readCommands, name) {
				return false
			}
			if name != "aggregate" {
				return true
			}
			raw := bson.Raw{}
			if err := bson.UnmarshalExtJSON([]byte(cmd), false, &raw); err != nil {
				return false
			}
			stages, err := raw.LookupErr("pipeline")
			if err != nil {
				return false
			}
			vals, _ := stages.Array().Values()
			for _, v := range vals {
				elems, _ := v.Document().Elements()
				for _, el := range elems {
					if !slices.Contains(readStages, el.Key()) {
						return false
					}
				}
			}
			return true
		},
		Big: db + ".events",
		Snapshot: func() string {
			h := sha256.New()
			for _, coll := range []string{"colors", "events"} {
				cur, err := srvClient.Database(db).Collection(coll).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
				if err != nil {
					t.Fatal(err)
				}
				for cur.Next(ctx) {
					h.Write(cur.Current)
				}
				_ = cur.Close(ctx)
			}
			return hex.EncodeToString(h.Sum(nil))
		},
	})
}
