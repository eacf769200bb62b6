// Package pipeline joins connectors and classifiers: it samples documents
// from each container, flattens them into (path, value) pairs, classifies
// them on a fixed pool of workers fed by bounded channels, aggregates per
// field and builds the report.
//
// The flattener also reads shapes connectors know nothing of (shapes.go):
// key/value pairs, whose value is reported under the name its sibling key
// holds ("attributes[name=billing_phone].value"; an entity-attribute-value
// row {meta_key, meta_value} from a SQL table is the same shape at the
// document's root: "[meta_key=billing_phone].meta_value"), and data inside
// strings (JSON, JWT claims, base64, query strings and form bodies, logfmt
// lines, HTTP header blocks), reported below the string's path with a
// marker of how it was reached ("payload<json>.email", "url<query>.email").
// The number of distinct names per path and the bytes decoded per document
// are bounded; strings that look encoded and do not decode are counted in
// the container's notes. DescribePath explains such a path.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/piisniff/piisniff/classifiers"
	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redact"
	"github.com/piisniff/piisniff/report"
)

// Config says how to scan.
type Config struct {
	Engine        *classifiers.Engine
	Workers       int     // classifier workers; default runtime.NumCPU()
	SampleSize    int     // per container; 0 = every document
	Seed          int64   // makes samples and examples reproducible
	MinConfidence float64 // findings below are not reported
	ShowData      bool    // unmasked examples (never for credentials)
	// MaxExamples is the number of examples kept per finding: 0 means
	// DefaultMaxExamples, NoExamples keeps none.
	MaxExamples int
	MaxDepth    int // flattening depth limit; default DefaultMaxDepth
	// TargetConcurrency bounds how many targets are scanned at once; the
	// containers of one target are bounded by Connector.Concurrency.
	TargetConcurrency int
	Connector         connectors.Options
	Progress          Progress
	Tool              report.Tool
	Settings          *report.Settings
	// Shard and Fingerprint make the report a shard report (see the report
	// package): both are copied into it, and every container carries its
	// merge state so that report merge can combine the shards.
	Shard       *report.ShardInfo
	Fingerprint string
	// PeopleSecret is mixed into the key of the people sketches
	// ($PIISNIFF_PEOPLE_KEY); every shard of a scan must use the same.
	PeopleSecret string
	// Ignore moves the findings it matches to the report's ignored section
	// before scoring; nil ignores nothing.
	Ignore *report.IgnoreFile
	// MaxInFlightBytes bounds the bytes of the documents read and not yet
	// classified (those whose connector says their size: Document.Size,
	// connectors.Sizer), over all targets and containers; 0 means
	// DefaultMaxInFlightBytes. A document larger than the bound is read
	// once the others are classified, alone.
	MaxInFlightBytes int64
}

// DefaultMaxInFlightBytes is Config.MaxInFlightBytes when it is 0: some
// four documents at the default --max-document-bytes (16 MiB), or
// thousands of the usual ones. The count of documents in flight is
// bounded too (the jobs channel), so the bound matters for big records.
const DefaultMaxInFlightBytes = 64 << 20

// DefaultMaxExamples is the number of examples kept per finding when
// Config.MaxExamples is 0.
const DefaultMaxExamples = 3

// NoExamples as Config.MaxExamples keeps no example at all.
const NoExamples = -1

// Progress receives scan progress. Implementations must be safe for
// concurrent use; Documents is called once per document.
type Progress interface {
	ContainersFound(target string, containers int, estimatedDocuments int64)
	Documents(n int)
	ContainerDone(target, container string, err error)
}

type noProgress struct{}

func (noProgress) ContainersFound(string, int, int64)  {}
func (noProgress) Documents(int)                       {}
func (noProgress) ContainerDone(string, string, error) {}

