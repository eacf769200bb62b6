// Package elasticsearch is the connector for Elasticsearch (7.x, 8.x, 9.x)
// and OpenSearch (1.x, 2.x) clusters, for targets http(s)://host:port[/path].
//
// It lists indices and data streams with _cat/indices (hidden and dot
// indices only with IncludeHidden), reads their mappings as field-type
// evidence, and samples documents at random (function_score/random_score
// with a seed) paged with a point in time and search_after where the
// cluster has them and with scroll otherwise. It only ever reads: GET and
// HEAD, POST for _search, _count, opening a point in time and scroll, and
// DELETE only to clear the point in time or scroll it opened.
//
// Requests go over the low-level elastictransport client rather than the v8
// client, whose product check refuses OpenSearch and Elasticsearch before
// 7.14.
package elasticsearch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/elastic/elastic-transport-go/v8/elastictransport"
	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/spf13/pflag"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redact"
)

// Environment variables read when neither the URI nor the options carry
// credentials, named as the Elastic tools (Elastic Agent, Beats, the
// official clients' examples) name them.
const (
	EnvAPIKey       = "ELASTICSEARCH_API_KEY"       // API key, base64 "id:key" (or "id:key")
	EnvAPIKeyAlt    = "ELASTIC_API_KEY"             // the same, as Elastic's quick starts name it
	EnvUsername     = "ELASTICSEARCH_USERNAME"      // basic auth user
	EnvPassword     = "ELASTICSEARCH_PASSWORD"      // basic auth password
	EnvServiceToken = "ELASTICSEARCH_SERVICE_TOKEN" // bearer (service account) token
	EnvCloudID      = "ELASTIC_CLOUD_ID"            // Elastic Cloud id
	EnvCA           = "ELASTICSEARCH_CA"            // CA bundle (PEM file)
)

// EnvBearerToken is piisniff's own variable for a bearer token.
const EnvBearerToken = "PIISNIFF_BEARER_TOKEN"

// Name is the connector's name in the registry.
const Name = "elasticsearch"

func init() {
	connectors.Register(connectors.Descriptor{
		Name:    Name,
		Schemes: []string{"http", "https"},
		Kinds:   []string{KindElasticsearch, KindOpenSearch},
		Targets: []connectors.TargetForm{{
			Form:        "http://host:9200 or https://...",
			Description: "an Elasticsearch or OpenSearch cluster (or --cloud-id alone)",
		}},
		DefaultPorts:   []int{9200, 9243},
		EnvSecrets:     []string{EnvAPIKey, EnvAPIKeyAlt, EnvPassword, EnvServiceToken, EnvBearerToken, EnvCloudID},
		NewOptions:     func() connectors.StoreOptions { return &Options{} },
		Check:          check,
		ImpliedTargets: impliedTargets,
		Open:           Open,
	})
}

var _ connectors.Connector = (*Connector)(nil)

// Options are the Elasticsearch connector's own options. Credentials given
// here win over the environment; the URI's win over both.
type Options struct {
	APIKey      string // API key, base64 "id:key" (or "id:key")
	BearerToken string // bearer (service account) token
	CloudID     string // Elastic Cloud id: names the deployment
}

// AddFlags implements connectors.StoreOptions.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.APIKey, "es-api-key", "", "Elasticsearch API key (base64 id:key); prefer "+EnvAPIKeyAlt)
	fs.StringVar(&o.BearerToken, "bearer-token", "", "bearer token; prefer "+EnvBearerToken)
	fs.StringVar(&o.CloudID, "cloud-id", "", "Elastic Cloud id (alone, it names the deployment to scan); or "+EnvCloudID)
}

// Secrets implements connectors.StoreOptions.
func (o *Options) Secrets() []string { return []string{o.APIKey, o.BearerToken, o.CloudID} }

// Validate implements connectors.Validator.
func (o *Options) Validate() error {
	if o.CloudID != "" {
		if _, err := CloudAddress(o.CloudID); err != nil {
			return fmt.Errorf("--cloud-id: %w", err)
		}
	}
	return nil
}

