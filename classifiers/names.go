package classifiers

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// normName turns a field name into lower-case words separated by single
// spaces: snake_case, camelCase, kebab-case and dotted names all become
// "date of birth"; letters and digits are split ("address1" → "address 1");
// accents are folded ("Straße" → "strasse", "téléphone" → "telephone").
func normName(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	var prev rune // previous rune written (0 after a separator)
	var prevUpper bool
	rs := []rune(s)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			prev = 0
			continue
		}
		upper := unicode.IsUpper(r)
		if prev != 0 {
			split := false
			switch {
			case upper && !prevUpper && unicode.IsLetter(prev):
				split = true // camelCase
			case upper && prevUpper && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
				split = true // HTTPServer → http server
			case unicode.IsDigit(r) != unicode.IsDigit(prev):
				split = true // address1
			}
			if split {
				b.WriteByte(' ')
			}
		} else if b.Len() > 0 {
			b.WriteByte(' ')
		}
		foldTo(&b, unicode.ToLower(r))
		prev, prevUpper = r, upper
	}
	return b.String()
}

// foldTo writes r to b with its diacritics dropped (ß as ss, æ as ae...);
// a letter it does not fold is written as it is.
func foldTo(b *strings.Builder, r rune) {
	if r < utf8.RuneSelf {
		b.WriteByte(byte(r))
	} else if f := folded(r); f != "" {
		b.WriteString(f)
	} else {
		b.WriteRune(r)
	}
}

// folded is the letters r folds to, "" for a rune it does not fold.
func folded(r rune) string {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ā':
		return "a"
	case 'ç', 'č', 'ć':
		return "c"
	case 'è', 'é', 'ê', 'ë', 'ē', 'ę', 'ě':
		return "e"
	case 'ì', 'í', 'î', 'ï', 'ī':
		return "i"
	case 'ñ', 'ń':
		return "n"
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō':
		return "o"
	case 'ù', 'ú', 'û', 'ü', 'ū', 'ů':
		return "u"
	case 'ý', 'ÿ':
		return "y"
	case 'ß':
		return "ss"
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	case 'š', 'ś':
		return "s"
	case 'ž', 'ź', 'ż':
		return "z"
	case 'ł':
		return "l"
	case 'ř':
		return "r"
	}
	return ""
}

// pathNames is what field-name patterns are tested against for one path.
type pathNames struct {
	leaf     string   // normalised last key
	combined string   // parent and leaf ("card number" for card.number)
	parent   string   // the parent key when the leaf is a generic word
	ancestor []string // every key above the leaf, normalised
	tokens   string   // all words of the path, space separated and padded
}

// genericLeaves are keys that only say something together with their parent
// (card.number, password.value, phone.raw).
var genericLeaves = map[string]bool{
	"value": true, "val": true, "v": true, "number": true, "num": true, "no": true, "nr": true,
	"code": true, "text": true, "data": true, "raw": true, "plain": true, "plaintext": true,
	"string": true, "str": true, "content": true, "main": true, "primary": true, "home": true,
	"work": true, "mobile": true, "private": true, "current": true, "default": true, "full": true,
	"formatted": true, "e 164": true, "e164": true, "national": true, "international": true,
	"display": true, "normalized": true, "normalised": true, "original": true, "clear": true,
	"id": true, "ref": true, "reference": true, "nummer": true, "numero": true, "wert": true, "valeur": true,
	"valor": true, "valore": true, "waarde": true, "meta value": true,
}

// splitPath returns the keys of a path. Markers of decoded data are
// dropped ("payload<json>.email" → payload, email) and the selector of a
// key/value pair names the value ("attributes[name=billing_phone].value" →
// attributes, billing_phone, value). A key that held encoded data is
// followed by decodedMark: the keys inside the encoding do not combine
// with it ("api_key<jwt>.name" is a name, not an "api key name").
func splitPath(path string) []string {
	segs := strings.Split(path, ".")
	out := make([]string, 0, len(segs)+1)
	for _, s := range segs {
		decoded := false
		for {
			i := strings.IndexByte(s, '<')
			if i < 0 {
				break
			}
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				break
			}
			s = s[:i] + s[i+j+1:]
			decoded = true
		}
		var sel string
		if i := strings.IndexByte(s, '['); i >= 0 {
			if j := strings.IndexByte(s[i:], ']'); j > 0 {
				if _, name, ok := strings.Cut(s[i+1:i+j], "="); ok {
					sel = name
					s = s[:i] + s[i+j+1:]
				}
			}
		}
		s = strings.TrimSpace(strings.ReplaceAll(s, "[]", ""))
		if s != "" {
			out = append(out, s)
		}
		if sel != "" {
			out = append(out, sel)
		}
		if decoded {
			out = append(out, decodedMark)
		}
	}
	return out
}

// decodedMark follows, in splitPath's keys, a key whose value was decoded.
const decodedMark = "\x00"

func newPathNames(path string) pathNames {
	segs := splitPath(path)
	var pn pathNames
	boundary := false // the leaf is the first key inside decoded data
	for len(segs) > 0 && segs[len(segs)-1] == decodedMark {
		segs = segs[:len(segs)-1]
	}
	var keep []string
	for i, s := range segs {
		if s == decodedMark {
			boundary = i == len(segs)-2
			continue
		}
		keep = append(keep, s)
	}
	segs = keep
	if len(segs) == 0 {
		return pn
	}
	norm := make([]string, len(segs))
	for i, s := range segs {
		norm[i] = normName(s)
	}
	pn.leaf = norm[len(norm)-1]
	pn.ancestor = norm[:len(norm)-1]
	if len(norm) > 1 && !boundary {
		pn.combined = norm[len(norm)-2] + " " + pn.leaf
		if genericLeaves[pn.leaf] {
			pn.parent = norm[len(norm)-2]
		}
	}
	pn.tokens = " " + strings.Join(norm, " ") + " "
	return pn
}

// names returns the strings a field-name pattern is tested against.
func (pn *pathNames) names() []string {
	out := []string{pn.leaf}
	if pn.combined != "" {
		out = append(out, pn.combined)
	}
	if pn.parent != "" {
		out = append(out, pn.parent)
	}
	return out
}
