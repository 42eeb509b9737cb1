package server

import (
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"math"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
)

//go:embed web
var webFS embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"ago":     ago,
	"rowY":    func(i int) int { return i * 22 },
	"barlen":  barLen,
	"sevs":    func() []string { return severityOrder },
	"lookup":  func(m map[string]int, k string) int { return m[k] },
	"stamp":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"healthy": feedHealthy,
	"jobKind": jobKindName,
	"waited":  waited,
	"crit":    criticalityName,
	"short":   shortHash,
}).ParseFS(webFS, "web/*.html"))

// jobKindName says what a kind of job does, for people.
func jobKindName(kind string) string {
	switch kind {
	case model.JobMatchSnapshot:
		return "matching new SBOMs"
	case model.JobRematch:
		return "re-matching after advisory changes"
	case model.JobSyncFeed:
		return "syncing feeds"
	case model.JobNotify:
		return "looking for events to notify"
	case model.JobDeliver:
		return "sending notifications"
	}
	return kind
}

// waited says how long since t, to the second under a minute.
func waited(t time.Time) string {
	d := time.Since(t)
	if d < time.Minute {
		return plural(max(0, int(d.Seconds())), "second")
	}
	return strings.TrimSuffix(ago(t), " ago")
}

var severityOrder = []string{"critical", "high", "medium", "low", "none", "unknown"}

// ago says how long ago t was, in words; "never" for the zero time.
func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d.Minutes()), "minute") + " ago"
	case d < 48*time.Hour:
		return plural(int(d.Hours()), "hour") + " ago"
	}
	return plural(int(d.Hours()/24), "day") + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// barLen scales n against max to a bar of at most 300 units.
func barLen(n, max int) int {
	if max <= 0 || n <= 0 {
		return 0
	}
	return 2 + n*298/max
}

// feedHealthy: enabled feeds must have succeeded at their last attempt.
func feedHealthy(f model.Feed) string {
	switch {
	case !f.Enabled && f.LastSuccessAt.IsZero():
		return "disabled"
	case f.LastError != "":
		return "failing"
	case f.LastSuccessAt.IsZero():
		return "pending"
	case !f.Enabled:
		return "disabled"
	}
	return "ok"
}

type pageData struct {
	Title   string
	User    *principal
	Error   string
	Next    string
	Data    any
	Version string
}

func (s *Server) render(w http.ResponseWriter, status int, name string, d pageData) error {
	d.Version = s.Version
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return pages.ExecuteTemplate(w, name, d)
}

// safeNext keeps a post-login redirect on this site: a local path only.
// Browsers drop tabs and line breaks anywhere in a URL ("/\t/evil.example"
// is "//evil.example" to them), so control characters are refused too.
func safeNext(n string) string {
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.HasPrefix(n, "/\\") || len(n) > 500 ||
		strings.ContainsFunc(n, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "/"
	}
	return n
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, _ *principal) error {
	return s.render(w, http.StatusOK, "login.html", pageData{Title: "Sign in", Next: safeNext(r.URL.Query().Get("next"))})
}

// clientIP is the peer address; the limiter keys on it and on the name.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// login signs a person in. The attempt is reserved with the limiter before
// the password is checked and counts as a failure until the password
// proves right, so that parallel guesses cannot all get past the limit
// before the first of them fails.
func (s *Server) login(w http.ResponseWriter, r *http.Request, _ *principal) error {
	if err := r.ParseForm(); err != nil {
		return errStatus(http.StatusBadRequest, "form: %v", err)
	}
	name, pw := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	ip := clientIP(r)
	a, wait, ok := s.logins.Reserve(name, ip, time.Now())
	if !ok {
		s.metrics.loginRefused.Add(1)
		secs := int(math.Ceil(wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.Log.Warn("login refused: too many failures", "user", name, "ip", ip, "retry_after", secs)
		return s.render(w, http.StatusTooManyRequests, "login.html", pageData{Title: "Sign in", Next: next,
			Error: "Too many failed sign-ins from your address. Try again in " + plural(secs, "second") + "."})
	}
	u, err := s.Svc.CheckSignIn(r.Context(), a.Delay, name, pw)
	if errors.Is(err, service.ErrWrongSignIn) {
		a.Fail(time.Now())
		s.metrics.loginFailures.Add(1)
		s.Log.Info("login failed", "user", name, "ip", ip)
		return s.render(w, http.StatusUnauthorized, "login.html", pageData{Title: "Sign in", Next: next,
			Error: "Wrong user name or password."})
	}
	// Right, or never checked (the client left, the store failed): the
	// attempt's slots go back; earlier failures stay counted.
	a.Release()
	if err != nil {
		return err
	}
	tok, err := s.Svc.OpenSession(r.Context(), u, ip)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: auth.SessionCookie, Value: tok, Path: "/", HttpOnly: true,
		Secure: s.SecureCookies || r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: int(auth.SessionTTL.Seconds())})
	s.Log.Info("login", "user", u.Username, "ip", ip)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, who *principal) error {
	if who.session != "" {
		if err := s.Svc.CloseSession(r.Context(), model.User{ID: who.UserID, Username: who.Name}, who.session); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: auth.SessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.SecureCookies || r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (s *Server) static(w http.ResponseWriter, r *http.Request, _ *principal) error {
	name := r.PathValue("file")
	if strings.Contains(name, "/") || strings.Contains(name, "..") {
		return errStatus(http.StatusNotFound, "not found")
	}
	b, err := fs.ReadFile(webFS, path.Join("web/static", name))
	if err != nil {
		return errStatus(http.StatusNotFound, "not found")
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml")
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write(b)
	return err
}
