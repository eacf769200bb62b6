package elasticsearch

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/elastic/elastic-transport-go/v8/elastictransport"
	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/piisniff/piisniff/internal/redact"
)

// Retry policy for 429 and 503 (and 502/504, dropped connections): bounded
// exponential backoff, Retry-After respected up to maxRetryAfter.
var (
	retryBase     = 200 * time.Millisecond
	retryMax      = 5 * time.Second
	maxRetryAfter = 30 * time.Second
	maxAttempts   = 5
	maxBodyBytes  = int64(512 << 20)
)

// client sends requests over the low-level elastictransport client (no
// product check, so OpenSearch and Elasticsearch before 7.14 work) and adds
// what the scanner needs: credentials, a timeout per request and retries.
// It implements esapi.Transport.
type client struct {
	tp      *elastictransport.Client
	auth    string // Authorization header value, "" for anonymous
	timeout time.Duration
	logf    func(string, ...any)
	sleep   func(context.Context, time.Duration) error
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable ||
		code == http.StatusBadGateway || code == http.StatusGatewayTimeout
}

// Perform sends req, retrying transient failures. The returned response's
// body must be closed; the per-request timeout covers reading it.
func (c *client) Perform(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	var lastErr error
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(parent, c.timeout)
		r := req.Clone(ctx)
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			if r.Header.Get("Content-Type") == "" {
				r.Header.Set("Content-Type", "application/json")
			}
		}
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		} else {
			r.Header.Del("Authorization")
		}
		resp, err := c.tp.Perform(r)
		last := attempt+1 >= maxAttempts
		if err != nil {
			// ctx is cancelled below: whether it ran out must be read first
			timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded)
			cancel()
			if parent.Err() != nil {
				return nil, parent.Err()
			}
			if errors.Is(err, context.DeadlineExceeded) || timedOut {
				err = fmt.Errorf("no answer within %s (request timeout)", c.timeout)
			}
			lastErr = err
			if !retryableError(err) {
				return nil, err
			}
			if last {
				return nil, fmt.Errorf("%w (after %d attempts)", lastErr, attempt+1)
			}
			d := backoff(attempt)
			c.logf("elasticsearch: %s %s failed (%v), retrying in %s", req.Method, req.URL.Path, err, d)
			if err := c.sleep(parent, d); err != nil {
				return nil, err
			}
			continue
		}
		if retryableStatus(resp.StatusCode) && !last {
			d := backoff(attempt)
			if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				d = min(ra, maxRetryAfter)
			}
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			_ = resp.Body.Close()
			cancel()
			c.logf("elasticsearch: %s %s answered %d, retrying in %s", req.Method, req.URL.Path, resp.StatusCode, d)
			if err := c.sleep(parent, d); err != nil {
				return nil, err
			}
			continue
		}
		resp.Body = cancelBody{resp.Body, cancel}
		return resp, nil
	}
}

// retryableError tells transient transport failures (a dropped or reset
// connection, a timeout) from lasting ones (nothing listening, a
// certificate that does not verify, a name that does not resolve).
func retryableError(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return false
	}
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	var recErr tls.RecordHeaderError
	if errors.As(err, &dnsErr) || errors.As(err, &certErr) || errors.As(err, &hostErr) ||
		errors.As(err, &authErr) || errors.As(err, &recErr) {
		return false
	}
	return true
}

// backoff is the wait before retry attempt+1: retryBase doubled per
// attempt, capped at retryMax.
func backoff(attempt int) time.Duration {
	d := retryBase << attempt
	if d <= 0 || d > retryMax {
		d = retryMax
	}
	return d
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > 1<<20 {
			n = 1 << 20
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// response is a finished request: status, headers and the whole body.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// call runs one esapi request (or a hand-made one) and reads its answer.
// Network failures are errors; HTTP errors are not (see response.err).
func (c *Connector) call(ctx context.Context, cl *client, op string, fn func(context.Context, esapi.Transport) (*esapi.Response, error)) (*response, error) {
	res, err := fn(ctx, cl)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, redact.Error(fmt.Errorf("%s: %s: %w", op, c.host, err), c.secrets...)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxBodyBytes))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, redact.Error(fmt.Errorf("%s: reading the answer: %w", op, err), c.secrets...)
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: b}, nil
}

