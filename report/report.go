// Package report holds the report types of the piisniff report format
// (schema version 1), the risk model and the writers. It knows the report
// types only: nothing of stores or classifiers.
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
	Targets       []Target  `json:"targets"`
	Summary       Summary   `json:"summary"`
	// Extensions (added fields).
	Settings *Settings `json:"settings,omitempty"`
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
}

// CategorySummary counts one category over the whole scan.
type CategorySummary struct {
	Containers                 int   `json:"containers"`
	EstimatedAffectedDocuments int64 `json:"estimated_affected_documents"`
}
