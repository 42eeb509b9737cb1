package server_test

// Helpers the disclosure-case tests (issue 14, part cases) and the shared
// walks use.

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
)

// walkReport files a report with one text attachment through the service
// and returns the case with everything on it, and its tracking token.
func walkReport(t *testing.T, s *inproc) (model.CaseDetail, string) {
	t.Helper()
	c, token, err := s.Svc.SubmitReport(t.Context(), model.CaseReport{Title: "walk report", Description: "found in the walk",
		Product: "webshop", SeverityGuess: "high", CreditName: "Walker", CreditOptIn: true},
		[]service.Attachment{{Name: "poc.txt", DeclaredType: "text/plain", Data: []byte("curl https://shop.example/?q=1\n")}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Svc.CaseDetail(t.Context(), c.ID)
	if err != nil || len(d.Attachments) != 1 {
		t.Fatalf("the walk's case: %+v, %v", d, err)
	}
	return d, token
}

var stampRE = regexp.MustCompile(`name="stamp" value="([0-9]+\.[0-9a-f]+)"`)

// formStampOf reads the signed stamp of the report form at base.
func formStampOf(t *testing.T, base string) string {
	t.Helper()
	a := rawCall(t, base, "GET", "/security/report", nil, nil)
	m := stampRE.FindSubmatch(a.body)
	if a.status != 200 || m == nil {
		t.Fatalf("GET /security/report: no stamp in %s", a)
	}
	return string(m[1])
}

// walkReportForm is a report form's URL-encoded body with a fresh stamp.
func walkReportForm(t *testing.T, base string) string {
	t.Helper()
	return url.Values{"title": {"walk form report"}, "description": {"sent by the walk"}, "severity": {"low"},
		"stamp": {formStampOf(t, base)}}.Encode()
}

// badTextReports sends the report form and a tracking message with a NUL
// byte or invalid UTF-8 in each field, URL-encoded and multipart: each is
// a 400 naming the problem, and no case or message is stored.
func badTextReports(t *testing.T, p *inproc) int {
	t.Helper()
	p.Server.SetReportLimit(1000, time.Hour)
	_, token := walkReport(t, p)
	before, err := p.Store.Cases(t.Context(), store.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, bad := range []struct{ name, raw, word string }{{"NUL", "a\x00b", "NUL"}, {"invalid UTF-8", "a\xffb", "UTF-8"}} {
		for _, target := range []struct {
			path   string
			fields []string
		}{{"/security/report", []string{"title", "description", "product", "severity", "poc", "contact", "credit_name"}},
			{"/security/track/" + token, []string{"message"}}} {
			for _, field := range target.fields {
				vals := url.Values{"title": {"t"}, "description": {"d"}, "message": {"m"}, "stamp": {formStampOf(t, p.URL)}}
				vals.Set(field, bad.raw)
				for _, enc := range []string{"urlencoded", "multipart"} {
					body, ctype := vals.Encode(), "application/x-www-form-urlencoded"
					if enc == "multipart" {
						body, ctype = multipartOf(t, vals, nil)
					}
					a := rawCall(t, p.URL, "POST", target.path, strings.NewReader(body), map[string]string{"Content-Type": ctype})
					checked++
					if a.status != 400 || !strings.Contains(string(a.body), bad.word) {
						t.Errorf("POST %s, %s in %s (%s): %d; want 400 naming %s: %.300s", target.path, bad.name, field, enc, a.status, bad.word, a.body)
					}
				}
			}
		}
	}
	after, err := p.Store.Cases(t.Context(), store.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := p.Store.CaseMessages(t.Context(), after[0].ID, true)
	if len(after) != len(before) || err != nil || len(ms) != 0 {
		t.Errorf("bad text was stored: %d cases before, %d after; messages %v, %v", len(before), len(after), ms, err)
	}
	return checked
}

// file is a multipart file part.
type file struct {
	name, ctype string
	data        []byte
}

// multipartOf encodes form fields and files ("attachment") as
// multipart/form-data.
func multipartOf(t *testing.T, vals url.Values, files []file) (string, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range vals {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachment"; filename=%q`, f.name))
		h.Set("Content-Type", f.ctype)
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	mw.Close()
	return b.String(), mw.FormDataContentType()
}

// caseHostile is markup put in each field a reporter fills in.
var caseHostile = map[string]string{
	"title":       `<script>alert("title")</script>`,
	"description": `<img src=x onerror=alert("description")>`,
	"product":     `<svg onload=alert("product")>`,
	"poc":         `</pre><script>alert("poc")</script>`,
	"contact":     `<a href="javascript:alert('contact')">me</a>`,
	"credit_name": `<b onmouseover=alert("credit")>x</b>`,
	"message":     `<iframe src=javascript:alert("message")></iframe>`,
}

// hostileDisclosedCase files a report with markup in every field, has the
// reporter and staff message each other with markup, and takes the case
// to disclosed with the reporter credited. It returns the case's ID, its
// tracking token and the markup, none of which a page may show as markup.
func hostileDisclosedCase(t *testing.T, p *inproc) (int64, string, []string) {
	t.Helper()
	ctx := t.Context()
	h := caseHostile
	c, token, err := p.Svc.SubmitReport(ctx, model.CaseReport{Title: h["title"], Description: h["description"], Product: h["product"],
		ProofOfConcept: h["poc"], Contact: h["contact"], CreditName: h["credit_name"], CreditOptIn: true, SeverityGuess: "high"},
		[]service.Attachment{{Name: `<img src=x onerror=alert("name")>.txt`, Data: []byte("text")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Svc.ReporterMessage(ctx, token, h["message"], nil); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Svc.StaffMessage(ctx, "walker", c.ID, model.CaseMessageInput{Body: h["message"] + " staff"}); err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{"acknowledged", "triaging", "valid", "fixing", "fixed", "disclosed"} {
		if _, err := p.Svc.MoveCase(ctx, "walker", c.ID, model.CaseStateChange{State: st}); err != nil {
			t.Fatal(err)
		}
	}
	texts := []string{`<img src=x onerror=alert("name")>`}
	for _, v := range h {
		texts = append(texts, v)
	}
	return c.ID, token, texts
}