func (c *Config) defaults() {
	if c.Workers <= 0 {
		c.Workers = runtime.NumCPU()
	}
	switch {
	case c.MaxExamples == 0:
		c.MaxExamples = DefaultMaxExamples
	case c.MaxExamples < 0:
		c.MaxExamples = 0 // NoExamples
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = DefaultMaxDepth
	}
	if c.TargetConcurrency <= 0 {
		c.TargetConcurrency = 4
	}
	if c.MaxInFlightBytes <= 0 {
		c.MaxInFlightBytes = DefaultMaxInFlightBytes
	}
	if c.Progress == nil {
		c.Progress = noProgress{}
	}
	c.Connector = c.Connector.WithDefaults()
}

// Run scans every target and returns the report. It always returns a
// report: failures are recorded in it, and when ctx is cancelled the report
// holds what was scanned until then with Complete false.
func Run(ctx context.Context, targets []string, cfg Config) *report.Report {
	return RunTargets(ctx, Specs(targets), cfg)
}

// RunTargets scans targets that may each carry their own name, tags and
// options (a targets inventory), like Run. At most cfg.TargetConcurrency
// targets are open at once, whatever their number; a failing target is
// reported failed and the others go on.
func RunTargets(ctx context.Context, targets []TargetSpec, cfg Config) *report.Report {
	cfg.defaults()
	s := newScanner(cfg)
	started := time.Now().UTC()
	s.start()
	out := make([]report.Target, len(targets))
	sem := make(chan struct{}, cfg.TargetConcurrency)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = s.scanTarget(ctx, t)
		}()
	}
	wg.Wait()
	s.stop()

	r := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          cfg.Tool,
		StartedAt:     started,
		FinishedAt:    time.Now().UTC(),
		Targets:       out,
		Settings:      cfg.Settings,
		Shard:         cfg.Shard,
		Fingerprint:   cfg.Fingerprint,
	}
	if r.Tool.Name == "" {
		r.Tool.Name = "piisniff"
	}
	interrupted := ctx.Err() != nil
	if interrupted && r.Settings != nil {
		r.Settings.Interrupted = true
	}
	m := RiskModel(cfg.Engine)
	m.Ignore = cfg.Ignore
	report.Finish(r, m, interrupted)
	return r
}

// RiskModel is the report's risk model configured by the rules: weights,
// sensitivities, matrix, bands and combinations of their risk section.
func RiskModel(e *classifiers.Engine) report.RiskModel {
	combos := []report.CombinationRule{}
	for _, c := range e.Combinations() {
		combos = append(combos, report.CombinationRule{ID: c.ID, Name: c.Name, Requires: c.Requires, Boost: c.Boost, Sensitivity: report.SensVeryHigh})
	}
	spec := e.RiskModel()
	m := report.RiskModel{Weight: e.RiskWeight, Combinations: combos, Damping: spec.Damping,
		Sensitivity: func(category string) int { return nameIndex(report.SensitivityNames[:], e.Sensitivity(category)) }}
	if spec.Matrix != nil {
		mx := report.DefaultMatrix
		for s := report.SensLow; s <= report.SensVeryHigh; s++ {
			for x, exp := range report.ExposureLevelNames {
				if l := nameIndex(report.RiskLevelNames[:], spec.Matrix[report.SensitivityNames[s]][exp]); l > 0 {
					mx[s][x] = l
				}
			}
		}
		m.Matrix = &mx
	}
	if spec.Bands != nil {
		bands := report.DefaultBands
		for l := report.RiskLow; l <= report.RiskCritical; l++ {
			if b, ok := spec.Bands[report.RiskLevelNames[l]]; ok {
				bands[l] = report.Band{Min: b.Min, Max: b.Max, Meaning: b.Meaning}
			}
		}
		m.Bands = &bands
	}
	// rules files without the built-in ones may leave a model that breaks
	// the README's promises: the built-in matrix and bands then apply
	if m.Validate() != nil {
		m.Matrix, m.Bands = nil, nil
	}
	return m
}

