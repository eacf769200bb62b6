package estest

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const maxBody = 8 << 20

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) serve(rw http.ResponseWriter, r *http.Request) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		peak := s.peak.Load()
		if n <= peak || s.peak.CompareAndSwap(peak, n) {
			break
		}
	}
	p := r.URL.Path
	if s.cfg.BasePath != "" {
		if !strings.HasPrefix(p, s.cfg.BasePath+"/") && p != s.cfg.BasePath {
			http.NotFound(rw, r)
			return
		}
		p = strings.TrimPrefix(p, s.cfg.BasePath)
	}
	if p == "" {
		p = "/"
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	w := &statusWriter{ResponseWriter: rw}
	defer func() {
		s.mu.Lock()
		s.log = append(s.log, Request{Method: r.Method, Path: p, RawQuery: r.URL.RawQuery, Body: string(body), Auth: scheme, Status: w.status})
		s.mu.Unlock()
	}()

	if f := s.fault(r.Method, p); f != nil {
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if f.Drop {
			if hj, ok := rw.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.Status != 0 {
			s.writeStatusError(w, f.Status, p, "")
			return
		}
	}

	if user, ok := s.authenticate(r); !ok {
		if user == "" && r.Header.Get("Authorization") != "" {
			user = "\x00" // credentials sent, not accepted
		}
		s.writeStatusError(w, http.StatusUnauthorized, p, user)
		return
	}
	s.route(w, r, p, body)
}

// fault returns the first fault that applies to the request and counts it.
func (s *Server) fault(method, p string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.Method != "" && f.Method != method {
			continue
		}
		if f.PathContains != "" && !strings.Contains(p, f.PathContains) {
			continue
		}
		if f.passed < f.After {
			f.passed++
			continue
		}
		if f.Times > 0 && f.hits >= f.Times {
			continue
		}
		f.hits++
		c := *f
		return &c
	}
	return nil
}

// authenticate checks the Authorization header. It returns the user name it
// saw (for the error message) and whether the request may proceed.
func (s *Server) authenticate(r *http.Request) (string, bool) {
	if s.cfg.Auth == AuthNone {
		return "", true
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", s.cfg.Anonymous
	}
	scheme, cred, _ := strings.Cut(h, " ")
	switch strings.ToLower(scheme) {
	case "basic":
		u, p, ok := r.BasicAuth()
		if ok && s.cfg.Username != "" && u == s.cfg.Username && p == s.cfg.Password {
			return u, true
		}
		return u, false
	case "apikey":
		if s.cfg.Flavor != OpenSearch2 && s.cfg.Auth == AuthAPIKey && s.cfg.APIKey != "" && cred == s.cfg.APIKey {
			return "", true
		}
		return "", false
	}
	return "", false
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, p string, body []byte) {
	m := r.Method
	seg := strings.Split(strings.Trim(p, "/"), "/")
	if p == "/" {
		seg = nil
	}
	get := m == http.MethodGet || m == http.MethodHead
	getOrPost := get || m == http.MethodPost
	switch {
	case len(seg) == 0 && get:
		s.handleRoot(w, r)
	case len(seg) >= 2 && seg[0] == "_cat" && seg[1] == "indices" && get:
		s.handleCatIndices(w, r, strings.Join(seg[2:], "/"))
	case len(seg) >= 2 && seg[0] == "_cat" && seg[1] == "aliases" && get:
		s.handleCatAliases(w, r)
	case len(seg) >= 1 && seg[0] == "_data_stream" && get:
		s.handleDataStreams(w, strings.Join(seg[1:], "/"))
	case len(seg) == 1 && seg[0] == "_mapping" && get:
		s.handleMapping(w, "")
	case len(seg) == 2 && seg[1] == "_mapping" && get:
		s.handleMapping(w, seg[0])
	case len(seg) == 1 && seg[0] == "_count" && getOrPost:
		s.handleCount(w, "", body)
	case len(seg) == 2 && seg[1] == "_count" && getOrPost:
		s.handleCount(w, seg[0], body)
	case len(seg) == 2 && seg[0] == "_search" && seg[1] == "scroll" && getOrPost:
		s.handleScroll(w, r, body)
	case len(seg) >= 2 && seg[0] == "_search" && seg[1] == "scroll" && m == http.MethodDelete:
		s.handleClearScroll(w, body, strings.Join(seg[2:], "/"))
	case s.cfg.Flavor != OpenSearch2 && !s.cfg.NoPIT && len(seg) == 2 && seg[1] == "_pit" && m == http.MethodPost:
		s.handleOpenPIT(w, r, seg[0])
	case s.cfg.Flavor != OpenSearch2 && !s.cfg.NoPIT && len(seg) == 1 && seg[0] == "_pit" && m == http.MethodDelete:
		s.handleClosePIT(w, body, false)
	case s.cfg.Flavor == OpenSearch2 && !s.cfg.NoPIT && len(seg) == 3 && seg[1] == "_search" && seg[2] == "point_in_time" && m == http.MethodPost:
		s.handleOpenPIT(w, r, seg[0])
	case s.cfg.Flavor == OpenSearch2 && !s.cfg.NoPIT && p == "/_search/point_in_time/_all" && get:
		s.handleListPITs(w)
	case s.cfg.Flavor == OpenSearch2 && !s.cfg.NoPIT && p == "/_search/point_in_time" && m == http.MethodDelete:
		s.handleClosePIT(w, body, false)
	case s.cfg.Flavor == OpenSearch2 && !s.cfg.NoPIT && p == "/_search/point_in_time/_all" && m == http.MethodDelete:
		s.handleClosePIT(w, body, true)
	case len(seg) == 1 && seg[0] == "_search" && getOrPost:
		s.handleSearch(w, r, "", body)
	case len(seg) == 2 && seg[1] == "_search" && getOrPost:
		s.handleSearch(w, r, seg[0], body)
	case s.cfg.Flavor != OpenSearch2 && p == "/_security/_authenticate" && get:
		s.handleAuthenticate(w, r)
	case s.cfg.Flavor == OpenSearch2 && p == "/_plugins/_security/authinfo" && s.cfg.Auth != AuthNone && get:
		s.handleAuthenticate(w, r)
	default:
		s.writeNoHandler(w, m, p)
	}
}