// own reads the connector's options, with the environment filling what
// the options leave empty.
func own(opts connectors.Options) Options {
	o := *connectors.Own[*Options](opts, Name)
	if o.CloudID == "" {
		o.CloudID = opts.Getenv(EnvCloudID)
	}
	if o.BearerToken == "" {
		o.BearerToken = opts.Getenv(EnvBearerToken)
	}
	return o
}

// impliedTargets is the descriptor's ImpliedTargets: a Cloud id alone
// names the deployment.
func impliedTargets(opts connectors.Options) ([]string, error) {
	o := own(opts)
	if o.CloudID == "" {
		return nil, nil
	}
	addr, err := CloudAddress(o.CloudID)
	if err != nil {
		return nil, fmt.Errorf("--cloud-id: %w", err)
	}
	return []string{addr}, nil
}

// check is the descriptor's Check: the URL must parse and name a host
// (or a Cloud id must name it).
func check(target string, opts connectors.Options) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("%s: not a valid URL", redact.URI(target))
	}
	if u.Host == "" && own(opts).CloudID == "" {
		return fmt.Errorf("%s: no host in the URL", redact.URI(target))
	}
	return nil
}

// Product kinds, as the report names them.
const (
	KindElasticsearch = "elasticsearch"
	KindOpenSearch    = "opensearch"
)

// Connector is an open Elasticsearch or OpenSearch target.
type Connector struct {
	target     string // redacted
	base       *url.URL
	host       string
	opts       connectors.Options
	secrets    []string
	authMethod string // "basic", "api key", "bearer token" or ""
	user       string

	httpTransport *http.Transport
	cl            *client // with credentials
	anon          *client // without

	info    *rootInfo
	infoRes *response
	infoErr error
	kind    string

	mu      sync.Mutex
	skipped []connectors.SkippedContainer
	window  map[string]int // learned index.max_result_window per index
	closed  bool
}

// rootInfo is the documented root endpoint answer (GET /).
type rootInfo struct {
	Name        string `json:"name"`
	ClusterName string `json:"cluster_name"`
	ClusterUUID string `json:"cluster_uuid"`
	Version     struct {
		Number       string `json:"number"`
		Distribution string `json:"distribution"`
		BuildFlavor  string `json:"build_flavor"`
	} `json:"version"`
	Tagline string `json:"tagline"`
}

func (ri *rootInfo) major() (int, int) {
	parts := strings.SplitN(ri.Version.Number, ".", 3)
	ma, _ := strconv.Atoi(parts[0])
	mi := 0
	if len(parts) > 1 {
		mi, _ = strconv.Atoi(parts[1])
	}
	return ma, mi
}

