//go:build race

package mongodb

// raceEnabled: the race detector slows the in-process server down about
// tenfold; tests that read the 100,000-document collection whole use a
// smaller one instead.
const raceEnabled = true