// --- responses ---------------------------------------------------------

func (s *Server) isES() bool { return s.cfg.Flavor != OpenSearch2 }

// sendsProductHeader: Elasticsearch sends X-Elastic-Product from 7.14 on.
func (s *Server) sendsProductHeader() bool {
	if !s.isES() {
		return false
	}
	var major, minor int
	_, _ = fmt.Sscanf(s.cfg.Version, "%d.%d", &major, &minor)
	return major > 7 || major == 7 && minor >= 14
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	var b []byte
	switch x := v.(type) {
	case []byte:
		b = x
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			status, b = 500, []byte(`{"error":"estest: `+err.Error()+`"}`)
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	if s.sendsProductHeader() && status != http.StatusUnauthorized && status != http.StatusForbidden {
		// Elasticsearch 7.14 and later send this on every answer that went
		// through the REST layer (the clients' product check relies on it).
		h.Set("X-Elastic-Product", "Elasticsearch")
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// errorBody follows the documented error shape common to Elasticsearch and
// OpenSearch: {"error":{"root_cause":[{type,reason}],"type","reason"},"status"}.
func errorBody(status int, typ, reason string, extra map[string]any) map[string]any {
	cause := map[string]any{"type": typ, "reason": reason}
	top := map[string]any{"root_cause": []any{cause}, "type": typ, "reason": reason}
	for k, v := range extra {
		cause[k] = v
		top[k] = v
	}
	return map[string]any{"error": top, "status": status}
}

func (s *Server) writeError(w http.ResponseWriter, status int, typ, reason string, extra map[string]any) {
	s.writeJSON(w, status, errorBody(status, typ, reason, extra))
}

// writeStatusError writes the documented body for a status used by fault
// injection and authentication.
func (s *Server) writeStatusError(w http.ResponseWriter, status int, p, user string) {
	switch status {
	case http.StatusUnauthorized:
		if !s.isES() {
			// OpenSearch security plugin: plain text and a Basic challenge.
			w.Header().Set("WWW-Authenticate", `Basic realm="OpenSearch Security"`)
			w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, "Unauthorized")
			return
		}
		challenge := []string{`Basic realm="security" charset="UTF-8"`, `Bearer realm="security"`, `ApiKey`}
		for _, c := range challenge {
			w.Header().Add("WWW-Authenticate", c)
		}
		reason := "missing authentication credentials for REST request [" + p + "]"
		switch user {
		case "":
		case "\x00":
			reason = "unable to authenticate with provided credentials and anonymous access is not allowed for this request"
		default:
			reason = "unable to authenticate user [" + user + "] for REST request [" + p + "]"
		}
		s.writeError(w, status, "security_exception", reason, map[string]any{"header": map[string]any{"WWW-Authenticate": challenge}})
	case http.StatusForbidden:
		if s.isES() {
			s.writeError(w, status, "security_exception", "action [indices:data/read/search] is unauthorized for user [reader] with effective roles [reader] on indices [secret], this action is granted by the index privileges [read,all]", nil)
		} else {
			s.writeError(w, status, "security_exception", "no permissions for [indices:data/read/search] and User [name=reader, backend_roles=[], requestedTenant=null]", nil)
		}
	case http.StatusTooManyRequests:
		// the search thread pool queue is full
		s.writeError(w, status, "es_rejected_execution_exception", "rejected execution of TimedRunnable on TaskExecutionTimeTrackingEsThreadPoolExecutor[name = node-1/search, queue capacity = 1000]", nil)
	case http.StatusServiceUnavailable:
		s.writeError(w, status, "cluster_block_exception", "blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];", nil)
	default:
		s.writeError(w, status, "exception", http.StatusText(status), nil)
	}
}

// writeNoHandler follows the answer for an unknown endpoint: Elasticsearch 8
// uses the structured error body, 7.x and OpenSearch a flat one.
func (s *Server) writeNoHandler(w http.ResponseWriter, method, p string) {
	reason := fmt.Sprintf("no handler found for uri [%s] and method [%s]", p, method)
	if s.cfg.Flavor == ES8 {
		s.writeError(w, http.StatusBadRequest, "illegal_argument_exception", reason, nil)
		return
	}
	s.writeJSON(w, http.StatusBadRequest, map[string]any{"error": reason, "status": 400})
}

func (s *Server) writeIndexNotFound(w http.ResponseWriter, name string) {
	s.writeError(w, http.StatusNotFound, "index_not_found_exception", "no such index ["+name+"]",
		map[string]any{"resource.type": "index_or_alias", "resource.id": name, "index_uuid": "_na_", "index": name})
}

// --- handlers ----------------------------------------------------------

// handleRoot follows the documented root info API (GET /): name,
// cluster_name, cluster_uuid, version{number, build_flavor (ES only),
// distribution (OpenSearch only), build_type, build_hash, build_date,
// build_snapshot, lucene_version, minimum_*_compatibility_version}, tagline.
func (s *Server) handleRoot(w http.ResponseWriter, r *http.Request) {
	v := map[string]any{
		"number":         s.cfg.Version,
		"build_type":     "docker",
		"build_hash":     "a9a1e4b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7",
		"build_date":     "2024-10-10T09:24:25.121213145Z",
		"build_snapshot": false,
	}
	var tagline string
	switch s.cfg.Flavor {
	case ES7:
		v["build_flavor"] = "default"
		v["lucene_version"] = "8.11.3"
		v["minimum_wire_compatibility_version"] = "6.8.0"
		v["minimum_index_compatibility_version"] = "6.0.0-beta1"
		tagline = "You Know, for Search"
	case ES8:
		v["build_flavor"] = "default"
		v["lucene_version"] = "9.11.1"
		v["minimum_wire_compatibility_version"] = "7.17.0"
		v["minimum_index_compatibility_version"] = "7.0.0"
		tagline = "You Know, for Search"
	case OpenSearch2:
		v["distribution"] = "opensearch"
		v["build_type"] = "tar"
		v["lucene_version"] = "9.11.1"
		v["minimum_wire_compatibility_version"] = "7.10.0"
		v["minimum_index_compatibility_version"] = "7.0.0"
		tagline = "The OpenSearch Project: https://opensearch.org/"
	}
	body := map[string]any{
		"name":         "node-1",
		"cluster_name": s.cfg.ClusterName,
		"cluster_uuid": "rD5mUVpFQ3qCk7PFZ3u1ZA",
		"version":      v,
		"tagline":      tagline,
	}
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		if s.sendsProductHeader() {
			w.Header().Set("X-Elastic-Product", "Elasticsearch")
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	s.writeJSON(w, http.StatusOK, body)
}

// expandWildcards follows the documented expand_wildcards values (open,
// closed, hidden, all, none). Without the parameter this server expands to
// all, as the cat indices API does.
func expandWildcards(v string) (open, closed, hidden bool) {
	if v == "" {
		v = "all"
	}
	for _, x := range strings.Split(v, ",") {
		switch x {
		case "all":
			open, closed, hidden = true, true, true
		case "open":
			open = true
		case "closed":
			closed = true
		case "hidden":
			hidden = true
		}
	}
	return
}

func humanBytes(n int) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1fgb", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1fmb", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1fkb", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%db", n)
}

var catIndicesColumns = []string{"health", "status", "index", "uuid", "pri", "rep", "docs.count", "docs.deleted", "store.size", "pri.store.size"}

// handleCatIndices follows the cat indices API with format=json: an array
// of objects whose values are all strings (health, status, index, uuid, pri,
// rep, docs.count, docs.deleted, store.size, pri.store.size, and
// dataset.size on Elasticsearch 8); docs.count and sizes are null for closed
// indices. h= selects columns. Without format=json it answers the text table.
func (s *Server) handleCatIndices(w http.ResponseWriter, r *http.Request, target string) {
	q := r.URL.Query()
	open, closed, hidden := expandWildcards(q.Get("expand_wildcards"))
	cols := append([]string(nil), catIndicesColumns...)
	if s.cfg.Flavor == ES8 {
		cols = append(cols, "dataset.size")
	}
	if h := q.Get("h"); h != "" {
		cols = strings.Split(h, ",")
	}
	s.mu.Lock()
	var list []*index
	if target == "" {
		target = "*"
	}
	matched, missing := s.resolve(target, hidden)
	if missing != "" {
		s.mu.Unlock()
		s.writeIndexNotFound(w, missing)
		return
	}
	for _, ix := range matched {
		isHidden := ix.hidden
		if isHidden && !hidden {
			continue
		}
		if ix.closed && !closed || !ix.closed && !open {
			continue
		}
		list = append(list, ix)
	}
	rows := make([]map[string]any, 0, len(list))
	for _, ix := range list {
		size := 0
		for _, d := range ix.docs {
			size += len(d.source) + 64
		}
		full := map[string]any{
			"health": "yellow", "status": "open", "index": ix.name, "uuid": ix.uuid,
			"pri": "1", "rep": "1",
			"docs.count": strconv.Itoa(len(ix.docs)), "docs.deleted": "0",
			"store.size": humanBytes(size), "pri.store.size": humanBytes(size), "dataset.size": humanBytes(size),
		}
		if ix.closed {
			full["status"] = "close"
			for _, k := range []string{"docs.count", "docs.deleted", "store.size", "pri.store.size", "dataset.size"} {
				full[k] = nil
			}
		}
		row := make(map[string]any, len(cols))
		for _, c := range cols {
			row[c] = full[c]
		}
		rows = append(rows, row)
	}
	s.mu.Unlock()
	if q.Get("format") != "json" {
		var b bytes.Buffer
		for _, row := range rows {
			for i, c := range cols {
				if i > 0 {
					b.WriteByte(' ')
				}
				fmt.Fprint(&b, row[c])
			}
			b.WriteByte('\n')
		}
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		if s.sendsProductHeader() {
			w.Header().Set("X-Elastic-Product", "Elasticsearch")
		}
		_, _ = w.Write(b.Bytes())
		return
	}
	s.writeJSON(w, http.StatusOK, rows)
}

// handleCatAliases follows the cat aliases API with format=json: objects
// {alias, index, filter, routing.index, routing.search, is_write_index},
// "-" for unset values.
func (s *Server) handleCatAliases(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rows := []map[string]any{}
	for a, list := range s.aliases {
		for _, ix := range list {
			rows = append(rows, map[string]any{"alias": a, "index": ix, "filter": "-", "routing.index": "-", "routing.search": "-", "is_write_index": "-"})
		}
	}
	s.mu.Unlock()
	s.writeJSON(w, http.StatusOK, rows)
}

// handleDataStreams follows the get data stream API (GET /_data_stream[/name]):
// {"data_streams":[{name, timestamp_field{name}, indices[{index_name,
// index_uuid}], generation, status, template, hidden, system}]}; OpenSearch
// omits hidden and system.
func (s *Server) handleDataStreams(w http.ResponseWriter, name string) {
	s.mu.Lock()
	out := []map[string]any{}
	for ds, backing := range s.streams {
		if name != "" && name != "*" && !globMatch(name, ds) {
			continue
		}
		var idx []map[string]any
		for _, b := range backing {
			idx = append(idx, map[string]any{"index_name": b, "index_uuid": s.indices[b].uuid})
		}
		e := map[string]any{
			"name": ds, "timestamp_field": map[string]any{"name": "@timestamp"}, "indices": idx,
			"generation": len(backing), "status": "GREEN", "template": ds + "-template",
		}
		if s.isES() {
			e["hidden"], e["system"], e["allow_custom_routing"], e["replicated"] = false, false, false, false
		}
		out = append(out, e)
	}
	s.mu.Unlock()
	if name != "" && name != "*" && !strings.Contains(name, "*") && len(out) == 0 {
		s.writeIndexNotFound(w, name)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"data_streams": out})
}

