package mongodb

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/eol"
)

// buildInfo is what Exposure reads from the buildInfo command.
type buildInfo struct {
	Version         string `bson:"version"`
	FerretDBVersion string `bson:"ferretdbVersion"`
	IsFerretDB      bool   `bson:"-"`
}

// Exposure implements connectors.Connector.
func (c *Connector) Exposure(ctx context.Context) connectors.Exposure {
	ex := connectors.Exposure{TLS: c.clientOpts.TLSConfig != nil}
	bi, err := c.serverInfo(ctx)
	if err != nil {
		ex.Notes = append(ex.Notes, "server version unknown: buildInfo failed: "+shortErr(c.redactErr(err)))
	} else {
		ex.Reachable = true
		ex.Server = bi.server()
		if n := eolNote(bi, time.Now()); n != "" {
			ex.Notes = append(ex.Notes, n)
		}
	}
	if !ex.Reachable {
		pctx, cancel := context.WithTimeout(ctx, c.opts.ConnectTimeout)
		ex.Reachable = c.client.Ping(pctx, nil) == nil
		cancel()
	}
	if !ex.TLS {
		ex.Notes = append(ex.Notes, "connections are not encrypted (no TLS): anyone on the network path can read the data; enable TLS (net.tls.mode: requireTLS)")
	}

	if c.hasAuth && !c.opts.AnonymousCheck {
		ex.Notes = append(ex.Notes, "access without credentials was not checked")
	} else {
		c.anonymousCheck(ctx, &ex)
	}
	ex.Notes = append(ex.Notes, c.targetNotes()...)
	return ex
}

// anonymousCheck connects without credentials and tries to list databases
// and read one document.
func (c *Connector) anonymousCheck(ctx context.Context, ex *connectors.Exposure) {
	co, err := c.buildClientOptions(false)
	if err != nil {
		ex.Notes = append(ex.Notes, "access without credentials could not be checked: "+shortErr(err))
		return
	}
	co.SetMaxPoolSize(1)
	anon, err := mongo.Connect(co)
	if err != nil {
		ex.Notes = append(ex.Notes, "access without credentials could not be checked: "+shortErr(c.redactErr(err)))
		return
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), c.opts.ConnectTimeout)
		defer cancel()
		_ = anon.Disconnect(dctx)
	}()

	lctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	names, err := anon.ListDatabaseNames(lctx, bson.D{})
	var dbs []string
	switch {
	case err == nil:
		ex.AnonymousAccess = true
		ex.Reachable = true
		ex.Notes = append(ex.Notes, fmt.Sprintf("listDatabases succeeded without credentials (%d databases visible)", len(names)))
		dbs = names
		if !c.hasAuth {
			c.mu.Lock()
			c.anonDBs = slices.Clone(names)
			c.mu.Unlock()
		}
	case isUnauthorized(err):
		ex.Reachable = true
		ex.Notes = append(ex.Notes, "listDatabases without credentials was refused: authentication is required")
		if c.uriDB != "" {
			dbs = []string{c.uriDB}
		}
	default:
		ex.Notes = append(ex.Notes, "access without credentials could not be checked: "+classify(err))
		return
	}

	read, where, tried := c.anonymousRead(ctx, anon, dbs)
	switch {
	case read:
		ex.AnonymousAccess = true
		ex.Notes = append(ex.Notes, "a document of "+where+" was read without credentials")
	case tried:
		ex.Notes = append(ex.Notes, "reading documents without credentials was refused")
	}
	if ex.AnonymousAccess {
		ex.Notes = append(ex.Notes, "authentication is not required: anyone who can reach this server can read its data; "+
			"enable access control (security.authorization: enabled), create users, and do not expose the port to untrusted networks")
	}
}

// anonymousRead tries to read one document of the first collection that
// lets it, in at most a few collections.
func (c *Connector) anonymousRead(ctx context.Context, anon *mongo.Client, dbs []string) (read bool, where string, tried bool) {
	attempts := 0
	for _, db := range dbs {
		if internalDatabases[db] || db == "admin" {
			continue
		}
		lctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
		colls, err := anon.Database(db).ListCollectionNames(lctx, bson.D{})
		cancel()
		if err != nil {
			tried = true
			continue
		}
		for _, coll := range colls {
			if strings.HasPrefix(coll, "system.") {
				continue
			}
			if attempts >= 5 {
				return false, "", tried
			}
			attempts++
			tried = true
			fctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
			var doc bson.Raw
			err := anon.Database(db).Collection(coll).FindOne(fctx, bson.D{}).Decode(&doc)
			cancel()
			if err == nil {
				return true, db + "." + coll, true
			}
			if err == mongo.ErrNoDocuments {
				// readable but empty: the find itself was allowed
				return true, db + "." + coll + " (empty collection: the query was allowed)", true
			}
		}
	}
	return false, "", tried
}

// serverInfo runs buildInfo once and remembers a successful answer.
func (c *Connector) serverInfo(ctx context.Context) (buildInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.info != nil {
		return *c.info, nil
	}
	bi, err := c.buildInfo(ctx, c.client)
	if err != nil {
		return bi, err
	}
	c.info = &bi
	return bi, nil
}

func (c *Connector) buildInfo(ctx context.Context, client *mongo.Client) (buildInfo, error) {
	bctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	var raw bson.Raw
	if err := client.Database("admin").RunCommand(bctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&raw); err != nil {
		return buildInfo{}, err
	}
	var bi buildInfo
	if err := bson.Unmarshal(raw, &bi); err != nil {
		return buildInfo{}, err
	}
	_, err := raw.LookupErr("ferretdbVersion")
	bi.IsFerretDB = err == nil
	return bi, nil
}

func (bi buildInfo) server() string {
	if bi.IsFerretDB {
		v := bi.FerretDBVersion
		if v == "" || v == "unknown" {
			return "FerretDB (MongoDB " + bi.Version + " compatible)"
		}
		return "FerretDB " + v + " (MongoDB " + bi.Version + " compatible)"
	}
	return "MongoDB " + bi.Version
}

// eolNote says when the server's release series is past its end of life
// (the table is internal/eol's); FerretDB follows its own releases.
func eolNote(bi buildInfo, now time.Time) string {
	if bi.IsFerretDB {
		return ""
	}
	return eol.Note("mongodb", bi.Version, now)
}

func majorMinor(v string) (int, int, bool) {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return major, minor, true
}
