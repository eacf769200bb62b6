package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
)

// ShardInfo says which part of a sharded scan a report holds: shard Index
// (0-based, as Kubernetes' JOB_COMPLETION_INDEX) of Count.
type ShardInfo struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// MergeInfo says what a merged report was made of.
type MergeInfo struct {
	// Inputs are the shard reports merged, in the order read.
	Inputs []MergeInput `json:"inputs"`
	// Shards is the number of shards the scan was cut into.
	Shards int `json:"shards"`
	// Missing are the shard indexes no input held; Duplicated the inputs
	// left out because an earlier input held the same shard.
	Missing    []int    `json:"missing,omitempty"`
	Duplicated []string `json:"duplicated,omitempty"`
	// Notes say, in words, why a merged report is not complete.
	Notes []string `json:"notes,omitempty"`
}

// MergeInput is one report merged.
type MergeInput struct {
	File  string `json:"file"`
	Shard int    `json:"shard"`
}

// FingerprintInput is everything that must agree between the shards of a
// scan for their reports to merge into the report one machine would have
// written.
type FingerprintInput struct {
	// Tool.Version: two versions may classify differently.
	Tool Tool
	// Settings: sample size, seed, minimum confidence, --only/--except,
	// the rules files' names and max examples (Interrupted is not part of
	// it: it is an outcome, not a setting).
	Settings Settings
	// Rules are the contents of the rules files loaded, in order (the
	// built-in rules are covered by the version).
	Rules [][]byte
	// Targets are the targets of the scan in inventory order, as the
	// report shows them (credentials redacted) or by their inventory name.
	Targets []string
	// Filters are the filters and options that decide what is read, one
	// "name=value" string each (--containers, --databases, hidden, per
	// target options...): sorted before hashing.
	Filters []string
	// ShowData: masked and unmasked examples do not merge.
	ShowData bool
}

// MergeFingerprint is the fingerprint of a sharded scan: "sha256:" and the
// hex SHA-256 of in, encoded canonically. Every shard of one scan writes
// the same fingerprint; report merge refuses reports whose fingerprints
// differ.
func MergeFingerprint(in FingerprintInput) string {
	s := in.Settings
	s.Interrupted = false
	filters := slices.Clone(in.Filters)
	slices.Sort(filters)
	rules := make([]string, len(in.Rules))
	for i, r := range in.Rules {
		sum := sha256.Sum256(r)
		rules[i] = hex.EncodeToString(sum[:])
	}
	canon, _ := json.Marshal(struct {
		V        int      `json:"v"`
		Tool     string   `json:"tool"`
		Version  string   `json:"version"`
		Settings Settings `json:"settings"`
		Rules    []string `json:"rules"`
		Targets  []string `json:"targets"`
		Filters  []string `json:"filters"`
		ShowData bool     `json:"show_data"`
	}{1, in.Tool.Name, in.Tool.Version, s, rules, in.Targets, filters, in.ShowData})
	sum := sha256.Sum256(canon)
	return "sha256:" + hex.EncodeToString(sum[:])
}
