package server

// What guards the public side of disclosure cases (issue 14): per-address
// rate limits, the body limit, the honeypot field and the signed form
// timestamp; and reading the report form, which strangers send.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
)

// Limits of the public report form and tracking link.
const (
	// ReportsPerAddress reports may come from one address per
	// ReportWindow; more are answered 429 with Retry-After.
	ReportsPerAddress = 10
	ReportWindow      = time.Hour
	// MessagesPerAddress reporter messages may come from one address per
	// MessageWindow.
	MessagesPerAddress = 30
	MessageWindow      = 10 * time.Minute
	// MaxReportBody bounds a report's or message's whole body: its
	// attachments at their limit, with room for the text fields.
	MaxReportBody = model.MaxCaseAttachments*model.MaxAttachmentBytes + 5*model.MaxCaseText + 64<<10
	// FormMaxAge is how long a report form stays good after it was served.
	FormMaxAge = 24 * time.Hour
)

// caseGuards are the public side's limiters and the form key.
type caseGuards struct {
	reports, messages *auth.RateLimiter
	keyOnce           sync.Mutex
	key               []byte
}

func newCaseGuards() caseGuards {
	return caseGuards{reports: auth.NewRateLimiter(ReportsPerAddress, ReportWindow),
		messages: auth.NewRateLimiter(MessagesPerAddress, MessageWindow)}
}

// SetReportLimit changes how many reports one address may send per
// window (tests).
func (s *Server) SetReportLimit(n int, window time.Duration) {
	s.cases.reports = auth.NewRateLimiter(n, window)
}

// publishedProducts is the product list the form offers: the public
// names of the products the organisation makes and has published.
func (s *Server) publishedProducts(ctx context.Context) ([]string, error) {
	ps, err := s.Svc.PublishedProducts(ctx)
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return names, err
}

// formKey is the key that signs form timestamps (shared by replicas
// through the store).
func (s *Server) formKey(ctx context.Context) ([]byte, error) {
	s.cases.keyOnce.Lock()
	defer s.cases.keyOnce.Unlock()
	if s.cases.key == nil {
		k, err := s.Svc.CaseFormKey(ctx)
		if err != nil {
			return nil, err
		}
		s.cases.key = k
	}
	return s.cases.key, nil
}

// formStamp is the signed timestamp a served form carries:
// "<unix seconds>.<HMAC-SHA256 hex>".
func formStamp(key []byte, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	return ts + "." + stampMAC(key, ts)
}

func stampMAC(key []byte, ts string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("vulndesk report form " + ts))
	return hex.EncodeToString(m.Sum(nil))
}

