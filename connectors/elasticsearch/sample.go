package elasticsearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/piisniff/piisniff/connectors"
)

const (
	defaultPageSize = 1000
	keepAlive       = "1m"
	scrollKeepAlive = time.Minute
	scoreSort       = `[{"_score":{"order":"desc"}}]`
)

// searchBody is a _search request body.
type searchBody struct {
	Size           int             `json:"size"`
	Query          json.RawMessage `json:"query"`
	Sort           json.RawMessage `json:"sort,omitempty"`
	PIT            *pitRef         `json:"pit,omitempty"`
	SearchAfter    json.RawMessage `json:"search_after,omitempty"`
	TrackTotalHits bool            `json:"track_total_hits"`
	Slice          *sliceRef       `json:"slice,omitempty"`
}

// sliceRef is the documented slice of a sliced scroll or point in time.
type sliceRef struct {
	ID  int `json:"id"`
	Max int `json:"max"`
}

type pitRef struct {
	ID        string `json:"id"`
	KeepAlive string `json:"keep_alive"`
}

// searchMeta is what the sampler reads of a search answer besides hits.
type searchMeta struct {
	ScrollID string `json:"_scroll_id"`
	PitID    string `json:"pit_id"`
	TimedOut bool   `json:"timed_out"`
	Shards   struct {
		Total  int `json:"total"`
		Failed int `json:"failed"`
	} `json:"_shards"`
}

// searchResponse is the part of the documented search answer the sampler
// reads, with each _source kept raw.
type searchResponse struct {
	searchMeta
	Hits struct {
		Total json.RawMessage `json:"total"` // {"value","relation"}, or a number before 7.0
		Hits  []hit           `json:"hits"`
	} `json:"hits"`
}

type hit struct {
	Index  string          `json:"_index"`
	ID     string          `json:"_id"`
	Source json.RawMessage `json:"_source"`
	Sort   json.RawMessage `json:"sort"`

	doc     map[string]any // set when decoded with the page
	decoded bool
}

// decodedResponse is the same answer with every _source decoded in the
// same pass (json.Number for numbers).
type decodedResponse struct {
	searchMeta
	Hits struct {
		Total json.RawMessage `json:"total"`
		Hits  []struct {
			Index  string          `json:"_index"`
			ID     string          `json:"_id"`
			Source map[string]any  `json:"_source"`
			Sort   json.RawMessage `json:"sort"`
		} `json:"hits"`
	} `json:"hits"`
}

// decodePage decodes a search answer. When the whole page is within the
// document size bound, no document can exceed it, and the sources are
// decoded in the same pass as the page; otherwise (or when that fails)
// each source is kept raw and checked and decoded on its own.
func decodePage(body []byte, maxDocBytes int64) (*searchResponse, error) {
	if maxDocBytes <= 0 || int64(len(body)) <= maxDocBytes {
		var dr decodedResponse
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		if d.Decode(&dr) == nil {
			sr := &searchResponse{searchMeta: dr.searchMeta}
			sr.Hits.Total = dr.Hits.Total
			sr.Hits.Hits = make([]hit, len(dr.Hits.Hits))
			for i, h := range dr.Hits.Hits {
				sr.Hits.Hits[i] = hit{Index: h.Index, ID: h.ID, Sort: h.Sort, doc: h.Source, decoded: true}
			}
			return sr, nil
		}
	}
	var sr searchResponse
	if err := json.Unmarshal(body, &sr); err != nil {
		return nil, err
	}
	return &sr, nil
}

// exactTotal reads hits.total when it is exact.
func exactTotal(raw json.RawMessage) (int64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	var t struct {
		Value    int64  `json:"value"`
		Relation string `json:"relation"`
	}
	if json.Unmarshal(raw, &t) == nil && t.Relation != "" {
		return t.Value, t.Relation == "eq"
	}
	var n int64
	if json.Unmarshal(raw, &n) == nil {
		return n, true
	}
	return 0, false
}

// randomQuery is function_score with random_score: seeded, on _seq_no where
// the cluster supports a field (7.0+), with the random score as the score.
func (c *Connector) randomQuery(seed int64) json.RawMessage {
	rs := `{"seed":` + strconv.FormatInt(seed, 10)
	if c.seqNoField() {
		rs += `,"field":"_seq_no"`
	}
	rs += `}`
	return json.RawMessage(`{"function_score":{"query":{"match_all":{}},"random_score":` + rs + `,"boost_mode":"replace"}}`)
}

var errNoPIT = errors.New("no point in time API")

