// Package server is vulndesk's HTTP side: the JSON API under /api/v1 with
// its OpenAPI document, the pages for people, health and metrics. Every
// route is declared once in the route table (routes.go) with the permission
// it needs; the table drives the mux, the authorization check and the
// OpenAPI document, so the three cannot drift apart.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/pgpkey"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/vex"
)

// Server serves one replica.
type Server struct {
	Svc    *service.Service
	Store  *store.Store
	Runner *service.Runner
	Log    *slog.Logger
	// Version is reported by /healthz and the API.
	Version string
	// SecureCookies sets the Secure flag on cookies; on whenever the
	// service is reached over TLS (directly or through a proxy).
	SecureCookies bool
	// MaxUploadBytes bounds an SBOM upload; other bodies are bounded by
	// maxJSONBody.
	MaxUploadBytes int64

	uploads *uploadBudget
	logins  *auth.LoginLimiter
	metrics *metrics
	routes  []route
	started time.Time
	docOnce sync.Once
	docJSON []byte
	// OpenPGPKey returns the server's OpenPGP signing key (csaf: the .asc
	// files of the CSAF provider; security.txt's signature): the key file
	// configured, else the one kept in the database. New sets it to the
	// service's SigningKey.
	OpenPGPKey func(context.Context) (*pgpkey.Key, error)
	// slaFigures are the SLA figures the pages draw (slacache.go).
	slaCache slaFigureCache
	// cases guards the public report form and tracking link (cases.go).
	cases caseGuards
}

// SetUploadBudget sets how many upload bytes are processed at once and how
// long an upload waits for room (DefaultUploadBudget, DefaultUploadWait).
func (s *Server) SetUploadBudget(n int64, wait time.Duration) {
	s.uploads = newUploadBudget(max(n, 1<<10), wait)
}

// New builds a server; call Handler to serve it.
func New(svc *service.Service, runner *service.Runner, log *slog.Logger, version string) *Server {
	s := &Server{Svc: svc, Store: svc.Store, Runner: runner, Log: log, Version: version,
		MaxUploadBytes: 256 << 20,
		uploads:        newUploadBudget(DefaultUploadBudget, DefaultUploadWait),
		// Per name and address, per address, and a backoff per name.
		logins:  auth.NewLoginLimiter(),
		metrics: newMetrics(),
		started: time.Now(),
		cases:   newCaseGuards(),
	}
	s.OpenPGPKey = svc.SigningKey
	s.routes = s.table()
	return s
}

// principal is who makes a request.
type principal struct {
	Name  string
	Role  auth.Role
	Perms auth.Perm
	// UserID is set for a browser session, TokenID for an API token.
	UserID, TokenID int64
	token           model.Token // an API token's scope
	session         string      // the session token's hash, for logout
}

// Audits tells whether the caller may read the audit log (for the
// layout's navigation).
func (p *principal) Audits() bool { return p.Perms.Has(auth.PermAudit) }

// Administers tells whether the caller may change settings (for the
// layout's navigation).
func (p *principal) Administers() bool { return p.Perms.Has(auth.PermAdmin) }

// uploadLimit is what the caller may do with an upload: those who may
// manage assets upload anywhere and create assets; an uploader token only
// within its scope, creating assets only when made to; a person with the
// uploader role only to existing assets.
func (p *principal) uploadLimit() *service.UploadLimit {
	switch {
	case p.Perms.Has(auth.PermTriage):
		return nil
	case p.TokenID != 0:
		t := p.token
		return &service.UploadLimit{Token: &t, CreateAssets: t.CreateAssets}
	}
	return &service.UploadLimit{}
}

// handlerFunc is what a route does once the caller is authorized. An error
// it returns becomes the response (see writeError).
type handlerFunc func(w http.ResponseWriter, r *http.Request, who *principal) error

