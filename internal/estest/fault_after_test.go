package estest

import (
	"sync"
	"testing"
	"time"
)

func TestFaultAfter(t *testing.T) {
	s := newTestServer(t, Config{})
	s.InjectFault(Fault{Status: 401, After: 2})
	for i, want := range []int{200, 200, 401, 401} {
		if a := do(t, s, "GET", "/users/_count", ""); a.status != want {
			t.Errorf("request %d: %d, want %d", i+1, a.status, want)
		}
	}
}

func TestPeakConcurrentRequests(t *testing.T) {
	s := newTestServer(t, Config{})
	s.InjectFault(Fault{PathContains: "_count", Delay: 200 * time.Millisecond})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			do(t, s, "GET", "/users/_count", "")
		}()
	}
	wg.Wait()
	do(t, s, "GET", "/", "")
	if p := s.PeakConcurrentRequests(); p < 2 || p > 3 {
		t.Errorf("peak %d, want 2 or 3 (three requests held together)", p)
	}
}
