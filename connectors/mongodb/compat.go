package mongodb

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/piisniff/piisniff/connectors"
)

// oldestWireVersion is the oldest MongoDB the connector reads: 3.6, the
// first to speak OP_MSG, the only protocol of the Go driver v2. The driver
// itself refuses servers older than 4.4 (wire version 9), yet exposed
// servers are often older, and every command the connector sends (find,
// getMore, aggregate with $sample, listDatabases, listCollections,
// listIndexes, count, buildInfo, killCursors) has the same form since 3.6;
// servers before 4.0 ignore the authorizedCollections and
// authorizedDatabases options the listing sets.
const oldestWireVersion = 6

func init() {
	if topology.SupportedWireVersions.Min > oldestWireVersion {
		topology.SupportedWireVersions.Min = oldestWireVersion
		topology.MinSupportedMongoDBVersion = "3.6"
	}
}

// wireVersionRE matches the driver's error for a server outside the wire
// versions it speaks.
var wireVersionRE = regexp.MustCompile(`reports wire version (\d+), but this version of the Go driver requires at least`)

// wireReleases names the MongoDB release of each wire version below 6.
var wireReleases = map[int]string{0: "2.4 or older", 1: "2.6", 2: "2.6", 3: "3.0", 4: "3.2", 5: "3.4"}

// tooOldRelease reads the driver's error for a server too old to read:
// the MongoDB release its wire version stands for.
func tooOldRelease(err error) (release string, ok bool) {
	m := wireVersionRE.FindStringSubmatch(err.Error())
	if m == nil {
		return "", false
	}
	v, _ := strconv.Atoi(m[1])
	release, known := wireReleases[v]
	if !known {
		release = "older than 3.6"
	}
	return fmt.Sprintf("%s (wire version %d)", release, v), true
}

// tooOld explains a failure to connect to a server too old to read, or
// returns "".
func tooOld(err error) string {
	release, ok := tooOldRelease(err)
	if !ok {
		return ""
	}
	return "the server is MongoDB " + release + ", too old to be read: piisniff reads MongoDB 3.6 and later. The " +
		"server answered the connection handshake, so it is reachable, and a release this old has been past end of " +
		"life for years (3.4: January 2020): upgrade it or take it off the network"
}

// oldServerExposure is what is known of a server too old to read: it
// answered, its release, and that nothing else was checked.
func (c *Connector) oldServerExposure(release string) connectors.Exposure {
	ex := connectors.Exposure{Reachable: true, TLS: c.tls, Server: "MongoDB " + release}
	version, _, _ := strings.Cut(release, " ")
	if n := eolNote(buildInfo{Version: version}, time.Now()); n != "" {
		ex.Notes = append(ex.Notes, n)
	}
	ex.Notes = append(ex.Notes, "the server is too old to be read (piisniff reads MongoDB 3.6 and later): "+
		"whether it requires authentication, and what it holds, were not checked")
	if !c.tls {
		ex.Notes = append(ex.Notes, "connections are not encrypted (no TLS)")
	}
	return ex
}
