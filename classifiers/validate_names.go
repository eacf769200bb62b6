package classifiers

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:embed data/first_names.txt
var firstNamesTxt string

//go:embed data/surnames.txt
var surnamesTxt string

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		for _, w := range strings.Fields(l) {
			m[w] = true
		}
	}
	return m
}

var (
	firstNames = wordSet(firstNamesTxt)
	surnames   = wordSet(surnamesTxt)
)

// nameParticles may appear in lower case inside a person's name.
var nameParticles = map[string]bool{"van": true, "von": true, "der": true, "den": true, "de": true, "da": true,
	"del": true, "della": true, "di": true, "du": true, "la": true, "le": true, "dos": true, "das": true, "do": true,
	"y": true, "e": true, "ten": true, "ter": true, "zu": true, "al": true, "bin": true, "st": true}

func foldWord(w string) string {
	if isASCIILower(w) {
		return w
	}
	var b strings.Builder
	for _, r := range w {
		if r == '\'' || r == '’' {
			continue
		}
		foldTo(&b, unicode.ToLower(r))
	}
	return b.String()
}

func isASCIILower(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// validPersonName checks the shape of a person's name: one to five words of
// letters (hyphens, apostrophes and particles allowed), capitalised or all
// upper case. Without the field's name, it also needs two or more words and
// a known first name or surname among them.
func validPersonName(s string, named bool) bool {
	if len(s) < 2 || len(s) > 80 {
		return false
	}
	words := 0
	known := 0
	lowerWords := 0
	first := true
	for w := range strings.FieldsSeq(s) {
		words++
		if words > 5 {
			return false
		}
		w = strings.TrimSuffix(strings.TrimSuffix(w, ","), ".")
		if w == "" {
			return false
		}
		lw := foldWord(strings.ToLower(w))
		if nameParticles[lw] && !first {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) {
			if !named {
				return false
			}
			lowerWords++
		}
		for _, c := range w {
			if !unicode.IsLetter(c) && c != '-' && c != '\'' && c != '’' && c != '.' {
				return false
			}
		}
		if first && firstNames[lw] || surnames[lw] {
			known++
		} else if !first {
			for part := range strings.SplitSeq(lw, "-") {
				if surnames[part] || firstNames[part] {
					known++
					break
				}
			}
		}
		first = false
	}
	if words == 0 {
		return false
	}
	if named {
		// a name written in lower case needs one known word
		return lowerWords == 0 || known > 0
	}
	return words >= 2 && known >= 1 && (known >= 2 || words == 2)
}

// hasKnownName reports whether a word of s is a known first name or surname.
func hasKnownName(s string) bool {
	for w := range strings.FieldsSeq(s) {
		lw := foldWord(strings.ToLower(strings.Trim(w, ",.")))
		if firstNames[lw] || surnames[lw] {
			return true
		}
		for part := range strings.SplitSeq(lw, "-") {
			if firstNames[part] || surnames[part] {
				return true
			}
		}
	}
	return false
}