// handleMapping follows the get mapping API: {"<index>":{"mappings":{...}}}
// keyed by concrete index (aliases and data streams resolve to their
// indices), typeless since 7.0.
func (s *Server) handleMapping(w http.ResponseWriter, target string) {
	s.mu.Lock()
	list, missing := s.resolve(target, false)
	out := map[string]any{}
	for _, ix := range list {
		out[ix.name] = map[string]any{"mappings": ix.mappings}
	}
	s.mu.Unlock()
	if missing != "" {
		s.writeIndexNotFound(w, missing)
		return
	}
	s.writeJSON(w, http.StatusOK, out)
}

var oneShard = map[string]any{"total": 1, "successful": 1, "skipped": 0, "failed": 0}

// handleCount follows the count API: {"count": n, "_shards": {...}}.
func (s *Server) handleCount(w http.ResponseWriter, target string, body []byte) {
	if len(bytes.TrimSpace(body)) > 0 {
		var b struct {
			Query json.RawMessage `json:"query"`
		}
		if err := json.Unmarshal(body, &b); err != nil {
			s.writeError(w, 400, "parsing_exception", "request body is malformed", nil)
			return
		}
		if _, err := parseQuery(b.Query); err != nil {
			s.writeError(w, 400, "parsing_exception", err.Error(), nil)
			return
		}
	}
	s.mu.Lock()
	list, missing := s.resolve(target, false)
	n := 0
	for _, ix := range list {
		n += len(ix.docs)
	}
	s.mu.Unlock()
	if missing != "" {
		s.writeIndexNotFound(w, missing)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"count": n, "_shards": oneShard})
}

