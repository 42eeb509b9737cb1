package server

// The VEX page: a form that imports a VEX document (its statements become
// triage decisions) with what became of them, and the export links.

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
)

// vexView is what vex.html draws.
type vexView struct {
	CanImport bool
	Result    *model.VEXImport
}

func (s *Server) vexPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	return s.render(w, http.StatusOK, "vex.html", pageData{Title: "VEX", User: who,
		Data: vexView{CanImport: who.Perms.Has(auth.PermTriage)}})
}

func (s *Server) importVEXPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d := pageData{Title: "VEX", User: who, Data: vexView{CanImport: true}}
	data, err := readVEXForm(r)
	if err != nil {
		return s.pageError(w, "vex.html", d, err)
	}
	res, err := s.Svc.ImportVEX(r.Context(), who.Name, data)
	if err != nil {
		return s.pageError(w, "vex.html", d, err)
	}
	d.Data = vexView{CanImport: true, Result: &res}
	return s.render(w, http.StatusOK, "vex.html", d)
}

// readVEXForm reads the document of the form's first file part; a body
// that is not a multipart form is the document itself.
func readVEXForm(r *http.Request) ([]byte, error) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return io.ReadAll(r.Body)
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, errStatus(http.StatusBadRequest, "vex: choose a VEX document to import")
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, err
			}
			return nil, errStatus(http.StatusBadRequest, "the form: %v", err)
		}
		if p.FileName() != "" {
			return io.ReadAll(p)
		}
	}
}
