package classifiers

// scaled is n, or a tenth of it under the race detector.
func scaled(n int) int {
	if underRace {
		return n / 10
	}
	return n
}
