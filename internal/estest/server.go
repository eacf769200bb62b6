// Package estest is an in-process HTTP server that speaks the documented REST
// protocol of Elasticsearch 7.17, Elasticsearch 8.x and OpenSearch 2.x well
// enough to test a read-only scanner against it: root info, _cat/indices,
// _cat/aliases, _data_stream, _mapping, _count, _search with random_score,
// from/size, sort and search_after, point in time (both dialects), scroll,
// the max_result_window error, authentication (none, basic, API key) and
// fault injection. Every request is logged so tests can check what a client
// did to the cluster.
//
// Each handler names the documented response shape it follows. It is a test
// double: it keeps everything in memory, has one shard per index and no
// query language beyond match_all and function_score/random_score.
package estest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Flavor is the product and major version the server imitates.
type Flavor int

const (
	// ES7 is Elasticsearch 7.17 (sends X-Elastic-Product, _type "_doc" in hits).
	ES7 Flavor = iota + 1
	// ES8 is Elasticsearch 8.x.
	ES8
	// OpenSearch2 is OpenSearch 2.x (point in time under _search/point_in_time).
	OpenSearch2
)

// String names the flavor.
func (f Flavor) String() string {
	switch f {
	case ES7:
		return "elasticsearch-7.17"
	case ES8:
		return "elasticsearch-8"
	case OpenSearch2:
		return "opensearch-2"
	}
	return fmt.Sprintf("Flavor(%d)", int(f))
}

// Flavors are the flavors the server imitates, for table tests.
var Flavors = []Flavor{ES7, ES8, OpenSearch2}

// AuthMode is how the server authenticates requests.
type AuthMode int

const (
	// AuthNone: security disabled, every request is anonymous and allowed.
	AuthNone AuthMode = iota
	// AuthBasic: HTTP basic with Config.Username/Password.
	AuthBasic
	// AuthAPIKey: "Authorization: ApiKey <base64(id:key)>" with Config.APIKey
	// (basic with Username/Password is accepted too when they are set).
	AuthAPIKey
)

// Config configures a server.
type Config struct {
	Flavor Flavor // default ES8
	// Version overrides the version number in the root info ("8.15.0").
	Version string
	// ClusterName defaults to "elasticsearch" (ES) or "opensearch-cluster".
	ClusterName string
	Auth        AuthMode
	Username    string
	Password    string
	APIKey      string // base64("id:key") as Elasticsearch returns it in "encoded"
	// Anonymous grants read access to unauthenticated requests even when
	// Auth is not AuthNone (the anonymous-user realm of Elasticsearch).
	Anonymous bool
	// NoPIT makes the point in time endpoints answer as a version without
	// them does (no handler found), so clients must fall back to scroll.
	NoPIT bool
	// TLS serves HTTPS with a self-signed certificate (see Server.Client).
	TLS bool
	// BasePath serves the cluster under a path prefix, as a reverse proxy does.
	BasePath string
}

// Request is one logged request.
type Request struct {
	Method   string
	Path     string // without the base path
	RawQuery string
	Body     string
	// Auth is the scheme of the Authorization header ("Basic", "ApiKey",
	// "Bearer") or "" for none. The credentials themselves are not logged.
	Auth   string
	Status int
}

// Fault is an injected failure. It applies to requests whose method matches
// (empty: any) and whose path (without base path) contains PathContains
// (empty: any), for the first Times matching requests (0: every one).
type Fault struct {
	Method       string
	PathContains string
	Times        int
	// Status answers with this status and the documented error body for it
	// (429 es_rejected_execution_exception, 503, 401, 403, 500...).
	Status int
	// RetryAfter sets the Retry-After header (seconds) on the fault response.
	RetryAfter string
	// Delay waits before answering (or before the fault); the wait ends
	// early when the client goes away.
	Delay time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// After lets the first After matching requests through untouched, so a
	// fault can start part way through a scan (credentials that stop
	// working, a node that goes down).
	After int

	hits, passed int
}

// Index is one stored index.
type index struct {
	name            string
	uuid            string
	mappings        map[string]any // the "mappings" object
	docs            []doc
	hidden          bool
	closed          bool
	maxResultWindow int
	dataStream      string
	created         time.Time
}

type doc struct {
	id     string
	seqNo  int64
	source json.RawMessage // nil when _source is disabled
}

// IndexOptions are optional settings of an added index.
type IndexOptions struct {
	// MaxResultWindow is index.max_result_window (default 10000).
	MaxResultWindow int
	// Hidden is index.hidden.
	Hidden bool
	// Closed makes the index closed (listed by _cat/indices, not searchable).
	Closed bool
}

