package report

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"
)

// MergeSource is one report to merge: a name for messages (the file) and a
// way to open it. Merge opens each source twice: once for its header
// (shard, fingerprint), once to fold its targets.
type MergeSource struct {
	Name string
	Open func() (io.ReadCloser, error)
}

// MergeOptions say how Merge recomputes what depends on the rules.
type MergeOptions struct {
	// Confidence is the classifiers' field confidence (findings of a
	// container read by several shards are recomputed from their state).
	Confidence func(FindingStats) float64
	// Evidence, when set, gives a finding's evidence (see BuildOptions).
	Evidence func(FindingStats) []string
	// Model returns the risk model of the rules the reports were written
	// with (their settings name the rules files).
	Model func(*Settings) (RiskModel, error)
	// TempDir is where the merged containers wait to be written ("": the
	// system's temporary directory, which is also tried when TempDir
	// cannot be written).
	TempDir string
}

// MaxShards is the largest shard count Merge accepts.
const MaxShards = 100_000

// header is what Merge reads of a report before its targets.
type header struct {
	name        string
	shard       *ShardInfo
	fingerprint string
	schema      int
	complete    bool
	settings    *Settings
}

// Merge combines the reports of the shards of one scan into the report one
// machine would have written (see the package documentation): containers
// are folded one at a time as each report is streamed, so memory grows
// with the result, not with the inputs. It returns an error, naming the
// files, when a report cannot be read or when the reports are not shards of
// one scan (different fingerprints or shard counts); a missing or
// duplicated shard gives a report with Complete false and a note.
func Merge(srcs []MergeSource, o MergeOptions) (*Report, error) {
	m, err := MergeStream(srcs, o)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	return m.Report()
}