type sampler struct {
	c       *Connector
	h       *handle
	opts    connectors.SampleOptions
	emit    func(connectors.Document) error
	res     *connectors.SampleResult
	query   json.RawMessage
	emitted int
	seen    map[string]struct{} // dedup across pages when ties may repeat hits
	noted   map[string]bool
	ctx     context.Context
	slice   *sliceRef // a sharded full scan's slice, or nil
}

// Sample draws up to opts.Size documents at random (function_score with
// random_score and opts.Seed), paged with a point in time and search_after
// where the cluster has them and with scroll otherwise. The point in time or
// scroll is cleared before returning, on error paths too.
func (c *Connector) Sample(ctx context.Context, ct connectors.Container, opts connectors.SampleOptions, emit func(connectors.Document) error) (connectors.SampleResult, error) {
	res := connectors.SampleResult{TotalDocuments: -1}
	if c.infoErr != nil {
		return res, c.infoErr
	}
	h, _ := ct.Handle.(*handle)
	if h == nil {
		h = &handle{target: ct.Name}
	}
	s := &sampler{c: c, h: h, opts: opts, emit: emit, res: &res, query: c.randomQuery(opts.Seed), noted: map[string]bool{}, ctx: ctx}
	if !opts.Slice.Whole() {
		s.slice = &sliceRef{ID: opts.Slice.Index, Max: opts.Slice.Count}
		res.Notes = append(res.Notes, fmt.Sprintf("slice %d of %d of a sliced search", opts.Slice.Index, opts.Slice.Count))
	}
	if c.hasPIT() {
		res.Method = "random_score+pit"
		if c.kind == KindOpenSearch {
			// no implicit tie-breaker on OpenSearch: equal scores may repeat
			// across pages
			s.seen = map[string]struct{}{}
		}
		err := s.withPIT(ctx)
		if !errors.Is(err, errNoPIT) {
			return res, err
		}
		res.Notes = append(res.Notes, "the point in time API was not available ("+err.Error()+"): sampled with scroll")
	}
	res.Method = "random_score+scroll"
	s.seen = nil
	return res, s.withScroll(ctx)
}

func (s *sampler) want() int { return s.opts.Size }

func (s *sampler) pageSize() int {
	p := defaultPageSize
	if w := s.want(); w > 0 && w-s.emitted < p {
		p = w - s.emitted
	}
	s.c.mu.Lock()
	if w, ok := s.c.window[s.h.target]; ok && w < p {
		p = w
	}
	s.c.mu.Unlock()
	return max(p, 1)
}

func (s *sampler) setWindow(n int) {
	s.c.mu.Lock()
	s.c.window[s.h.target] = n
	s.c.mu.Unlock()
	if !s.noted["window"] {
		s.noted["window"] = true
		s.res.Notes = append(s.res.Notes, fmt.Sprintf("index.max_result_window is %d: pages were shrunk to fit it", n))
	}
}

// search sends one search-like request and decodes the answer. It returns
// the max_result_window limit instead when the cluster refused the page size.
func (s *sampler) search(ctx context.Context, op string, fn func(context.Context, esapi.Transport) (*esapi.Response, error)) (*searchResponse, int, error) {
	r, err := s.c.call(ctx, s.c.cl, op, fn)
	if err != nil {
		return nil, 0, err
	}
	if r.Status != http.StatusOK {
		if r.Status == http.StatusBadRequest {
			if _, reason := errorInfo(r.Body); reason != "" {
				if n, ok := windowLimit(reason); ok {
					return nil, n, nil
				}
			}
		}
		return nil, 0, s.c.apiError("sample "+s.h.target+" ("+op+")", r, false)
	}
	sr, err := decodePage(r.Body, s.c.opts.MaxDocumentBytes)
	if err != nil {
		return nil, 0, fmt.Errorf("sample %s (%s): unexpected answer: %w", s.h.target, op, err)
	}
	return sr, 0, nil
}

