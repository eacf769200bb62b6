package main

import (
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressBar shows documents read and containers done on standard error.
// Documents are counted with an atomic and drawn a few times a second, so
// the per-document cost stays tiny.
type progressBar struct {
	bar        *progressbar.ProgressBar
	docs       atomic.Int64
	total      atomic.Int64
	containers atomic.Int64
	done       atomic.Int64
	stop       chan struct{}
	wg         sync.WaitGroup
}

func newProgressBar(w io.Writer) *progressBar {
	p := &progressBar{stop: make(chan struct{})}
	p.bar = progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("scanning"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("docs"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
	p.wg.Add(1)
	go p.loop()
	return p
}

func (p *progressBar) loop() {
	defer p.wg.Done()
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	var shownTotal int64 = -1
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			if tot := p.total.Load(); tot > 0 && tot != shownTotal {
				p.bar.ChangeMax64(tot)
				shownTotal = tot
			}
			p.bar.Describe("scanning " + itoa(p.done.Load()) + "/" + itoa(p.containers.Load()) + " containers")
			_ = p.bar.Set64(p.docs.Load())
		}
	}
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func (p *progressBar) ContainersFound(_ string, n int, estimated int64) {
	p.containers.Add(int64(n))
	if estimated > 0 {
		p.total.Add(estimated)
	}
}

func (p *progressBar) Documents(n int) { p.docs.Add(int64(n)) }

func (p *progressBar) ContainerDone(string, string, error) { p.done.Add(1) }

// Finish stops drawing and clears the bar.
func (p *progressBar) Finish() {
	close(p.stop)
	p.wg.Wait()
	_ = p.bar.Finish()
}
