// Package report holds the report types of the piisniff report format
// (schema version 1), the risk model and the writers. It knows the report
// types only: nothing of stores or classifiers.
//
// # Shard reports and report merge
//
// A scan cut into N shards (scan --shard I/N) writes one shard report per
// shard; Merge combines them into the report one machine would have
// written. What a shard report carries, on top of an ordinary report:
//
//   - "shard": {"index": I, "count": N}, 0 <= I < N (I is Kubernetes'
//     JOB_COMPLETION_INDEX). Report.Shard; set from Config.Shard by the
//     pipeline.
//   - "fingerprint": MergeFingerprint(FingerprintInput{...}) of everything
//     that must agree for the shards' reports to merge: the piisniff
//     version, the settings (sample size, seed, minimum confidence,
//     --only/--except, rules files' names, max examples), the contents of
//     the rules files, the targets in inventory order (their inventory
//     names, or their redacted URIs), the filters ("containers=...",
//     "databases=...", per-target options, one "name=value" string each)
//     and --show-data. Every shard computes the same value; Merge refuses
//     reports whose fingerprints (or shard counts) differ, naming the files.
//     Report.Fingerprint; the pipeline copies Config.Fingerprint.
//   - "merge_state" in every container (Container.MergeState, written when
//     Config.Shard is set): the raw counters of the container or of the
//     slice of it the shard read (documents and values per field; matched
//     documents and values, confidence sum and maximum, evidence, rules per
//     category, including categories below the reporting threshold), the
//     examples with their seeded hashes (Example.Hash: the examples of a
//     finding are the k values with the smallest hashes, so the examples of
//     merged slices are the k smallest of theirs) and the people sketch of
//     each identifier category. Masked examples stay masked.
//
// Shard and fingerprint are written before the targets so that Merge reads
// them first. A container read whole by one shard is taken as it is; the
// slices of a container read by several shards (full scans where the
// connector can cut a container) are folded from their states and their
// findings computed again by BuildFields, the very function a scan
// computes them with: counts, match ratios, estimates, confidences and
// examples come out as one machine's. Notes of a connector about its slice
// ("slice 1 of 4: ...") are dropped. Risk, combinations, the summary and the
// guidance are computed again by Finish with the risk model of the rules.
// A target's exposure comes from the first shard (in shard order) that
// checked it; errors of targets and containers are kept (a target failed
// by some shards only keeps its containers and lists the failures in
// shard_errors). A missing shard, a shard given twice (the second is left
// out) or an incomplete shard give complete: false and a note in
// "merge": {"inputs", "shards", "missing", "duplicated", "notes"}.
//
// Merge streams: each report is decoded a container at a time (two reports
// at once) and folded in shard order, so memory holds the result and a few
// containers, not the inputs.
//
// # People
//
// Container.People, Target.People, Summary.People, Summary.PeopleByTag and
// GroupGuidance.People estimate distinct data subjects from the strongest
// identifiers found (PeopleIdentifiers: national ids, passport numbers,
// e-mail addresses case-folded, phone numbers in E.164, card numbers): the
// identifier category with the most distinct values gives the count. Only
// the values of findings that are reported count. Values are hashed with a
// key (PeopleHasher: HMAC-SHA-256 keyed by the seed and
// $PIISNIFF_PEOPLE_KEY), counted exactly up to ExactLimit distinct values,
// then in a HyperLogLog sketch (github.com/axiomhq/hyperloglog, precision
// 14: 16 KiB of registers, ±1.6% at 95%). The sketches travel in the
// containers' people ("sketches": "x:" exact keyed hashes or "h:" registers,
// base64), so Merge and the roll-ups merge them exactly: a person found in
// two containers, targets or shards counts once. All shards of a scan must
// use the same seed and key. A count from a sample is a lower bound
// (lower_bound), with an extrapolation by documents stated in method.
package report

import "time"

// SchemaVersion is the version of the report format written.
const SchemaVersion = 1

