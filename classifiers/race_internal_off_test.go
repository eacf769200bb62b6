//go:build !race

package classifiers

const underRace = false
