package elasticsearch

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/eol"
)

// Exposure checks whether the root endpoint and _cat/indices answer without
// credentials, whether security is disabled, TLS, version and cluster name.
// Without credentials configured the anonymous check is the scan's own
// connection; with them it runs only when Options.AnonymousCheck is set.
func (c *Connector) Exposure(ctx context.Context) connectors.Exposure {
	e := connectors.Exposure{TLS: c.base.Scheme == "https", Server: c.product(), Reachable: true}
	note := func(format string, args ...any) { e.Notes = append(e.Notes, fmt.Sprintf(format, args...)) }

	if c.info != nil {
		note("cluster name %q, %s", c.info.ClusterName, c.product())
		if c.kind == KindElasticsearch {
			if n := eol.Note("elasticsearch", c.info.Version.Number, time.Now()); n != "" {
				note("%s", n)
			}
		}
	} else if c.infoErr != nil && c.authMethod != "" {
		note("the root endpoint refused the configured credentials: %v", c.infoErr)
	}
	if !e.TLS {
		note("the cluster is served over plain HTTP: credentials and documents cross the network unencrypted; enable TLS on the HTTP layer")
	} else if c.opts.TLS.Insecure {
		note("the server certificate was not verified (insecure TLS)")
	}

	anonymousConn := c.authMethod == ""
	if !anonymousConn && !c.opts.AnonymousCheck {
		note("anonymous access was not checked because credentials were given (enable the anonymous check to test it)")
		return e
	}

	// / without credentials
	rootRes := c.infoRes
	if !anonymousConn {
		res, err := c.call(ctx, c.anon, "GET /", func(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
			return esapi.InfoRequest{}.Do(ctx, t)
		})
		if err != nil {
			note("anonymous check of / failed: %v", err)
			return e
		}
		rootRes = res
	}
	switch {
	case rootRes == nil:
		return e
	case rootRes.Status == http.StatusUnauthorized:
		note("authentication is required: / answered HTTP 401 without credentials")
		return e
	case rootRes.Status/100 != 2:
		note("/ answered HTTP %d without credentials", rootRes.Status)
		return e
	}
	note("/ answered without credentials (cluster name and version are public)")

	// _cat/indices without credentials
	res, err := c.call(ctx, c.anon, "GET /_cat/indices", func(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
		return esapi.CatIndicesRequest{Format: "json", H: []string{"index"}, ExpandWildcards: "open"}.Do(ctx, t)
	})
	if err != nil {
		note("anonymous check of _cat/indices failed: %v", err)
		return e
	}
	if res.Status != http.StatusOK {
		note("_cat/indices answered HTTP %d without credentials", res.Status)
		return e
	}
	e.AnonymousAccess = true
	n := -1
	if rows, err := parseCatIndices(res.Body); err == nil {
		n = len(rows)
	}
	note("_cat/indices answered without credentials (%s listed): anyone who can reach %s can list and read the data", plural(n, "index", "indices"), c.host)

	switch c.securityState(ctx) {
	case "disabled":
		if c.kind == KindOpenSearch {
			note("the security plugin is disabled or not installed: enable it (plugins.security.disabled: false) and require authentication; until then restrict network access to the cluster")
		} else {
			note("security is disabled (xpack.security.enabled: false): enable it and require authentication; until then restrict network access to the cluster")
		}
	case "anonymous":
		note("security is enabled but anonymous requests are granted read access: remove or restrict the anonymous user's roles")
	}
	return e
}

// securityState asks the authenticate endpoint anonymously: "disabled" when
// security is off (Elasticsearch answers an error, OpenSearch has no
// security endpoint), "anonymous" when an anonymous user is authenticated,
// "" when unknown.
func (c *Connector) securityState(ctx context.Context) string {
	path := "/_security/_authenticate"
	if c.kind == KindOpenSearch {
		path = "/_plugins/_security/authinfo"
	}
	res, err := c.call(ctx, c.anon, "GET "+path, raw(http.MethodGet, path, nil))
	if err != nil {
		return ""
	}
	switch {
	case res.Status == http.StatusOK:
		return "anonymous"
	case res.Status == http.StatusUnauthorized || res.Status == http.StatusForbidden:
		return ""
	case res.Status >= 400:
		return "disabled"
	}
	return ""
}

// plural writes n with the noun in the singular for one: "1 index",
// "3 indices".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
