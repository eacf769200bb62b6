package elasticsearch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/piisniff/piisniff/connectors"
)

// handle is the connector-private state of a container.
type handle struct {
	target         string // what _search and _pit are sent to
	dataStream     bool
	sourceDisabled bool
}

// Containers lists the open indices and data streams that pass the
// Options.Containers filter (matched against the index or data stream name
// and against its aliases), with document counts and mapping field types.
func (c *Connector) Containers(ctx context.Context) ([]connectors.Container, error) {
	if c.infoErr != nil {
		return nil, c.infoErr
	}
	if err := c.opts.Containers.Validate(); err != nil {
		return nil, err
	}
	expand := "open,closed"
	if c.opts.IncludeHidden {
		expand = "all"
	}
	res, err := c.call(ctx, c.cl, "GET /_cat/indices", func(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
		return esapi.CatIndicesRequest{Format: "json", ExpandWildcards: expand, H: []string{"health", "status", "index", "docs.count"}}.Do(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	if res.Status != http.StatusOK {
		return nil, c.apiError("list indices (GET /_cat/indices)", res, false)
	}
	rows, err := parseCatIndices(res.Body)
	if err != nil {
		return nil, err
	}

	aliases := c.aliases(ctx)
	streams := c.dataStreams(ctx)
	backing := map[string]string{}
	for ds, list := range streams {
		for _, b := range list {
			backing[b] = ds
		}
	}

	// excluded by name; included by name or by one of its aliases
	f := c.opts.Containers
	match := func(name string, alias []string) bool {
		if !(connectors.Filter{Exclude: f.Exclude}).Match(name) {
			return false
		}
		if len(f.Include) == 0 {
			return true
		}
		inc := connectors.Filter{Include: f.Include}
		if inc.Match(name) {
			return true
		}
		for _, a := range alias {
			if inc.Match(a) {
				return true
			}
		}
		return false
	}

	var out []connectors.Container
	var skipped []connectors.SkippedContainer
	for _, r := range rows {
		if _, ok := backing[r.Index]; ok {
			continue // scanned as its data stream
		}
		if strings.HasPrefix(r.Index, ".") && !c.opts.IncludeHidden {
			continue
		}
		if !match(r.Index, aliases[r.Index]) {
			continue
		}
		if r.Status == "close" {
			skipped = append(skipped, connectors.SkippedContainer{Name: r.Index, Reason: "the index is closed: it cannot be searched without opening it, which a read-only scan does not do"})
			continue
		}
		ct := connectors.Container{Name: r.Index, EstimatedDocuments: r.DocsCount, Handle: &handle{target: r.Index}}
		if len(aliases[r.Index]) > 0 {
			ct.Notes = append(ct.Notes, "aliases: "+strings.Join(aliases[r.Index], ", "))
		}
		if r.Health == "red" {
			ct.Notes = append(ct.Notes, "index health is red: some shards are unassigned, the sample covers the others only")
		}
		out = append(out, ct)
	}
	dsNames := make([]string, 0, len(streams))
	for ds := range streams {
		dsNames = append(dsNames, ds)
	}
	sort.Strings(dsNames)
	for _, ds := range dsNames {
		if strings.HasPrefix(ds, ".") && !c.opts.IncludeHidden {
			continue
		}
		if !match(ds, streams[ds]) {
			continue
		}
		n := c.count(ctx, ds)
		out = append(out, connectors.Container{
			Name: ds, EstimatedDocuments: n, Handle: &handle{target: ds, dataStream: true},
			Notes: []string{fmt.Sprintf("data stream with %d backing indices: %s", len(streams[ds]), strings.Join(streams[ds], ", "))},
		})
	}

	for i := range out {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h := out[i].Handle.(*handle)
		m, err := c.mapping(ctx, h.target)
		if err != nil {
			out[i].Notes = append(out[i].Notes, "mapping not read: "+err.Error())
			continue
		}
		out[i].FieldTypes = m.FieldTypes
		h.sourceDisabled = m.SourceDisabled
		if m.SourceDisabled {
			out[i].Notes = append(out[i].Notes, "_source is disabled in the mapping: documents cannot be read back, only mapped field types are reported")
		}
		if m.HasNested && !h.dataStream {
			// _cat/indices counts nested documents as documents
			if n := c.count(ctx, h.target); n >= 0 {
				out[i].EstimatedDocuments = n
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	c.mu.Lock()
	c.skipped = skipped
	c.mu.Unlock()
	return out, nil
}

// aliases maps index -> aliases from _cat/aliases; failures only lose the
// alias notes and alias matching.
func (c *Connector) aliases(ctx context.Context) map[string][]string {
	out := map[string][]string{}
	res, err := c.call(ctx, c.cl, "GET /_cat/aliases", func(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
		return esapi.CatAliasesRequest{Format: "json", H: []string{"alias", "index"}}.Do(ctx, t)
	})
	if err != nil || res.Status != http.StatusOK {
		c.opts.Logf("elasticsearch: aliases not listed")
		return out
	}
	var rows []struct {
		Alias string `json:"alias"`
		Index string `json:"index"`
	}
	if json.Unmarshal(res.Body, &rows) != nil {
		return out
	}
	for _, r := range rows {
		if r.Alias != "" && r.Index != "" {
			out[r.Index] = append(out[r.Index], r.Alias)
		}
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

// dataStreams maps data stream -> backing indices (GET /_data_stream, 7.9+;
// older clusters answer an error and have none).
func (c *Connector) dataStreams(ctx context.Context) map[string][]string {
	out := map[string][]string{}
	res, err := c.call(ctx, c.cl, "GET /_data_stream", func(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
		return esapi.IndicesGetDataStreamRequest{}.Do(ctx, t)
	})
	if err != nil || res.Status != http.StatusOK {
		return out
	}
	var body struct {
		DataStreams []struct {
			Name    string `json:"name"`
			Indices []struct {
				IndexName string `json:"index_name"`
			} `json:"indices"`
		} `json:"data_streams"`
	}
	if json.Unmarshal(res.Body, &body) != nil {
		return out
	}
	for _, ds := range body.DataStreams {
		for _, ix := range ds.Indices {
			out[ds.Name] = append(out[ds.Name], ix.IndexName)
		}
	}
	return out
}

// count is the exact document count of a target (-1 when it fails).
func (c *Connector) count(ctx context.Context, target string) int64 {
	res, err := c.call(ctx, c.cl, "GET /"+target+"/_count", func(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
		return esapi.CountRequest{Index: []string{target}}.Do(ctx, t)
	})
	if err != nil || res.Status != http.StatusOK {
		return -1
	}
	var b struct {
		Count int64 `json:"count"`
	}
	if json.Unmarshal(res.Body, &b) != nil {
		return -1
	}
	return b.Count
}

// mapping reads and merges the mappings of the indices behind target.
func (c *Connector) mapping(ctx context.Context, target string) (indexMapping, error) {
	op := "GET /" + target + "/_mapping"
	res, err := c.call(ctx, c.cl, op, func(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
		return esapi.IndicesGetMappingRequest{Index: []string{target}}.Do(ctx, t)
	})
	if err != nil {
		return indexMapping{}, err
	}
	if res.Status != http.StatusOK {
		return indexMapping{}, c.apiError(op, res, false)
	}
	all, err := parseMappings(res.Body)
	if err != nil {
		return indexMapping{}, err
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	list := make([]indexMapping, 0, len(names))
	for _, n := range names {
		list = append(list, all[n])
	}
	return mergeMappings(list...), nil
}