// Handler returns the whole HTTP handler: routes with authorization, behind
// panic recovery, metrics, security headers and cross-origin protection.
func (s *Server) Handler() http.Handler {
	mux, routed := http.NewServeMux(), http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
		routed.Handle(rt.Method+" "+rt.Pattern, http.NotFoundHandler())
	}
	// What no route takes: 405 with Allow when the path has routes for
	// other methods, else 404.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		api := strings.HasPrefix(r.URL.Path, "/api/")
		if allow := allowedMethods(routed, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			msg := fmt.Sprintf("method %s not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", "))
			if api {
				writeJSONError(w, http.StatusMethodNotAllowed, msg)
			} else {
				http.Error(w, msg, http.StatusMethodNotAllowed)
			}
			return
		}
		if api {
			writeJSONError(w, http.StatusNotFound, "no such API route: "+r.Method+" "+r.URL.Path)
			return
		}
		http.NotFound(w, r)
	})
	// Browsers say where a request comes from (Origin, Sec-Fetch-Site);
	// a state-changing request from another origin is refused. Clients
	// that send neither (curl, CI) are not browsers and carry a token.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusForbidden, "cross-origin request refused")
	}))
	return s.recoverer(s.metrics.middleware(s.securityHeaders(cop.Handler(mux))))
}

// allowedMethods lists the methods that routes take on r's path, asking
// routed (the route table without the catch-all) with each method in turn.
func allowedMethods(routed *http.ServeMux, r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := routed.Handler(probe); pattern != "" {
			allow = append(allow, m)
		}
	}
	return allow
}

// wrap enforces a route's authorization, then runs it.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setRoute(r, rt.Method+" "+rt.Pattern)
		switch {
		case rt.Body == "sbom" || rt.Body == "sarif":
			r.Body = http.MaxBytesReader(w, r.Body, s.MaxUploadBytes)
		case rt.Body == "vex":
			r.Body = http.MaxBytesReader(w, r.Body, vex.MaxDocumentSize+64<<10) // a form's parts around the document
		case rt.Body == "report":
			r.Body = http.MaxBytesReader(w, r.Body, MaxReportBody)
		case r.Body != nil:
			r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
		}
		var who *principal
		if !rt.Public {
			var err error
			who, err = s.authenticate(r)
			if err != nil {
				s.Log.Error("authenticating", "error", err)
				s.fail(w, r, rt, who, http.StatusInternalServerError, "internal error")
				return
			}
			if who == nil {
				if rt.Page {
					http.Redirect(w, r, "/login?next="+urlEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				w.Header().Set("WWW-Authenticate", `Bearer realm="vulndesk"`)
				s.fail(w, r, rt, who, http.StatusUnauthorized, "authentication required: send an API token as 'Authorization: Bearer vdk_…' or sign in")
				return
			}
			if !who.Perms.Has(rt.Perm) {
				s.fail(w, r, rt, who, http.StatusForbidden, fmt.Sprintf("role %s may not %s (needs %s)", who.Role, rt.Summary, strings.Join(rt.Perm.Scopes(), ", ")))
				return
			}
		}
		if err := rt.checkRequest(r); err != nil {
			s.handleError(w, r, rt, who, err)
			return
		}
		if err := rt.h(w, r, who); err != nil {
			s.handleError(w, r, rt, who, err)
		}
	})
}

// authenticate finds the caller from an API token or a session cookie; nil
// when there is neither (or it is not valid).
func (s *Server) authenticate(r *http.Request) (*principal, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || !strings.HasPrefix(tok, auth.APITokenPrefix) || len(tok) > 200 {
			return nil, nil
		}
		t, err := s.Svc.TokenFor(ctx, tok)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		role := auth.Role(t.Role)
		return &principal{Name: "token:" + t.Name, Role: role, Perms: role.Perms(), TokenID: t.ID, token: t}, nil
	}
	c, err := r.Cookie(auth.SessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 200 {
		return nil, nil
	}
	u, h, err := s.Svc.SessionUser(ctx, c.Value)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	role := auth.Role(u.Role)
	return &principal{Name: u.Username, Role: role, Perms: role.Perms(), UserID: u.ID, session: h}, nil
}

// fail answers an error: JSON for the API, a page in words for people
// (within the site's layout, so they can go on from it).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, rt route, who *principal, status int, msg string) {
	if rt.Page {
		if err := s.render(w, status, "error.html", pageData{Title: http.StatusText(status), User: who, Error: msg}); err != nil {
			s.Log.Error("rendering an error page", "error", err)
		}
		return
	}
	writeJSONError(w, status, msg)
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, api.Error{Error: msg, Status: status})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	return enc.Encode(v)
}

// securityHeaders sets the headers every response carries: no inline
// script or style, no framing, no sniffing, no referrer leaks; and, when
// the service is reached over HTTPS, HSTS, so that browsers never again
// try it over plain HTTP.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if r.TLS != nil || s.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic serving request", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				writeJSONError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