// handleAuthenticate follows GET /_security/_authenticate (Elasticsearch)
// and GET /_plugins/_security/authinfo (OpenSearch security plugin). With
// security disabled Elasticsearch answers an error saying so; OpenSearch
// without the plugin has no such endpoint.
func (s *Server) handleAuthenticate(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Auth == AuthNone {
		s.writeError(w, 500, "exception", "Security must be explicitly enabled when using a [basic] license. Enable security by setting [xpack.security.enabled] to [true] in the elasticsearch.yml file and restart the node.", nil)
		return
	}
	user, _, ok := r.BasicAuth()
	anon := !ok && r.Header.Get("Authorization") == ""
	if anon {
		user = "_anonymous"
	} else if !ok {
		user = "api_key_user"
	}
	if !s.isES() {
		s.writeJSON(w, 200, map[string]any{"user": "User [name=" + user + ", backend_roles=[], requestedTenant=null]", "user_name": user, "backend_roles": []any{}, "roles": []any{"readall"}})
		return
	}
	realm := map[string]any{"name": "default_native", "type": "native"}
	if anon {
		realm = map[string]any{"name": "__anonymous", "type": "__anonymous"}
	}
	s.writeJSON(w, 200, map[string]any{"username": user, "roles": []any{"viewer"}, "full_name": nil, "email": nil, "metadata": map[string]any{},
		"enabled": true, "authentication_realm": realm, "lookup_realm": realm, "authentication_type": "realm"})
}

func pemEncode(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