// Report is the whole result of one scan.
type Report struct {
	SchemaVersion int       `json:"schema_version"`
	Tool          Tool      `json:"tool"`
	StartedAt     time.Time `json:"started_at"`
	FinishedAt    time.Time `json:"finished_at"`
	Complete      bool      `json:"complete"`
	// Shard and Fingerprint (extensions) come before the targets so that
	// report merge reads them first when it streams a report; see the
	// package documentation.
	Shard       *ShardInfo `json:"shard,omitempty"`
	Fingerprint string     `json:"fingerprint,omitempty"`
	Targets     []Target   `json:"targets"`
	Summary     Summary    `json:"summary"`
	// Extensions (added fields).
	Settings *Settings `json:"settings,omitempty"`
	// Merge says which shard reports a merged report was made of.
	Merge *MergeInfo `json:"merge,omitempty"`
	// Ignored are the findings an ignore file matched, with its reason:
	// never scored, never silently dropped.
	Ignored []IgnoredFinding `json:"ignored,omitempty"`
	// IgnoreExpired lists the ignore entries past their expiry date, which
	// no longer apply.
	IgnoreExpired []IgnoreEntryNote `json:"ignore_expired,omitempty"`
	// Baseline names the report the findings were compared with
	// (--baseline); findings also in it carry baseline: true.
	Baseline *BaselineInfo `json:"baseline,omitempty"`
	// Notes are facts about the whole scan a reader must not miss
	// ("nothing was scanned: ...").
	Notes []string `json:"notes,omitempty"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Settings records what the scan was asked to do, so a report can be read
// on its own.
type Settings struct {
	SampleSize    int      `json:"sample_size"`
	Seed          int64    `json:"seed"`
	MinConfidence float64  `json:"min_confidence"`
	Only          []string `json:"only,omitempty"`
	Except        []string `json:"except,omitempty"`
	RulesFiles    []string `json:"rules_files,omitempty"`
	Interrupted   bool     `json:"interrupted,omitempty"`
	// MaxExamples is the number of examples kept per finding (0: the
	// default, 3); report merge keeps as many.
	MaxExamples int `json:"max_examples,omitempty"`
	// PeopleKey is PeopleKeyCheck of the key the people sketches were
	// hashed with (the seed and $PIISNIFF_PEOPLE_KEY): shards whose keys
	// differ do not merge.
	PeopleKey string `json:"people_key,omitempty"`
}

// Target is one scanned store.
type Target struct {
	URI        string      `json:"uri"`
	Kind       string      `json:"kind"`
	Exposure   Exposure    `json:"exposure"`
	Error      *string     `json:"error"`
	Containers []Container `json:"containers"`
	// Extensions.
	RiskScore float64       `json:"risk_score"`
	Skipped   []SkippedItem `json:"skipped,omitempty"`
	// Name and Tags are the target's name and tags in the targets
	// inventory (scan --targets): tags are owner, application, environment
	// and region, each only when set.
	Name string            `json:"name,omitempty"`
	Tags map[string]string `json:"tags,omitempty"`
	// People rolls the containers' people counts up (sketches merged, so a
	// person in two containers counts once).
	People *People `json:"people,omitempty"`
	// ShardErrors are the errors of shards that failed on this target
	// while other shards scanned it (merged reports only); the containers
	// those shards would have read are missing and complete is false.
	ShardErrors []string `json:"shard_errors,omitempty"`
	// RiskLevel is low, moderate, high or critical (empty: no finding).
	RiskLevel string `json:"risk_level,omitempty"`
	// ExposureLevel is anonymous, no_tls, authenticated_tls or unknown
	// (dumps and exports); ExposureMeaning says it in a sentence.
	ExposureLevel   string `json:"exposure_level,omitempty"`
	ExposureMeaning string `json:"exposure_meaning,omitempty"`
}

// SkippedItem is something a connector saw but did not scan (an unknown file
// format, a view it could not read), with the reason.
type SkippedItem struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Exposure says how exposed the store is.
type Exposure struct {
	Reachable       bool     `json:"reachable"`
	AnonymousAccess bool     `json:"anonymous_access"`
	TLS             bool     `json:"tls"`
	Server          string   `json:"server"`
	Notes           []string `json:"notes"`
}

// Container is a file, collection, index or table.
type Container struct {
	Name               string  `json:"name"`
	EstimatedDocuments int64   `json:"estimated_documents"`
	SampledDocuments   int64   `json:"sampled_documents"`
	RiskScore          float64 `json:"risk_score"`
	Fields             []Field `json:"fields"`
	// Extensions.
	SamplingMethod   string           `json:"sampling_method,omitempty"`
	SkippedDocuments int64            `json:"skipped_documents"`
	SkipReasons      map[string]int64 `json:"skip_reasons,omitempty"`
	Error            *string          `json:"error,omitempty"`
	Notes            []string         `json:"notes,omitempty"`
	// PrimaryKey names the primary key column(s) of a SQL table, so that
	// a finding can be traced back to its rows.
	PrimaryKey []string `json:"primary_key,omitempty"`
	// MarginOfError is the half-width of the 95% interval of a match ratio
	// measured on this sample (worst case p = 0.5, finite population).
	MarginOfError float64 `json:"margin_of_error"`
	// Combinations are sets of categories found together in this container
	// that enable a harm none of them enables alone.
	Combinations []Combination `json:"combinations,omitempty"`
	// People estimates the distinct people of the container from its
	// identifiers (see People).
	People *People `json:"people,omitempty"`
	// MergeState is the raw aggregation of the container, written in shard
	// reports only, so that report merge can combine the slices of one
	// container read by several shards exactly.
	MergeState *MergeState `json:"merge_state,omitempty"`
	// RiskLevel is the level of the worst finding (empty: no finding).
	RiskLevel string `json:"risk_level,omitempty"`
}

// Combination is a harmful combination of categories found in one
// container (an account takeover kit, an identity theft kit, a usable card).
// It adds to the container's risk_score as one more finding whose weight is
// Boost.
type Combination struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Categories []string `json:"categories"`
	Boost      float64  `json:"boost"`
	// Confidence is the lowest confidence of the parts.
	Confidence float64 `json:"confidence"`
	// EstimatedAffectedDocuments is the fewest documents any part was
	// estimated in: the documents that can hold the whole kit.
	EstimatedAffectedDocuments int64   `json:"estimated_affected_documents"`
	Risk                       float64 `json:"risk"`
	// Sensitivity is the level the combination raises its parts to;
	// RiskLevel its level at the target's exposure.
	Sensitivity string `json:"sensitivity,omitempty"`
	RiskLevel   string `json:"risk_level,omitempty"`
	// Baseline says the combination was already in the baseline report.
	Baseline bool `json:"baseline,omitempty"`
}

// Field is one field path of a container.
type Field struct {
	Path     string    `json:"path"`
	Findings []Finding `json:"findings"`
}

// Finding is one category found in one field.
type Finding struct {
	Category                   string   `json:"category"`
	Group                      string   `json:"group"`
	Confidence                 float64  `json:"confidence"`
	Evidence                   []string `json:"evidence"`
	MatchedDocuments           int64    `json:"matched_documents"`
	MatchRatio                 float64  `json:"match_ratio"`
	EstimatedAffectedDocuments int64    `json:"estimated_affected_documents"`
	Risk                       float64  `json:"risk"`
	Examples                   []string `json:"examples"`
	// Extensions.
	Rules       []string `json:"rules,omitempty"`
	MappingOnly bool     `json:"mapping_only,omitempty"`
	// Sensitivity is low, moderate, high or very_high: the category's,
	// raised by the combinations named in RaisedBy.
	Sensitivity string   `json:"sensitivity,omitempty"`
	RaisedBy    []string `json:"raised_by,omitempty"`
	// RiskLevel is low, moderate, high or critical; Risk lies in its band.
	RiskLevel string `json:"risk_level,omitempty"`
	// Fingerprint identifies the finding across runs and shards: target
	// identity (no credentials), container, field path, category.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Baseline says the finding was already in the baseline report.
	Baseline bool `json:"baseline,omitempty"`
}

// Summary rolls the whole scan up.
type Summary struct {
	RiskScore              float64                    `json:"risk_score"`
	ContainersScanned      int                        `json:"containers_scanned"`
	ContainersWithFindings int                        `json:"containers_with_findings"`
	DocumentsSampled       int64                      `json:"documents_sampled"`
	ByCategory             map[string]CategorySummary `json:"by_category"`
	// Extensions.
	ContainersFailed int   `json:"containers_failed"`
	TargetsFailed    int   `json:"targets_failed"`
	DocumentsSkipped int64 `json:"documents_skipped"`
	// ContainersSkipped counts what the connectors saw but did not read
	// (targets[].skipped: files of an unknown format, hidden files, ...).
	ContainersSkipped int `json:"containers_skipped"`
	// TargetsEmpty counts the targets that could be opened but held
	// nothing that was read: no container scanned. Such a scan is not
	// complete.
	TargetsEmpty int `json:"targets_empty"`
	// Combinations counts the containers holding each combination, by id.
	Combinations map[string]int `json:"combinations,omitempty"`
	// NotificationGuidance says, per group found, whether data of that kind
	// usually makes a breach notifiable to the people concerned. It is
	// guidance, not legal advice.
	NotificationGuidance []GroupGuidance `json:"notification_guidance,omitempty"`
	// People estimates the distinct people of the whole scan (every
	// container's sketches merged).
	People *People `json:"people,omitempty"`
	// PeopleByTag estimates the distinct people of the targets carrying
	// each tag value (targets inventory): tag → value → people.
	PeopleByTag map[string]map[string]*People `json:"people_by_tag,omitempty"`
	// RiskLevel is the level of the worst finding; RiskMeaning says in one
	// sentence what the score means; RiskModel is the model's version.
	RiskLevel   string `json:"risk_level,omitempty"`
	RiskMeaning string `json:"risk_meaning,omitempty"`
	RiskModel   string `json:"risk_model,omitempty"`
}

// GroupGuidance is the notification guidance for one group of categories.
type GroupGuidance struct {
	Group string `json:"group"`
	// Categories are the categories of the group that were found.
	Categories []string `json:"categories"`
	// UsuallyNotifiable says that a breach exposing this data is usually
	// notified to the individuals concerned.
	UsuallyNotifiable bool `json:"usually_notifiable"`
	// Containers holding the group, and the estimated records affected:
	// per container the largest estimate of the group's findings, summed.
	Containers                 int    `json:"containers"`
	EstimatedAffectedDocuments int64  `json:"estimated_affected_documents"`
	Reason                     string `json:"reason"`
	// People estimates the distinct people of the containers holding the
	// group (their identifiers' sketches merged).
	People *People `json:"people,omitempty"`
}

// CategorySummary counts one category over the whole scan.
type CategorySummary struct {
	Containers                 int   `json:"containers"`
	EstimatedAffectedDocuments int64 `json:"estimated_affected_documents"`
}