// take emits the hits of one page. done is true when the sample is complete.
func (s *sampler) take(sr *searchResponse, first bool) (done bool, err error) {
	if first {
		if n, ok := exactTotal(sr.Hits.Total); ok {
			s.res.TotalDocuments = n
		}
	}
	if sr.Shards.Failed > 0 && !s.noted["shards"] {
		s.noted["shards"] = true
		s.res.Notes = append(s.res.Notes, fmt.Sprintf("%d of %d shards failed to answer: the sample misses their documents", sr.Shards.Failed, sr.Shards.Total))
	}
	if sr.TimedOut && !s.noted["timeout"] {
		s.noted["timeout"] = true
		s.res.Notes = append(s.res.Notes, "a search timed out on the cluster: pages may be partial")
	}
	maxBytes := s.c.opts.MaxDocumentBytes
	for i := range sr.Hits.Hits {
		if w := s.want(); w > 0 && s.emitted >= w {
			return true, nil
		}
		if err := s.ctx.Err(); err != nil {
			return true, err
		}
		h := &sr.Hits.Hits[i]
		if s.seen != nil {
			k := h.Index + "\x00" + h.ID
			if _, dup := s.seen[k]; dup {
				continue
			}
			s.seen[k] = struct{}{}
		}
		s.emitted++
		if h.decoded {
			if h.doc == nil {
				s.skipNoSource()
				continue
			}
			if err := s.emit(connectors.Document{Fields: h.doc}); err != nil {
				return true, err
			}
			continue
		}
		src := h.Source
		if len(src) == 0 || string(src) == "null" {
			s.skipNoSource()
			continue
		}
		if maxBytes > 0 && int64(len(src)) > maxBytes {
			s.res.Skip("document too large")
			continue
		}
		d := json.NewDecoder(bytes.NewReader(src))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil || m == nil {
			s.res.Skip("invalid JSON")
			continue
		}
		if err := s.emit(connectors.Document{Fields: m, Size: len(src)}); err != nil {
			return true, err
		}
	}
	if w := s.want(); w > 0 && s.emitted >= w {
		return true, nil
	}
	return false, nil
}

func (s *sampler) skipNoSource() {
	s.res.Skip("_source disabled")
	if !s.noted["source"] {
		s.noted["source"] = true
		s.res.Notes = append(s.res.Notes, "documents have no _source (disabled in the mapping): they cannot be read back and were counted as skipped")
	}
}

// cleanupCtx outlives a cancelled scan so that contexts are still cleared.
func (s *sampler) cleanupCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), s.c.opts.RequestTimeout)
}

func (s *sampler) withPIT(ctx context.Context) (err error) {
	id, err := s.openPIT(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := s.closePIT(ctx, id); cerr != nil && err == nil {
			s.res.Notes = append(s.res.Notes, "the point in time could not be closed (it expires after "+keepAlive+"): "+cerr.Error())
		}
	}()
	var after json.RawMessage
	first := true
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page := s.pageSize()
		b, _ := json.Marshal(searchBody{Size: page, Query: s.query, Sort: json.RawMessage(scoreSort),
			PIT: &pitRef{ID: id, KeepAlive: keepAlive}, SearchAfter: after, TrackTotalHits: first, Slice: s.slice})
		sr, limit, err := s.search(ctx, "POST /_search", func(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
			return esapi.SearchRequest{Body: bytes.NewReader(b)}.Do(ctx, t)
		})
		if err != nil {
			return err
		}
		if limit > 0 {
			if limit >= page {
				return fmt.Errorf("sample %s: the cluster refused a page of %d documents (limit %d)", s.h.target, page, limit)
			}
			s.setWindow(limit)
			continue
		}
		if sr.PitID != "" {
			id = sr.PitID // always continue with the newest id
		}
		done, err := s.take(sr, first)
		if err != nil || done {
			return err
		}
		first = false
		hits := sr.Hits.Hits
		if len(hits) < page || len(hits) == 0 {
			return nil
		}
		after = hits[len(hits)-1].Sort
		if len(after) == 0 {
			return fmt.Errorf("sample %s: the cluster returned no sort values to page with", s.h.target)
		}
	}
}

func (s *sampler) openPIT(ctx context.Context) (string, error) {
	var r *response
	var err error
	op := "POST /" + s.h.target + "/_pit"
	if s.c.kind == KindOpenSearch {
		op = "POST /" + s.h.target + "/_search/point_in_time"
		r, err = s.c.call(ctx, s.c.cl, op, raw(http.MethodPost, "/"+s.h.target+"/_search/point_in_time?keep_alive="+keepAlive, nil))
	} else {
		r, err = s.c.call(ctx, s.c.cl, op, func(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
			return esapi.OpenPointInTimeRequest{Index: []string{s.h.target}, KeepAlive: keepAlive}.Do(ctx, t)
		})
	}
	if err != nil {
		return "", err
	}
	if r.Status != http.StatusOK {
		typ, _ := errorInfo(r.Body)
		switch {
		case typ == "index_not_found_exception":
		case r.Status == http.StatusBadRequest, r.Status == http.StatusNotFound, r.Status == http.StatusMethodNotAllowed,
			r.Status == http.StatusNotImplemented, r.Status == http.StatusForbidden:
			return "", fmt.Errorf("%w: %s answered HTTP %d", errNoPIT, op, r.Status)
		}
		return "", s.c.apiError("sample "+s.h.target+" ("+op+")", r, false)
	}
	var b struct {
		ID    string `json:"id"`
		PitID string `json:"pit_id"`
	}
	if err := json.Unmarshal(r.Body, &b); err != nil || b.ID == "" && b.PitID == "" {
		return "", fmt.Errorf("%w: %s answered without an id", errNoPIT, op)
	}
	if b.PitID != "" {
		return b.PitID, nil
	}
	return b.ID, nil
}

