package server

// The exports: findings as CSV or JSON for any filter of the list, and an
// asset's CycloneDX SBOM and VDR.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/report"
	"github.com/vulndesk/vulndesk/internal/store"
)

// exportFlushRows is how many rows an export writes between flushes: the
// client gets the rows as they come, and the write deadline moves on.
const exportFlushRows = 1000

// exportWriteWindow is how long an export may take to hand the client
// each flush's rows; the server's write timeout would cut a long export.
const exportWriteWindow = 2 * time.Minute

// cyclonedxMediaType is the media type of a CycloneDX JSON document.
const cyclonedxMediaType = "application/vnd.cyclonedx+json"

// exportFindings streams every finding the filters select. Nothing is
// written until the first row (or the end of an empty export), so a bad
// filter is still a 400; an error after that cuts the response short,
// which the client sees as a broken transfer rather than a whole file.
func (s *Server) exportFindings(w http.ResponseWriter, r *http.Request, _ *principal) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = report.ExportCSV
	}
	if _, ok := report.ExportMediaTypes[format]; !ok {
		return errStatus(http.StatusBadRequest, "format %q: %s", format, strings.Join(report.ExportFormats, ", "))
	}
	f, err := s.findingFilter(r)
	if err != nil {
		return err
	}
	f.Now = s.Store.Now()
	rc := http.NewResponseController(w)
	var exp *report.FindingsExport
	start := func() error {
		h := w.Header()
		h.Set("Content-Type", report.ExportMediaTypes[format])
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="vulndesk-findings-%s.%s"`, f.Now.Format("20060102T150405Z"), format))
		w.WriteHeader(http.StatusOK)
		var err error
		exp, err = report.NewFindingsExport(w, format)
		return err
	}
	err = s.Store.EachFinding(r.Context(), f, func(fd model.AssetFinding) error {
		if exp == nil {
			if err := start(); err != nil {
				return err
			}
		}
		if err := exp.Write(fd); err != nil {
			return err
		}
		if exp.Rows()%exportFlushRows == 0 {
			if err := exp.Flush(); err != nil {
				return err
			}
			_ = rc.SetWriteDeadline(time.Now().Add(exportWriteWindow)) // not every writer has one
			return rc.Flush()
		}
		return nil
	})
	switch {
	case err != nil && exp == nil:
		return err
	case err == nil && exp == nil:
		err = start()
	}
	if err == nil {
		err = exp.Close()
	}
	if err != nil {
		if !errors.Is(err, r.Context().Err()) {
			s.Log.Error("findings export cut short", "rows", exp.Rows(), "error", err)
		}
		panic(http.ErrAbortHandler) // the status is sent: only a broken transfer says the file is not whole
	}
	return nil
}

// assetSBOM answers an asset's CycloneDX SBOM of its current inventory.
func (s *Server) assetSBOM(w http.ResponseWriter, r *http.Request, _ *principal) error {
	return s.assetBOM(w, r, "sbom", s.Svc.AssetSBOM)
}

// assetVDR answers an asset's CycloneDX VDR of its open findings.
func (s *Server) assetVDR(w http.ResponseWriter, r *http.Request, _ *principal) error {
	return s.assetBOM(w, r, "vdr", s.Svc.AssetVDR)
}

func (s *Server) assetBOM(w http.ResponseWriter, r *http.Request, kind string, build func(ctx context.Context, id int64, o report.Options) (*cdx.BOM, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	bom, err := build(r.Context(), id, report.Options{ToolVersion: s.Version, Now: s.Store.Now()})
	if errors.Is(err, store.ErrNotFound) {
		return errStatus(http.StatusNotFound, "asset %d: not found", id)
	}
	if err != nil {
		return err
	}
	name := "asset"
	if bom.Metadata != nil && bom.Metadata.Component != nil && model.ValidAssetName(bom.Metadata.Component.Name) {
		name = bom.Metadata.Component.Name
	}
	h := w.Header()
	h.Set("Content-Type", cyclonedxMediaType)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s.cdx.json"`, fileNamePart(name), kind))
	return report.WriteBOM(w, bom)
}

// fileNamePart is s with every character but letters, digits, '.', '-'
// and '_' made '_', for a Content-Disposition file name.
func fileNamePart(s string) string {
	return strings.Map(func(c rune) rune {
		if c < 128 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return c
		}
		return '_'
	}, s)
}
