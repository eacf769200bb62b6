package report

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"strings"
)

// TargetIdentity is what identifies a target across runs and shards, without
// credentials: scheme://host:port/database for a network store (user, password,
// query and fragment dropped; scheme and host lower-cased), file:PATH for
// files and anything else that is not a URL.
func TargetIdentity(uri string) string {
	if i := strings.Index(uri, "://"); i > 0 && !strings.Contains(uri[:i], "/") {
		if u, err := url.Parse(uri); err == nil && u.Scheme != "file" {
			id := strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname())
			if p := u.Port(); p != "" {
				id += ":" + p
			}
			if db, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/"); db != "" {
				id += "/" + db
			}
			return id
		} else if err == nil {
			return "file:" + filepath.ToSlash(filepath.Clean(u.Path))
		}
		// An unparsable URL: keep scheme and host, drop anything that
		// may be a credential.
		rest := uri[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			rest = rest[at+1:]
		}
		host, _, _ := strings.Cut(rest, "/")
		host, _, _ = strings.Cut(host, "?")
		return strings.ToLower(uri[:i]) + "://" + strings.ToLower(host)
	}
	return "file:" + filepath.ToSlash(filepath.Clean(uri))
}

// Fingerprint identifies one finding across runs and shards: a hash of the
// target's identity (see TargetIdentity), the container, the field path and
// the category. It holds no credential and no data.
func Fingerprint(targetURI, container, path, category string) string {
	h := sha256.New()
	for _, s := range []string{TargetIdentity(targetURI), container, path, category} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// combinationFingerprint identifies a combination found in a container.
func combinationFingerprint(targetURI, container, id string) string {
	return Fingerprint(targetURI, container, "", "combination:"+id)
}
