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
	var rs recordScan
	for k, v := range doc {
		if rk, ok := lowerkey.Lookup(recordKeys, k); ok {
			rs.add(rk, k, v)
		}
	}
	return rs.hits(e, dst)
}

// recordScan gathers what a record's top-level keys say: the digest keys
// holding a digest of their length (the first four), whether a user's key
// and a file's key are among them.
type recordScan struct {
	cands      [4]string
	n          int
	user, file bool
}

// add notes the key k, which says rk, of value v.
func (rs *recordScan) add(rk recordKey, k string, v any) {
	switch {
	case rk.digest > 0:
		if s, ok := v.(string); ok && rs.n < len(rs.cands) && len(s) == rk.digest && isHexString(s) {
			rs.cands[rs.n] = k
			rs.n++
		}
	case rk.user:
		rs.user = true
	case rk.file:
		rs.file = true
	}
}

// hits appends the hits of the digest keys of a record that has a user's
// key and no file's key.
func (rs *recordScan) hits(e *Engine, dst []PathHit) []PathHit {
	if rs.n == 0 || !rs.user || rs.file || e.ruleByID("password-hash-hex") == nil {
		return dst
	}
	for _, k := range rs.cands[:rs.n] {
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