// Open connects to target and identifies the product from its root
// endpoint. It fails when the host cannot be reached or is not
// Elasticsearch or OpenSearch; an authentication failure is not an error
// here (Exposure reports it, Containers returns it).
func Open(ctx context.Context, target string, opts connectors.Options) (connectors.Connector, error) {
	opts = opts.WithDefaults()
	o := own(opts)
	getenv := opts.Getenv
	c := &Connector{opts: opts, window: map[string]int{}}
	c.secrets = connectors.Secrets(target, opts)
	c.target = redact.Secrets(target, c.secrets...)

	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid URL", c.target)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%s: the elasticsearch connector needs an http:// or https:// URL", c.target)
	}
	cloudID := o.CloudID
	if cloudID != "" && u.Host == "" {
		addr, err := CloudAddress(cloudID)
		if err != nil {
			return nil, err
		}
		cu, _ := url.Parse(addr)
		u.Scheme, u.Host = cu.Scheme, cu.Host
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%s: no host in the URL", c.target)
	}

	// credentials: URI, then options, then environment
	auth := ""
	switch {
	case u.User != nil:
		p, _ := u.User.Password()
		c.user = u.User.Username()
		auth, c.authMethod = basic(c.user, p), "basic"
	case o.APIKey != "":
		auth, c.authMethod = "ApiKey "+encodeAPIKey(o.APIKey), "api key"
	case o.BearerToken != "":
		auth, c.authMethod = "Bearer "+o.BearerToken, "bearer token"
	case opts.Username != "":
		c.user = opts.Username
		auth, c.authMethod = basic(opts.Username, opts.Password), "basic"
	case getenv(EnvAPIKey) != "":
		auth, c.authMethod = "ApiKey "+encodeAPIKey(getenv(EnvAPIKey)), "api key"
	case getenv(EnvAPIKeyAlt) != "":
		auth, c.authMethod = "ApiKey "+encodeAPIKey(getenv(EnvAPIKeyAlt)), "api key"
	case getenv(EnvServiceToken) != "":
		auth, c.authMethod = "Bearer "+getenv(EnvServiceToken), "bearer token"
	case getenv(EnvUsername) != "":
		c.user = getenv(EnvUsername)
		auth, c.authMethod = basic(c.user, getenv(EnvPassword)), "basic"
	}
	if auth != "" {
		c.secrets = append(c.secrets, strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(auth, "Basic "), "ApiKey "), "Bearer "))
	}
	u.User = nil
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	c.base = u
	c.host = u.Host

	tlsCfg, err := tlsConfig(opts.TLS, getenv)
	if err != nil {
		return nil, err
	}
	c.httpTransport = &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsCfg,
		TLSHandshakeTimeout:   opts.ConnectTimeout,
		MaxIdleConnsPerHost:   opts.Concurrency + 2,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	tp, err := elastictransport.New(elastictransport.Config{
		URLs:         []*url.URL{u},
		Transport:    c.httpTransport,
		DisableRetry: true,
		UserAgent:    "piisniff",
	})
	if err != nil {
		return nil, redact.Error(err, c.secrets...)
	}
	c.cl = &client{tp: tp, auth: auth, timeout: opts.RequestTimeout, logf: opts.Logf, sleep: sleepCtx}
	c.anon = &client{tp: tp, timeout: opts.RequestTimeout, logf: opts.Logf, sleep: sleepCtx}

	c.kind = KindElasticsearch
	res, err := c.call(ctx, c.cl, "GET /", func(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
		return esapi.InfoRequest{}.Do(ctx, t)
	})
	if err != nil {
		c.httpTransport.CloseIdleConnections()
		return nil, fmt.Errorf("%s: cannot reach the cluster: %w%s", c.target, err, certHint(err))
	}
	c.infoRes = res
	switch {
	case res.Status/100 == 2:
		var ri rootInfo
		if err := json.Unmarshal(res.Body, &ri); err != nil || ri.Version.Number == "" {
			c.httpTransport.CloseIdleConnections()
			return nil, fmt.Errorf("%s: this does not look like Elasticsearch or OpenSearch (the root endpoint answered HTTP %d without version information)", c.target, res.Status)
		}
		c.info = &ri
		c.kind = detectKind(&ri, res.Header)
	case res.Status == http.StatusUnauthorized || res.Status == http.StatusForbidden:
		c.infoErr = c.apiError("GET /", res, auth == "")
		if strings.Contains(strings.Join(res.Header.Values("WWW-Authenticate"), " "), "OpenSearch") {
			c.kind = KindOpenSearch
		}
	default:
		c.httpTransport.CloseIdleConnections()
		return nil, fmt.Errorf("%s: %w (is this Elasticsearch or OpenSearch?)", c.target, c.apiError("GET /", res, auth == ""))
	}
	return c, nil
}

