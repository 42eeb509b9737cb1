package server

// The API of VEX: import a document's statements as triage decisions,
// export the decisions as OpenVEX or CycloneDX VEX.

import (
	"bytes"
	"io"
	"net/http"

	"github.com/vulndesk/vulndesk/internal/vex"
)

// vexFormatParam chooses an export's format.
var vexFormatParam = param{Name: "format", Type: "string", Desc: "openvex (the default) or cyclonedx",
	Enum: []string{vex.FormatOpenVEX, vex.FormatCycloneDX}}

func (s *Server) importVEX(w http.ResponseWriter, r *http.Request, who *principal) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return err // a MaxBytesError is 413
	}
	res, err := s.Svc.ImportVEX(r.Context(), who.Name, data)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (s *Server) exportVEX(w http.ResponseWriter, r *http.Request, _ *principal) error {
	return s.writeVEX(w, r, 0)
}

func (s *Server) exportAssetVEX(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.writeVEX(w, r, id)
}

// writeVEX answers with the export once it is whole, so that an error is
// an error status rather than a cut document.
func (s *Server) writeVEX(w http.ResponseWriter, r *http.Request, asset int64) error {
	format := r.URL.Query().Get("format")
	var b bytes.Buffer
	if err := s.Svc.ExportVEX(r.Context(), &b, asset, format); err != nil {
		return err
	}
	ct := "application/json"
	if format == vex.FormatCycloneDX {
		ct = "application/vnd.cyclonedx+json; version=1.6"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(b.Bytes())
	return err
}
