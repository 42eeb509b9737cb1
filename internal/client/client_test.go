package client

// The client's handling of answers the real server rarely gives: a proxy's
// plain-text error, a busy answer with Retry-After, an answer over its
// bound. The API itself is tested against the real server in
// internal/server (client_test.go).

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestErrorAnswers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer vdk_t" || r.Header.Get("User-Agent") != "ua-test" {
			http.Error(w, `{"error":"who are you","status":401}`, http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/api/v1/me":
			w.Header().Set("Retry-After", "7")
			http.Error(w, `{"error":"busy","status":503}`, http.StatusServiceUnavailable)
		case "/api/v1/overview":
			http.Error(w, "  502 bad gateway from the proxy\n", http.StatusBadGateway)
		case "/metrics":
			w.Write([]byte(strings.Repeat("x", MaxBody+1)))
		}
	}))
	defer srv.Close()
	c := New(srv.URL+"/", WithToken("vdk_t"), WithUserAgent("ua-test"))

	_, err := c.Me(t.Context())
	var e *Error
	if !errors.As(err, &e) || e.Status != 503 || e.Message != "busy" {
		t.Fatalf("503: %v", err)
	}
	if d, ok := e.RetryAfter(); !ok || d != 7*time.Second {
		t.Errorf("Retry-After: %v %v, want 7s", d, ok)
	}

	_, err = c.Overview(t.Context())
	if !errors.As(err, &e) || e.Status != 502 || e.Message != "502 bad gateway from the proxy" {
		t.Fatalf("plain-text 502: %v", err)
	}
	if _, ok := e.RetryAfter(); ok {
		t.Errorf("502 without Retry-After says to retry")
	}

	if _, err = c.Metrics(t.Context()); !errors.Is(err, errTooLarge) {
		t.Errorf("an answer over %d bytes: %v, want errTooLarge", MaxBody, err)
	}

	_, err = New(srv.URL).Me(t.Context())
	if !errors.As(err, &e) || e.Status != 401 || e.Message != "who are you" {
		t.Errorf("without a token: %v", err)
	}
}
