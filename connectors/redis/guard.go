package redis

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"sync/atomic"

	goredis "github.com/redis/go-redis/v9"
)

// Reads of collections are not preceded by a size check (MEMORY USAGE or
// an element count, one command per key): every read is bounded in count
// by its command (LRANGE 0 99, HSCAN COUNT 1000, ...), and in bytes by
// the connection itself, which refuses a reply before the client allocates
// it. A guardConn watches the replies as they arrive, before go-redis reads
// them: a bulk string longer than the connector's bulk limit, or a pipeline
// whose replies add up to more than its reply limit, fails the connection
// with a ReplyTooLargeError before the header that announces it reaches the
// client. The sampler then reads the keys of the pipeline again in halves,
// down to the one key at fault, which is skipped as too large.

// ReplyTooLargeError is a reply the connection refused to read.
type ReplyTooLargeError struct {
	Size, Limit int64
	Total       bool // the pipeline's replies together, not one value
}

func (e *ReplyTooLargeError) Error() string {
	if e.Total {
		return fmt.Sprintf("replies of one pipeline over %d bytes: not read", e.Limit)
	}
	return fmt.Sprintf("a value of %d bytes, over the limit of %d: not read", e.Size, e.Limit)
}

// replyLimits are the bounds a guardConn enforces.
type replyLimits struct {
	bulk  atomic.Int64 // one bulk string
	total atomic.Int64 // the replies to one request (a pipeline)
}

// guardConn is a connection whose replies are bounded (see above).
type guardConn struct {
	net.Conn
	lim  *replyLimits
	read int64  // bytes delivered since the last request was written
	skip int64  // payload bytes of the current bulk string still to come
	hdr  []byte // the start of a header line that spans reads
	hlen int    // its length
	err  error  // the refusal, returned by every later Read
}

func (g *guardConn) Write(p []byte) (int, error) {
	g.read = 0
	return g.Conn.Write(p)
}

func (g *guardConn) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.Conn.Read(p)
	bulkMax, totalMax := g.lim.bulk.Load(), g.lim.total.Load()
	i := 0
	for i < n {
		if g.skip > 0 {
			d := int64(n - i)
			if d > g.skip {
				d = g.skip
			}
			g.skip -= d
			i += int(d)
			continue
		}
		// a header line: its type byte, then up to "\r\n"
		start := i - g.hlen // may be before p (the line began in an earlier read)
		nl := bytes.IndexByte(p[i:n], '\n')
		if nl < 0 {
			g.hdr = appendHeader(g.hdr, p[i:n]) // the line goes on in the next read
			g.hlen += n - i
			break
		}
		j := i + nl
		line := p[i:j] // a line read whole: not copied
		if g.hlen > 0 {
			g.hdr = appendHeader(g.hdr, line)
			line = g.hdr
		}
		g.hdr, g.hlen = g.hdr[:0], 0
		i = j + 1
		if len(line) == 0 {
			continue
		}
		switch line[0] {
		case '$', '=', '!': // bulk string, verbatim string, blob error
			size, ok := headerSize(trimCR(line[1:]))
			if !ok {
				continue
			}
			delivered := g.read + int64(start)
			var refused *ReplyTooLargeError
			switch {
			case bulkMax > 0 && size > bulkMax:
				refused = &ReplyTooLargeError{Size: size, Limit: bulkMax}
			case totalMax > 0 && delivered+size > totalMax:
				refused = &ReplyTooLargeError{Size: delivered + size, Limit: totalMax, Total: true}
			}
			if refused != nil {
				// deliver what came before the header, never the header
				g.err = refused
				keep := max(start, 0)
				g.read += int64(keep)
				if keep == 0 {
					return 0, g.err
				}
				return keep, nil
			}
			g.skip = size + 2
		}
	}
	g.read += int64(n)
	return n, err
}

// headerLen is how much of a header line spanning reads is kept: enough
// for any length the protocol announces.
const headerLen = 24

// appendHeader appends b to the start of a header line, up to headerLen
// bytes.
func appendHeader(hdr, b []byte) []byte {
	return append(hdr, b[:min(len(b), max(headerLen-len(hdr), 0))]...)
}

// headerSize is the length a bulk header announces: decimal digits, at
// most 18 of them (what no reply reaches), else not a length.
func headerSize(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}

// dialGuard wraps the connections go-redis dials (after TLS: the guard
// reads the protocol) in a guardConn.
func dialGuard(lim *replyLimits, next goredis.DialHook) goredis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &guardConn{Conn: conn, lim: lim}, nil
	}
}
