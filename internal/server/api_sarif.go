package server

import (
	"net/http"

	"github.com/vulndesk/vulndesk/internal/sarif"
)

// branchParam is the SARIF import's branch.
var branchParam = param{Name: "branch", Type: "string",
	Desc: "the branch (or other line of code) the log is of, at most 200 bytes (default main): a re-import resolves only the findings of the log's tools on this branch"}

// importSARIF imports a SARIF 2.1.0 log (the body) as code findings of
// the asset, for the branch the query names.
func (s *Server) importSARIF(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := s.readUpload(r, "SARIF log", min(s.MaxUploadBytes, sarif.MaxSize))
	if err != nil {
		return err
	}
	defer body.release()
	source := r.URL.Query().Get("source")
	if len(source) > 255 {
		return errStatus(http.StatusBadRequest, "source: at most 255 characters")
	}
	if source == "" && len(body.name) <= 255 {
		source = body.name
	}
	data := body.data
	body.data = nil
	out, err := s.Svc.ImportSARIF(r.Context(), who.Name, id, r.URL.Query().Get("branch"), source, data, who.uploadLimit())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}
