package redis

import (
	"context"
	"fmt"
	"net"
	"strconv"
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
		j := i
		for j < n && p[j] != '\n' {
			if g.hlen < 24 {
				g.hdr = append(g.hdr, p[j])
			}
			g.hlen++
			j++
		}
		if j == n {
			i = n
			break
		}
		line := g.hdr
		g.hdr, g.hlen = g.hdr[:0], 0
		i = j + 1
		if len(line) == 0 {
			continue
		}
		switch line[0] {
		case '$', '=', '!': // bulk string, verbatim string, blob error
			size, perr := strconv.ParseInt(string(trimCR(line[1:])), 10, 64)
			if perr != nil || size < 0 {
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
