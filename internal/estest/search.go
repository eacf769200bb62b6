package estest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// searchContext is an open point in time or scroll.
type searchContext struct {
	kind string // "pit" or "scroll"
	snap []snapshot
	// scroll state
	order   []hitRef
	pos     int
	size    int
	withSeq bool
}

// snapshot is an index as it was when the context was opened (documents
// are only ever appended, so a length is enough).
type snapshot struct {
	ix *index
	n  int
}

type hitRef struct {
	ix    *index
	doc   int   // position in the index, the shard doc id
	gdoc  int64 // global shard doc used for _shard_doc tie-breaks
	score float32
}

type queryPlan struct {
	random   bool
	seed     string
	hasSeed  bool
	field    string
	noSource bool
}

// parseQuery understands match_all and function_score with random_score
// (the documented {"function_score":{"query":..,"random_score":{"seed":..,
// "field":..},"boost_mode":..}} form, or with "functions":[{"random_score":..}]).
func parseQuery(raw json.RawMessage) (queryPlan, error) {
	var qp queryPlan
	if len(bytes.TrimSpace(raw)) == 0 || string(raw) == "null" {
		return qp, nil
	}
	var q map[string]json.RawMessage
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&q); err != nil {
		return qp, errors.New("[query] malformed query, expected [START_OBJECT]")
	}
	for k, v := range q {
		switch k {
		case "match_all":
		case "function_score":
			var fs struct {
				Query       json.RawMessage   `json:"query"`
				RandomScore json.RawMessage   `json:"random_score"`
				Functions   []json.RawMessage `json:"functions"`
				BoostMode   string            `json:"boost_mode"`
			}
			if err := json.Unmarshal(v, &fs); err != nil {
				return qp, errors.New("[function_score] malformed query")
			}
			inner, err := parseQuery(fs.Query)
			if err != nil {
				return qp, err
			}
			qp = inner
			rs := fs.RandomScore
			for _, f := range fs.Functions {
				var fn struct {
					RandomScore json.RawMessage `json:"random_score"`
				}
				if json.Unmarshal(f, &fn) == nil && fn.RandomScore != nil {
					rs = fn.RandomScore
				}
			}
			if rs != nil {
				var r struct {
					Seed  json.RawMessage `json:"seed"`
					Field string          `json:"field"`
				}
				if err := json.Unmarshal(rs, &r); err != nil {
					return qp, errors.New("[random_score] malformed")
				}
				qp.random = true
				if len(r.Seed) > 0 {
					qp.hasSeed = true
					qp.seed = strings.Trim(string(r.Seed), `"`)
				}
				qp.field = r.Field
				if qp.field != "" && qp.field != "_seq_no" && qp.field != "_id" {
					return qp, fmt.Errorf("[random_score] field [%s] is not supported by this test server", qp.field)
				}
			}
		default:
			return qp, fmt.Errorf("unknown query [%s]", k)
		}
	}
	return qp, nil
}

// score is the random_score of one document: a float in [0, 1) derived from
// the seed and the field value, as float32 like Lucene scores.
func (qp queryPlan) score(ix *index, i int, salt uint64) float32 {
	if !qp.random {
		return 1
	}
	h := fnv.New64a()
	if qp.hasSeed {
		h.Write([]byte(qp.seed))
	} else {
		var b [8]byte
		for k := range b {
			b[k] = byte(salt >> (8 * k))
		}
		h.Write(b[:])
	}
	h.Write([]byte{0})
	if qp.field == "_seq_no" {
		h.Write([]byte(strconv.FormatInt(ix.docs[i].seqNo, 10)))
		h.Write([]byte(ix.uuid)) // a different shard, a different stream
	} else {
		h.Write([]byte(ix.docs[i].id))
	}
	x := h.Sum64()
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	return float32(x>>40) / float32(1<<24)
}

type sortKey struct {
	field string // _score, _doc, _shard_doc
	desc  bool
}