func nameIndex(names []string, s string) int {
	for i, n := range names {
		if i > 0 && n == s {
			return i
		}
	}
	return 0
}

// scanner owns the worker pool shared by all targets and containers.
type scanner struct {
	cfg    Config
	jobs   chan job
	wg     sync.WaitGroup
	hasher exampleHasher
	// inFlight holds a weight per byte of the raw documents read and not
	// yet classified (Config.MaxInFlightBytes)
	inFlight *semaphore.Weighted
	// bigBatch: a batch holding this many bytes goes to the workers before
	// it is full, so that big documents are spread over the workers
	// instead of waiting in one batch for one worker
	bigBatch int64
}

// job is a batch of a container's documents for one worker: documents
// go to the workers batchDocs at a time, so that handing one over costs
// a sixteenth of a channel operation and of a goroutine wake-up.
type job struct {
	cs    *containerState
	docs  []connectors.Document
	bytes int64 // of inFlight, given back once the documents are classified
}

// batchDocs is the most documents of a job. The channel holds as many
// documents as it did when it held one per job (64 per worker).
const batchDocs = 16

var batches = sync.Pool{New: func() any { return make([]connectors.Document, 0, batchDocs) }}

func newScanner(cfg Config) *scanner {
	return &scanner{
		cfg:      cfg,
		jobs:     make(chan job, cfg.Workers*64/batchDocs),
		hasher:   exampleHasher{seed: uint64(cfg.Seed)},
		inFlight: semaphore.NewWeighted(cfg.MaxInFlightBytes),
		bigBatch: max(cfg.MaxInFlightBytes/int64(4*cfg.Workers), 1),
	}
}

// docBytes is the weight of d in inFlight: the bytes the document took as
// read (Document.Size, or a raw document's Sizer), at most the whole bound
// (such a document is in flight alone); 0 when the connector does not say.
func (s *scanner) docBytes(d connectors.Document) int64 {
	n := int64(d.Size)
	if sz, ok := d.Raw.(connectors.Sizer); ok && n == 0 {
		n = int64(sz.Size())
	}
	return min(max(n, 0), s.cfg.MaxInFlightBytes)
}

func (s *scanner) start() {
	for i := 0; i < s.cfg.Workers; i++ {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			w := newWorker(i, s)
			for j := range s.jobs {
				for _, d := range j.docs {
					w.process(j.cs, d)
				}
				j.cs.pending.Add(-len(j.docs))
				if j.bytes > 0 {
					s.inFlight.Release(j.bytes)
				}
				clear(j.docs) // hold no document in the pool
				batches.Put(j.docs[:0])
			}
		}()
	}
}

func (s *scanner) stop() {
	close(s.jobs)
	s.wg.Wait()
}

// containerState is the aggregation of one container: one shard per worker,
// so workers never share a lock on the hot path.
type containerState struct {
	fieldTypes map[string]string
	shards     []*shard
	pending    sync.WaitGroup
}

// reportExposure is a connector's exposure as the report holds it.
func reportExposure(ex connectors.Exposure) report.Exposure {
	return report.Exposure{Reachable: ex.Reachable, AnonymousAccess: ex.AnonymousAccess, TLS: ex.TLS, Server: ex.Server,
		Notes: append([]string{}, ex.Notes...)}
}

