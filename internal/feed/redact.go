package feed

import (
	"net/url"
	"strings"
)

// redacted replaces a credential where a source is shown.
const redacted = RedactedMark

// RedactedMark stands for a credential in a URL as it is shown.
const RedactedMark = "REDACTED"

// Redact returns src as it may be shown: in a URL, the user information
// (a user name alone may be a token) and the values of query parameters
// whose names look like secrets (token, key, sig, password, …) are
// replaced by REDACTED; a local path is returned as it is. secret reports
// whether anything was replaced, so that the caller keeps src itself
// where it is never shown. A URL that does not parse is shown as a
// placeholder, never as given.
func Redact(src string) (shown string, secret bool) {
	if !isURLSource(src) {
		return src, false
	}
	u, err := url.Parse(src)
	if err != nil {
		return "(a URL that does not parse)", true
	}
	if u.User != nil {
		u.User = url.User(redacted)
		secret = true
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, _, _ := strings.Cut(p, "=")
			name, err := url.QueryUnescape(k)
			if err != nil {
				name = k
			}
			if secretParam(name) {
				parts[i] = k + "=" + redacted
				secret = true
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if !secret {
		return src, false
	}
	return u.String(), true
}

// shown is Redact's shown form alone, for errors and logs.
func shown(src string) string {
	s, _ := Redact(src)
	return s
}

// secretParam tells a query parameter that carries a credential by its
// name: an API key or token, a password, a signature of a signed URL
// (S3's X-Amz-Signature, Azure's sig, Google's X-Goog-Signature).
func secretParam(name string) bool {
	n := strings.ReplaceAll(strings.ToLower(name), "-", "_")
	switch n {
	case "key", "sig", "auth", "pwd", "passwd", "pass", "code", "sas":
		return true
	}
	for _, w := range []string{"token", "secret", "password", "signature", "apikey", "api_key", "credential", "access_key", "session"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// isURLSource tells a URL source from a local path, as Fetch does.
func isURLSource(src string) bool {
	return strings.Contains(src, "://") || strings.HasPrefix(strings.ToLower(src), "file:")
}
