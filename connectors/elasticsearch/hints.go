package elasticsearch

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
)

// certHint says what to do about a server certificate that did not
// verify, or "" for other errors.
func certHint(err error) string {
	var certErr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	switch {
	case errors.As(err, &hostErr):
		return " (the certificate is not for this host name: connect by a name it holds, or use --tls-insecure to skip verification)"
	case errors.As(err, &certErr), errors.As(err, &authErr):
		return " (the server certificate did not verify: give its CA certificate with --tls-ca FILE or " + EnvCA + ", or use --tls-insecure to skip verification)"
	}
	return ""
}
