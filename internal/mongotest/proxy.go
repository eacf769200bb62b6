package mongotest

import (
	"io"
	"net"
	"net/url"
	"sync"
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
	conns   map[net.Conn]bool
	stopped bool
	wg      sync.WaitGroup
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
		go p.pipe(c, b)
		go p.pipe(b, c)
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

func (p *Proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

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
	p.wg.Wait()
}
