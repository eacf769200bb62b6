package classifiers

import (
	"strings"
	"testing"
)

// TestFold: a rune is written folded where the table folds it and as it
// is otherwise (ASCII, and letters of other scripts), which the names of
// fields and the words of person names are matched on.
func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"straße", "strasse"}, {"téléphone", "telephone"}, {"æøå", "aeoa"}, {"łódź", "lodz"},
		{"адрес", "адрес"}, {"名前", "名前"}, {"ab_12", "ab_12"}, {"", ""}, {"\u00a0x", "\u00a0x"},
	} {
		var b strings.Builder
		for _, r := range tc.in {
			foldTo(&b, r)
		}
		if got := b.String(); got != tc.want {
			t.Errorf("folding %q gave %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"Straße", "strasse"}, {"numéroDeTéléphone", "numero de telephone"}, {"ДатаРождения", "дата рождения"},
	} {
		if got := normName(tc.in); got != tc.want {
			t.Errorf("normName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{{"Zoë", "zoe"}, {"O’Brien", "obrien"}, {"Ægir", "aegir"}, {"Юлия", "юлия"}} {
		if got := foldWord(tc.in); got != tc.want {
			t.Errorf("foldWord(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