// Server is a running test server.
type Server struct {
	cfg Config
	hs  *httptest.Server

	mu       sync.Mutex
	indices  map[string]*index
	aliases  map[string][]string // alias -> indices
	streams  map[string][]string // data stream -> backing indices
	faults   []*Fault
	log      []Request
	contexts map[string]*searchContext // PIT and scroll ids

	reqSeq    atomic.Uint64
	inFlight  atomic.Int64
	peak      atomic.Int64
	rankMu    sync.Mutex
	rankCache []rankEntry
}

// New starts a server. Close it when done.
func New(cfg Config) *Server {
	if cfg.Flavor == 0 {
		cfg.Flavor = ES8
	}
	if cfg.Version == "" {
		switch cfg.Flavor {
		case ES7:
			cfg.Version = "7.17.25"
		case ES8:
			cfg.Version = "8.15.3"
		case OpenSearch2:
			cfg.Version = "2.17.1"
		}
	}
	if cfg.ClusterName == "" {
		cfg.ClusterName = "elasticsearch"
		if cfg.Flavor == OpenSearch2 {
			cfg.ClusterName = "opensearch-cluster"
		}
	}
	cfg.BasePath = strings.TrimRight(cfg.BasePath, "/")
	s := &Server{
		cfg:      cfg,
		indices:  map[string]*index{},
		aliases:  map[string][]string{},
		streams:  map[string][]string{},
		contexts: map[string]*searchContext{},
	}
	s.hs = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	// rejected handshakes and dropped connections are expected in tests
	s.hs.Config.ErrorLog = log.New(io.Discard, "", 0)
	if cfg.TLS {
		s.hs.StartTLS()
	} else {
		s.hs.Start()
	}
	return s
}

// URL is the cluster's base URL, including the base path.
func (s *Server) URL() string { return s.hs.URL + s.cfg.BasePath }

// Client returns an HTTP client that trusts the server's certificate.
func (s *Server) Client() *http.Client { return s.hs.Client() }

// CertificatePEM returns the server certificate in PEM (TLS servers only).
func (s *Server) CertificatePEM() []byte {
	if s.hs.Certificate() == nil {
		return nil
	}
	return pemEncode(s.hs.Certificate().Raw)
}

// Close stops the server.
func (s *Server) Close() {
	s.hs.CloseClientConnections()
	s.hs.Close()
}

// Config returns the configuration the server runs with (defaults filled in).
func (s *Server) Config() Config { return s.cfg }

// Requests returns a copy of the request log.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// PeakConcurrentRequests is the largest number of requests the server was
// handling at the same time.
func (s *Server) PeakConcurrentRequests() int { return int(s.peak.Load()) }

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.log = nil
	s.mu.Unlock()
}

// OpenContexts is the number of point in time and scroll contexts that were
// opened and not cleared.
func (s *Server) OpenContexts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.contexts)
}

// InjectFault adds a fault; faults are checked in the order they were added.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	s.faults = append(s.faults, &f)
	s.mu.Unlock()
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// AddIndex creates an index with the given "mappings" object (nil: mapped
// dynamically from the documents) and documents. A document's "_id" key, if
// it is a string, becomes its id and is removed from the source.
func (s *Server) AddIndex(name string, mappings map[string]any, docs []map[string]any) error {
	return s.AddIndexWithOptions(name, mappings, docs, IndexOptions{})
}

// AddIndexWithOptions is AddIndex with index settings.
func (s *Server) AddIndexWithOptions(name string, mappings map[string]any, docs []map[string]any, o IndexOptions) error {
	raw := make([]json.RawMessage, 0, len(docs))
	ids := make([]string, 0, len(docs))
	for _, d := range docs {
		id := ""
		if v, ok := d["_id"].(string); ok {
			id = v
			c := make(map[string]any, len(d))
			for k, v := range d {
				if k != "_id" {
					c[k] = v
				}
			}
			d = c
		}
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("estest: index %s: %w", name, err)
		}
		raw = append(raw, b)
		ids = append(ids, id)
	}
	if mappings == nil {
		mappings = DynamicMapping(docs)
	}
	return s.addRaw(name, mappings, ids, raw, o, "")
}

// AddIndexRaw creates an index from JSON-encoded sources (ids are generated).
// It is the fast path for large indices.
func (s *Server) AddIndexRaw(name string, mappings map[string]any, sources []json.RawMessage, o IndexOptions) error {
	if mappings == nil {
		mappings = map[string]any{"properties": map[string]any{}}
	}
	return s.addRaw(name, mappings, make([]string, len(sources)), sources, o, "")
}

