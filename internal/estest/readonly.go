package estest

import (
	"net/http"
	"strings"
)

// String is the request as a log entry: "METHOD /path".
func (r Request) String() string { return r.Method + " " + r.Path }

// IsRead reports whether the request only reads: a GET or HEAD, a search,
// count or scroll, or opening and closing the scan's own point in time or
// scroll context. It is the one allow-list every read-only test uses.
func (r Request) IsRead() bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return true
	case http.MethodPost:
		return strings.HasSuffix(r.Path, "/_search") || strings.HasSuffix(r.Path, "/_count") ||
			strings.HasSuffix(r.Path, "/_pit") || strings.HasSuffix(r.Path, "/_search/point_in_time") ||
			isScroll(r.Path)
	case http.MethodDelete:
		return r.Path == "/_pit" || r.Path == "/_search/point_in_time" || isScroll(r.Path)
	}
	return false
}

func isScroll(p string) bool {
	return p == "/_search/scroll" || strings.HasPrefix(p, "/_search/scroll/")
}

// ReadOnly is IsRead of a log entry written by Request.String.
func ReadOnly(entry string) bool {
	method, path, ok := strings.Cut(entry, " ")
	return ok && Request{Method: method, Path: path}.IsRead()
}

// Log is the request log as entries for the conformance kit.
func (s *Server) Log() []string {
	var out []string
	for _, r := range s.Requests() {
		out = append(out, r.String())
	}
	return out
}
