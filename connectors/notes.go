package connectors

import "sync"

// NoteList collects facts a connector learns about its target while it
// works (from Exposure, Containers or Sample, perhaps at once), each once,
// in the order first met. The zero value is ready; it is safe for
// concurrent use.
type NoteList struct {
	mu    sync.Mutex
	notes []string
}

// Add records a note unless it is already there.
func (l *NoteList) Add(note string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.notes {
		if x == note {
			return
		}
	}
	l.notes = append(l.notes, note)
}

// List returns a copy of the notes.
func (l *NoteList) List() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.notes...)
}