// parseSort follows the documented sort forms: "field", {"field":"desc"},
// {"field":{"order":"desc"}}. Only _score, _doc and _shard_doc are served.
func parseSort(raw json.RawMessage) ([]sortKey, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	var list []json.RawMessage
	if raw[0] != '[' {
		list = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return nil, errors.New("malformed sort")
	}
	var out []sortKey
	for _, e := range list {
		var name string
		k := sortKey{}
		if json.Unmarshal(e, &name) == nil {
			k.field = name
			k.desc = name == "_score"
		} else {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(e, &m); err != nil || len(m) != 1 {
				return nil, errors.New("malformed sort")
			}
			for f, v := range m {
				k.field = f
				k.desc = f == "_score"
				var order string
				if json.Unmarshal(v, &order) != nil {
					var o struct {
						Order string `json:"order"`
					}
					_ = json.Unmarshal(v, &o)
					order = o.Order
				}
				switch order {
				case "desc":
					k.desc = true
				case "asc":
					k.desc = false
				}
			}
		}
		switch k.field {
		case "_score", "_doc", "_shard_doc":
		default:
			return nil, fmt.Errorf("No mapping found for [%s] in order to sort on", k.field)
		}
		out = append(out, k)
	}
	return out, nil
}

type searchRequest struct {
	Size           *int              `json:"size"`
	From           *int              `json:"from"`
	Query          json.RawMessage   `json:"query"`
	Sort           json.RawMessage   `json:"sort"`
	SearchAfter    []json.RawMessage `json:"search_after"`
	TrackTotalHits json.RawMessage   `json:"track_total_hits"`
	Source         json.RawMessage   `json:"_source"`
	PIT            *struct {
		ID        string `json:"id"`
		KeepAlive string `json:"keep_alive"`
	} `json:"pit"`
	Slice *struct {
		ID    *int   `json:"id"`
		Max   *int   `json:"max"`
		Field string `json:"field"`
	} `json:"slice"`
}

func (s *Server) badRequest(w http.ResponseWriter, typ, reason string) {
	s.writeError(w, http.StatusBadRequest, typ, reason, nil)
}

// windowError follows the documented failure for from + size above
// index.max_result_window: a search_phase_execution_exception whose root
// cause is an illegal_argument_exception naming the limit.
func (s *Server) windowError(w http.ResponseWriter, ix *index, reason string) {
	cause := map[string]any{"type": "illegal_argument_exception", "reason": reason}
	body := map[string]any{
		"error": map[string]any{
			"root_cause": []any{cause},
			"type":       "search_phase_execution_exception",
			"reason":     "all shards failed",
			"phase":      "query",
			"grouped":    true,
			"failed_shards": []any{map[string]any{
				"shard": 0, "index": ix.name, "node": "b7Vq2H0lQ2aVh1Yx9S3kZQ", "reason": cause,
			}},
			"caused_by": map[string]any{"type": "illegal_argument_exception", "reason": reason,
				"caused_by": map[string]any{"type": "illegal_argument_exception", "reason": reason}},
		},
		"status": 400,
	}
	s.writeJSON(w, http.StatusBadRequest, body)
}

func (s *Server) searchContextMissing(w http.ResponseWriter, id string) {
	s.writeError(w, http.StatusNotFound, "search_context_missing_exception", "No search context found for id ["+id+"]", nil)
}

