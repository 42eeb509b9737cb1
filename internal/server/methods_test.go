package server_test

import (
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// A method no route takes on a routed path is 405 with Allow naming the
// methods that are; an unrouted path stays 404.
func TestMethodNotAllowed(t *testing.T) {
	e := storetest.Engines(t)[0]
	p := startInproc(t, e, inprocOptions{})
	cases := []struct {
		method, path string
		want         int
		allow        string
	}{
		{"PUT", "/api/v1/assets", 405, "GET, HEAD, POST"},
		{"DELETE", "/api/v1/findings", 405, "GET, HEAD"},
		{"POST", "/api/v1/assets/7", 405, "GET, HEAD, PATCH, DELETE"},
		{"PUT", "/login", 405, "GET, HEAD, POST"},
		{"GET", "/api/v1/nothing-here", 404, ""},
		{"GET", "/api/v1/sboms", 405, "POST"},
	}
	for _, c := range cases {
		a := rawCall(t, p.URL, c.method, c.path, nil, bearerHdr(p.admin.Token))
		if a.status != c.want {
			t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, a.status, c.want, a.body)
			continue
		}
		if got := a.header.Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
		if strings.HasPrefix(c.path, "/api/") {
			wantAPIError(t, c.method+" "+c.path, a.status, a.body, c.want)
		}
	}
}
