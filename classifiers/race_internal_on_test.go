//go:build race

package classifiers

// underRace scales down the internal tests that compare with an oracle many
// times: the race detector makes them some thirty times slower.
const underRace = true
