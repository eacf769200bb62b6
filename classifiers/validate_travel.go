package classifiers

func validETicket(s string) bool {
	var a [24]byte
	d, ok := digitsOf(a[:0], s)
	if !ok || len(d) != 13 || allSame(d) || (d[0] == '0' && d[1] == '0' && d[2] == '0') {
		return false
	}
	return true
}
