package server

// The SLA page: the policy in force as a table, its versions, for admins
// the form that makes the next version, and the SLA figures of the last
// 90 days drawn as charts.

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
)

// slaView is what sla.html draws. Form is the edit form: the policy in
// force, or what was sent when it was refused.
type slaView struct {
	Policy    sla.Policy
	Rules     []slaRuleRow
	Versions  []slaVersionRow
	CanAdmin  bool
	Form      slaForm
	Exposures []string
	Figures   api.SLAFigureReport
	Totals    slaTotals
	Charts    []chart
	// PeriodDays is the period of the figures; NextVersion the version
	// the form makes.
	PeriodDays, NextVersion int
}

// slaVersionRow is one version of the policy in words.
type slaVersionRow struct {
	Version   int
	CreatedAt time.Time
	Rules     []string // per severity: "critical 3 / 14 / 14"
	UnknownAs string
	Percent   string // "1: 100% · 2: 100% …"
}

// slaTotals are the figures of every finding, written out.
type slaTotals struct {
	Percent, MeanTTR, MedianTTR string
	Closed, Open, PastDue       int
}

func slaVersionRows(ps []sla.Policy) []slaVersionRow {
	var out []slaVersionRow
	for _, p := range ps {
		row := slaVersionRow{Version: p.Version, CreatedAt: p.CreatedAt, UnknownAs: string(p.UnknownAs)}
		for _, r := range slaRules(p) {
			row.Rules = append(row.Rules, fmt.Sprintf("%s %d / %d / %d", r.Severity, r.Days[0], r.Days[1], r.Days[2]))
		}
		var pct []string
		for c := 1; c <= 4; c++ {
			pct = append(pct, fmt.Sprintf("%d: %d%%", c, p.CriticalityPercent[c]))
		}
		row.Percent = strings.Join(pct, " · ")
		out = append(out, row)
	}
	return out
}

func slaTotalsOf(f api.SLAFigures) slaTotals {
	t := slaTotals{Percent: "–", MeanTTR: "–", MedianTTR: "–", Closed: f.Closed, Open: f.Open, PastDue: f.OpenPastDue}
	if f.ClosedWithDeadline > 0 {
		t.Percent = strconv.FormatFloat(f.PercentInSLA, 'f', 1, 64) + "%"
	}
	if f.Closed > 0 {
		t.MeanTTR, t.MedianTTR = ttrText(f.MeanTTRSeconds), ttrText(f.MedianTTRSeconds)
	}
	return t
}

// ttrText writes a time to remediate in days, or hours under two days.
func ttrText(secs int64) string {
	if secs < 2*86400 {
		return plural(int(math.Round(float64(secs)/3600)), "hour")
	}
	return plural(days(secs), "day")
}

// slaRuleRow is one severity's days, one per exposure.
type slaRuleRow struct {
	Severity string
	Days     []int
}

// slaForm is the policy form as strings: Days[severity][exposure],
// Percent[criticality-1].
type slaForm struct {
	Rows      []slaFormRow
	Percent   []slaCell
	UnknownAs string
	Ratings   []string
}

type slaFormRow struct {
	Severity string
	Cells    []slaCell
}

// slaCell is one input: its name and value.
type slaCell struct {
	Name, Label, Value string
}

func slaRules(p sla.Policy) []slaRuleRow {
	var out []slaRuleRow
	for _, r := range sla.RatedSeverities {
		row := slaRuleRow{Severity: string(r)}
		for _, e := range model.Exposures {
			n, _ := p.Rules[r].For(e)
			row.Days = append(row.Days, n)
		}
		out = append(out, row)
	}
	return out
}

// formOfPolicy is the form filled in with p; read, when not nil, gives
// each input's value instead (a form sent back).
func formOfPolicy(p sla.Policy, read func(name string) string) slaForm {
	f := slaForm{UnknownAs: string(p.UnknownAs), Ratings: strs(sla.RatedSeverities)}
	value := func(name string, n int) string {
		if read != nil {
			return read(name)
		}
		return strconv.Itoa(n)
	}
	for _, r := range sla.RatedSeverities {
		row := slaFormRow{Severity: string(r)}
		for _, e := range model.Exposures {
			n, _ := p.Rules[r].For(e)
			name := "days." + string(r) + "." + e
			row.Cells = append(row.Cells, slaCell{Name: name, Label: string(r) + " on " + e + " assets, days", Value: value(name, n)})
		}
		f.Rows = append(f.Rows, row)
	}
	for c := 1; c <= 4; c++ {
		name := "percent." + strconv.Itoa(c)
		f.Percent = append(f.Percent, slaCell{Name: name, Label: "criticality " + criticalityName(c) + ", percent",
			Value: value(name, p.CriticalityPercent[c])})
	}
	if read != nil {
		f.UnknownAs = read("unknown_as")
	}
	return f
}