// MergeStream is Merge, its containers left in a temporary file to be
// written one at a time (Merged.WriteJSON): memory holds about a hundred
// bytes per container of the result, the report's other fields and the
// slices of containers cut by several shards until the last is read.
func MergeStream(srcs []MergeSource, o MergeOptions) (*Merged, error) {
	if len(srcs) == 0 {
		return nil, errors.New("no report to merge")
	}
	heads := make([]header, len(srcs))
	for i, src := range srcs {
		h, err := readHeader(src, i == 0)
		if err != nil {
			return nil, err
		}
		heads[i] = h
	}
	first := heads[0]
	for _, h := range heads {
		if h.schema != SchemaVersion {
			return nil, fmt.Errorf("%s: schema_version %d, want %d", h.name, h.schema, SchemaVersion)
		}
		if h.shard == nil {
			if len(srcs) > 1 {
				return nil, fmt.Errorf("%s is not a shard report (it has no \"shard\" field): only the reports of a scan run with --shard can be merged", h.name)
			}
			h.shard = &ShardInfo{Index: 0, Count: 1}
		}
		if h.fingerprint != first.fingerprint {
			return nil, fmt.Errorf("%s and %s are not shards of the same scan: their fingerprints differ (%s, %s): the version, rules, seed, sample size, targets or filters differ",
				first.name, h.name, orNone(first.fingerprint), orNone(h.fingerprint))
		}
	}
	count := 1
	if first.shard != nil {
		count = first.shard.Count
	}
	if count < 1 || count > MaxShards {
		return nil, fmt.Errorf("%s: shard count %d, want 1 to %d", first.name, count, MaxShards)
	}
	info := &MergeInfo{Shards: count}
	seen := map[int]string{}
	var order []int
	for i, h := range heads {
		sh := h.shard
		if sh == nil {
			sh = &ShardInfo{Index: 0, Count: 1}
		}
		if sh.Count != count {
			return nil, fmt.Errorf("%s is shard %d of %d but %s is of %d: not shards of the same scan", h.name, sh.Index, sh.Count, first.name, count)
		}
		if sh.Index < 0 || sh.Index >= count {
			return nil, fmt.Errorf("%s: shard index %d is not in 0..%d", h.name, sh.Index, count-1)
		}
		if prev, dup := seen[sh.Index]; dup {
			info.Duplicated = append(info.Duplicated, h.name)
			info.Notes = append(info.Notes, fmt.Sprintf("%s is shard %d/%d again (already read from %s): left out", h.name, sh.Index, count, prev))
			continue
		}
		seen[sh.Index] = h.name
		order = append(order, i)
		info.Inputs = append(info.Inputs, MergeInput{File: h.name, Shard: sh.Index})
	}
	for i := 0; i < count; i++ {
		if _, ok := seen[i]; !ok {
			info.Missing = append(info.Missing, i)
		}
	}
	if len(info.Missing) > 0 {
		what := "shard " + ranges(info.Missing) + fmt.Sprintf("/%d is missing", count)
		if len(info.Missing) > 1 {
			what = "shards " + ranges(info.Missing) + fmt.Sprintf(" of %d are missing", count)
		}
		info.Notes = append(info.Notes, what+": what they would have read is not in this report")
	}
	sort.SliceStable(order, func(a, b int) bool { return heads[order[a]].shard.Index < heads[order[b]].shard.Index })

	acc := newMergeAcc(o)
	if first.settings != nil {
		acc.minConf = &first.settings.MinConfidence
	}
	if o.Model != nil {
		var s *Settings
		if first.settings != nil {
			c := *first.settings
			s = &c
		}
		model, err := o.Model(s)
		if err != nil {
			return nil, err
		}
		acc.model = model
	}
	acc.fin = newFinisher(acc.model, false)
	var err error
	if acc.spill, err = newSpillFile(o.TempDir); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			acc.spill.close()
		}
	}()
	allComplete := true
	shardOf := func(i int) int {
		if heads[i].shard != nil {
			return heads[i].shard.Index
		}
		return 0
	}
	// Reports are decoded by up to decoders goroutines, a few batches of
	// containers ahead, and folded in shard order: the result does not
	// depend on timing, and memory holds the result plus a few batches.
	feeds := make([]chan mergeItem, len(order))
	for k := range feeds {
		feeds[k] = make(chan mergeItem, 4)
	}
	next := make(chan int, len(order))
	for k := range order {
		next <- k
	}
	close(next)
	quit := make(chan struct{})
	defer close(quit)
	for range min(decoders, len(order)) {
		go func() {
			for k := range next {
				i := order[k]
				decodeReport(srcs[i], shardOf(i), feeds[k], quit)
			}
		}()
	}
	for k, i := range order {
		for it := range feeds[k] {
			if err := acc.take(it); err != nil {
				return nil, err
			}
		}
		if !heads[i].complete {
			allComplete = false
			info.Notes = append(info.Notes, fmt.Sprintf("%s (shard %d/%d) is not complete", heads[i].name, shardOf(i), count))
		}
	}
	mr, err := acc.result(info)
	if err != nil {
		return nil, err
	}
	r := mr.Head
	r.Fingerprint = first.fingerprint
	if len(info.Missing) > 0 || len(info.Duplicated) > 0 || !allComplete {
		r.Complete = false
	}
	ok = true
	return mr, nil
}

