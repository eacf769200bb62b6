package classifiers

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
)

// ValidJWT reports whether s is a JSON Web Token: three base64url parts (the
// signature may be empty for alg none) whose header decodes to a JSON
// object with an "alg".
func ValidJWT(s string) bool {
	h, rest, ok := strings.Cut(s, ".")
	if !ok {
		return false
	}
	p, sig, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(sig, ".") || len(p) < 4 {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(h, "="))
	if err != nil {
		return false
	}
	var hdr map[string]any
	if json.Unmarshal(raw, &hdr) != nil {
		return false
	}
	alg, ok := hdr["alg"].(string)
	if !ok || alg == "" {
		return false
	}
	raw, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(p, "="))
	if err != nil {
		return false
	}
	var claims map[string]any
	if json.Unmarshal(raw, &claims) != nil {
		return false
	}
	return sig != "" || strings.EqualFold(alg, "none")
}

const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// ValidBcrypt reports whether s is a bcrypt hash ($2a$, $2b$, $2x$, $2y$
// with a cost of 04 to 31 and 53 characters of salt and digest).
func ValidBcrypt(s string) bool {
	if len(s) != 60 || s[0] != '$' || s[1] != '2' || s[3] != '$' || s[6] != '$' {
		return false
	}
	switch s[2] {
	case 'a', 'b', 'x', 'y':
	default:
		return false
	}
	cost, err := strconv.Atoi(s[4:6])
	if err != nil || cost < 4 || cost > 31 {
		return false
	}
	for i := 7; i < len(s); i++ {
		if strings.IndexByte(bcryptAlphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

// validConnURI accepts a URI whose user info carries a real password.
func validConnURI(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.User == nil || u.Host == "" {
		return false
	}
	p, ok := u.User.Password()
	return ok && p != "" && !isPlaceholder(p)
}

func isPlaceholder(p string) bool {
	if p == "" {
		return true
	}
	if strings.Trim(p, "*xX•.#?") == "" {
		return true
	}
	switch strings.ToLower(p) {
	case "password", "pass", "secret", "changeme", "<password>", "${password}", "redacted", "[redacted]", "<redacted>",
		"null", "none", "nil", "undefined", "true", "false", "n/a", "na", "-", "hidden", "masked", "{password}", "$password":
		return true
	}
	return strings.HasPrefix(p, "${") || strings.HasPrefix(p, "{{") || strings.HasPrefix(p, "%(")
}

func validHexDigest(s string) bool {
	switch len(s) {
	case 32, 40, 56, 64, 96, 128:
	default:
		return false
	}
	return !allSame([]byte(s))
}