// AddAlias points alias at the given indices.
func (s *Server) AddAlias(alias string, indices ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, i := range indices {
		if _, ok := s.indices[i]; !ok {
			return fmt.Errorf("estest: alias %s: no index %s", alias, i)
		}
	}
	s.aliases[alias] = append(s.aliases[alias], indices...)
	return nil
}

// AddDataStream creates a data stream with one hidden backing index
// (".ds-<name>-<date>-000001") holding docs.
func (s *Server) AddDataStream(name string, mappings map[string]any, docs []map[string]any) error {
	backing := fmt.Sprintf(".ds-%s-2026.11.25-000001", name)
	if s.cfg.Flavor == ES7 || s.cfg.Flavor == OpenSearch2 {
		backing = fmt.Sprintf(".ds-%s-000001", name)
	}
	if err := s.AddIndexWithOptions(backing, mappings, docs, IndexOptions{Hidden: true}); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.indices[backing].dataStream = name
	s.streams[name] = append(s.streams[name], backing)
	return nil
}

// SetSourceDisabled drops the stored _source of every document of an index
// and sets "_source": {"enabled": false} in its mapping.
func (s *Server) SetSourceDisabled(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, ok := s.indices[name]
	if !ok {
		return fmt.Errorf("estest: no index %s", name)
	}
	for i := range ix.docs {
		ix.docs[i].source = nil
	}
	ix.mappings["_source"] = map[string]any{"enabled": false}
	return nil
}

func (s *Server) addRaw(name string, mappings map[string]any, ids []string, raw []json.RawMessage, o IndexOptions, ds string) error {
	if name == "" || strings.ToLower(name) != name || strings.ContainsAny(name, ` ,"*\/<>|?#`) || name[0] == '_' || name[0] == '-' || name[0] == '+' {
		return fmt.Errorf("estest: invalid index name %q", name)
	}
	if o.MaxResultWindow <= 0 {
		o.MaxResultWindow = 10000
	}
	ix := &index{
		name: name, uuid: newID(11), mappings: mappings, hidden: o.Hidden, closed: o.Closed,
		maxResultWindow: o.MaxResultWindow, dataStream: ds, created: time.Now(),
		docs: make([]doc, len(raw)),
	}
	for i, r := range raw {
		id := ids[i]
		if id == "" {
			id = fmt.Sprintf("%s-%08d", ix.uuid[:6], i)
		}
		ix.docs[i] = doc{id: id, seqNo: int64(i), source: r}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.indices[name]; dup {
		return fmt.Errorf("estest: index %s exists", name)
	}
	s.indices[name] = ix
	return nil
}

// resolve expands a comma-separated target (indices, aliases, data streams,
// wildcards) into concrete index names. Callers hold s.mu.
func (s *Server) resolve(target string, expandHidden bool) ([]*index, string) {
	if target == "" || target == "_all" || target == "*" {
		target = "*"
	}
	seen := map[string]bool{}
	var out []*index
	add := func(ix *index) {
		if !seen[ix.name] {
			seen[ix.name] = true
			out = append(out, ix)
		}
	}
	for _, t := range strings.Split(target, ",") {
		if strings.Contains(t, "*") {
			names := make([]string, 0, len(s.indices))
			for n := range s.indices {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				ix := s.indices[n]
				if (ix.hidden || strings.HasPrefix(n, ".")) && !expandHidden && !strings.HasPrefix(t, ".") {
					continue
				}
				if globMatch(t, n) {
					add(ix)
				}
			}
			for ds, backing := range s.streams {
				if globMatch(t, ds) {
					for _, b := range backing {
						add(s.indices[b])
					}
				}
			}
			continue
		}
		if ix, ok := s.indices[t]; ok {
			add(ix)
			continue
		}
		if list, ok := s.aliases[t]; ok {
			for _, n := range list {
				add(s.indices[n])
			}
			continue
		}
		if list, ok := s.streams[t]; ok {
			for _, n := range list {
				add(s.indices[n])
			}
			continue
		}
		return nil, t
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, ""
}

func globMatch(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == name
	}
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	for i := 1; i < len(parts)-1; i++ {
		j := strings.Index(name, parts[i])
		if j < 0 {
			return false
		}
		name = name[j+len(parts[i]):]
	}
	return strings.HasSuffix(name, parts[len(parts)-1])
}

func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.TrimRight(base64.RawURLEncoding.EncodeToString(b), "=")
}

func newHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
