package server

// The CRA pages: /cra lists the Art. 14 clocks with their countdowns,
// the KEV-listed findings of products that have none, and the outbound
// reports (to the national CSIRT and to upstream maintainers); /cra/{id}
// shows one clock with its three drafts, the measure and the
// submissions. Remaining times are rendered by the server and kept
// current by /static/cra.js (the CSP allows scripts from this site only).

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// craReportNames are the reports' names for people.
var craReportNames = map[string]string{
	model.CRAEarlyWarningReport: "Early warning (24 h)",
	model.CRANotificationReport: "Vulnerability notification (72 h)",
	model.CRAFinalReportReport:  "Final report (14 days after a measure)",
}

// deadlineRow is a deadline as a page shows it.
type deadlineRow struct {
	model.CRADeadline
	Label, Class, Text string
	// DueUnix is the deadline in Unix milliseconds for the countdown
	// script; 0 when nothing counts down.
	DueUnix int64
}

// clockRow is a clock with its deadlines for a page.
type clockRow struct {
	model.CRAClock
	Rows []deadlineRow
	// Open is whether a report is still to be submitted.
	Open bool
}

// span says a duration in days, hours and minutes, to the minute.
func span(d time.Duration) string {
	d = d.Truncate(time.Minute) // never more time left than there is
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%d d %d h", days, hours)
	case hours > 0:
		return fmt.Sprintf("%d h %d min", hours, mins)
	}
	return fmt.Sprintf("%d min", mins)
}

func newClockRow(c model.CRAClock, now time.Time) clockRow {
	row := clockRow{CRAClock: c, Open: c.Open()}
	for _, d := range c.DeadlinesAt(now) {
		r := deadlineRow{CRADeadline: d, Label: craReportNames[d.Report]}
		switch d.State {
		case model.CRAWaiting:
			r.Class, r.Text = "state-waiting", "waits for a corrective or mitigating measure"
		case model.CRADue:
			r.Class, r.Text, r.DueUnix = "state-pending", "due in "+span(d.DueAt.Sub(now)), d.DueAt.UnixMilli()
		case model.CRABreached:
			r.Class, r.Text, r.DueUnix = "state-failing", "breached "+span(now.Sub(d.DueAt))+" ago", d.DueAt.UnixMilli()
		case model.CRAMet:
			r.Class, r.Text = "state-ok", "submitted in time"
		case model.CRALate:
			r.Class, r.Text = "state-late", "submitted "+span(d.SubmittedAt.Sub(d.DueAt))+" late"
		}
		row.Rows = append(row.Rows, r)
	}
	return row
}

// craView is what cra.html draws.
type craView struct {
	Clocks     []clockRow
	Candidates []model.CRACandidate
	Products   []model.Product
	Outbound   []model.OutboundReport
	Kinds      []string
	Statuses   []string
	CSIRT      string
	CanEdit    bool
	Message    string
}

func (s *Server) craData(r *http.Request, who *principal) (pageData, *craView, error) {
	v := &craView{Kinds: model.OutboundKinds, Statuses: model.OutboundStatuses, CanEdit: who.Perms.Has(auth.PermTriage)}
	d := pageData{Title: "CRA reporting", User: who, Data: v}
	ctx := r.Context()
	cs, err := s.Store.CRAClocks(ctx, store.CRAFilter{})
	if err != nil {
		return d, v, err
	}
	now := s.Store.Now()
	for _, c := range cs {
		v.Clocks = append(v.Clocks, newClockRow(c, now))
	}
	if v.Candidates, err = s.Store.CRACandidates(ctx); err != nil {
		return d, v, err
	}
	if v.Products, err = s.Store.Products(ctx, false); err != nil {
		return d, v, err
	}
	if v.Outbound, err = s.Store.OutboundReports(ctx, store.OutboundFilter{Limit: 100}); err != nil {
		return d, v, err
	}
	disc, err := s.Svc.Disclosure(ctx)
	if err != nil {
		return d, v, err
	}
	v.CSIRT = disc.CSIRT.Name
	return d, v, nil
}

