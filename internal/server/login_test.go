package server_test

// Sign-in limits, in-process: the server's handler on a real SQLite store,
// called with the client addresses a test chooses. The limits count per
// minute; every test here finishes well within one.

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/server"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
	"golang.org/x/crypto/argon2"
)

// loginServer is one in-process server with its users.
type loginServer struct {
	h     http.Handler
	token string // an auditor's API token, to read /metrics
}

// newLoginServer starts a server on a fresh SQLite store with the given
// users (name → password).
func newLoginServer(t *testing.T, users map[string]string) *loginServer {
	t.Helper()
	ctx := t.Context()
	st, err := store.Open(ctx, store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for name, pw := range users {
		if _, err := storetest.CreateUser(ctx, st, name, cheapHash(pw), string(auth.RoleAnalyst)); err != nil {
			t.Fatal(err)
		}
	}
	tok := auth.NewToken(auth.APITokenPrefix)
	if _, err := storetest.CreateToken(ctx, st, model.Token{Name: "metrics", Role: string(auth.RoleAuditor), CreatedBy: "test"}, auth.HashToken(tok)); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	return &loginServer{h: server.New(service.New(st, log), nil, log, "test").Handler(), token: tok}
}

// cheapHash is pw's argon2id hash with the least memory and time argon2
// allows, in the format auth.HashPassword writes; auth.CheckPassword reads
// the parameters from the hash. The checks counted here then cost little,
// and a test takes seconds, not the minute the limits count over.
func cheapHash(pw string) string {
	salt := []byte(auth.NewToken("")[:16])
	key := argon2.IDKey([]byte(pw), salt, 1, 64, 1, 32)
	enc := base64.RawStdEncoding
	return "$argon2id$v=19$m=64,t=1,p=1$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key)
}

// login posts the sign-in form from ip. It is safe to call from several
// goroutines: it reports failures with t.Errorf only.
func (s *loginServer) login(t *testing.T, name, pw, ip string) *httptest.ResponseRecorder {
	form := url.Values{"username": {name}, "password": {pw}, "next": {"/"}}.Encode()
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = ip + ":40000"
	if strings.Contains(ip, ":") {
		req.RemoteAddr = "[" + ip + "]:40000"
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	signedIn := strings.Contains(rec.Header().Get("Set-Cookie"), auth.SessionCookie+"=")
	switch rec.Code {
	case http.StatusSeeOther:
		if !signedIn {
			t.Errorf("%s from %s: 303 without a session cookie", name, ip)
		}
	case http.StatusUnauthorized, http.StatusTooManyRequests:
		if signedIn {
			t.Errorf("%s from %s: %d with a session cookie", name, ip, rec.Code)
		}
	default:
		t.Errorf("%s from %s: %d %s", name, ip, rec.Code, rec.Body)
	}
	if rec.Code == http.StatusTooManyRequests {
		wantRefusal(t, rec)
	}
	return rec
}

// wantRefusal checks a 429: a Retry-After within the window, and a page
// that says why.
func wantRefusal(t *testing.T, rec *httptest.ResponseRecorder) {
	secs, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if err != nil || secs < 1 || secs > int(auth.LoginWindow.Seconds()) {
		t.Errorf("429 with Retry-After %q, want 1..%d seconds", rec.Header().Get("Retry-After"), int(auth.LoginWindow.Seconds()))
	}
	if body := rec.Body.String(); !strings.Contains(body, "Too many failed sign-ins") || !strings.Contains(body, "second") {
		t.Errorf("the 429 page does not say why or for how long:\n%s", body)
	}
}

// wantCodes checks a sequence of sign-ins from ip, each name:password
// wanting its status.
func (s *loginServer) wantCodes(t *testing.T, ip string, steps ...loginStep) {
	t.Helper()
	for i, st := range steps {
		if got := s.login(t, st.name, st.pw, ip).Code; got != st.want {
			t.Errorf("step %d, %s from %s: %d, want %d", i, st.name, ip, got, st.want)
		}
	}
}

type loginStep struct {
	name, pw string
	want     int
}

// repeat is n copies of a step, the password numbered when it is wrong.
func repeat(n int, st loginStep) []loginStep {
	out := make([]loginStep, n)
	for i := range out {
		out[i] = st
		if st.want == http.StatusUnauthorized {
			out[i].pw = fmt.Sprintf("%s-%d", st.pw, i)
		}
	}
	return out
}

const (
	alicePassword   = "alice-right-password-2026"
	bobPassword     = "bob-right-password-2026"
	malloryPassword = "mallory-own-password-2026"
)

// TestLoginParallelGuesses is issue 8's case: 60 parallel sign-ins for one
// name from one address, the right password among them, give at most five
// password checks and no sign-in. The right password goes out once the
// limit has shown (the first refusal) or, with a limiter that never
// refuses, after every wrong one: either way while some wrong ones may
// still be in flight, and deterministically after the fifth reservation.
func TestLoginParallelGuesses(t *testing.T) {
	t.Parallel()
	s := newLoginServer(t, map[string]string{"alice": alicePassword})
	const ip, wrong = "192.0.2.10", 59
	codes := make(chan int, wrong)
	refused := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for i := range wrong {
		wg.Go(func() {
			c := s.login(t, "alice", fmt.Sprint("wrong-guess-", i), ip).Code
			if c == http.StatusTooManyRequests {
				once.Do(func() { close(refused) })
			}
			codes <- c
		})
	}
	count := map[int]int{}
	got := 0
wait:
	for got < wrong {
		select {
		case <-refused:
			break wait
		case c := <-codes:
			count[c]++
			got++
		}
	}
	right := s.login(t, "alice", alicePassword, ip)
	wg.Wait()
	close(codes)
	for c := range codes {
		count[c]++
	}
	if right.Code != http.StatusTooManyRequests {
		t.Errorf("the right password, sent after the limit showed: %d, want 429", right.Code)
	}
	count[right.Code]++
	checks := count[http.StatusUnauthorized] + count[http.StatusSeeOther]
	if checks != auth.LoginPairLimit || count[http.StatusSeeOther] != 0 {
		t.Errorf("60 parallel sign-ins: %d password checks, %d sign-ins (%v); want %d checks and none",
			checks, count[http.StatusSeeOther], count, auth.LoginPairLimit)
	}
	m := s.metrics(t)
	if m["vulndesk_login_failures_total"] != float64(count[http.StatusUnauthorized]) ||
		m["vulndesk_login_refused_total"] != float64(count[http.StatusTooManyRequests]) {
		t.Errorf("metrics: %v failures, %v refused; the answers were %v", m["vulndesk_login_failures_total"],
			m["vulndesk_login_refused_total"], count)
	}
}

// TestLoginSuccessKeepsAddressFailures: signing in with an account of
// one's own after every four wrong guesses does not reset the address's
// count; after 20 failures the address is refused, for any name.
func TestLoginSuccessKeepsAddressFailures(t *testing.T) {
	t.Parallel()
	users := map[string]string{"mallory": malloryPassword, "alice": alicePassword}
	for round := range auth.LoginAddrLimit/4 + 1 {
		for i := range 4 {
			users[fmt.Sprintf("victim-%d-%d", round, i)] = "a-password-nobody-guesses"
		}
	}
	s := newLoginServer(t, users)
	const ip = "192.0.2.20"
	for round := range auth.LoginAddrLimit / 4 {
		if round > 0 {
			s.wantCodes(t, ip, loginStep{"mallory", malloryPassword, http.StatusSeeOther})
		}
		for i := range 4 {
			s.wantCodes(t, ip, loginStep{fmt.Sprintf("victim-%d-%d", round, i), "guess", http.StatusUnauthorized})
		}
	}
	s.wantCodes(t, ip,
		loginStep{"victim-5-0", "guess", http.StatusTooManyRequests},
		loginStep{"mallory", malloryPassword, http.StatusTooManyRequests})
	s.wantCodes(t, "192.0.2.21", loginStep{"alice", alicePassword, http.StatusSeeOther})
	if m := s.metrics(t); m["vulndesk_login_failures_total"] != auth.LoginAddrLimit || m["vulndesk_login_refused_total"] != 2 {
		t.Errorf("metrics: %v failures, %v refused; want %d and 2", m["vulndesk_login_failures_total"],
			m["vulndesk_login_refused_total"], auth.LoginAddrLimit)
	}
}

// TestLoginTyposDoNotLockOutOthers: one person's five typos refuse that
// name from that address, and only that.
func TestLoginTyposDoNotLockOutOthers(t *testing.T) {
	t.Parallel()
	s := newLoginServer(t, map[string]string{"alice": alicePassword, "bob": bobPassword})
	const office = "192.0.2.30"
	s.wantCodes(t, office, repeat(auth.LoginPairLimit, loginStep{"alice", "typo", http.StatusUnauthorized})...)
	s.wantCodes(t, office,
		loginStep{"alice", alicePassword, http.StatusTooManyRequests},
		loginStep{"bob", bobPassword, http.StatusSeeOther})
}

// TestLoginFailuresElsewhereOnlySlow: failures for a name from one address
// (here the IPv6 /64 of an attacker, whatever host in it) do not refuse the
// right password from another; it is only slowed by the backoff.
func TestLoginFailuresElsewhereOnlySlow(t *testing.T) {
	t.Parallel()
	s := newLoginServer(t, map[string]string{"alice": alicePassword})
	const attacker = "2001:db8:bad::1"
	s.wantCodes(t, attacker, repeat(auth.LoginPairLimit, loginStep{"alice", "guess", http.StatusUnauthorized})...)
	s.wantCodes(t, "2001:db8:bad::2", loginStep{"alice", alicePassword, http.StatusTooManyRequests})
	s.wantCodes(t, "2001:db8:600d::1", loginStep{"alice", alicePassword, http.StatusSeeOther})
}

// metricLine is one sample of the Prometheus text format: a name, optional
// labels, a value.
var metricLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)` +
	`(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (\S+)$`)

var metricMeta = regexp.MustCompile(`^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$`)

// metrics scrapes /metrics, checks that every line parses and that every
// sample's family was typed first, and returns the unlabelled samples.
func (s *loginServer) metrics(t *testing.T) map[string]float64 {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	typed := map[string]string{}
	out := map[string]float64{}
	for line := range strings.Lines(rec.Body.String()) {
		line = strings.TrimSuffix(line, "\n")
		if m := metricMeta.FindStringSubmatch(line); m != nil {
			if m[1] == "TYPE" {
				typed[m[2]] = m[3]
			}
			continue
		}
		m := metricLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("/metrics: line %q does not parse", line)
			continue
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Errorf("/metrics: line %q: value: %v", line, err)
		}
		family := m[1]
		if typed[family] == "" {
			family = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(family, "_bucket"), "_sum"), "_count")
		}
		if typed[family] == "" {
			t.Errorf("/metrics: sample %q before a TYPE line for it", line)
		}
		if m[2] == "" {
			out[m[1]] = v
		}
	}
	for _, name := range []string{"vulndesk_login_failures_total", "vulndesk_login_refused_total"} {
		if typed[name] != "counter" {
			t.Errorf("/metrics: %s typed %q, want counter", name, typed[name])
		}
	}
	return out
}
