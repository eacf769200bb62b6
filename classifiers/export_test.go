package classifiers

// DOBLayouts are the layouts ValidBirthDate tries, in order (for the
// fuzz target's time.Parse oracle).
var DOBLayouts = func() []string { return append([]string(nil), dobLayouts...) }