func (s *scanner) scanTarget(ctx context.Context, spec TargetSpec) (t report.Target) {
	target := spec.Target
	opts := s.cfg.Connector
	if spec.Connector != nil {
		opts = spec.Connector.WithDefaults()
	}
	sampleSize := s.cfg.SampleSize
	if spec.SampleSize != nil {
		sampleSize = *spec.SampleSize
	}
	secrets := connectors.Secrets(target, opts)
	t = report.Target{URI: redact.Secrets(target, secrets...), Kind: connectors.KindOf(target), Containers: []report.Container{},
		Name: spec.Name, Tags: spec.Tags}
	fail := func(err error) report.Target {
		msg := redact.Secrets(err.Error(), secrets...)
		t.Error = &msg
		return t
	}
	if spec.Err != nil {
		t.Exposure.Notes = []string{}
		return fail(spec.Err)
	}
	defer func() {
		// a connector that panics fails its target, not the scan, and its
		// message (which may quote the URI) is redacted like any error
		if r := recover(); r != nil {
			if t.Exposure.Notes == nil {
				t.Exposure.Notes = []string{}
			}
			t = fail(fmt.Errorf("internal error in the %s connector: %v", t.Kind, r))
		}
	}()
	conn, err := connectors.Open(ctx, target, opts)
	if err != nil {
		t.Exposure.Notes = []string{}
		var ue *connectors.UnreadableError
		if errors.As(err, &ue) {
			t.Exposure = reportExposure(ue.Exposure)
		}
		return fail(err)
	}
	defer conn.Close()
	t.URI = redact.Secrets(conn.URI(), secrets...)
	t.Kind = conn.Kind()
	t.Exposure = reportExposure(conn.Exposure(ctx))
	containers, err := conn.Containers(ctx)
	if sl, ok := conn.(connectors.SkipLister); ok {
		for _, sk := range sl.SkippedContainers() {
			t.Skipped = append(t.Skipped, report.SkippedItem{Name: sk.Name, Reason: redact.Secrets(sk.Reason, secrets...)})
		}
	}
	if err != nil {
		return fail(err)
	}
	units := s.units(spec, conn, containers, sampleSize)
	if len(containers) == 0 {
		note := "nothing was scanned in this target: it holds no container that could be read"
		if n := len(t.Skipped); n > 0 {
			note += fmt.Sprintf(" (%d skipped, listed with the reason)", n)
		}
		t.Exposure.Notes = append(t.Exposure.Notes, note)
	}
	var est int64
	for _, u := range units {
		if n := u.c.EstimatedDocuments; n > 0 {
			if sampleSize > 0 {
				n = min(n, int64(sampleSize))
			}
			if !u.slice.Whole() {
				n /= int64(u.slice.Count)
			}
			est += n
		}
	}
	s.cfg.Progress.ContainersFound(t.URI, len(units), est)

	t.Containers = make([]report.Container, len(units))
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for i, u := range units {
		c := u.c
		if ctx.Err() != nil {
			msg := "not scanned: the scan was interrupted"
			t.Containers[i] = report.Container{Name: c.Name, EstimatedDocuments: c.EstimatedDocuments, Fields: []report.Field{}, Error: &msg}
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			t.Containers[i] = s.scanContainer(ctx, conn, c, secrets, connectors.SampleOptions{Size: sampleSize, Seed: s.cfg.Seed, Slice: u.slice})
			var cerr error
			if e := t.Containers[i].Error; e != nil {
				cerr = errors.New(*e)
			}
			s.cfg.Progress.ContainerDone(t.URI, c.Name, cerr)
		}()
	}
	wg.Wait()
	sort.SliceStable(t.Containers, func(a, b int) bool { return t.Containers[a].Name < t.Containers[b].Name })
	return t
}

