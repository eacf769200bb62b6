package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/piisniff/piisniff/connectors"
	"github.com/piisniff/piisniff/internal/redistest"
)

// chunkConn hands out a fixed byte stream in reads of at most chunk bytes.
type chunkConn struct {
	net.Conn
	data  []byte
	chunk int
}

func (c *chunkConn) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, errors.New("end of the test stream")
	}
	n := min(len(p), c.chunk, len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// TestGuardConn: the guard delivers every byte before the header of a
// bulk string over its limit (or one that takes the replies over their
// total) and never the whole header line, however the stream is cut into
// reads;
// replies within the limits pass untouched.
func TestGuardConn(t *testing.T) {
	big := "$2000\r\n" + strings.Repeat("x", 2000) + "\r\n"
	tests := []struct {
		name        string
		stream      string
		bulk, total int64
		want        string // what is delivered before the refusal ("" and ok: all)
		ok          bool
	}{
		{"small replies", "+OK\r\n:42\r\n$5\r\nhello\r\n*2\r\n$1\r\na\r\n$-1\r\n", 100, 1000, "", true},
		{"payload looks like a header", "$7\r\n$999999\r\n:1\r\n", 100, 1000, "", true},
		{"bulk over the limit", "*2\r\n$3\r\nabc\r\n" + big, 1000, 1 << 20, "*2\r\n$3\r\nabc\r\n", false},
		{"bulk over the limit first", big, 1000, 1 << 20, "", false},
		{"replies over the total", "$600\r\n" + strings.Repeat("y", 600) + "\r\n$600\r\n", 1000, 1000, "$600\r\n" + strings.Repeat("y", 600) + "\r\n", false},
		{"RESP3 verbatim string", "=2000\r\ntxt:...", 1000, 1 << 20, "", false},
	}
	for _, tt := range tests {
		for _, chunk := range []int{1, 2, 3, 7, 64, 1 << 16} {
			t.Run(fmt.Sprintf("%s/chunk %d", tt.name, chunk), func(t *testing.T) {
				lim := &replyLimits{}
				lim.bulk.Store(tt.bulk)
				lim.total.Store(tt.total)
				g := &guardConn{Conn: &chunkConn{data: []byte(tt.stream), chunk: chunk}, lim: lim}
				var got []byte
				buf := make([]byte, 4096)
				var err error
				for {
					var n int
					n, err = g.Read(buf)
					got = append(got, buf[:n]...)
					if err != nil {
						break
					}
				}
				var refused *ReplyTooLargeError
				if tt.ok {
					if errors.As(err, &refused) || string(got) != tt.stream {
						t.Fatalf("delivered %q, %v; want the whole stream", got, err)
					}
					return
				}
				if !errors.As(err, &refused) {
					t.Fatalf("error %v, want a refusal", err)
				}
				// what came before the header, and perhaps a start of the
				// header line (useless to a reader without its end)
				rest, ok := strings.CutPrefix(string(got), tt.want)
				if !ok || strings.Contains(rest, "\n") || !strings.HasPrefix(tt.stream[len(tt.want):], rest) {
					t.Errorf("delivered %q, want %q and no whole header", got, tt.want)
				}
			})
		}
	}
}

// TestBigCollectionValues: collections are read without a size check, so
// a value too big for the connection's limits is refused by the connection
// before it is read; the sampler reads the other keys of its pipeline
// again and skips that one key. A collection read whole over
// --max-document-bytes is skipped; one read in part is not.
func TestBigCollectionValues(t *testing.T) {
	db := redistest.Claim(t)
	ctx := context.Background()
	p := db.Client.Pipeline()
	for i := 0; i < 40; i++ {
		p.RPush(ctx, fmt.Sprintf("queue:%d", 100+i), fmt.Sprintf("q%d@example.com", i))
	}
	for i := 0; i < 5; i++ {
		p.HSet(ctx, fmt.Sprintf("wide:%d", 100+i), "email", fmt.Sprintf("w%d@example.com", i))
	}
	p.HSet(ctx, "wide:200", "a", strings.Repeat("a", 800), "b", strings.Repeat("b", 800))
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// one element over the bulk limit (the larger of --max-document-bytes and
	// the string piece, plus 64 KiB)
	if err := db.Client.RPush(ctx, "queue:117", strings.Repeat("z", stringPiece+128<<10)).Err(); err != nil {
		t.Fatal(err)
	}
	c, log := openT(t, db.URI(), connectors.Options{MaxDocumentBytes: 1000}, nil)
	cs := containers(t, c)
	docs, res, err := sample(t, c, cs[fmt.Sprintf("db%d/queue:*", db.N)], 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 39 || res.SkipReasons[ReasonTooLarge] != 1 || res.Skipped != 1 {
		t.Errorf("%d docs, skips %v; want 39 and the big list skipped", len(docs), res.SkipReasons)
	}
	for _, d := range docs {
		items, _ := d["(items)"].([]any)
		if len(items) != 1 || !strings.HasSuffix(fmt.Sprint(items[0]), "@example.com") {
			t.Fatalf("document %v", d)
		}
	}
	if contains(log.all(), "memory usage") || contains(log.all(), "llen") {
		t.Error("a size check was sent before the reads")
	}
	docs, res, err = sample(t, c, cs[fmt.Sprintf("db%d/wide:*", db.N)], 0, 1)
	if err != nil || len(docs) != 5 || res.SkipReasons[ReasonTooLarge] != 1 {
		t.Errorf("%d docs, skips %v, %v; want 5 and the hash over the limit skipped", len(docs), res.SkipReasons, err)
	}
}
