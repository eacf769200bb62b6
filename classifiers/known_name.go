package classifiers

// KnownPersonName reports whether s, a single word or several, holds a
// first name or surname of the classifier's lists. The pipeline uses it to
// keep person names out of report paths.
func KnownPersonName(s string) bool { return hasKnownName(s) }