func (s *scanner) scanContainer(ctx context.Context, conn connectors.Connector, c connectors.Container, secrets []string, so connectors.SampleOptions) report.Container {
	cs := &containerState{fieldTypes: c.FieldTypes, shards: make([]*shard, s.cfg.Workers)}
	for i := range cs.shards {
		cs.shards[i] = newShard()
	}
	batch := batches.Get().([]connectors.Document)
	var batchBytes int64 // of inFlight, held by the batch
	// send hands the batch to the workers; when the scan is interrupted
	// first, the batch is kept for flush
	send := func() error {
		cs.pending.Add(len(batch)) // before a worker can count them done
		select {
		case s.jobs <- job{cs: cs, docs: batch, bytes: batchBytes}:
			batch, batchBytes = batches.Get().([]connectors.Document), 0
			return nil
		case <-ctx.Done():
			cs.pending.Add(-len(batch))
			return ctx.Err()
		}
	}
	emit := func(d connectors.Document) error {
		if d.Fields == nil && d.Raw == nil {
			return nil
		}
		if len(batch) == batchDocs {
			return ctx.Err() // interrupted with a full batch: read no more
		}
		if n := s.docBytes(d); n > 0 {
			if !s.inFlight.TryAcquire(n) {
				// the batch goes first, so that what it holds can be
				// given back while this waits
				if len(batch) > 0 {
					if err := send(); err != nil {
						return err
					}
				}
				if err := s.inFlight.Acquire(ctx, n); err != nil {
					return err // interrupted: this document is not classified
				}
			}
			batchBytes += n
		}
		batch = append(batch, d)
		s.cfg.Progress.Documents(1) // read; classified once its batch is full, or at the end
		if len(batch) == batchDocs || batchBytes >= s.bigBatch {
			return send()
		}
		return nil
	}
	res, err := sampleSafely(ctx, conn, c, so, emit)
	// the documents read are all classified, an interrupted scan's too:
	// the workers run until the scanner stops
	if len(batch) > 0 {
		cs.pending.Add(len(batch))
		s.jobs <- job{cs: cs, docs: batch, bytes: batchBytes}
	} else {
		batches.Put(batch)
	}
	cs.pending.Wait()
	res.FoldDecodeNotes() // every raw document has been decoded
	rc := s.buildContainer(c, cs, res)
	if rc.MergeState != nil && !so.Slice.Whole() {
		// report merge folds the slices of this container
		rc.MergeState.Slice = &report.ShardInfo{Index: so.Slice.Index, Count: so.Slice.Count}
	}
	if err != nil {
		var msg string
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			msg = "interrupted: the report holds the documents sampled until then"
		} else {
			msg = redact.Secrets(fmt.Sprint(err), secrets...)
		}
		rc.Error = &msg
	}
	return rc
}

// sampleSafely turns a panic in a connector into an error of the container,
// so that one container cannot stop the scan.
func sampleSafely(ctx context.Context, conn connectors.Connector, c connectors.Container, opts connectors.SampleOptions, emit func(connectors.Document) error) (res connectors.SampleResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error in the %s connector while sampling %s: %v", conn.Kind(), c.Name, r)
		}
	}()
	return conn.Sample(ctx, c, opts, emit)
}

