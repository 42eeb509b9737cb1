package server

// The finding page: one finding with its advisory, where its severity
// came from, why it matched, its fix and its component.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/vulndesk/vulndesk/internal/model"
)

// findingView is what finding.html draws.
type findingView struct {
	findingRow
	// Advisory is the stored advisory of the finding's ID; HasAdvisory
	// is false when it is no longer stored (withdrawn, its feed deleted).
	Advisory    model.AdvisoryInfo
	HasAdvisory bool
	Evidence    []model.Evidence
}

func (s *Server) findingPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d := pageData{Title: "Finding", User: who}
	id, err := pathID(r)
	if err != nil {
		return s.pageError(w, "finding.html", d, err)
	}
	f, err := s.Svc.Finding(r.Context(), id)
	if errors.Is(err, model.ErrNotFound) {
		return s.pageError(w, "finding.html", d, errStatus(http.StatusNotFound, "finding %d: there is no finding with this ID", id))
	}
	if err != nil {
		return err
	}
	v := findingView{findingRow: findingRow{f}}
	if len(f.Evidence) > 0 {
		if err := json.Unmarshal(f.Evidence, &v.Evidence); err != nil {
			return fmt.Errorf("finding %d: evidence: %w", id, err)
		}
	}
	info, ok, err := s.Store.AdvisoryInfo(r.Context(), f.VulnID)
	if err != nil {
		return err
	}
	if ok {
		if err := json.Unmarshal([]byte(info), &v.Advisory); err != nil {
			return fmt.Errorf("advisory %s: stored info: %w", f.VulnID, err)
		}
		v.HasAdvisory = true
	}
	d.Title, d.Data = f.VulnID+" in "+f.Package+" "+f.Version, v
	return s.render(w, http.StatusOK, "finding.html", d)
}

// pageError shows an error with a status (a bad or missing ID) as the
// page name in words; others it returns.
func (s *Server) pageError(w http.ResponseWriter, name string, d pageData, err error) error {
	status, msg := statusOf(err)
	if status == 0 {
		return err
	}
	d.Error = msg
	return s.render(w, status, name, d)
}