// detectKind tells OpenSearch from Elasticsearch: version.distribution is
// "opensearch" on OpenSearch; Elasticsearch has build_flavor, its tagline
// and (7.14+) the X-Elastic-Product header.
func detectKind(ri *rootInfo, h http.Header) string {
	switch {
	case strings.EqualFold(ri.Version.Distribution, "opensearch"),
		strings.Contains(strings.ToLower(ri.Tagline), "opensearch"):
		return KindOpenSearch
	case h.Get("X-Elastic-Product") == "Elasticsearch", ri.Version.BuildFlavor != "",
		ri.Tagline == "You Know, for Search":
		return KindElasticsearch
	}
	return KindElasticsearch
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// encodeAPIKey accepts the "encoded" form Elasticsearch returns (base64 of
// "id:key") and the raw "id:key" form.
func encodeAPIKey(k string) string {
	k = strings.TrimSpace(k)
	if strings.Contains(k, ":") {
		return base64.StdEncoding.EncodeToString([]byte(k))
	}
	return k
}

// CloudAddress decodes an Elastic Cloud id ("name:base64(host$es_uuid$kibana_uuid)",
// host possibly with ":port") into the Elasticsearch https URL.
func CloudAddress(id string) (string, error) {
	bad := errors.New("malformed Elastic Cloud id (expected name:base64 data)")
	_, enc, ok := strings.Cut(id, ":")
	if !ok || enc == "" {
		return "", bad
	}
	data, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		if data, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(enc, "=")); err != nil {
			return "", bad
		}
	}
	parts := strings.Split(string(data), "$")
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return "", bad
	}
	host, port := parts[0], "443"
	if h, p, err := net.SplitHostPort(host); err == nil {
		host, port = h, p
	}
	uuid := parts[1]
	if u, p, err := net.SplitHostPort(uuid); err == nil {
		uuid, port = u, p
	}
	return "https://" + uuid + "." + host + ":" + port, nil
}

func tlsConfig(o connectors.TLSOptions, getenv func(string) string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.Insecure} //nolint:gosec // the user asked for it, the CLI warns
	caFile := o.CAFile
	if caFile == "" {
		caFile = getenv(EnvCA)
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("reading the CA bundle: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no PEM certificate found", caFile)
		}
		cfg.RootCAs = pool
	}
	if o.CertFile != "" || o.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("loading the client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// Kind is "elasticsearch" or "opensearch".
func (c *Connector) Kind() string { return c.kind }

// URI is the target with credentials redacted.
func (c *Connector) URI() string { return c.target }

// Close releases idle connections.
func (c *Connector) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		c.httpTransport.CloseIdleConnections()
	}
	return nil
}

// SkippedContainers lists indices that were seen but not scanned.
func (c *Connector) SkippedContainers() []connectors.SkippedContainer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]connectors.SkippedContainer(nil), c.skipped...)
}

func (c *Connector) authDescription() string {
	switch c.authMethod {
	case "basic":
		return "the credentials of user " + strconv.Quote(c.user)
	case "":
		return "anonymous requests"
	}
	return "the " + c.authMethod + " credentials"
}

// product is "Elasticsearch 8.15.3" or "OpenSearch 2.17.1".
func (c *Connector) product() string {
	if c.info == nil {
		if c.kind == KindOpenSearch {
			return "OpenSearch"
		}
		return "Elasticsearch"
	}
	name := "Elasticsearch"
	if c.kind == KindOpenSearch {
		name = "OpenSearch"
	}
	s := name + " " + c.info.Version.Number
	if c.info.Version.BuildFlavor == "oss" {
		s += " (oss)"
	}
	return s
}

// hasPIT says whether the cluster has a point in time API: Elasticsearch
// 7.10+ (not the oss build), OpenSearch 2.4+.
func (c *Connector) hasPIT() bool {
	if c.info == nil {
		return false
	}
	ma, mi := c.info.major()
	if c.kind == KindOpenSearch {
		return ma > 2 || ma == 2 && mi >= 4
	}
	if c.info.Version.BuildFlavor == "oss" {
		return false
	}
	return ma > 7 || ma == 7 && mi >= 10
}

// seqNoField says whether random_score may use _seq_no (Elasticsearch 7+,
// every OpenSearch); older versions fall back to the default field.
func (c *Connector) seqNoField() bool {
	if c.info == nil {
		return true
	}
	ma, _ := c.info.major()
	return c.kind == KindOpenSearch || ma >= 7
}