func (s *scanner) buildContainer(c connectors.Container, cs *containerState, res connectors.SampleResult) report.Container {
	// merge the workers' shards
	merged := make(map[string]*fieldAgg)
	var sampled int64
	skipReasons := map[string]int64{}
	for r, n := range res.SkipReasons {
		skipReasons[r] += n
	}
	skipped := res.Skipped
	undecoded := map[string]int64{}
	for _, sh := range cs.shards {
		for enc, n := range sh.undecoded {
			undecoded[enc] += n
		}
		sampled += sh.docs
		for r, n := range sh.skipReasons {
			skipReasons[r] += n
			skipped += n
		}
		for p, fa := range sh.fields {
			m, ok := merged[p]
			if !ok {
				m = &fieldAgg{path: p}
				merged[p] = m
			}
			m.merge(fa, s.cfg.MaxExamples)
		}
	}
	total := report.ContainerTotal(res.TotalDocuments, c.EstimatedDocuments, sampled)
	rc := report.Container{
		Name:               c.Name,
		EstimatedDocuments: total,
		SampledDocuments:   sampled,
		SamplingMethod:     res.Method,
		SkippedDocuments:   skipped,
		Notes:              append(append([]string(nil), c.Notes...), res.Notes...),
		PrimaryKey:         c.PrimaryKey,
		MarginOfError:      report.MarginOfError(sampled, total),
	}
	if len(skipReasons) > 0 {
		rc.SkipReasons = skipReasons
	}
	rc.Notes = append(rc.Notes, undecodedNotes(undecoded)...)
	st := &report.MergeState{TotalDocuments: res.TotalDocuments, ListedDocuments: c.EstimatedDocuments,
		Fields: make([]report.FieldState, 0, len(merged))}
	for p, fa := range merged {
		fs := report.FieldState{Path: p, Documents: fa.docs, Values: fa.values}
		for _, ca := range fa.cats {
			cs := report.CategoryState{
				Category:         ca.category,
				MatchedDocuments: ca.matchedDocs,
				MatchedValues:    ca.matchedValues,
				TextValues:       ca.textValues,
				ConfidenceSum:    float64(ca.confMicro) / 1e6,
				ConfidenceMax:    ca.confMax,
				Evidence:         ca.evidence.Strings(),
				Rules:            append([]string(nil), ca.rules...),
				Examples:         make([]report.Example, 0, len(ca.examples)),
				Counter:          ca.people,
			}
			sort.Strings(cs.Rules)
			for _, e := range ca.examples {
				cs.Examples = append(cs.Examples, report.Example{Hash: report.HashString(e.hash), Text: e.text})
			}
			fs.Categories = append(fs.Categories, cs)
		}
		sort.Slice(fs.Categories, func(a, b int) bool { return fs.Categories[a].Category < fs.Categories[b].Category })
		st.Fields = append(st.Fields, fs)
	}
	sort.Slice(st.Fields, func(a, b int) bool { return st.Fields[a].Path < st.Fields[b].Path })
	// fields the store declares but no sampled document holds
	for p, typ := range c.FieldTypes {
		if _, seen := merged[p]; seen {
			continue
		}
		var f report.Field
		for _, h := range s.cfg.Engine.Field(p, typ).TypeHits() {
			if h.Confidence < s.cfg.MinConfidence {
				continue
			}
			f.Findings = append(f.Findings, report.Finding{
				Category:    h.Category,
				Group:       classifiers.GroupOf(h.Category),
				Confidence:  round(h.Confidence, 3),
				Evidence:    h.Evidence.Strings(),
				Examples:    []string{},
				Rules:       []string{h.Rule},
				MappingOnly: true,
			})
		}
		if len(f.Findings) > 0 {
			f.Path = p
			st.MappingFields = append(st.MappingFields, f)
		}
	}
	sort.Slice(st.MappingFields, func(a, b int) bool { return st.MappingFields[a].Path < st.MappingFields[b].Path })
	fields, people := report.BuildFields(st, sampled, total, BuildOptions(s.cfg.MinConfidence))
	rc.Fields = fields
	rc.People = people.People(sampled < total, sampled, total, true)
	if s.cfg.Shard != nil {
		for fi := range st.Fields {
			for ci := range st.Fields[fi].Categories {
				cs := &st.Fields[fi].Categories[ci]
				if cs.Counter != nil && !cs.Counter.Empty() {
					cs.People = cs.Counter.Encode()
				}
			}
		}
		rc.MergeState = st
	}
	return rc
}

// BuildOptions are the options with which the pipeline computes findings
// from a container's state; report merge uses the same.
func BuildOptions(minConfidence float64) report.BuildOptions {
	stats := func(st report.FindingStats) classifiers.FieldStats {
		return classifiers.FieldStats{
			MeanConfidence:   st.MeanConfidence,
			MaxConfidence:    st.MaxConfidence,
			MatchedValues:    st.MatchedValues,
			Values:           st.Values,
			MatchedDocuments: st.MatchedDocuments,
			Documents:        st.Documents,
			Evidence:         classifiers.EvidenceOf(st.Evidence),
			TextValues:       st.TextValues,
		}
	}
	return report.BuildOptions{MinConfidence: minConfidence,
		Confidence: func(st report.FindingStats) float64 { return classifiers.FieldConfidence(stats(st)) },
		Evidence:   func(st report.FindingStats) []string { return classifiers.FieldEvidence(stats(st)).Strings() },
	}
}

func round(x float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}