func (s *Server) craPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d, v, err := s.craData(r, who)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("recorded") != "" {
		v.Message = "Outbound report recorded."
	}
	return s.render(w, http.StatusOK, "cra.html", d)
}

// formID reads an optional positive ID of a form (0 when empty).
func formID(r *http.Request, name string) (int64, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, model.Invalidf("%s %q: a positive integer", name, v)
	}
	return id, nil
}

// craPageError shows /cra again with the error.
func (s *Server) craPageError(w http.ResponseWriter, r *http.Request, who *principal, err error) error {
	d, _, rerr := s.craData(r, who)
	if rerr != nil {
		return rerr
	}
	return s.pageError(w, "cra.html", d, err)
}

func (s *Server) startCRAPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	in, err := craStartForm(r)
	if err == nil {
		var c model.CRAClock
		if c, err = s.Svc.StartCRAClock(r.Context(), in, who.Name); err == nil {
			http.Redirect(w, r, fmt.Sprintf("/cra/%d", c.ID), http.StatusSeeOther)
			return nil
		}
	}
	return s.craPageError(w, r, who, err)
}

func craStartForm(r *http.Request) (model.CRAStart, error) {
	var in model.CRAStart
	var err error
	if in.FindingID, err = formID(r, "finding_id"); err != nil {
		return in, err
	}
	if in.CaseID, err = formID(r, "case_id"); err != nil {
		return in, err
	}
	if in.AssetID, err = formID(r, "asset_id"); err != nil {
		return in, err
	}
	if in.AwareAt, err = model.ParseTimeInput("aware_at", r.PostFormValue("aware_at")); err != nil {
		return in, err
	}
	in.Note, in.Title = r.PostFormValue("note"), r.PostFormValue("title")
	return in, nil
}

func (s *Server) recordOutboundPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	o := model.OutboundReport{Kind: r.PostFormValue("kind"), Recipient: r.PostFormValue("recipient"), Component: r.PostFormValue("component"),
		Upstream: r.PostFormValue("upstream_project"), Channel: r.PostFormValue("channel"), Reference: r.PostFormValue("reference"),
		Summary: r.PostFormValue("summary")}
	var err error
	if o.CaseID, err = formID(r, "case_id"); err == nil {
		if o.FindingID, err = formID(r, "finding_id"); err == nil {
			if o.SentAt, err = model.ParseTimeInput("sent_at", r.PostFormValue("sent_at")); err == nil {
				_, err = s.Svc.RecordOutbound(r.Context(), o, who.Name)
			}
		}
	}
	if err != nil {
		return s.craPageError(w, r, who, err)
	}
	if o.CaseID > 0 { // recorded from the case's page: back to it
		http.Redirect(w, r, fmt.Sprintf("/cases/%d?done=outbound#coordination", o.CaseID), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/cra?recorded=1#outbound", http.StatusSeeOther)
	return nil
}

func (s *Server) updateOutboundPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	status, response, reference := r.PostFormValue("status"), r.PostFormValue("response"), r.PostFormValue("reference")
	if _, err := s.Svc.UpdateOutbound(r.Context(), id, model.OutboundUpdate{Status: &status, Response: &response, Reference: &reference}, who.Name); err != nil {
		return s.craPageError(w, r, who, err)
	}
	http.Redirect(w, r, "/cra#outbound", http.StatusSeeOther)
	return nil
}

// craClockView is what cra_clock.html draws.
type craClockView struct {
	Clock        clockRow
	MemberStates string
	// Pending are the reports whose submission is not recorded yet.
	Pending   []string
	Submitted map[string]bool
	Names     map[string]string
	Answers   []string
	Channel   string
	CanEdit   bool
	Message   string
}

