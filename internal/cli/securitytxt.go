package cli

// vulndesk securitytxt check FILE|URL: validate a security.txt (RFC 9116).

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/report"
	"github.com/vulndesk/vulndesk/internal/securitytxt"
)

// errSecurityTxtInvalid says the checked file is invalid; its problems
// are already printed. It exits 1.
var errSecurityTxtInvalid = errors.New("security.txt is invalid")

// maxRedirects is how many redirects a fetch follows.
const maxRedirects = 3

func runSecurityTxt(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return usagef("usage: vulndesk securitytxt check FILE|URL [--key PUBKEY.asc] [--at TIME] [--ca CERT.pem] [--timeout D]")
	}
	fs := flag.NewFlagSet("securitytxt check", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	keyFile := fs.String("key", "", "verify the OpenPGP signature with the public key(s) in this file (armored or binary); without it only the signature's form and hash tag are checked")
	at := fs.String("at", "", "judge Expires at this RFC 3339 time instead of now")
	caFile := fs.String("ca", "", "for a URL: trust the CA certificates in this PEM file besides the system's")
	timeout := fs.Duration("timeout", 15*time.Second, "for a URL: give up after this long")
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return flagError("securitytxt check", err)
	}
	if len(pos) != 1 {
		return usagef("usage: vulndesk securitytxt check FILE|URL [--key PUBKEY.asc]: one file or URL")
	}
	o := securitytxt.Options{Now: time.Now()}
	if *at != "" {
		if o.Now, err = time.Parse(time.RFC3339, *at); err != nil {
			return usagef("--at %q: an RFC 3339 time such as 2026-12-08T00:00:00Z", *at)
		}
	}
	if *keyFile != "" {
		b, err := readLimited(*keyFile, 1<<20)
		if err != nil {
			return usagef("--key: %v", err)
		}
		if o.Keys, err = securitytxt.ReadKeys(b); err != nil {
			return usagef("--key %s: not an OpenPGP public key: %v", *keyFile, err)
		}
	}
	target := pos[0]
	var data []byte
	var notes []securitytxt.Problem
	if strings.Contains(target, "://") {
		f := fetcher{timeout: *timeout}
		if *caFile != "" {
			if f.roots, err = readCAs(*caFile); err != nil {
				return usagef("--ca: %v", err)
			}
		}
		// Canonical must list the URL the file came from, after redirects.
		if data, o.URL, notes, err = f.fetch(ctx, target); err != nil {
			return usagef("%s: %v", target, err)
		}
	} else if data, err = readLimited(target, securitytxt.MaxSize); err != nil {
		return usagef("%v", err)
	}
	f, err := securitytxt.Parse(data)
	if err != nil {
		return usagef("%s: %v", target, err)
	}
	res := securitytxt.Check(f, o)
	res.Problems = append(notes, res.Problems...)
	printCheck(e.stdout, target, f, res)
	if !res.Valid() {
		return errSecurityTxtInvalid
	}
	return nil
}

// readLimited reads a file of at most limit bytes.
func readLimited(name string, limit int64) ([]byte, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	return b, nil
}

func readCAs(name string) (*x509.CertPool, error) {
	b, err := readLimited(name, 1<<20)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s holds no PEM certificate", name)
	}
	return pool, nil
}

// printCheck prints the verdict: what was read, then every problem with
// its line, then valid or invalid. Everything quoted from the file is made
// printable first.
func printCheck(w io.Writer, target string, f *securitytxt.File, r securitytxt.Result) {
	p := func(format string, a ...any) { fmt.Fprintln(w, report.Printable(fmt.Sprintf(format, a...))) }
	p("security.txt: %s", target)
	p("fields: %d (%d Contact), comments: %d", len(f.Fields), len(f.Get("Contact")), len(f.Comments))
	if !r.Expires.IsZero() {
		p("expires: %s", r.Expires.UTC().Format(time.RFC3339))
	}
	if r.Signature != nil {
		p("signature: %s", r.Signature.Summary())
	} else {
		p("signature: none (the file is not signed)")
	}
	for _, u := range f.Unknown() {
		p("ignored: line %d: unknown field %s: %s", u.Line, u.Name, u.Value)
	}
	errs, warns := 0, 0
	for _, pr := range r.Problems {
		if pr.Severity == securitytxt.Error {
			errs++
		} else {
			warns++
		}
		p("%s", pr)
	}
	verdict := "valid"
	if errs > 0 {
		verdict = "INVALID"
	}
	p("%s: %d error(s), %d warning(s)", verdict, errs, warns)
}

// fetcher fetches a security.txt over https (http only from a loopback
// address, for checking a local server), with a timeout, a size limit and
// at most maxRedirects redirects, each of them held to the same rules.
type fetcher struct {
	timeout time.Duration
	roots   *x509.CertPool
}

// fetch gets target and returns its body, the URL it came from (after
// redirects) and the problems of how it was served: Content-Type,
// redirects, plain http on loopback.
func (f fetcher) fetch(ctx context.Context, target string) (body []byte, final string, notes []securitytxt.Problem, err error) {
	note := func(sev securitytxt.Severity, format string, a ...any) {
		notes = append(notes, securitytxt.Problem{Severity: sev, Message: fmt.Sprintf(format, a...)})
	}
	u, err := allowedURL(target)
	if err != nil {
		return nil, "", nil, err
	}
	if u.Scheme == "http" {
		note(securitytxt.Warning, "fetched over plain http, allowed for a loopback address only: RFC 9116 §3 requires https")
	}
	if u.Path != "/.well-known/security.txt" && u.Path != "/security.txt" {
		note(securitytxt.Warning, "%s is not /.well-known/security.txt, where RFC 9116 §3 places the file", u.Path)
	}
	c := &http.Client{
		Timeout: f.timeout,
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			TLSClientConfig:     &tls.Config{RootCAs: f.roots, MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout: f.timeout,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("more than %d redirects", maxRedirects)
			}
			if _, err := allowedURL(req.URL.String()); err != nil {
				return fmt.Errorf("redirected to %s: %w", req.URL.Redacted(), err)
			}
			note(securitytxt.Warning, "redirected to %s: make sure the redirect is not to someone else's file (RFC 9116 §5.2)", req.URL.Redacted())
			return nil
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", nil, err
	}
	req.Header.Set("Accept", "text/plain")
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, securitytxt.MaxSize+1))
	if err != nil {
		return nil, "", nil, fmt.Errorf("read the body: %w", err)
	}
	if len(body) > securitytxt.MaxSize {
		return nil, "", nil, securitytxt.ErrTooLarge
	}
	ct := resp.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	switch {
	case err != nil || mt != "text/plain":
		note(securitytxt.Error, "served as %q: the Content-Type must be text/plain; charset=utf-8 (RFC 9116 §3)", ct)
	case params["charset"] == "":
		note(securitytxt.Warning, "served as %q without charset=utf-8 (RFC 9116 §3)", ct)
	case !strings.EqualFold(params["charset"], "utf-8"):
		note(securitytxt.Error, "served with charset %q: it must be utf-8 (RFC 9116 §3)", params["charset"])
	}
	return body, resp.Request.URL.String(), notes, nil
}

// allowedURL parses a URL the fetcher may go to: https, or http to a
// loopback host.
func allowedURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "https":
		return u, nil
	case "http":
		if loopback(u.Hostname()) {
			return u, nil
		}
		return nil, errors.New("RFC 9116 §3 requires https (plain http is allowed only to check a server on a loopback address)")
	}
	return nil, fmt.Errorf("scheme %q: an https URL is required", u.Scheme)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
