//go:build !race

package classifiers_test

const raceEnabled = false
