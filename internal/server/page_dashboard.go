package server

// The dashboard at /: the overview's counts (open findings by severity and
// by asset, KEV, feeds, background work), the newest findings, and three
// charts drawn here as SVG — open and resolved findings over the last 90
// days, open findings by ecosystem, the largest inventories — each with
// its numbers as a table; and the SLA panel: compliance and open past due
// over the last 90 days, drawn per severity.

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
)

// historyDays is how many days the dashboard's history covers.
const historyDays = 90

// dashboardView is what dashboard.html draws.
type dashboardView struct {
	api.Overview
	MaxSeverity int
	MaxAsset    int
	Newest      []findingRow
	Charts      []chart
	// SLA is the SLA figures of the last 90 days: the totals and the
	// charts of compliance and open past due per severity.
	SLA       slaTotals
	SLACharts []chart
	// OverdueScans counts the assets overdue for a scan.
	OverdueScans int
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	o, err := s.overviewOf(r)
	if err != nil {
		return err
	}
	d, err := s.Store.Dashboard(r.Context(), time.Now(), historyDays)
	if err != nil {
		return err
	}
	v := dashboardView{Overview: o}
	overdue, _, err := s.Svc.OverdueScans(r.Context())
	if err != nil {
		return err
	}
	v.OverdueScans = len(overdue)
	for _, n := range o.BySeverity {
		v.MaxSeverity = max(v.MaxSeverity, n)
	}
	for _, a := range o.TopAssets {
		v.MaxAsset = max(v.MaxAsset, a.Open)
	}
	for _, f := range d.Newest {
		v.Newest = append(v.Newest, findingRow{f})
	}
	var eco, inv []barItem
	for _, e := range d.ByEcosystem {
		eco = append(eco, barItem{Label: e.Name, Value: e.Count, Href: "/findings?ecosystem=" + url.QueryEscape(e.Name)})
	}
	for _, a := range d.Inventories {
		inv = append(inv, barItem{Label: a.Name, Value: a.Components, Href: "/assets/" + strconv.FormatInt(a.ID, 10)})
	}
	v.Charts = []chart{
		historyChart(d.History),
		barChart("ecosystems", "Open findings by ecosystem", "Open findings by the ecosystem of their package, most first.",
			"Ecosystem", "Open findings", eco),
		barChart("inventories", "Components per asset", "The 20 assets with the most components in their current inventory.",
			"Asset", "Components", inv),
	}
	rep, err := s.pageSLAFigures(r.Context())
	if err != nil {
		return err
	}
	v.SLA, v.SLACharts = slaTotalsOf(rep.All), slaCharts(rep)
	return s.render(w, http.StatusOK, "dashboard.html", pageData{Title: "Dashboard", User: who, Data: v})
}