func (s *Server) craClockData(r *http.Request, who *principal) (pageData, *craClockView, error) {
	v := &craClockView{Names: craReportNames, Answers: model.MaliciousActAnswers, Channel: model.DefaultCRAChannel,
		CanEdit: who.Perms.Has(auth.PermTriage), Submitted: map[string]bool{}}
	d := pageData{Title: "CRA clock", User: who, Data: v}
	id, err := pathID(r)
	if err != nil {
		return d, v, err
	}
	c, err := s.Store.CRAClock(r.Context(), id)
	if err != nil {
		return d, v, fmt.Errorf("CRA clock %d: %w", id, err)
	}
	v.Clock = newClockRow(c, s.Store.Now())
	v.MemberStates = strings.Join(c.Drafts.EarlyWarning.MemberStates, ", ")
	for _, rep := range model.CRAReports {
		if _, done := c.Submitted(rep); done {
			v.Submitted[rep] = true
		} else {
			v.Pending = append(v.Pending, rep)
		}
	}
	d.Title = fmt.Sprintf("CRA clock %d: %s", c.ID, c.Product)
	return d, v, nil
}

func (s *Server) craClockPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d, v, err := s.craClockData(r, who)
	if err != nil {
		return err
	}
	v.Message = map[string]string{"drafts": "Draft saved.", "mitigation": "Measure recorded: the final report's clock runs.",
		"submission": "Submission recorded.", "": ""}[r.URL.Query().Get("saved")]
	return s.render(w, http.StatusOK, "cra_clock.html", d)
}

// craClockForm runs a form's use case on the clock and goes back to its
// page, or shows the page with the error.
func (s *Server) craClockForm(saved string, run func(r *http.Request, id int64, who *principal) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who *principal) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if err := run(r, id, who); err != nil {
			d, _, rerr := s.craClockData(r, who)
			if rerr != nil {
				return rerr
			}
			return s.pageError(w, "cra_clock.html", d, err)
		}
		http.Redirect(w, r, fmt.Sprintf("/cra/%d?saved=%s", id, saved), http.StatusSeeOther)
		return nil
	}
}

func (s *Server) saveCRADraftPage(r *http.Request, id int64, who *principal) error {
	var p model.CRADraftsPatch
	f := r.PostFormValue
	switch f("report") {
	case model.CRAEarlyWarningReport:
		states, err := model.ParseMemberStates(f("member_states"))
		if err != nil {
			return err
		}
		p.EarlyWarning = &model.CRAEarlyWarning{Product: f("product"), MaliciousAct: f("malicious_act"), MemberStates: states, Details: f("details")}
	case model.CRANotificationReport:
		p.Notification = &model.CRANotification{ProductInfo: f("product_info"), Nature: f("nature"), CorrectiveMeasures: f("corrective_measures"),
			UserMeasures: f("user_measures"), Sensitivity: f("sensitivity")}
	case model.CRAFinalReportReport:
		p.FinalReport = &model.CRAFinalReport{Description: f("description"), MaliciousActor: f("malicious_actor"), SecurityUpdate: f("security_update")}
	default:
		return model.Invalidf("report %q: one of %s", f("report"), strings.Join(model.CRAReports, ", "))
	}
	_, err := s.Svc.SaveCRADrafts(r.Context(), id, p, who.Name)
	return err
}

func (s *Server) craMitigationPage(r *http.Request, id int64, who *principal) error {
	at, err := model.ParseTimeInput("available_at", r.PostFormValue("available_at"))
	if err != nil {
		return err
	}
	_, err = s.Svc.RecordCRAMitigation(r.Context(), id, model.CRAMitigation{AvailableAt: at, Description: r.PostFormValue("description")}, who.Name)
	return err
}

func (s *Server) craSubmissionPage(r *http.Request, id int64, who *principal) error {
	at, err := model.ParseTimeInput("submitted_at", r.PostFormValue("submitted_at"))
	if err != nil {
		return err
	}
	_, err = s.Svc.RecordCRASubmission(r.Context(), id, model.CRASubmissionInput{Report: r.PostFormValue("report"), SubmittedAt: at,
		Channel: r.PostFormValue("channel"), Reference: r.PostFormValue("reference"), SubmittedBy: r.PostFormValue("submitted_by")}, who.Name)
	return err
}
