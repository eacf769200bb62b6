package files

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/piisniff/piisniff/connectors"
)

// decodeOrder is an order in which a consumer decodes the documents of a
// sample.
type decodeOrder int

const (
	inOrder    decodeOrder = iota // after Sample returned, first to last
	reversed                      // after Sample returned, last to first
	concurrent                    // while Sample runs, on several goroutines
)

// decodedSample is what a consumer makes of a sample: the documents (JSON,
// in emission order) and the result, decode notes folded in.
type decodedSample struct {
	docs []string
	res  connectors.SampleResult
}

func sampleInOrder(t *testing.T, c *Conn, ct connectors.Container, so connectors.SampleOptions, order decodeOrder) decodedSample {
	t.Helper()
	var (
		out   decodedSample
		docs  []connectors.Document
		mu    sync.Mutex
		skips = map[string]int64{}
		wg    sync.WaitGroup
	)
	decode := func(i int, d connectors.Document) {
		fields, reason, ok := d.Decode()
		mu.Lock()
		defer mu.Unlock()
		if !ok {
			skips[reason]++
			return
		}
		b, err := json.Marshal(fields)
		if err != nil {
			t.Error(err)
		}
		out.docs[i] = string(b)
	}
	jobs := make(chan int, 8)
	emit := func(d connectors.Document) error {
		mu.Lock()
		docs = append(docs, d)
		out.docs = append(out.docs, "")
		i := len(docs) - 1
		mu.Unlock()
		if order == concurrent {
			jobs <- i
		}
		return nil
	}
	if order == concurrent {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					mu.Lock()
					d := docs[i]
					mu.Unlock()
					decode(i, d)
				}
			}()
		}
	}
	res, err := c.Sample(context.Background(), ct, so, emit)
	close(jobs)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	switch order {
	case inOrder:
		for i, d := range docs {
			decode(i, d)
		}
	case reversed:
		for i := len(docs) - 1; i >= 0; i-- {
			decode(i, docs[i])
		}
	}
	for reason, n := range skips {
		res.Skipped += n
		if res.SkipReasons == nil {
			res.SkipReasons = map[string]int64{}
		}
		res.SkipReasons[reason] += n
	}
	res.FoldDecodeNotes()
	out.docs = slices.DeleteFunc(out.docs, func(s string) bool { return s == "" })
	out.res = res
	return out
}