// handleSearch follows the search API response: took, timed_out, _shards,
// hits{total{value,relation}, max_score, hits[{_index, _id, _score,
// _source, sort}]} (ES 7 adds "_type":"_doc"), plus pit_id with a point in
// time and _scroll_id with ?scroll=.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request, target string, body []byte) {
	var req searchRequest
	if len(bytes.TrimSpace(body)) > 0 {
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		if err := d.Decode(&req); err != nil {
			s.badRequest(w, "parsing_exception", "request body is malformed: "+err.Error())
			return
		}
	}
	qp, err := parseQuery(req.Query)
	if err != nil {
		s.badRequest(w, "parsing_exception", err.Error())
		return
	}
	if string(req.Source) == "false" {
		qp.noSource = true
	}
	keys, err := parseSort(req.Sort)
	if err != nil {
		s.badRequest(w, "query_shard_exception", err.Error())
		return
	}
	size, from := 10, 0
	if req.Size != nil {
		size = *req.Size
	}
	if v := r.URL.Query().Get("size"); v != "" {
		size, _ = strconv.Atoi(v)
	}
	if req.From != nil {
		from = *req.From
	}
	if size < 0 || from < 0 {
		s.badRequest(w, "illegal_argument_exception", "[size] parameter cannot be negative")
		return
	}
	if len(req.SearchAfter) > 0 && from > 0 {
		s.badRequest(w, "illegal_argument_exception", "`from` parameter must be set to 0 when `search_after` is used.")
		return
	}
	scroll := r.URL.Query().Get("scroll")
	sliceID, sliceMax := 0, 0
	if sl := req.Slice; sl != nil {
		// the documented checks of a sliced scroll or point in time
		switch {
		case scroll == "" && req.PIT == nil:
			s.badRequest(w, "action_request_validation_exception", "Validation Failed: 1: [slice] can only be used with [scroll] or [point-in-time] requests;")
			return
		case sl.ID == nil || sl.Max == nil:
			s.badRequest(w, "x_content_parse_exception", "[slice] requires [id] and [max]")
			return
		case *sl.Max <= 1:
			s.badRequest(w, "illegal_argument_exception", "max must be greater than 1")
			return
		case *sl.ID < 0:
			s.badRequest(w, "illegal_argument_exception", "id must be greater than or equal to 0")
			return
		case *sl.ID >= *sl.Max:
			s.badRequest(w, "illegal_argument_exception", "max must be greater than id")
			return
		case sl.Field != "" && sl.Field != "_id":
			s.badRequest(w, "illegal_argument_exception", "slice field ["+sl.Field+"] is not supported by this test server")
			return
		}
		sliceID, sliceMax = *sl.ID, *sl.Max
	}

	s.mu.Lock()
	var snaps []snapshot
	var pitID string
	if req.PIT != nil {
		if target != "" {
			s.mu.Unlock()
			s.badRequest(w, "action_request_validation_exception", "Validation Failed: 1: [indices] cannot be used with point in time. Do not specify any index with point in time.;")
			return
		}
		if scroll != "" {
			s.mu.Unlock()
			s.badRequest(w, "action_request_validation_exception", "Validation Failed: 1: using [point in time] is not allowed in a scroll context;")
			return
		}
		c, ok := s.contexts[req.PIT.ID]
		if !ok || c.kind != "pit" {
			s.mu.Unlock()
			s.searchContextMissing(w, req.PIT.ID)
			return
		}
		snaps = c.snap
		pitID = req.PIT.ID
	} else {
		list, missing := s.resolve(target, false)
		if missing != "" {
			s.mu.Unlock()
			s.writeIndexNotFound(w, missing)
			return
		}
		for _, ix := range list {
			snaps = append(snaps, snapshot{ix: ix, n: len(ix.docs)})
		}
	}
	for _, sn := range snaps {
		if sn.ix.closed {
			s.mu.Unlock()
			s.badRequest(w, "index_closed_exception", "closed")
			return
		}
		if scroll != "" {
			if size > sn.ix.maxResultWindow {
				s.mu.Unlock()
				s.windowError(w, sn.ix, fmt.Sprintf("Batch size is too large, size must be less than or equal to: [%d] but was [%d]. Scroll batch sizes cost as much memory as result windows so they are controlled by the [index.max_result_window] index level setting.", sn.ix.maxResultWindow, size))
				return
			}
		} else if from+size > sn.ix.maxResultWindow {
			s.mu.Unlock()
			s.windowError(w, sn.ix, fmt.Sprintf("Result window is too large, from + size must be less than or equal to: [%d] but was [%d]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.", sn.ix.maxResultWindow, from+size))
			return
		}
	}
	s.mu.Unlock()

	// Elasticsearch (7.12+) adds an implicit _shard_doc tie-breaker to
	// searches with a point in time; OpenSearch does not.
	if pitID != "" && s.isES() {
		has := false
		for _, k := range keys {
			has = has || k.field == "_shard_doc"
		}
		if !has {
			if len(keys) == 0 {
				keys = []sortKey{{field: "_score", desc: true}}
			}
			keys = append(keys, sortKey{field: "_shard_doc"})
		}
	}
	explicitSort := len(keys) > 0
	if !explicitSort {
		keys = []sortKey{{field: "_score", desc: true}, {field: "_doc"}}
	}
	refs := s.ranked(snaps, qp, keys)
	if sliceMax > 1 {
		refs = sliceHits(refs, sliceID, sliceMax)
	}
	total := len(refs)

	if len(req.SearchAfter) > 0 {
		after, err := parseAfter(req.SearchAfter, keys)
		if err != nil {
			s.badRequest(w, "illegal_argument_exception", err.Error())
			return
		}
		i := sort.Search(len(refs), func(i int) bool { return compareToAfter(refs[i], keys, after) > 0 })
		refs = refs[i:]
	}
	if from > len(refs) {
		from = len(refs)
	}
	refs = refs[from:]

	var scrollID string
	if scroll != "" {
		scrollID = "FGluY2x1ZGVfY29udGV4dF91dWlk" + newID(18)
		c := &searchContext{kind: "scroll", snap: snaps, order: refs, size: size}
		s.mu.Lock()
		s.contexts[scrollID] = c
		s.mu.Unlock()
	}
	if size < len(refs) {
		refs = refs[:size]
	}
	if scrollID != "" {
		s.mu.Lock()
		s.contexts[scrollID].pos = len(refs)
		s.mu.Unlock()
	}
	if qp.hasSeed && qp.field == "" && s.isES() {
		w.Header().Add("Warning", `299 Elasticsearch-`+s.cfg.Version+` "As of version 7.0 Elasticsearch will require that a [field] parameter is provided when a [seed] is set"`)
	}
	track := string(req.TrackTotalHits)
	s.writeJSON(w, http.StatusOK, s.renderHits(refs, total, track, keys, explicitSort, qp, pitID, scrollID))
}