// ranges writes sorted shard indexes compactly: "1, 4-7, 9".
func ranges(xs []int) string {
	var parts []string
	for i := 0; i < len(xs); {
		j := i
		for j+1 < len(xs) && xs[j+1] == xs[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, fmt.Sprint(xs[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", xs[i], xs[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// readHeader reads a report's top-level fields up to its targets; when the
// shard or fingerprint come after the targets (not as piisniff writes
// them), it skips the targets token by token to find them.
//
// With settings, it reads on to the settings (after the targets, skipping
// them token by token): Merge needs the minimum confidence of the scan
// before it folds the first container.
func readHeader(src MergeSource, settings bool) (header, error) {
	h := header{name: src.Name}
	rc, err := src.Open()
	if err != nil {
		return h, fmt.Errorf("cannot read the report %s: %w", src.Name, err)
	}
	defer rc.Close()
	dec := newStream(bufio.NewReaderSize(rc, 1<<16))
	seenShard, seenFP, seenSchema := false, false, false
	err = walkObject(dec, func(key string) error {
		switch key {
		case "settings":
			if err := dec.Decode(&h.settings); err != nil {
				return err
			}
			if seenShard && seenFP && seenSchema {
				return errStop
			}
			return nil
		case "schema_version":
			seenSchema = true
			return dec.Decode(&h.schema)
		case "complete":
			return dec.Decode(&h.complete)
		case "shard":
			seenShard = true
			return dec.Decode(&h.shard)
		case "fingerprint":
			seenFP = true
			return dec.Decode(&h.fingerprint)
		case "targets":
			if seenShard && seenFP && seenSchema && (!settings || h.settings != nil) {
				return errStop
			}
		}
		return skipValue(dec)
	})
	if err != nil && !errors.Is(err, errStop) {
		return h, fmt.Errorf("%s is not a piisniff JSON report: %w", src.Name, err)
	}
	if !seenSchema {
		return h, fmt.Errorf("%s is not a piisniff JSON report: schema_version is missing", src.Name)
	}
	return h, nil
}

var errStop = errors.New("stop")

// tokenStream is what the merge reads a report with: a streaming JSON
// decoder, encoding/json's or github.com/goccy/go-json's (the same API and
// results: TestStreamDecodersAgree, FuzzStreamDecoders).
type tokenStream interface {
	Token() (json.Token, error)
	More() bool
	Decode(v any) error
}

// newStream is the decoder the merge reads reports with: goccy/go-json's
// stream decoder, about twice as fast as encoding/json's on shard reports
// (BenchmarkStreamDecoders), most of a merge's time.
var newStream = func(r io.Reader) tokenStream { return gojson.NewDecoder(r) }

// walkObject reads one JSON object from dec, calling each for every key;
// each must consume the key's value.
func walkObject(dec tokenStream, each func(key string) error) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("object key is %v", tok)
		}
		if err := each(key); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// walkArray reads one JSON array from dec (null is an empty array),
// calling each for every element; each must consume it.
func walkArray(dec tokenStream, each func() error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("want an array, have %v", tok)
	}
	for dec.More() {
		if err := each(); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

func expectDelim(dec tokenStream, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q, have %v", want, tok)
	}
	return nil
}

// skipValue consumes one value without keeping it.
func skipValue(dec tokenStream) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// rawValue reads one value whole (for the small parts of a report).
func rawValue(dec tokenStream) (json.RawMessage, error) {
	var m json.RawMessage
	err := dec.Decode(&m)
	return m, err
}

// mergeAcc folds the targets of the shard reports.
type mergeAcc struct {
	o           MergeOptions
	head        *Report // top-level fields of the first report
	started     time.Time
	finished    time.Time
	interrupted bool
	targets     []*targetAcc
	byKey       map[string]*targetAcc
	notes       []string
	minConf     *float64 // from the first report's settings, read by readHeader
	model       RiskModel
	fin         *finisher
	spill       *spillFile
}

type targetAcc struct {
	t          Target // head fields; containers below
	checked    bool   // exposure from a shard that checked it
	okShards   int
	errs       []string
	containers map[string]*containerAcc // cut by shards: until the last is read
	uri        string                   // of the target's key
	tf         *targetFinisher
	done       []spilled // final, in the spill file
	doneIdx    map[string]int32
}

type containerAcc struct {
	c      Container
	shards []int
}

func newMergeAcc(o MergeOptions) *mergeAcc {
	return &mergeAcc{o: o, byKey: map[string]*targetAcc{}}
}

// decoders is the number of reports decoded at once.
const decoders = 2

// batchSize is the number of containers decoded before they are handed to
// the fold.
const batchSize = 128

// mergeItem is what a decoder hands the fold: a batch of containers of a
// target, the end of a target (its head fields), the end of a report (its
// top-level fields) or an error.
type mergeItem struct {
	name       string
	shard      int
	key        string // target key
	containers []Container
	target     *Target // end of a target
	partial    *Target // the target's kind and exposure, when read before its containers
	report     *Report // end of the report
	err        error
}

// decodeReport streams one report into feed, then closes it. It stops
// early when quit is closed.
func decodeReport(src MergeSource, shard int, feed chan<- mergeItem, quit <-chan struct{}) {
	defer close(feed)
	send := func(it mergeItem) bool {
		it.name, it.shard = src.Name, shard
		select {
		case feed <- it:
			return true
		case <-quit:
			return false
		}
	}
	fail := func(err error) { send(mergeItem{err: fmt.Errorf("%s: %w", src.Name, err)}) }
	// the errors of a target name the file
	sendNamed := func(it mergeItem) bool {
		if it.err != nil {
			it.err = fmt.Errorf("%s: %w", src.Name, it.err)
		}
		return send(it)
	}
	rc, err := src.Open()
	if err != nil {
		send(mergeItem{err: fmt.Errorf("cannot read the report %s: %w", src.Name, err)})
		return
	}
	defer rc.Close()
	dec := newStream(bufio.NewReaderSize(rc, 1<<16))
	head := map[string]json.RawMessage{}
	errQuit := errors.New("quit")
	err = walkObject(dec, func(key string) error {
		switch key {
		case "targets":
			return walkArray(dec, func() error {
				if !decodeTarget(dec, sendNamed) {
					return errQuit
				}
				return nil
			})
		case "summary", "merge":
			return skipValue(dec) // recomputed
		}
		raw, err := rawValue(dec)
		head[key] = raw
		return err
	})
	if errors.Is(err, errQuit) {
		return
	}
	if err != nil {
		fail(err)
		return
	}
	var r Report
	b, _ := json.Marshal(head)
	if err := json.Unmarshal(b, &r); err != nil {
		fail(err)
		return
	}
	send(mergeItem{report: &r})
}

// containerWire decodes a container; the findings and people of a
// container that has a merge state are recomputed from it, so they are
// kept raw until it is known whether it has one.
type containerWire struct {
	*Container
	Fields json.RawMessage `json:"fields"`
	People json.RawMessage `json:"people"`
}

func decodeContainer(dec tokenStream) (Container, error) {
	var c Container
	w := containerWire{Container: &c}
	if err := dec.Decode(&w); err != nil {
		return c, err
	}
	if c.MergeState == nil {
		if len(w.Fields) > 0 {
			if err := gojson.Unmarshal(w.Fields, &c.Fields); err != nil {
				return c, err
			}
		}
		if len(w.People) > 0 {
			if err := gojson.Unmarshal(w.People, &c.People); err != nil {
				return c, err
			}
		}
	}
	return c, nil
}

// decodeTarget decodes one target, handing its containers over in batches;
// it returns false when the merge stopped or on an error (sent).
func decodeTarget(dec tokenStream, send func(mergeItem) bool) bool {
	head := map[string]json.RawMessage{}
	cached := ""
	key := func() string {
		if cached != "" {
			return cached
		}
		var uri, kind string
		_ = json.Unmarshal(head["uri"], &uri)
		_ = json.Unmarshal(head["kind"], &kind)
		if uri == "" {
			return ""
		}
		if _, ok := head["kind"]; ok {
			cached = kind + "\x00" + uri
		}
		return kind + "\x00" + uri
	}
	var batch []Container
	stopped := false
	flush := func(k string) bool {
		if len(batch) == 0 {
			return true
		}
		var partial *Target
		if e, ok := head["exposure"]; ok {
			partial = &Target{}
			_ = json.Unmarshal(head["kind"], &partial.Kind)
			_ = json.Unmarshal(e, &partial.Exposure)
		}
		ok := send(mergeItem{key: k, containers: batch, partial: partial})
		batch = nil
		stopped = stopped || !ok
		return ok
	}
	err := walkObject(dec, func(k string) error {
		if k != "containers" {
			raw, err := rawValue(dec)
			head[k] = raw
			return err
		}
		return walkArray(dec, func() error {
			c, err := decodeContainer(dec)
			if err != nil {
				return err
			}
			batch = append(batch, c)
			// containers read before the target's uri wait for it
			if k := key(); k != "" && len(batch) >= batchSize && !flush(k) {
				return errStop
			}
			return nil
		})
	})
	if stopped {
		return false
	}
	if err != nil {
		send(mergeItem{err: err})
		return false
	}
	k := key()
	if k == "" {
		send(mergeItem{err: errors.New("a target has no uri")})
		return false
	}
	if !flush(k) {
		return false
	}
	var t Target
	b, _ := json.Marshal(head)
	if err := json.Unmarshal(b, &t); err != nil {
		send(mergeItem{err: err})
		return false
	}
	return send(mergeItem{key: k, target: &t})
}

// take folds one item of a decoder into the accumulator.
func (m *mergeAcc) take(it mergeItem) error {
	switch {
	case it.err != nil:
		return it.err
	case it.report != nil:
		r := it.report
		if m.head == nil {
			h := *r
			h.Targets = nil
			m.head = &h
			m.started, m.finished = r.StartedAt, r.FinishedAt
		}
		if !r.StartedAt.IsZero() && (m.started.IsZero() || r.StartedAt.Before(m.started)) {
			m.started = r.StartedAt
		}
		if r.FinishedAt.After(m.finished) {
			m.finished = r.FinishedAt
		}
		if r.Settings != nil && r.Settings.Interrupted {
			m.interrupted = true
		}
		return nil
	}
	ta := m.byKey[it.key]
	if ta == nil {
		ta = &targetAcc{containers: map[string]*containerAcc{}, doneIdx: map[string]int32{}}
		_, ta.uri, _ = strings.Cut(it.key, "\x00")
		m.byKey[it.key] = ta
		m.targets = append(m.targets, ta)
	}
	// the exposure the risk of the containers is computed at: the
	// target's as read so far (report merge checks it at the end)
	guess := &ta.t
	if it.partial != nil && (ta.t.URI == "" || !ta.checked && exposureChecked(it.partial.Exposure)) {
		guess = it.partial
	}
	for _, c := range it.containers {
		if err := m.addContainer(ta, c, it.shard, it.name, guess); err != nil {
			return fmt.Errorf("%s: %w", it.name, err)
		}
	}
	if it.target != nil {
		m.addTargetHead(ta, *it.target, it.shard)
	}
	return nil
}

func exposureChecked(e Exposure) bool {
	return e.Reachable || e.AnonymousAccess || e.TLS || e.Server != "" || len(e.Notes) > 0
}

func (m *mergeAcc) addTargetHead(t *targetAcc, h Target, shard int) {
	if t.t.URI == "" {
		cs := t.t.Containers
		t.t = h
		t.t.Containers = cs
		t.t.Error = nil
		t.t.ShardErrors = nil
		t.checked = exposureChecked(h.Exposure)
	} else if !t.checked && exposureChecked(h.Exposure) {
		t.t.Exposure = h.Exposure
		t.checked = true
	}
	t.t.Skipped = unionSkipped(t.t.Skipped, h.Skipped)
	t.errs = append(t.errs, h.ShardErrors...)
	if h.Error != nil {
		t.errs = append(t.errs, fmt.Sprintf("shard %d: %s", shard, *h.Error))
	} else {
		t.okShards++
	}
}

func unionSkipped(a, b []SkippedItem) []SkippedItem {
	for _, x := range b {
		if !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	return a
}

func (m *mergeAcc) addContainer(t *targetAcc, c Container, shard int, name string, guess *Target) error {
	prev := t.containers[c.Name]
	if prev == nil {
		if i, ok := t.doneIdx[c.Name]; ok {
			m.notes = append(m.notes, fmt.Sprintf("%s: container %s was read by shards %d and %d and cannot be combined (no merge state): the first is kept",
				name, c.Name, t.done[i].shard, shard))
			return nil
		}
		if c.MergeState == nil || c.MergeState.Slice == nil {
			// read whole by one shard: final now, and out of memory
			if err := finishContainer(&c, m.build()); err != nil {
				return fmt.Errorf("container %s: %w", c.Name, err)
			}
			return m.spillContainer(t, &c, shard, ExposureLevel(*guess))
		}
		t.containers[c.Name] = &containerAcc{c: c, shards: []int{shard}}
		return nil
	}
	if prev.c.MergeState == nil || c.MergeState == nil {
		m.notes = append(m.notes, fmt.Sprintf("%s: container %s was read by shards %d and %d and cannot be combined (no merge state): the first is kept",
			name, c.Name, prev.shards[0], shard))
		return nil
	}
	prev.shards = append(prev.shards, shard)
	return m.fold(&prev.c, &c)
}

// spillContainer computes the risk of a final container at exposure level
// exp, counts it and writes it to the spill file.
func (m *mergeAcc) spillContainer(t *targetAcc, c *Container, shard, exp int) error {
	if t.tf == nil {
		t.tf = &targetFinisher{f: m.fin, t: &t.t, people: PeopleCounter{}}
	}
	cr := m.fin.risk(c, exp)
	setFingerprints(t.uri, c)
	t.tf.count(c)
	off, n, err := m.spill.put(c)
	if err != nil {
		return err
	}
	t.doneIdx[c.Name] = int32(len(t.done))
	t.done = append(t.done, spilled{name: c.Name, off: off, n: n, shard: int32(shard), exp: int8(exp), level: int8(cr.level), pos: cr.position})
	return nil
}

// fold adds slice b of a container to a.
func (m *mergeAcc) fold(a, b *Container) error {
	a.SampledDocuments += b.SampledDocuments
	a.SkippedDocuments += b.SkippedDocuments
	if len(b.SkipReasons) > 0 {
		if a.SkipReasons == nil {
			a.SkipReasons = map[string]int64{}
		}
		for r, n := range b.SkipReasons {
			a.SkipReasons[r] += n
		}
	}
	if a.SamplingMethod == "" {
		a.SamplingMethod = b.SamplingMethod
	}
	for _, n := range b.Notes {
		if !slices.Contains(a.Notes, n) {
			a.Notes = append(a.Notes, n)
		}
	}
	if b.Error != nil {
		if a.Error == nil {
			a.Error = b.Error
		} else if *a.Error != *b.Error {
			msg := *a.Error + "; " + *b.Error
			a.Error = &msg
		}
	}
	sa, sb := a.MergeState, b.MergeState
	if sa.TotalDocuments >= 0 && sb.TotalDocuments >= 0 {
		sa.TotalDocuments += sb.TotalDocuments
	} else {
		sa.TotalDocuments = -1
	}
	sa.ListedDocuments = max(sa.ListedDocuments, sb.ListedDocuments)
	k := 3
	if m.head != nil && m.head.Settings != nil && m.head.Settings.MaxExamples > 0 {
		k = m.head.Settings.MaxExamples
	}
	k = max(k, maxExamplesIn(sa), maxExamplesIn(sb))
	byPath := make(map[string]int, len(sa.Fields))
	for i, f := range sa.Fields {
		byPath[f.Path] = i
	}
	for _, fb := range sb.Fields {
		i, ok := byPath[fb.Path]
		if !ok {
			sa.Fields = append(sa.Fields, fb)
			byPath[fb.Path] = len(sa.Fields) - 1
			continue
		}
		fa := &sa.Fields[i]
		fa.Documents += fb.Documents
		fa.Values += fb.Values
		for _, cb := range fb.Categories {
			j := slices.IndexFunc(fa.Categories, func(c CategoryState) bool { return c.Category == cb.Category })
			if j < 0 {
				fa.Categories = append(fa.Categories, cb)
				continue
			}
			ca := &fa.Categories[j]
			ca.MatchedDocuments += cb.MatchedDocuments
			ca.MatchedValues += cb.MatchedValues
			ca.TextValues += cb.TextValues
			ca.ConfidenceSum = float64(ConfidenceMicro(ca.ConfidenceSum)+ConfidenceMicro(cb.ConfidenceSum)) / 1e6
			ca.ConfidenceMax = max(ca.ConfidenceMax, cb.ConfidenceMax)
			ca.Evidence = unionEvidence(ca.Evidence, cb.Evidence)
			for _, r := range cb.Rules {
				if !slices.Contains(ca.Rules, r) {
					ca.Rules = append(ca.Rules, r)
				}
			}
			sort.Strings(ca.Rules)
			ex, err := mergeExamples(ca.Examples, cb.Examples, k)
			if err != nil {
				return fmt.Errorf("container %s, field %s: %w", a.Name, fa.Path, err)
			}
			ca.Examples = ex
			if cb.People != "" {
				if err := decodeCounter(ca); err != nil {
					return fmt.Errorf("container %s, field %s: %w", a.Name, fa.Path, err)
				}
				if err := decodeCounter(&cb); err != nil {
					return fmt.Errorf("container %s, field %s: %w", a.Name, fa.Path, err)
				}
				if ca.Counter == nil {
					ca.Counter = &Distinct{}
				}
				ca.Counter.Merge(cb.Counter)
				ca.People = ""
			}
		}
	}
	for _, f := range sb.MappingFields {
		if !slices.ContainsFunc(sa.MappingFields, func(x Field) bool { return x.Path == f.Path }) {
			sa.MappingFields = append(sa.MappingFields, f)
		}
	}
	return nil
}

func maxExamplesIn(st *MergeState) int {
	n := 0
	for _, f := range st.Fields {
		for _, c := range f.Categories {
			n = max(n, len(c.Examples))
		}
	}
	return n
}

// decodeCounter makes c.Counter hold c.People.
func decodeCounter(c *CategoryState) error {
	if c.Counter != nil || c.People == "" {
		return nil
	}
	d, err := DecodeDistinct(c.People)
	if err != nil {
		return err
	}
	c.Counter = d
	return nil
}

// evidenceOrder is the order evidence names are listed in.
var evidenceOrder = []string{"value", "field_name", "context", "validator", "structure", "store_type"}

func unionEvidence(a, b []string) []string {
	out := slices.Clone(a)
	for _, e := range b {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	rank := func(e string) int {
		if i := slices.Index(evidenceOrder, e); i >= 0 {
			return i
		}
		return len(evidenceOrder)
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// mergeExamples keeps the k examples with the smallest hashes of a and b.
func mergeExamples(a, b []Example, k int) ([]Example, error) {
	type ex struct {
		h uint64
		e Example
	}
	all := make([]ex, 0, len(a)+len(b))
	for _, list := range [][]Example{a, b} {
		for _, e := range list {
			h, err := ParseHash(e.Hash)
			if err != nil {
				return nil, fmt.Errorf("example hash %q: %w", e.Hash, err)
			}
			if slices.ContainsFunc(all, func(x ex) bool { return x.h == h }) {
				continue
			}
			all = append(all, ex{h, e})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].h < all[j].h })
	if len(all) > k {
		all = all[:k]
	}
	out := make([]Example, len(all))
	for i, x := range all {
		out[i] = x.e
	}
	return out, nil
}

// build is how findings are computed from a state: the minimum confidence
// of the scan (every shard has the same: the fingerprint says so).
func (m *mergeAcc) build() BuildOptions {
	bo := BuildOptions{Confidence: m.o.Confidence, Evidence: m.o.Evidence}
	if m.minConf != nil {
		bo.MinConfidence = *m.minConf
	}
	return bo
}

// result builds the merged report: the containers still cut are
// finished, every container's risk is checked against its target's
// exposure, and the targets and summary are finished.
func (m *mergeAcc) result(info *MergeInfo) (*Merged, error) {
	r := &Report{SchemaVersion: SchemaVersion, Targets: []Target{}}
	if m.head != nil {
		*r = *m.head
		r.Targets = []Target{}
	}
	r.StartedAt, r.FinishedAt = m.started, m.finished
	r.Shard = nil
	r.Notes = nil // Finish writes them for the whole scan (one shard may have read nothing)
	r.Merge = info
	if r.Settings != nil {
		s := *r.Settings
		s.Interrupted = m.interrupted
		r.Settings = &s
	}
	out := &Merged{Head: r, spill: m.spill}
	if m.model.Ignore != nil {
		out.ignore = m.model
	}
	bo := m.build()
	var buf []byte
	for _, ta := range m.targets {
		t := ta.t
		t.Containers = []Container{}
		if t.Exposure.Notes == nil {
			t.Exposure.Notes = []string{}
		}
		exp := ExposureLevel(t)
		names := make([]string, 0, len(ta.containers))
		for name := range ta.containers {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			c := ta.containers[name].c
			if err := finishContainer(&c, bo); err != nil {
				return nil, fmt.Errorf("target %s, container %s: %w", t.URI, c.Name, err)
			}
			if err := m.spillContainer(ta, &c, ta.containers[name].shards[0], exp); err != nil {
				return nil, err
			}
		}
		ta.containers, ta.doneIdx = nil, nil // let the states go as soon as they are written
		switch {
		case ta.okShards == 0 && len(ta.errs) > 0:
			msg := strings.TrimPrefix(ta.errs[0], "shard ")
			if _, after, ok := strings.Cut(msg, ": "); ok {
				msg = after
			}
			t.Error = &msg
			if len(ta.done) > 0 {
				// containers reported by a shard that then failed
				t.Error = nil
				t.ShardErrors = ta.errs
			} else if !sameErrors(ta.errs) {
				t.ShardErrors = ta.errs
			}
		case len(ta.errs) > 0:
			t.ShardErrors = ta.errs
		}
		slices.SortFunc(ta.done, func(a, b spilled) int { return strings.Compare(a.name, b.name) })
		tf := ta.tf
		if tf == nil {
			tf = &targetFinisher{f: m.fin, people: PeopleCounter{}}
		}
		ft := m.fin.target(&t)
		tf.t, tf.exp = &t, ft.exp
		for i := range ta.done {
			e := &ta.done[i]
			if int(e.exp) != tf.exp {
				// computed at an exposure a later shard's report changed
				b, err := m.spill.get(*e, buf)
				if err != nil {
					return nil, err
				}
				buf = b
				var c Container
				if err := json.Unmarshal(b, &c); err != nil {
					return nil, fmt.Errorf("report merge: reading the temporary file: %w", err)
				}
				cr := tf.risk(&c)
				off, n, err := m.spill.put(&c)
				if err != nil {
					return nil, err
				}
				e.off, e.n, e.exp, e.level, e.pos = off, n, int8(tf.exp), int8(cr.level), cr.position
			}
			tf.add(containerRisk{int(e.level), e.pos})
		}
		tf.end(nil)
		r.Targets = append(r.Targets, t)
		out.entries = append(out.entries, ta.done)
		ta.done = nil
	}
	if err := m.spill.w.Flush(); err != nil {
		return nil, fmt.Errorf("report merge: writing the temporary file: %w", err)
	}
	info.Notes = append(info.Notes, m.notes...)
	if m.interrupted {
		m.fin.complete = false
	}
	m.fin.done(r)
	if len(m.notes) > 0 {
		r.Complete = false
	}
	return out, nil
}

// sliceNote is a note of a connector about the slice it read.
var sliceNote = regexp.MustCompile(`^slice \d+ of \d+\b`)

// sameErrors says that every shard failed a target with one message.
func sameErrors(errs []string) bool {
	msg := func(e string) string {
		_, after, _ := strings.Cut(e, ": ")
		return after
	}
	for _, e := range errs {
		if msg(e) != msg(errs[0]) {
			return false
		}
	}
	return true
}

// finishContainer computes a container's findings and people from its
// state, when it has one, and drops the state.
func finishContainer(c *Container, bo BuildOptions) error {
	st := c.MergeState
	if st == nil {
		if c.Fields == nil {
			c.Fields = []Field{}
		}
		return nil
	}
	for fi := range st.Fields {
		for ci := range st.Fields[fi].Categories {
			if err := decodeCounter(&st.Fields[fi].Categories[ci]); err != nil {
				return fmt.Errorf("field %s: %w", st.Fields[fi].Path, err)
			}
		}
	}
	sort.Slice(st.Fields, func(a, b int) bool { return st.Fields[a].Path < st.Fields[b].Path })
	sort.Slice(st.MappingFields, func(a, b int) bool { return st.MappingFields[a].Path < st.MappingFields[b].Path })
	// notes about the cut ("slice 1 of 4: an _id range") are not about the
	// data: one machine reading the whole container writes none
	notes := c.Notes[:0]
	for _, n := range c.Notes {
		if !sliceNote.MatchString(n) {
			notes = append(notes, n)
		}
	}
	c.Notes = notes
	if len(c.Notes) == 0 {
		c.Notes = nil
	}
	total := ContainerTotal(st.TotalDocuments, st.ListedDocuments, c.SampledDocuments)
	fields, people := BuildFields(st, c.SampledDocuments, total, bo)
	c.EstimatedDocuments = total
	c.MarginOfError = MarginOfError(c.SampledDocuments, total)
	c.Fields = fields
	c.People = people.People(c.SampledDocuments < total, c.SampledDocuments, total, true)
	c.MergeState = nil
	return nil
}