func (s *sampler) closePIT(ctx context.Context, id string) error {
	ctx, cancel := s.cleanupCtx(ctx)
	defer cancel()
	var r *response
	var err error
	if s.c.kind == KindOpenSearch {
		b, _ := json.Marshal(map[string]any{"pit_id": []string{id}})
		r, err = s.c.call(ctx, s.c.cl, "DELETE /_search/point_in_time", raw(http.MethodDelete, "/_search/point_in_time", b))
	} else {
		b, _ := json.Marshal(map[string]any{"id": id})
		r, err = s.c.call(ctx, s.c.cl, "DELETE /_pit", func(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
			return esapi.ClosePointInTimeRequest{Body: bytes.NewReader(b)}.Do(ctx, t)
		})
	}
	if err != nil {
		return err
	}
	if r.Status/100 != 2 && r.Status != http.StatusNotFound {
		return s.c.apiError("close point in time", r, false)
	}
	return nil
}

func (s *sampler) withScroll(ctx context.Context) (err error) {
	ids := map[string]bool{}
	var order []string
	defer func() {
		if len(order) == 0 {
			return
		}
		if cerr := s.clearScroll(ctx, order); cerr != nil && err == nil {
			s.res.Notes = append(s.res.Notes, "the scroll could not be cleared (it expires after 1m): "+cerr.Error())
		}
	}()
	remember := func(id string) {
		if id != "" && !ids[id] {
			ids[id] = true
			order = append(order, id)
		}
	}
	var sr *searchResponse
	for {
		page := s.pageSize()
		b, _ := json.Marshal(searchBody{Size: page, Query: s.query, TrackTotalHits: true, Slice: s.slice})
		var limit int
		sr, limit, err = s.search(ctx, "POST /"+s.h.target+"/_search?scroll", func(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
			return esapi.SearchRequest{Index: []string{s.h.target}, Body: bytes.NewReader(b), Scroll: scrollKeepAlive}.Do(ctx, t)
		})
		if err != nil {
			return err
		}
		if limit > 0 {
			if limit >= page {
				return fmt.Errorf("sample %s: the cluster refused a page of %d documents (limit %d)", s.h.target, page, limit)
			}
			s.setWindow(limit)
			continue
		}
		break
	}
	first := true
	for {
		remember(sr.ScrollID)
		done, err := s.take(sr, first)
		if err != nil || done || len(sr.Hits.Hits) == 0 {
			return err
		}
		first = false
		if err := ctx.Err(); err != nil {
			return err
		}
		if sr.ScrollID == "" {
			return fmt.Errorf("sample %s: the cluster returned no scroll id", s.h.target)
		}
		b, _ := json.Marshal(map[string]string{"scroll": "1m", "scroll_id": sr.ScrollID})
		var limit int
		sr, limit, err = s.search(ctx, "POST /_search/scroll", func(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
			return esapi.ScrollRequest{Body: bytes.NewReader(b)}.Do(ctx, t)
		})
		if err != nil {
			return err
		}
		if limit > 0 {
			return fmt.Errorf("sample %s: the cluster refused the next scroll page (limit %d)", s.h.target, limit)
		}
	}
}

func (s *sampler) clearScroll(ctx context.Context, ids []string) error {
	ctx, cancel := s.cleanupCtx(ctx)
	defer cancel()
	b, _ := json.Marshal(map[string]any{"scroll_id": ids})
	r, err := s.c.call(ctx, s.c.cl, "DELETE /_search/scroll", func(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
		return esapi.ClearScrollRequest{Body: bytes.NewReader(b)}.Do(ctx, t)
	})
	if err != nil {
		return err
	}
	if r.Status/100 != 2 && r.Status != http.StatusNotFound {
		return s.c.apiError("clear scroll", r, false)
	}
	return nil
}

var _ connectors.Slicer = (*Connector)(nil)

// CanSlice: every index, alias or data stream can be read in slices, with
// a sliced point in time or scroll ("slice": {"id", "max"}); the cluster
// splits the documents by shard and by a hash of _id.
func (c *Connector) CanSlice(connectors.Container) bool { return true }