// rank orders every document of the snapshots by the sort keys.
func rank(snaps []snapshot, qp queryPlan, keys []sortKey, salt uint64) []hitRef {
	n := 0
	for _, sn := range snaps {
		n += sn.n
	}
	refs := make([]hitRef, 0, n)
	for si, sn := range snaps {
		for i := 0; i < sn.n; i++ {
			refs = append(refs, hitRef{ix: sn.ix, doc: i, gdoc: int64(si)<<32 | int64(i), score: qp.score(sn.ix, i, salt)})
		}
	}
	sort.SliceStable(refs, func(i, j int) bool { return less(refs[i], refs[j], keys) })
	return refs
}

func less(a, b hitRef, keys []sortKey) bool {
	for _, k := range keys {
		c := compareKey(a, b, k)
		if c != 0 {
			return c < 0
		}
	}
	return false
}

func compareKey(a, b hitRef, k sortKey) int {
	var c int
	switch k.field {
	case "_score":
		c = cmpF(a.score, b.score)
	default:
		c = cmpI(a.gdoc, b.gdoc)
	}
	if k.desc {
		c = -c
	}
	return c
}

func cmpF(a, b float32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpI(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

type afterValue struct {
	f float64
}

func parseAfter(raw []json.RawMessage, keys []sortKey) ([]afterValue, error) {
	if len(raw) != len(keys) {
		return nil, fmt.Errorf("search_after has %d value(s) but sort has %d.", len(raw), len(keys))
	}
	out := make([]afterValue, len(raw))
	for i, r := range raw {
		f, err := strconv.ParseFloat(strings.Trim(string(r), `"`), 64)
		if err != nil {
			return nil, fmt.Errorf("Failed to parse search_after value for field [%s].", keys[i].field)
		}
		out[i] = afterValue{f: f}
	}
	return out, nil
}

// compareToAfter compares a hit to the search_after values in sort order
// (>0: the hit comes after them).
func compareToAfter(h hitRef, keys []sortKey, after []afterValue) int {
	for i, k := range keys {
		var c int
		switch k.field {
		case "_score":
			c = cmpF(h.score, float32(after[i].f))
		default:
			c = cmpI(h.gdoc, int64(after[i].f))
		}
		if k.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func formatScore(f float32) string {
	return strconv.FormatFloat(float64(f), 'g', -1, 32)
}

// renderHits writes a search response by hand so that stored sources are
// copied as they are.
func (s *Server) renderHits(refs []hitRef, total int, track string, keys []sortKey, explicitSort bool, qp queryPlan, pitID, scrollID string) []byte {
	var b bytes.Buffer
	b.Grow(len(refs) * 512)
	b.WriteByte('{')
	if scrollID != "" {
		b.WriteString(`"_scroll_id":`)
		writeStr(&b, scrollID)
		b.WriteByte(',')
	}
	if pitID != "" {
		b.WriteString(`"pit_id":`)
		writeStr(&b, pitID)
		b.WriteByte(',')
	}
	b.WriteString(`"took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"hits":{`)
	switch {
	case track == "false":
	case track == "true":
		fmt.Fprintf(&b, `"total":{"value":%d,"relation":"eq"},`, total)
	default:
		limit := 10000
		if n, err := strconv.Atoi(track); err == nil {
			limit = n
		}
		if total > limit {
			fmt.Fprintf(&b, `"total":{"value":%d,"relation":"gte"},`, limit)
		} else {
			fmt.Fprintf(&b, `"total":{"value":%d,"relation":"eq"},`, total)
		}
	}
	scored := !explicitSort || keys[0].field == "_score"
	b.WriteString(`"max_score":`)
	if scored && len(refs) > 0 && !explicitSort {
		b.WriteString(formatScore(refs[0].score))
	} else {
		b.WriteString("null")
	}
	b.WriteString(`,"hits":[`)
	for i, h := range refs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"_index":`)
		writeStr(&b, h.ix.name)
		if s.cfg.Flavor == ES7 {
			b.WriteString(`,"_type":"_doc"`)
		}
		b.WriteString(`,"_id":`)
		writeStr(&b, h.ix.docs[h.doc].id)
		b.WriteString(`,"_score":`)
		if scored {
			b.WriteString(formatScore(h.score))
		} else {
			b.WriteString("null")
		}
		if src := h.ix.docs[h.doc].source; src != nil && !qp.noSource {
			b.WriteString(`,"_source":`)
			b.Write(src)
		}
		if explicitSort {
			b.WriteString(`,"sort":[`)
			for j, k := range keys {
				if j > 0 {
					b.WriteByte(',')
				}
				if k.field == "_score" {
					b.WriteString(formatScore(h.score))
				} else {
					b.WriteString(strconv.FormatInt(h.gdoc, 10))
				}
			}
			b.WriteByte(']')
		}
		b.WriteByte('}')
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}

func writeStr(b *bytes.Buffer, s string) {
	q, _ := json.Marshal(s)
	b.Write(q)
}

// handleScroll follows the scroll API (POST /_search/scroll with
// {"scroll":"1m","scroll_id":"..."}; the id may also come as ?scroll_id=).
func (s *Server) handleScroll(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		Scroll   string `json:"scroll"`
		ScrollID string `json:"scroll_id"`
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			s.badRequest(w, "parsing_exception", "request body is malformed")
			return
		}
	}
	if req.ScrollID == "" {
		req.ScrollID = r.URL.Query().Get("scroll_id")
	}
	if req.ScrollID == "" {
		s.badRequest(w, "action_request_validation_exception", "Validation Failed: 1: scrollId is missing;")
		return
	}
	s.mu.Lock()
	c, ok := s.contexts[req.ScrollID]
	if !ok || c.kind != "scroll" {
		s.mu.Unlock()
		s.searchContextMissing(w, req.ScrollID)
		return
	}
	end := c.pos + c.size
	if end > len(c.order) {
		end = len(c.order)
	}
	page := c.order[c.pos:end]
	c.pos = end
	total := len(c.order) + 0
	s.mu.Unlock()
	keys := []sortKey{{field: "_score", desc: true}}
	s.writeJSON(w, http.StatusOK, s.renderHits(page, total, "true", keys, false, queryPlan{random: true}, "", req.ScrollID))
}

// handleClearScroll follows the clear scroll API (DELETE /_search/scroll
// with {"scroll_id": id or [ids]}, or the id in the path, or _all):
// {"succeeded": true, "num_freed": n}; 404 with num_freed 0 when none existed.
func (s *Server) handleClearScroll(w http.ResponseWriter, body []byte, pathIDs string) {
	var ids []string
	if len(bytes.TrimSpace(body)) > 0 {
		var req struct {
			ScrollID json.RawMessage `json:"scroll_id"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			s.badRequest(w, "parsing_exception", "request body is malformed")
			return
		}
		var one string
		if json.Unmarshal(req.ScrollID, &one) == nil {
			ids = append(ids, one)
		} else {
			_ = json.Unmarshal(req.ScrollID, &ids)
		}
	}
	if pathIDs != "" {
		ids = append(ids, strings.Split(pathIDs, ",")...)
	}
	freed := 0
	s.mu.Lock()
	for _, id := range ids {
		if id == "_all" {
			for k, c := range s.contexts {
				if c.kind == "scroll" {
					delete(s.contexts, k)
					freed++
				}
			}
			continue
		}
		if c, ok := s.contexts[id]; ok && c.kind == "scroll" {
			delete(s.contexts, id)
			freed++
		}
	}
	s.mu.Unlock()
	status := http.StatusOK
	if freed == 0 {
		status = s.emptyCloseStatus()
	}
	s.writeJSON(w, status, map[string]any{"succeeded": true, "num_freed": freed})
}

// handleOpenPIT follows the open point in time APIs: Elasticsearch
// POST /<index>/_pit?keep_alive= answers {"id": "...", "_shards": {...}}
// (8.x; 7.17 answers only the id); OpenSearch POST
// /<index>/_search/point_in_time?keep_alive= answers {"pit_id", "_shards",
// "creation_time"}. keep_alive is required.
func (s *Server) handleOpenPIT(w http.ResponseWriter, r *http.Request, target string) {
	if r.URL.Query().Get("keep_alive") == "" {
		if s.isES() {
			s.badRequest(w, "action_request_validation_exception", "Validation Failed: 1: [keep_alive] is not specified;")
		} else {
			s.badRequest(w, "illegal_argument_exception", "Keep alive cannot be empty")
		}
		return
	}
	s.mu.Lock()
	list, missing := s.resolve(target, false)
	if missing != "" {
		s.mu.Unlock()
		s.writeIndexNotFound(w, missing)
		return
	}
	c := &searchContext{kind: "pit"}
	for _, ix := range list {
		c.snap = append(c.snap, snapshot{ix: ix, n: len(ix.docs)})
	}
	id := newID(60)
	s.contexts[id] = c
	s.mu.Unlock()
	switch s.cfg.Flavor {
	case ES7:
		s.writeJSON(w, http.StatusOK, map[string]any{"id": id})
	case ES8:
		s.writeJSON(w, http.StatusOK, map[string]any{"id": id, "_shards": oneShard})
	default:
		s.writeJSON(w, http.StatusOK, map[string]any{"pit_id": id, "_shards": oneShard, "creation_time": 1732525200000})
	}
}

// emptyCloseStatus is the status of closing a point in time or scroll that
// freed nothing: 404 until Elasticsearch 8.8 (and on OpenSearch), 200 since.
func (s *Server) emptyCloseStatus() int {
	var major, minor int
	_, _ = fmt.Sscanf(s.cfg.Version, "%d.%d", &major, &minor)
	if s.isES() && (major > 8 || major == 8 && minor >= 8) {
		return http.StatusOK
	}
	return http.StatusNotFound
}

// handleListPITs follows OpenSearch's GET /_search/point_in_time/_all:
// {"pits": [{"pit_id", "creation_time", "keep_alive"}]}.
func (s *Server) handleListPITs(w http.ResponseWriter) {
	s.mu.Lock()
	pits := []any{}
	for id, c := range s.contexts {
		if c.kind == "pit" {
			pits = append(pits, map[string]any{"pit_id": id, "creation_time": 1732525200000, "keep_alive": 60000})
		}
	}
	s.mu.Unlock()
	s.writeJSON(w, http.StatusOK, map[string]any{"pits": pits})
}

// handleClosePIT follows the close point in time APIs: Elasticsearch
// DELETE /_pit {"id": "..."} answers {"succeeded": true, "num_freed": n}
// (404 when nothing was freed); OpenSearch DELETE /_search/point_in_time
// {"pit_id": id or ["..."]} (or /_all) answers {"pits": [{"successful": true,
// "pit_id": "..."}]}.
func (s *Server) handleClosePIT(w http.ResponseWriter, body []byte, all bool) {
	if s.isES() {
		var req struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.ID == "" {
			s.badRequest(w, "action_request_validation_exception", "Validation Failed: 1: point in time id is not specified;")
			return
		}
		s.mu.Lock()
		_, ok := s.contexts[req.ID]
		delete(s.contexts, req.ID)
		s.mu.Unlock()
		if !ok {
			s.writeJSON(w, s.emptyCloseStatus(), map[string]any{"succeeded": true, "num_freed": 0})
			return
		}
		s.writeJSON(w, http.StatusOK, map[string]any{"succeeded": true, "num_freed": 1})
		return
	}
	var req struct {
		PitID json.RawMessage `json:"pit_id"`
	}
	var ids []string
	if all {
		s.mu.Lock()
		for id, c := range s.contexts {
			if c.kind == "pit" {
				ids = append(ids, id)
			}
		}
		s.mu.Unlock()
	} else {
		if err := json.Unmarshal(body, &req); err != nil || len(req.PitID) == 0 {
			s.badRequest(w, "illegal_argument_exception", "Pit Id cannot be empty")
			return
		}
		var one string
		if json.Unmarshal(req.PitID, &one) == nil {
			ids = []string{one}
		} else if json.Unmarshal(req.PitID, &ids) != nil || len(ids) == 0 {
			s.badRequest(w, "illegal_argument_exception", "Pit Id cannot be empty")
			return
		}
	}
	pits := []any{}
	s.mu.Lock()
	for _, id := range ids {
		_, ok := s.contexts[id]
		delete(s.contexts, id)
		pits = append(pits, map[string]any{"successful": ok, "pit_id": id})
	}
	s.mu.Unlock()
	s.writeJSON(w, http.StatusOK, map[string]any{"pits": pits})
}

// ranked returns the ordered hits of a search, from a small cache when the
// order is deterministic (seeded or not random), as repeated pages of one
// sample ask for the same order again.
func (s *Server) ranked(snaps []snapshot, qp queryPlan, keys []sortKey) []hitRef {
	salt := s.reqSeq.Add(1)
	if qp.random && !qp.hasSeed {
		return rank(snaps, qp, keys, salt)
	}
	var kb strings.Builder
	for _, sn := range snaps {
		fmt.Fprintf(&kb, "%p/%d,", sn.ix, sn.n)
	}
	fmt.Fprintf(&kb, "|%v|%s|%s|%v", qp.random, qp.seed, qp.field, keys)
	key := kb.String()
	s.rankMu.Lock()
	defer s.rankMu.Unlock()
	for _, e := range s.rankCache {
		if e.key == key {
			return e.refs
		}
	}
	refs := rank(snaps, qp, keys, salt)
	s.rankCache = append(s.rankCache, rankEntry{key: key, refs: refs})
	if len(s.rankCache) > 4 {
		s.rankCache = s.rankCache[1:]
	}
	return refs
}

type rankEntry struct {
	key  string
	refs []hitRef
}

// sliceHits keeps the hits of slice id of max. Elasticsearch splits a
// sliced search first by shard, then within a shard by a hash of the _id
// term, floorMod(murmur3(_id), max); this server has one shard per index,
// so the slice of a document is floorMod(murmur3_x86_32(_id, 7919), max),
// the same for every request: the slices partition the documents.
func sliceHits(refs []hitRef, id, max int) []hitRef {
	out := make([]hitRef, 0, len(refs)/max+1)
	for _, h := range refs {
		if SliceOf(h.ix.docs[h.doc].id, max) == id {
			out = append(out, h)
		}
	}
	return out
}

// SliceOf is the slice of max that the document with this _id is in.
func SliceOf(docID string, max int) int {
	h := int32(murmur3([]byte(docID), 7919))
	m := int32(max)
	return int(((h % m) + m) % m)
}

// murmur3 is MurmurHash3 x86 32-bit, as Lucene's StringHelper computes it.
func murmur3(data []byte, seed uint32) uint32 {
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	h := seed
	n := len(data) / 4 * 4
	for i := 0; i < n; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= c1
		k = k<<15 | k>>17
		k *= c2
		h ^= k
		h = h<<13 | h>>19
		h = h*5 + 0xe6546b64
	}
	var k uint32
	switch len(data) & 3 {
	case 3:
		k = uint32(data[n+2]) << 16
		fallthrough
	case 2:
		k |= uint32(data[n+1]) << 8
		fallthrough
	case 1:
		k |= uint32(data[n])
		k *= c1
		k = k<<15 | k>>17
		k *= c2
		h ^= k
	}
	h ^= uint32(len(data))
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}
