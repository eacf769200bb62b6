package pipeline

import "testing"

// mayHoldPairsOrBase64Ref is mayHoldPairsOrBase64 as first written, byte by
// byte: the oracle of FuzzMayHoldPairsOrBase64.
func mayHoldPairsOrBase64Ref(t string) bool {
	b64 := len(t) >= 16
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c == '=' || c == '\n':
			return true
		case b64 && !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_'):
			b64 = false
		}
	}
	return b64
}

func FuzzMayHoldPairsOrBase64(f *testing.F) {
	for _, s := range []string{"", "a=b", "line\nline", "QUJDREVGR0hJSktMTU5PUA", "QUJDREVGR0hJSktMTU5PUA==", "short", "ab_cd-ef+gh/ij0123", "not base64 at all!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := mayHoldPairsOrBase64(s), mayHoldPairsOrBase64Ref(s); got != want {
			t.Fatalf("mayHoldPairsOrBase64(%q) = %v, want %v", s, got, want)
		}
	})
}
