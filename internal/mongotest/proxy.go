package mongotest

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
)

// Proxy forwards TCP connections to a server until it is stopped; Stop
// closes every connection at once and refuses new ones, as a server that
// goes down or a network that breaks does.
type Proxy struct {
	// URI is the server's URI with the proxy's address in place of the
	// server's.
	URI string

	ln      net.Listener
	backend string
	mu      sync.Mutex
	resumed *sync.Cond
	conns   map[net.Conn]bool
	stopped bool
	paused  bool
	wg      sync.WaitGroup

	fromServer atomic.Int64
	maxWire    atomic.Int32 // when not 0, the maxWireVersion the server is made to report
}

// StartProxy starts a proxy to the server at uri (a mongodb:// URI with one
// host); it is stopped when the test ends.
func StartProxy(tb testing.TB, uri string) *Proxy {
	tb.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{ln: ln, backend: u.Host, conns: map[net.Conn]bool{}}
	p.resumed = sync.NewCond(&p.mu)
	u.Host = ln.Addr().String()
	p.URI = u.String()
	p.wg.Add(1)
	go p.accept()
	tb.Cleanup(p.Stop)
	return p
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		b, err := net.Dial("tcp", p.backend)
		if err != nil {
			c.Close()
			continue
		}
		if !p.track(c, b) {
			c.Close()
			b.Close()
			return
		}
		p.wg.Add(2)
		if w := p.maxWire.Load(); w != 0 {
			go p.pipeRewriting(c, b, w)
		} else {
			go p.pipe(c, b, &p.fromServer)
		}
		go p.pipe(b, c, nil)
	}
}

func (p *Proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return false
	}
	for _, c := range conns {
		p.conns[c] = true
	}
	return true
}

func (p *Proxy) pipe(dst, src net.Conn, count *atomic.Int64) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.waitResumed() {
				break
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
			if count != nil {
				count.Add(int64(n))
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
}

// SetMaxWireVersion makes the server report wire version v at most in its
// handshake replies (hello, isMaster), as an older MongoDB does (6: 3.6,
// 5: 3.4), on connections opened from now on; 0 turns it off.
func (p *Proxy) SetMaxWireVersion(v int32) { p.maxWire.Store(v) }

// pipeRewriting copies the server's replies message by message, setting
// every maxWireVersion field to w (and a minWireVersion above it to 0).
func (p *Proxy) pipeRewriting(dst, src net.Conn, w int32) {
	defer p.wg.Done()
	defer dst.Close()
	defer src.Close()
	for {
		var hdr [4]byte
		if _, err := io.ReadFull(src, hdr[:]); err != nil {
			return
		}
		n := int(binary.LittleEndian.Uint32(hdr[:]))
		if n < 16 || n > 48<<20 {
			return
		}
		msg := make([]byte, n)
		copy(msg, hdr[:])
		if _, err := io.ReadFull(src, msg[4:]); err != nil {
			return
		}
		setInt32Fields(msg, "maxWireVersion", func(int32) int32 { return w })
		setInt32Fields(msg, "minWireVersion", func(v int32) int32 {
			if v > w {
				return 0
			}
			return v
		})
		if !p.waitResumed() {
			return
		}
		if _, err := dst.Write(msg); err != nil {
			return
		}
		p.fromServer.Add(int64(n))
	}
}

// setInt32Fields rewrites in place every BSON int32 element named name.
func setInt32Fields(msg []byte, name string, f func(int32) int32) {
	key := append(append([]byte{0x10}, name...), 0)
	for i := 0; ; {
		j := bytes.Index(msg[i:], key)
		if j < 0 || i+j+len(key)+4 > len(msg) {
			return
		}
		at := i + j + len(key)
		v := int32(binary.LittleEndian.Uint32(msg[at:]))
		binary.LittleEndian.PutUint32(msg[at:], uint32(f(v)))
		i = at + 4
	}
}

// waitResumed blocks while the proxy is paused; it is false once stopped.
func (p *Proxy) waitResumed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.paused && !p.stopped {
		p.resumed.Wait()
	}
	return !p.stopped
}

// Pause stops forwarding bytes but keeps the connections open, as a server
// that stops answering does.
func (p *Proxy) Pause() {
	p.mu.Lock()
	p.paused = true
	p.mu.Unlock()
}

// Resume forwards bytes again.
func (p *Proxy) Resume() {
	p.mu.Lock()
	p.paused = false
	p.mu.Unlock()
	p.resumed.Broadcast()
}

// BytesFromServer is the number of bytes forwarded from the server so far.
func (p *Proxy) BytesFromServer() int64 { return p.fromServer.Load() }

// Stop closes the listener and every connection, and waits for the copying
// goroutines to end. It is safe to call more than once.
func (p *Proxy) Stop() {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.stopped = true
	_ = p.ln.Close()
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.resumed.Broadcast()
	p.wg.Wait()
}