// raw builds a request for an endpoint esapi does not know (OpenSearch's
// point in time API).
func raw(method, path string, body []byte) func(context.Context, esapi.Transport) (*esapi.Response, error) {
	return func(ctx context.Context, t esapi.Transport) (*esapi.Response, error) {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, path, rd)
		if err != nil {
			return nil, err
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := t.Perform(req)
		if err != nil {
			return nil, err
		}
		return &esapi.Response{StatusCode: res.StatusCode, Header: res.Header, Body: res.Body}, nil
	}
}

// APIError is an HTTP error answer of the cluster.
type APIError struct {
	Op     string // what was attempted ("list indices (GET /_cat/indices)")
	Status int
	Type   string // error.type of the body, if any
	Reason string // error.reason (or root_cause[0].reason), redacted
	Hint   string // what to do about it
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: HTTP %d", e.Op, e.Status)
	if e.Type != "" {
		b.WriteString(" " + e.Type)
	}
	if e.Reason != "" {
		b.WriteString(": " + e.Reason)
	}
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	return b.String()
}

// errorInfo reads the type and reason of an error body in any of the
// documented shapes: {"error":{"root_cause":[..],"type","reason"}},
// {"error":"text"} (older and OpenSearch "no handler"), or plain text.
func errorInfo(body []byte) (typ, reason string) {
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.Error) == 0 {
		s := strings.TrimSpace(string(body))
		if len(s) > 200 {
			s = s[:200]
		}
		return "", s
	}
	var s string
	if json.Unmarshal(e.Error, &s) == nil {
		return "", s
	}
	var o struct {
		Type      string `json:"type"`
		Reason    string `json:"reason"`
		RootCause []struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"root_cause"`
		CausedBy *struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"caused_by"`
	}
	_ = json.Unmarshal(e.Error, &o)
	typ, reason = o.Type, o.Reason
	if len(o.RootCause) > 0 && (reason == "" || reason == "all shards failed") {
		typ, reason = o.RootCause[0].Type, o.RootCause[0].Reason
	} else if o.CausedBy != nil && reason == "all shards failed" {
		typ, reason = o.CausedBy.Type, o.CausedBy.Reason
	}
	return typ, reason
}

// apiError builds the error for a non-2xx answer, naming what is missing
// for 401 and 403.
func (c *Connector) apiError(op string, r *response, anonymous bool) *APIError {
	typ, reason := errorInfo(r.Body)
	e := &APIError{Op: op, Status: r.Status, Type: typ, Reason: redact.Secrets(reason, c.secrets...)}
	switch r.Status {
	case http.StatusUnauthorized:
		if anonymous || c.authMethod == "" {
			e.Hint = "the cluster requires authentication and no credentials were given: put user:password in the URI, or use --es-api-key or --bearer-token, or set " +
				EnvAPIKey + " or " + EnvUsername + " and " + EnvPassword
		} else {
			e.Hint = c.authDescription() + " were rejected: check them, or whether they expired"
		}
	case http.StatusForbidden:
		e.Hint = c.authDescription() + " lack a privilege: " + privilegeFor(op)
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		e.Hint = fmt.Sprintf("the cluster is overloaded or unavailable; gave up after %d attempts", maxAttempts)
	}
	return e
}

func privilegeFor(op string) string {
	switch {
	case strings.Contains(op, "_cat/indices"), strings.Contains(op, "_cat/aliases"):
		return "listing indices needs the monitor cluster privilege and the monitor index privilege"
	case strings.Contains(op, "_mapping"), strings.Contains(op, "_data_stream"):
		return "reading mappings needs the view_index_metadata index privilege"
	default:
		return "sampling needs the read index privilege on the index"
	}
}

var windowRE = regexp.MustCompile(`(?:less than or equal to|must be less than or equal to): \[(\d+)\]`)

// windowLimit reads the limit from a max_result_window error reason
// ("Result window is too large, from + size must be less than or equal to:
// [10000] but was [10001]..." or "Batch size is too large, size must be less
// than or equal to: [500] but was [1000]...").
func windowLimit(reason string) (int, bool) {
	if !strings.Contains(reason, "too large") {
		return 0, false
	}
	m := windowRE.FindStringSubmatch(reason)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}
