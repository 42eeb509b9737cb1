package server

// /.well-known/security.txt (RFC 9116), made from the disclosure settings
// on each request so that its Expires renews itself, and /security.txt,
// which redirects to it.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/securitytxt"
)

// securityTxtMaxAge is how long caches may keep the file: an hour, well
// under the day Expires is rounded to, so an edit shows soon.
const securityTxtMaxAge = time.Hour

// errNoSecurityTxt says the settings make no valid file (no contact, and
// no https address for the report form): nothing is served.
var errNoSecurityTxt = errors.New("no security.txt")

// securityTxtKey is the key security.txt is clear-signed with (RFC 9116
// §2.3 recommends a signature): the server's OpenPGP key, the one that
// signs the CSAF advisories and whose public part the provider metadata
// names (/.well-known/csaf/openpgp/). Without a server key (a test's
// server) it is served unsigned.
func (s *Server) securityTxtKey(ctx context.Context) (*openpgp.Entity, error) {
	if s.OpenPGPKey == nil {
		return nil, nil
	}
	k, err := s.OpenPGPKey(ctx)
	if err != nil {
		return nil, fmt.Errorf("the signing key: %w", err)
	}
	return k.Entity, nil
}

func (s *Server) securityTxt(w http.ResponseWriter, r *http.Request, _ *principal) error {
	d, err := s.Svc.Disclosure(r.Context())
	if err != nil {
		return err
	}
	key, err := s.securityTxtKey(r.Context())
	if err != nil {
		return err
	}
	body, err := securityTxtFile(d, disclosureBase(r, d), time.Now(), key)
	if errors.Is(err, errNoSecurityTxt) {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, err.Error(), http.StatusNotFound)
		return nil
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(securityTxtMaxAge.Seconds())))
	_, err = w.Write(body)
	return err
}

// securityTxtRedirect sends the legacy location to the well-known one
// (RFC 9116 §3).
func (s *Server) securityTxtRedirect(w http.ResponseWriter, r *http.Request, _ *principal) error {
	http.Redirect(w, r, securitytxt.PathWellKnown, http.StatusMovedPermanently)
	return nil
}

// securityTxtFile makes the file served at now from base, clear-signed
// with key unless it is nil. A file that would not pass Check is not
// made: errNoSecurityTxt says why.
func securityTxtFile(d model.Disclosure, base string, now time.Time, key *openpgp.Entity) ([]byte, error) {
	text := securitytxt.Generate(d, base, now)
	f, err := securitytxt.Parse([]byte(text))
	if err != nil {
		return nil, err
	}
	o := securitytxt.Options{Now: now}
	if base != "" {
		o.URL = base + securitytxt.PathWellKnown
	}
	if res := securitytxt.Check(f, o); !res.Valid() {
		return nil, fmt.Errorf("%w: %s", errNoSecurityTxt, res.Problems[0].Message)
	}
	return securitytxt.ClearSign(text, key)
}

// hostPort is a plain host[:port], which a Host header must be for the
// server to make URIs from it.
var hostPort = regexp.MustCompile(`^([a-zA-Z0-9-]{1,63}\.)*[a-zA-Z0-9-]{1,63}(:[0-9]{1,5})?$|^\[[0-9a-fA-F:.]{2,45}\](:[0-9]{1,5})?$`)

// disclosureBase is the https address security.txt's URIs are made from:
// the base_url setting, else the address the request came to when it
// came over TLS, else "" (no https address: no web URIs).
func disclosureBase(r *http.Request, d model.Disclosure) string {
	if d.BaseURL != "" {
		return d.BaseURL
	}
	if r.TLS != nil && len(r.Host) <= 255 && hostPort.MatchString(r.Host) {
		return "https://" + r.Host
	}
	return ""
}

// disclosureSettings is what GET and PATCH /api/v1/settings/disclosure
// answer: the settings, the file served and the warnings.
func (s *Server) disclosureSettings(r *http.Request, d model.Disclosure) api.DisclosureSettings {
	base, now := disclosureBase(r, d), time.Now()
	key, err := s.securityTxtKey(r.Context())
	st := api.DisclosureSettings{Disclosure: d, Warnings: securitytxt.Warnings(d, base, key, now)}
	if st.Warnings == nil {
		st.Warnings = []string{}
	}
	if err != nil {
		st.Warnings = append(st.Warnings, "security.txt is served unsigned: "+err.Error())
	}
	if body, err := securityTxtFile(d, base, now, key); err == nil {
		st.SecurityTxt = string(body)
	} else if !errors.Is(err, errNoSecurityTxt) {
		st.Warnings = append(st.Warnings, "security.txt cannot be made: "+err.Error())
	}
	return st
}