// TestDecodeOrder: the documents, counts and notes of a sample are the
// same whatever the order and the goroutines its raw documents are
// decoded in: skipped records are named in file order, the elasticdump
// indices are the first ones of the file.
func TestDecodeOrder(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i := range 400 {
		switch {
		case i%13 == 5:
			lines = append(lines, `{"broken": `)
		case i%29 == 7:
			lines = append(lines, `[1, 2]`)
		case i == 200:
			lines = append(lines, `{"big":"`+strings.Repeat("x", 2048)+`"}`)
		default:
			// elasticdump hits of 30 indices, the later ones first seen late
			lines = append(lines, fmt.Sprintf(`{"_index":"idx-%02d","_id":"%d","_source":{"id":%d,"email":"u%d@example.org"}}`, (i*7)%30, i, i, i))
		}
	}
	// the notes of a full scan of hits.ndjson, as the file's order has them
	var wantNotes []string
	seen := map[string]bool{}
	var first []string
	for i, l := range lines {
		reason := ""
		switch {
		case len(l) > 1024:
			reason = ReasonTooLarge
		case !json.Valid([]byte(l)):
			reason = ReasonInvalidJSON
		case l[0] != '{':
			reason = ReasonNotObject
		}
		if reason != "" {
			if len(wantNotes) < maxSkipNotes {
				wantNotes = append(wantNotes, fmt.Sprintf("line %d: %s", i+1, reason))
			}
			continue
		}
		if idx := fmt.Sprintf("idx-%02d", (i*7)%30); !seen[idx] && len(first) <= maxIndexNotes {
			seen[idx] = true
			first = append(first, idx)
		}
	}
	slices.Sort(first)
	for i, idx := range first[:maxIndexNotes] {
		first[i] = fmt.Sprintf("%q", idx)
	}
	wantNotes = append(wantNotes, "more skipped records are not listed",
		"elasticdump output: documents from index "+strings.Join(first[:maxIndexNotes], ", ")+" and more")
	p := writeLines(t, dir, "hits.ndjson", len(lines), func(i int) string { return lines[i] })
	jsonPath := writeLines(t, dir, "values.json", 1, func(int) string {
		return "[" + strings.Join(slices.DeleteFunc(slices.Clone(lines), func(s string) bool { return !json.Valid([]byte(s)) }), ",\n") + "]"
	})
	for _, path := range []string{p, jsonPath} {
		c, ct := openContainer(t, path, connectors.Options{MaxDocumentBytes: 1024})
		for _, so := range []connectors.SampleOptions{{}, {Size: 50, Seed: 3}} {
			want := sampleInOrder(t, c, ct, so, inOrder)
			if len(want.docs) == 0 || want.res.TotalDocuments != int64(len(want.docs)) && so.Size == 0 {
				t.Fatalf("%s %+v: %d documents, %+v", ct.Name, so, len(want.docs), want.res)
			}
			if !slices.ContainsFunc(want.res.Notes, func(n string) bool { return strings.HasPrefix(n, "elasticdump output: documents from index") }) {
				t.Errorf("%s %+v: no index note in %q", ct.Name, so, want.res.Notes)
			}
			if so.Size == 0 && ct.Name == "hits.ndjson" && !slices.Equal(want.res.Notes, wantNotes) {
				t.Errorf("%s: notes\n%q, want\n%q", ct.Name, want.res.Notes, wantNotes)
			}
			for _, order := range []decodeOrder{reversed, concurrent} {
				got := sampleInOrder(t, c, ct, so, order)
				if !reflect.DeepEqual(got.docs, want.docs) {
					t.Errorf("%s %+v, order %d: other documents", ct.Name, so, order)
				}
				if !reflect.DeepEqual(got.res, want.res) {
					t.Errorf("%s %+v, order %d:\n got %+v\nwant %+v", ct.Name, so, order, got.res, want.res)
				}
			}
		}
	}
}

// TestRawRecordSize: a raw record says the bytes of its record
// (connectors.Sizer), which the scan bounds in flight, for NDJSON lines
// and for the objects of a JSON array.
func TestRawRecordSize(t *testing.T) {
	dir := t.TempDir()
	rec := func(i int) string { return fmt.Sprintf(`{"id":%d,"note":"%s"}`, i, strings.Repeat("x", i*37%500)) }
	const n = 300
	for _, path := range []string{
		writeLines(t, dir, "a.ndjson", n, rec),
		writeLines(t, dir, "a.json", 1, func(int) string {
			var recs []string
			for i := range n {
				recs = append(recs, rec(i))
			}
			return "[" + strings.Join(recs, ",\n") + "]"
		}),
	} {
		c, ct := openContainer(t, path, connectors.Options{})
		i := 0
		_, err := c.Sample(context.Background(), ct, connectors.SampleOptions{}, func(d connectors.Document) error {
			sz, ok := d.Raw.(connectors.Sizer)
			if !ok {
				t.Fatalf("%s: document %d is not a raw record with a size: %#v", ct.Name, i, d)
			}
			if got, want := sz.Size(), len(rec(i)); got != want {
				t.Errorf("%s: document %d: Size() %d, want %d", ct.Name, i, got, want)
			}
			if _, _, ok := d.Decode(); !ok {
				t.Errorf("%s: document %d did not decode", ct.Name, i)
			}
			i++
			return nil
		})
		if err != nil || i != n {
			t.Fatalf("%s: %d documents, %v", ct.Name, i, err)
		}
	}
}