// policyInput reads the form into a policy input; a value that is not a
// whole number is a 400 naming its field.
func policyInput(r *http.Request) (sla.PolicyInput, error) {
	in := sla.PolicyInput{Rules: map[model.Rating]sla.Days{}, CriticalityPercent: map[int]int{},
		UnknownAs: model.Rating(r.PostFormValue("unknown_as"))}
	num := func(name, what string) (int, error) {
		v := strings.TrimSpace(r.PostFormValue(name))
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, errStatus(http.StatusBadRequest, "%s %q: a whole number", what, v)
		}
		return n, nil
	}
	for _, sev := range sla.RatedSeverities {
		var d sla.Days
		for _, f := range []struct {
			exposure string
			to       *int
		}{{"internet-facing", &d.InternetFacing}, {"internal", &d.Internal}, {"isolated", &d.Isolated}} {
			n, err := num("days."+string(sev)+"."+f.exposure, fmt.Sprintf("days for %s on %s assets", sev, f.exposure))
			if err != nil {
				return in, err
			}
			*f.to = n
		}
		in.Rules[sev] = d
	}
	for c := 1; c <= 4; c++ {
		n, err := num("percent."+strconv.Itoa(c), fmt.Sprintf("percent for criticality %d", c))
		if err != nil {
			return in, err
		}
		in.CriticalityPercent[c] = n
	}
	return in, nil
}

// slaData reads the policy, its versions and the figures of the last 90
// days for sla.html.
func (s *Server) slaData(r *http.Request, who *principal) (pageData, *slaView, error) {
	d := pageData{Title: "SLA", User: who}
	ps, err := s.Svc.SLAPolicies(r.Context())
	if err != nil {
		return d, nil, err
	}
	rep, err := s.pageSLAFigures(r.Context())
	if err != nil {
		return d, nil, err
	}
	v := &slaView{Policy: ps.Policy, Rules: slaRules(ps.Policy), Versions: slaVersionRows(ps.Versions), CanAdmin: who.Perms.Has(auth.PermAdmin),
		Form: formOfPolicy(ps.Policy, nil), Exposures: model.Exposures, Figures: rep, Totals: slaTotalsOf(rep.All), Charts: slaCharts(rep),
		PeriodDays: slaFigureDays, NextVersion: ps.Policy.Version + 1}
	d.Data = v
	return d, v, nil
}

func (s *Server) slaPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d, _, err := s.slaData(r, who)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "sla.html", d)
}

// setSLAPolicyPage records the next version of the policy through the
// service, as the API does, and shows the page again (PRG); a refused
// form comes back filled in as sent, with the reason.
func (s *Server) setSLAPolicyPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d, v, err := s.slaData(r, who)
	if err != nil {
		return err
	}
	v.Form = formOfPolicy(v.Policy, r.PostFormValue)
	in, err := policyInput(r)
	if err == nil {
		_, err = s.Svc.SetSLAPolicy(r.Context(), who.Name, in)
	}
	if err != nil {
		return s.pageError(w, "sla.html", d, err)
	}
	http.Redirect(w, r, "/sla#policy", http.StatusSeeOther)
	return nil
}

// slaCharts draws the figures per severity: the share closed within SLA,
// the mean and median time to remediate, and the findings open past due.
func slaCharts(rep api.SLAFigureReport) []chart {
	var pct, ttr, due []barItem
	for _, g := range rep.Groups {
		if g.ClosedWithDeadline > 0 {
			pct = append(pct, barItem{Label: g.Severity, Value: int(math.Round(g.PercentInSLA)), Href: "/findings?status=resolved&severity=" + g.Severity})
		}
		if g.Closed > 0 {
			ttr = append(ttr,
				barItem{Label: g.Severity + " · mean", Value: days(g.MeanTTRSeconds)},
				barItem{Label: g.Severity + " · median", Value: days(g.MedianTTRSeconds)})
		}
		if g.Open > 0 {
			due = append(due, barItem{Label: g.Severity, Value: g.OpenPastDue, Href: "/findings?sla_state=breached&severity=" + g.Severity})
		}
	}
	period := "the " + strconv.Itoa(int(rep.To.Sub(rep.From)/(24*time.Hour))) + " days to " + rep.To.Format(time.DateOnly)
	return []chart{
		barChart("sla-percent", "Closed within SLA, by severity", "The share of findings closed in "+period+
			" by their deadline, in percent, per severity of the clock (findings without a deadline left out).",
			"Severity", "% closed within SLA", pct),
		barChart("sla-ttr", "Time to remediate, by severity", "The mean and median days from the clock's start to the close "+
			"of the findings closed in "+period+", per severity.", "Severity", "Days", ttr),
		barChart("sla-pastdue", "Open past due, by severity", "Findings open at the end of "+period+
			" and past their deadline, per severity.", "Severity", "Open past due", due),
	}
}

// days is seconds in whole days, rounded.
func days(secs int64) int { return int(math.Round(float64(secs) / 86400)) }
