package server

// The public side of disclosure cases (issue 14): the report form a
// stranger fills in without an account, the tracking page their secret
// link opens, and the acknowledgements page. Everything a reporter sends
// is shown escaped (html/template) and never fetched or run.

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/service"
)

// reportView is what report.html draws: the form (filled again after an
// error) or, once filed, the case ID and the tracking link.
type reportView struct {
	Form       model.CaseReport
	Severities []string
	Products   []string
	Stamp      string
	MaxFiles   int
	MaxFileMiB int
	// Filed is the case filed, with its tracking link (shown once).
	Filed    *model.Case
	TrackURL string
}

func (s *Server) reportView(r *http.Request, form model.CaseReport) (*reportView, error) {
	key, err := s.formKey(r.Context())
	if err != nil {
		return nil, err
	}
	products, err := s.publishedProducts(r.Context())
	if err != nil {
		return nil, err
	}
	return &reportView{Form: form, Severities: model.CaseSeverities, Products: products, Stamp: formStamp(key, time.Now()),
		MaxFiles: model.MaxCaseAttachments, MaxFileMiB: model.MaxAttachmentBytes >> 20}, nil
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, _ *principal) error {
	v, err := s.reportView(r, model.CaseReport{})
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "report.html", pageData{Title: "Report a vulnerability", Data: v})
}

// submitReport files a report. The address's rate limit is taken first,
// whatever the report holds; then the honeypot and the form's stamp are
// checked; then the service validates and stores it, all or nothing.
func (s *Server) submitReport(w http.ResponseWriter, r *http.Request, _ *principal) error {
	again := func(form model.CaseReport, err error) error {
		status, msg := statusOf(err)
		if status == 0 {
			return err
		}
		v, verr := s.reportView(r, form)
		if verr != nil {
			return verr
		}
		return s.render(w, status, "report.html", pageData{Title: "Report a vulnerability", Error: msg, Data: v})
	}
	if err := refuseBusy(w, s.cases.reports, r, "reports"); err != nil {
		return again(model.CaseReport{}, err)
	}
	f, err := parseReportForm(r)
	if err != nil {
		return again(f.Report, err)
	}
	key, err := s.formKey(r.Context())
	if err != nil {
		return err
	}
	if f.Honeypot != "" {
		return again(f.Report, errStatus(http.StatusBadRequest, "the form was not accepted: a field people do not see was filled in"))
	}
	if !checkStamp(key, f.Stamp, time.Now()) {
		return again(f.Report, errStatus(http.StatusBadRequest,
			"the form has expired or did not come from this site: check your report below and send it again"))
	}
	c, token, err := s.Svc.SubmitReport(r.Context(), f.Report, f.Files)
	if err != nil {
		return again(f.Report, err)
	}
	s.Log.Info("case reported", "case", c.PublicID, "ip", clientIP(r))
	v := &reportView{Filed: &c, TrackURL: trackPath + token}
	return s.render(w, http.StatusCreated, "report.html", pageData{Title: "Report received", Data: v})
}

// trackPath is where tracking links live; the token is the rest of the
// path. The route takes the whole subtree, so that every path under it —
// a wrong token, a malformed one, one with bytes that are not text — is
// answered by the same handler with the same 404.
const trackPath = "/security/track/"

// trackView is what track.html draws.
type trackView struct {
	Case     model.Case
	Messages []model.CaseMessage
	Timeline []timelineStep
	Closed   bool
	MaxFiles int
	Action   string
}

// timelineStep is a state the case reached, and when.
type timelineStep struct {
	State string
	At    time.Time
}

// timeline lists the states a case reached, in order.
func timeline(c model.Case) []timelineStep {
	var out []timelineStep
	for _, st := range []timelineStep{{model.CaseReceived, c.ReceivedAt}, {model.CaseAcknowledged, c.AcknowledgedAt},
		{model.CaseTriaging, c.TriagingAt}, {"decided", c.DecidedAt}, {model.CaseFixing, c.FixingAt},
		{model.CaseFixed, c.FixedAt}, {model.CaseDisclosed, c.DisclosedAt}, {model.CaseClosed, c.ClosedAt}} {
		if !st.At.IsZero() {
			out = append(out, st)
		}
	}
	return out
}

// trackCase finds the case of the tracking link in r's path.
func (s *Server) trackCase(r *http.Request) (model.Case, error) {
	token, _ := strings.CutPrefix(r.URL.Path, trackPath)
	return s.Svc.CaseByToken(r.Context(), token)
}

// noCase is the one answer to a tracking link that opens nothing.
func (s *Server) noCase(w http.ResponseWriter) error {
	return s.render(w, http.StatusNotFound, "error.html", pageData{Title: http.StatusText(http.StatusNotFound),
		Error: "There is no case at this address. Check that you copied the whole tracking link."})
}

func (s *Server) trackPage(w http.ResponseWriter, r *http.Request, _ *principal) error {
	c, err := s.trackCase(r)
	if errors.Is(err, service.ErrNoCase) {
		return s.noCase(w)
	}
	if err != nil {
		return err
	}
	return s.renderTrack(w, r, c, http.StatusOK, "")
}

func (s *Server) renderTrack(w http.ResponseWriter, r *http.Request, c model.Case, status int, msg string) error {
	ms, err := s.Store.CaseMessages(r.Context(), c.ID, false)
	if err != nil {
		return err
	}
	v := &trackView{Case: c, Messages: ms, Timeline: timeline(c), Closed: c.State == model.CaseClosed,
		MaxFiles: model.MaxCaseAttachments, Action: r.URL.Path}
	return s.render(w, status, "track.html", pageData{Title: "Case " + c.PublicID, Error: msg, Data: v})
}

// trackMessage takes a message the reporter sends from the tracking page.
func (s *Server) trackMessage(w http.ResponseWriter, r *http.Request, _ *principal) error {
	c, err := s.trackCase(r)
	if errors.Is(err, service.ErrNoCase) {
		return s.noCase(w)
	}
	if err != nil {
		return err
	}
	fail := func(err error) error {
		status, msg := statusOf(err)
		if status == 0 {
			return err
		}
		return s.renderTrack(w, r, c, status, msg)
	}
	if err := refuseBusy(w, s.cases.messages, r, "messages"); err != nil {
		return fail(err)
	}
	f, err := parseReportForm(r)
	if err != nil {
		return fail(err)
	}
	token, _ := strings.CutPrefix(r.URL.Path, trackPath)
	if _, err := s.Svc.ReporterMessage(r.Context(), token, f.Message, f.Files); err != nil {
		return fail(err)
	}
	http.Redirect(w, r, r.URL.Path+"#messages", http.StatusSeeOther)
	return nil
}

// acknowledgementsPage thanks the reporters who opted in to credit, for
// disclosed cases only.
func (s *Server) acknowledgementsPage(w http.ResponseWriter, r *http.Request, _ *principal) error {
	as, err := s.Store.Acknowledgements(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "acknowledgements.html", pageData{Title: "Acknowledgements", Data: as})
}
