package classifiers

import "github.com/piisniff/piisniff/internal/lowerkey"

// Record reads what a document's other top-level fields say about one of
// them and appends the findings to dst. A hex digest under a bare
// algorithm name (md5, sha1, sha256, sha512) is a legacy unsalted password
// hash when the record identifies a user (an e-mail, user name or login
// field) and describes no file (no file name, size, URL, path or content
// type): a users table with an md5 column, not a build artifact's digests.
// The finding is the password-hash-hex rule's, so disabling that rule
// disables it.
func (e *Engine) Record(doc map[string]any, dst []PathHit) []PathHit {
	var cands [4]string
	n := 0
	user, file := false, false
	for k, v := range doc {
		rk, ok := lowerkey.Lookup(recordKeys, k)
		switch {
		case !ok:
		case rk.digest > 0:
			if s, ok := v.(string); ok && n < len(cands) && len(s) == rk.digest && isHexString(s) {
				cands[n] = k
				n++
			}
		case rk.user:
			user = true
		case rk.file:
			file = true
		}
	}
	return e.recordHits(cands[:n], user, file, dst)
}

// recordHits appends the hits of the digest keys cands of a record that
// has a user's key and no file's key.
func (e *Engine) recordHits(cands []string, user, file bool, dst []PathHit) []PathHit {
	if len(cands) == 0 || !user || file || e.ruleByID("password-hash-hex") == nil {
		return dst
	}
	for _, k := range cands {
		dst = append(dst, PathHit{Path: k, Hit: Hit{Category: "password_hash", Confidence: 0.8,
			Evidence: EvValue | EvContext, Rule: "password-hash-hex"}})
	}
	return dst
}

var (
	digestLen = map[string]int{"md5": 32, "sha1": 40, "sha_1": 40, "sha-1": 40, "sha256": 64, "sha_256": 64, "sha512": 128, "sha_512": 128}
	userKeys  = map[string]bool{"email": true, "e_mail": true, "mail": true, "user_email": true, "username": true, "user_name": true,
		"login": true, "user_login": true, "userid": true, "user_id": true}
	fileKeys = map[string]bool{"filename": true, "file_name": true, "file": true, "size": true, "size_bytes": true, "bytes": true,
		"content_type": true, "mime_type": true, "mimetype": true, "url": true, "download_url": true, "path": true, "key": true}
)

// recordKey is what a key of the maps above says, found with one lookup.
type recordKey struct {
	digest     int
	user, file bool
}

var recordKeys = func() map[string]recordKey {
	m := map[string]recordKey{}
	for k, n := range digestLen {
		m[k] = recordKey{digest: n}
	}
	for k := range userKeys {
		rk := m[k]
		rk.user = true
		m[k] = rk
	}
	for k := range fileKeys {
		rk := m[k]
		rk.file = true
		m[k] = rk
	}
	return m
}()

func isHexString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
