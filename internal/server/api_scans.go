package server

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// Scan records: an asset's scans with their raw documents, external scans
// recorded with their report, and the assets overdue for a scan.

// externalScanParams are the fields of an external scan, as query
// parameters (API) or as the multipart form's fields before the file
// (the asset page).
var externalScanParams = []param{
	{Name: "tool", Type: "string", Desc: "what or who scanned: the tool, or the firm for a penetration test; 1–200 characters", Required: true},
	{Name: "scanned_at", Type: "string", Desc: "when the scan ran: an RFC 3339 time or a date (2026-11-30); not in the future", Required: true},
	{Name: "summary", Type: "string", Desc: "the result in words, at most 4000 bytes"},
}

func (s *Server) listScans(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := parentID(r, "asset", s.Store.Asset)
	if err != nil {
		return err
	}
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	before, err := queryCursor(r)
	if err != nil {
		return err
	}
	items, err := s.Store.ScanRecords(r.Context(), id, before, store.PageSize(limit))
	if err != nil {
		return err
	}
	p := api.Page[model.ScanRecord]{Items: items}
	if len(items) > 0 && len(items) == store.PageSize(limit) {
		p.NextCursor = strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	return writeJSON(w, http.StatusOK, p)
}

// recordExternalScan records a scan run elsewhere with its report: the
// raw body, or the first file of a multipart form whose fields before it
// may give tool, scanned_at and summary.
func (s *Server) recordExternalScan(w http.ResponseWriter, r *http.Request, who *principal) error {
	rec, err := s.externalScan(r, who)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/scans/%d/document", rec.ID))
	return writeJSON(w, http.StatusCreated, rec)
}

func (s *Server) externalScan(r *http.Request, who *principal) (model.ScanRecord, error) {
	id, err := pathID(r)
	if err != nil {
		return model.ScanRecord{}, err
	}
	body, err := s.readSBOM(r)
	if err != nil {
		return model.ScanRecord{}, err
	}
	defer body.release()
	field := func(name string) string {
		if v := body.fields.Get(name); v != "" {
			return v
		}
		return r.URL.Query().Get(name)
	}
	in := model.ExternalScan{Tool: field("tool"), Summary: field("summary")}
	if at := field("scanned_at"); at != "" {
		if in.ScannedAt, err = model.ParseScanTime("scanned_at", at); err != nil {
			return model.ScanRecord{}, err
		}
	}
	mediaType := r.Header.Get("Content-Type")
	if body.name != "" {
		mediaType = mime.TypeByExtension(path.Ext(body.name))
	}
	if mt, _, err := mime.ParseMediaType(mediaType); err == nil {
		mediaType = mt
	} else {
		mediaType = ""
	}
	name := body.name
	if len(name) > 255 {
		name = name[:255]
	}
	return s.Svc.RecordExternalScan(r.Context(), who.Name, id, in, name, mediaType, body.data)
}

// inlineTypes are the media types a kept document is served as; any
// other is served as application/octet-stream. Documents are always
// attachments, never rendered by the browser on this origin.
var inlineTypes = []string{"application/json", "application/vnd.cyclonedx+json", "application/vnd.cyclonedx+xml",
	"application/spdx+json", "application/ld+json", "text/spdx", "application/sarif+json", "application/pdf", "text/plain"}

func (s *Server) scanDocument(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rec, doc, rd, err := s.Svc.ScanDocument(r.Context(), id)
	if err != nil {
		return err
	}
	ct := "application/octet-stream"
	if slices.Contains(inlineTypes, doc.MediaType) {
		ct = doc.MediaType
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.FormatInt(doc.Size, 10))
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": documentName(rec)}))
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Document-SHA256", doc.SHA256)
	w.WriteHeader(http.StatusOK)
	_, err = io.Copy(w, rd)
	return err
}

// documentName is the file name a scan's document downloads as: the name
// it was sent with, else one made of the record.
func documentName(rec model.ScanRecord) string {
	name := path.Base(strings.ReplaceAll(rec.Source, `\`, "/"))
	if name == "." || name == "/" || name == "" {
		name = fmt.Sprintf("scan-%d-%s", rec.ID, rec.Kind)
	}
	return name
}

func (s *Server) overdueScans(w http.ResponseWriter, r *http.Request, _ *principal) error {
	items, c, err := s.Svc.OverdueScans(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, api.OverdueScans{Items: items, Cadence: c})
}
