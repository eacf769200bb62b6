// Package redact removes credentials from URIs, messages and errors before
// they reach any output.
package redact

import (
	"net/url"
	"regexp"
	"strings"
)

// Mask is what a removed secret is replaced with.
const Mask = "***"

var userinfoRE = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)([^/@\s:]*):([^@\s]*)@`)

// secretParams are URI query parameters whose values are secrets.
var secretParams = []string{"password", "pass", "pwd", "token", "access_token", "api_key", "apikey",
	"secret", "authmechanismproperties", "sslkeypassword", "tlscertificatekeyfilepassword", "sig", "key"}

// URI returns s with the password of any user info and secret query
// parameters replaced by ***. The user name stays: it helps a person act.
// It works on strings that are not valid URIs too.
func URI(s string) string {
	s = userinfoRE.ReplaceAllString(s, "${1}${2}:"+Mask+"@")
	if i := strings.IndexByte(s, '?'); i >= 0 {
		q := s[i+1:]
		parts := strings.Split(q, "&")
		for j, p := range parts {
			k, _, ok := strings.Cut(p, "=")
			if !ok {
				continue
			}
			lk := strings.ToLower(k)
			if uk, err := url.QueryUnescape(lk); err == nil {
				lk = uk
			}
			for _, sp := range secretParams {
				if lk == sp {
					parts[j] = k + "=" + Mask
					break
				}
			}
		}
		s = s[:i+1] + strings.Join(parts, "&")
	}
	return s
}

// Secrets replaces every occurrence of each non-empty secret in s (and of its
// URL-escaped form) by ***, then redacts URIs.
func Secrets(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) < 3 {
			// too short to replace blindly; URI redaction still applies
			continue
		}
		s = strings.ReplaceAll(s, sec, Mask)
		if esc := url.QueryEscape(sec); esc != sec {
			s = strings.ReplaceAll(s, esc, Mask)
		}
		if esc := url.PathEscape(sec); esc != sec {
			s = strings.ReplaceAll(s, esc, Mask)
		}
	}
	return URI(s)
}

// Error wraps err so that its message has the given secrets and any URI
// credentials removed. It keeps err for errors.Is/As.
func Error(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: Secrets(err.Error(), secrets...), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// URIPassword returns the password in a URI's user info, if any, so callers
// can redact it from messages of libraries that echo it.
func URIPassword(s string) string {
	m := userinfoRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	if p, err := url.PathUnescape(m[3]); err == nil {
		return p
	}
	return m[3]
}