// checkStamp says whether a form's stamp was made by this site within
// FormMaxAge of now.
func checkStamp(key []byte, stamp string, now time.Time) bool {
	ts, mac, ok := strings.Cut(stamp, ".")
	if !ok || len(ts) > 20 {
		return false
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || !hmac.Equal([]byte(mac), []byte(stampMAC(key, ts))) {
		return false
	}
	at := time.Unix(n, 0)
	return !at.After(now.Add(time.Minute)) && now.Sub(at) <= FormMaxAge
}

// refuseBusy answers 429 with Retry-After when the limiter has no room
// for the address; nil when it has.
func refuseBusy(w http.ResponseWriter, l *auth.RateLimiter, r *http.Request, what string) error {
	wait, ok := l.Allow(clientIP(r), time.Now())
	if ok {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return errStatus(http.StatusTooManyRequests, "too many %s from your address: try again in %s", what, plural(secs, "second"))
}

// reportForm is a report form or a tracking-page message as sent.
type reportForm struct {
	Report  model.CaseReport
	Message string
	// Honeypot is the field people never see; Stamp the signed timestamp.
	Honeypot, Stamp string
	Files           []service.Attachment
}

// formFields are the text fields the forms take, with their limits.
var formFields = map[string]int{
	"title": model.MaxCaseTitle, "description": model.MaxCaseText, "product": model.MaxCaseShort,
	"severity": 20, "poc": model.MaxCaseText, "contact": model.MaxCaseShort, "credit_name": model.MaxCaseCredit,
	"credit": 10, "website": 200, "stamp": 200, "message": model.MaxCaseText,
}

// formLabels name the fields in messages.
var formLabels = map[string]string{"poc": "proof of concept", "credit_name": "credit name", "website": "form"}

// parseReportForm reads a report form or message form: URL-encoded, or
// multipart with up to model.MaxCaseAttachments files named
// "attachment". Each part is read only up to its limit, in memory; a
// field or file over it is ErrTooLarge naming it. Unknown fields are
// ignored.
func parseReportForm(r *http.Request) (reportForm, error) {
	var f reportForm
	set := func(name, v string) {
		switch name {
		case "title":
			f.Report.Title = v
		case "description":
			f.Report.Description = v
		case "product":
			f.Report.Product = v
		case "severity":
			f.Report.SeverityGuess = v
		case "poc":
			f.Report.ProofOfConcept = v
		case "contact":
			f.Report.Contact = v
		case "credit_name":
			f.Report.CreditName = v
		case "credit":
			f.Report.CreditOptIn = v != ""
		case "website":
			f.Honeypot = v
		case "stamp":
			f.Stamp = v
		case "message":
			f.Message = v
		}
	}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return f, reportFormError(err)
		}
		if err := checkValues("form field", r.PostForm); err != nil {
			return f, err
		}
		for name, max := range formFields {
			v := r.PostForm.Get(name)
			if len(v) > max {
				return f, tooLong(name, max)
			}
			set(name, v)
		}
		return f, nil
	case "multipart/form-data":
	default:
		return f, errStatus(http.StatusUnsupportedMediaType, "send the form as multipart/form-data or application/x-www-form-urlencoded")
	}
	if params["boundary"] == "" {
		return f, errStatus(http.StatusBadRequest, "form: multipart without a boundary")
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	seen := map[string]bool{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return f, reportFormError(err)
		}
		name := p.FormName()
		if name == "attachment" && p.FileName() != "" {
			data, err := io.ReadAll(io.LimitReader(p, model.MaxAttachmentBytes+1))
			if err != nil {
				return f, reportFormError(err)
			}
			file := service.SanitiseFileName(p.FileName())
			if len(data) > model.MaxAttachmentBytes {
				return f, fmt.Errorf("attachment %q: larger than %d bytes (%d MiB): %w", file, model.MaxAttachmentBytes, model.MaxAttachmentBytes>>20, model.ErrTooLarge)
			}
			if len(f.Files) == model.MaxCaseAttachments {
				return f, fmt.Errorf("attachments: at most %d: %w", model.MaxCaseAttachments, model.ErrTooLarge)
			}
			f.Files = append(f.Files, service.Attachment{Name: p.FileName(), DeclaredType: p.Header.Get("Content-Type"), Data: data})
			continue
		}
		max, known := formFields[name]
		if !known || seen[name] {
			if _, err := io.Copy(io.Discard, io.LimitReader(p, model.MaxCaseText)); err != nil {
				return f, reportFormError(err)
			}
			continue
		}
		seen[name] = true
		data, err := io.ReadAll(io.LimitReader(p, int64(max)+1))
		if err != nil {
			return f, reportFormError(err)
		}
		if len(data) > max {
			return f, tooLong(name, max)
		}
		if p := textProblem(string(data)); p != "" {
			return f, errStatus(http.StatusBadRequest, "form field %q %s", name, p)
		}
		set(name, string(data))
	}
}

func tooLong(name string, max int) error {
	label := name
	if l, ok := formLabels[name]; ok {
		label = l
	}
	return fmt.Errorf("%s: longer than %d bytes: %w", label, max, model.ErrTooLarge)
}

// reportFormError is a form that could not be read: too large (413) or
// malformed (400).
func reportFormError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fmt.Errorf("the report is larger than %d bytes (%d MiB) in all: nothing was stored: %w", mbe.Limit, mbe.Limit>>20, model.ErrTooLarge)
	}
	return errStatus(http.StatusBadRequest, "form: %v", err)
}
