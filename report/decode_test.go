package report

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	gojson "github.com/goccy/go-json"
)

// The merge reads reports with goccy/go-json's stream decoder (newStream);
// encoding/json's is the oracle: both must hand the fold the same items,
// and fail on the same inputs.

func stdStream(r io.Reader) tokenStream   { return json.NewDecoder(r) }
func goccyStream(r io.Reader) tokenStream { return gojson.NewDecoder(r) }

// decodedItems is what decodeReport hands the fold, and readHeader's
// result, with a decoder: errors as their presence.
type decodedItems struct {
	items  []mergeItem
	errs   []string
	failed bool
	head   header
	headOK bool
}

func decodeWith(ns func(io.Reader) tokenStream, data []byte) decodedItems {
	old := newStream
	newStream = ns
	defer func() { newStream = old }()
	src := MergeSource{Name: "shard.json", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	var out decodedItems
	h, err := readHeader(src, true)
	out.head, out.headOK = h, err == nil
	feed := make(chan mergeItem, 4)
	go decodeReport(src, 0, feed, nil)
	for it := range feed {
		if it.err != nil {
			out.failed = true
			out.errs = append(out.errs, it.err.Error())
			if !strings.HasPrefix(it.err.Error(), "shard.json") {
				panic("an error without the file's name: " + it.err.Error())
			}
			continue
		}
		for i := range it.containers {
			// the decoded sketches: compared as the encoded ones
			dropCounters(&it.containers[i])
		}
		out.items = append(out.items, it)
	}
	return out
}

func dropCounters(c *Container) {
	if c.MergeState == nil {
		return
	}
	for fi := range c.MergeState.Fields {
		for ci := range c.MergeState.Fields[fi].Categories {
			c.MergeState.Fields[fi].Categories[ci].Counter = nil
		}
	}
}

func compareDecoders(t *testing.T, data []byte) {
	t.Helper()
	want, got := decodeWith(stdStream, data), decodeWith(goccyStream, data)
	if want.failed != got.failed || want.headOK != got.headOK {
		t.Fatalf("encoding/json: failed %v, header read %v; goccy: failed %v, header read %v\n%q",
			want.failed, want.headOK, got.failed, got.headOK, data)
	}
	if want.headOK && !reflect.DeepEqual(want.head, got.head) { // (what an error leaves does not count)
		t.Fatalf("header: encoding/json %+v, goccy %+v\n%q", want.head, got.head, data)
	}
	if want.failed {
		t.Logf("errors: encoding/json %q, goccy %q", want.errs, got.errs)
		return // what came before the error is not folded
	}
	if !reflect.DeepEqual(want.items, got.items) {
		wj, _ := json.Marshal(itemsForDiff(want.items))
		gj, _ := json.Marshal(itemsForDiff(got.items))
		t.Fatalf("items differ:\nencoding/json %s\ngoccy         %s\ninput %q", wj, gj, data)
	}
}

func itemsForDiff(items []mergeItem) []any {
	var out []any
	for _, it := range items {
		out = append(out, []any{it.key, it.containers, it.target, it.partial, it.report})
	}
	return out
}

// TestStreamDecodersAgree: on the repository's JSON reports, synthetic
// shard reports and malformed ones, goccy/go-json's stream decoder gives
// the merge what encoding/json's gives, and fails where it fails.
func TestStreamDecodersAgree(t *testing.T) {
	inputs := map[string][]byte{}
	for _, name := range []string{"report.json.golden", "kits.json.golden"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		inputs[name] = b
	}
	dir := t.TempDir()
	for _, sliced := range []bool{false, true} {
		p := filepath.Join(dir, "shard.json")
		if err := writeSyntheticShard(p, 1, 3, 300, sliced); err != nil { // over two batches
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		inputs[p+map[bool]string{false: " disjoint", true: " sliced"}[sliced]] = b
		var indented bytes.Buffer
		_ = json.Indent(&indented, b, "", "  ")
		inputs[p+" indented"] = indented.Bytes()
	}
	one, _ := json.Marshal(shardReport(0, 2))
	inputs["shard report"] = one
	plain, _ := json.Marshal(sampleReport())
	inputs["sample report"] = plain
	for name, in := range map[string]string{
		"containers before the uri": `{"schema_version":1,"shard":{"index":0,"count":1},"fingerprint":"f","targets":[{"containers":[{"name":"a","fields":[]}],"uri":"file:///x","kind":"files"}]}`,
		"escapes":                   `{"schema_version":1,"targets":[{"uri":"file:///\u00e9\ud83d\ude00\n","kind":"files","containers":[{"name":"a\"b\\c\u0000","fields":[{"path":"p\t","findings":[]}]}]}]}`,
		"numbers":                   `{"schema_version":1,"targets":[{"uri":"u","kind":"k","risk_score":1e-7,"containers":[{"name":"a","risk_score":0.30000000000000004,"estimated_documents":9007199254740993,"margin_of_error":-0.0,"fields":null}]}]}`,
		"nulls":                     `{"schema_version":1,"shard":null,"settings":null,"targets":[{"uri":"u","kind":"k","error":null,"containers":null}]}`,
		"unknown fields":            `{"schema_version":1,"extra":{"a":[1,2]},"targets":[{"uri":"u","kind":"k","new":1,"containers":[{"name":"a","novel":[{}],"fields":[]}]}]}`,
		"truncated":                 `{"schema_version":1,"targets":[{"uri":"u","kind":"k","containers":[{"name":"a"`,
		"truncated in a value":      `{"schema_version":1,"targets":[{"uri":"u","kind":"k","containers":[{"name":"a","fields":[{"path":"p","findings":[{"risk":0.`,
		"a string for a number":     `{"schema_version":1,"targets":[{"uri":"u","kind":"k","containers":[{"name":"a","sampled_documents":"7"}]}]}`,
		"a number for a string":     `{"schema_version":1,"targets":[{"uri":"u","kind":"k","containers":[{"name":7}]}]}`,
		"an array for the targets":  `{"schema_version":1,"targets":{}}`,
		"a bad time":                `{"schema_version":1,"started_at":"yesterday","targets":[]}`,
		"trailing comma":            `{"schema_version":1,"targets":[{"uri":"u","kind":"k","containers":[{"name":"a"},]}]}`,
		"not an object":             `[1,2]`,
		"empty":                     ``,
		"bad literal":               `{"schema_version":1,"complete":tru,"targets":[]}`,
		"a missing uri":             `{"schema_version":1,"targets":[{"kind":"k","containers":[]}]}`,
		"a bad escape":              `{"schema_version":1,"targets":[{"uri":"\x","kind":"k"}]}`,
		"a bad merge state":         `{"schema_version":1,"targets":[{"uri":"u","kind":"k","containers":[{"name":"a","merge_state":{"fields":[{"path":"p","categories":[{"examples":{}}]}]}}]}]}`,
	} {
		inputs[name] = []byte(in)
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) { compareDecoders(t, data) })
	}
}

// FuzzStreamDecoders: goccy/go-json's stream decoder and encoding/json's
// give the merge the same items and fail on the same inputs.
func FuzzStreamDecoders(f *testing.F) {
	one, _ := json.Marshal(shardReport(0, 2))
	plain, _ := json.Marshal(sampleReport())
	for _, s := range [][]byte{one, plain,
		[]byte(`{"schema_version":1,"targets":[{"containers":[{}]}]}`),
		[]byte(`{"targets":[],"shard":{"index":0,"count":1},"fingerprint":"x","schema_version":1}`),
		[]byte(`{"schema_version":1,"targets":[{"uri":"u","kind":"k","containers":[{"name":"a\u00e9","risk_score":1e-7,"fields":null}]}]}`)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) { compareDecoders(t, data) })
}
