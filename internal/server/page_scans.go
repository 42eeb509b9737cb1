package server

// The scans page: the assets overdue for a scan, drawn by how long they
// are overdue and listed, and for admins the cadence by exposure.

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
)

// scansView is what scans.html draws.
type scansView struct {
	Overdue   []model.OverdueAsset
	Cadence   model.Cadence
	Exposures []string
	Chart     chart
	CanAdmin  bool
	// Saved tells that the cadence was just changed; Error why a change
	// was refused.
	Saved bool
	Error string
}

func (s *Server) scansPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	v, err := s.scansViewOf(r, who)
	if err != nil {
		return s.pageError(w, "scans.html", pageData{Title: "Scans", User: who}, err)
	}
	v.Saved = r.URL.Query().Get("saved") != ""
	return s.render(w, http.StatusOK, "scans.html", pageData{Title: "Scans", User: who, Data: v})
}

func (s *Server) scansViewOf(r *http.Request, who *principal) (*scansView, error) {
	o, c, err := s.Svc.OverdueScans(r.Context())
	if err != nil {
		return nil, err
	}
	v := &scansView{Overdue: o, Cadence: c, Exposures: model.Exposures, CanAdmin: who.Perms.Has(auth.PermAdmin)}
	// How long they are overdue, in bands: what to chase first.
	bands := []struct {
		label string
		upTo  int
	}{{"up to 7 days", 7}, {"8–30 days", 30}, {"31–90 days", 90}, {"over 90 days", 1 << 30}}
	items := make([]barItem, len(bands))
	for i, b := range bands {
		items[i].Label = b.label
	}
	for _, x := range o {
		for i, b := range bands {
			if x.DaysOver <= b.upTo {
				items[i].Value++
				break
			}
		}
	}
	v.Chart = barChart("overdue", "Assets overdue for a scan", "Assets whose newest scan is older than their cadence, by how long overdue.",
		"Overdue by", "Assets", items)
	return v, nil
}

// setCadencePage changes the cadence from the scans page's form.
func (s *Server) setCadencePage(w http.ResponseWriter, r *http.Request, who *principal) error {
	if err := r.ParseForm(); err != nil {
		return errStatus(http.StatusBadRequest, "form: %v", err)
	}
	ch := map[string]int{}
	for _, e := range model.Exposures {
		raw := r.PostForm.Get(e)
		n, err := strconv.Atoi(raw)
		if err != nil {
			return s.scansFormError(w, r, who, fmt.Sprintf("%s %q: a number of days", e, raw))
		}
		ch[e] = n
	}
	if _, err := s.Svc.UpdateSettings(r.Context(), who.Name, api.SettingsPatch{ScanCadence: ch}); err != nil {
		status, msg := statusOf(err)
		if status != http.StatusBadRequest {
			return err
		}
		return s.scansFormError(w, r, who, msg)
	}
	http.Redirect(w, r, "/scans?saved=1", http.StatusSeeOther)
	return nil
}

func (s *Server) scansFormError(w http.ResponseWriter, r *http.Request, who *principal, msg string) error {
	v, err := s.scansViewOf(r, who)
	if err != nil {
		return err
	}
	v.Error = msg
	return s.render(w, http.StatusBadRequest, "scans.html", pageData{Title: "Scans", User: who, Data: v})
}
