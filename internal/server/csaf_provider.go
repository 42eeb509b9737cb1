package server

// The CSAF trusted provider under /.well-known/csaf/ (public):
// provider-metadata.json, the TLP:WHITE directory with each published
// advisory's exact bytes, its hashes and detached signature, index.txt,
// changes.csv, and the public OpenPGP key.

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/vulndesk/vulndesk/internal/csaf"
	"github.com/vulndesk/vulndesk/internal/model"
)

// whiteFile is a name in a year folder: a document and its .sha256,
// .sha512 and .asc files.
var whiteFile = regexp.MustCompile(`^([a-z0-9+_-]{1,200}\.json)(\.sha256|\.sha512|\.asc)?$`)

// servePublic answers a provider file: cacheable for a few minutes.
func servePublic(w http.ResponseWriter, contentType string, b []byte) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err := w.Write(b)
	return err
}

func (s *Server) csafProviderMetadata(w http.ResponseWriter, r *http.Request, _ *principal) error {
	site, err := s.csafSite(r)
	if err != nil {
		return err
	}
	b, err := s.Svc.CSAFProviderMetadata(r.Context(), site)
	if err != nil {
		return err
	}
	return servePublic(w, "application/json", b)
}

// csafEntries are the white directory's documents, newest change first.
func (s *Server) csafEntries(r *http.Request) ([]csaf.Entry, error) {
	files, err := s.Store.SecAdvFiles(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]csaf.Entry, 0, len(files))
	for _, f := range files {
		out = append(out, csaf.Entry{Path: f.Path, Updated: f.PublishedAt})
	}
	return out, nil
}

func (s *Server) csafIndex(w http.ResponseWriter, r *http.Request, _ *principal) error {
	e, err := s.csafEntries(r)
	if err != nil {
		return err
	}
	return servePublic(w, "text/plain; charset=utf-8", csaf.Index(e))
}

func (s *Server) csafChanges(w http.ResponseWriter, r *http.Request, _ *principal) error {
	e, err := s.csafEntries(r)
	if err != nil {
		return err
	}
	return servePublic(w, "text/csv; charset=utf-8", csaf.Changes(e))
}

func (s *Server) csafWhiteFile(w http.ResponseWriter, r *http.Request, _ *principal) error {
	year, name := r.PathValue("year"), r.PathValue("file")
	m := whiteFile.FindStringSubmatch(name)
	if len(year) != 4 || strings.Trim(year, "0123456789") != "" || m == nil {
		return errStatus(http.StatusNotFound, "no such CSAF document: %s/%s", year, name)
	}
	f, err := s.Store.SecAdvFileByPath(r.Context(), year+"/"+m[1])
	if errors.Is(err, model.ErrNotFound) {
		return errStatus(http.StatusNotFound, "no such CSAF document: %s/%s", year, m[1])
	}
	if err != nil {
		return err
	}
	switch m[2] {
	case ".sha256":
		return servePublic(w, "text/plain; charset=utf-8", fmt.Appendf(nil, "%s  %s\n", f.SHA256, m[1]))
	case ".sha512":
		return servePublic(w, "text/plain; charset=utf-8", fmt.Appendf(nil, "%s  %s\n", f.SHA512, m[1]))
	case ".asc":
		sig, err := s.Svc.SignatureOf(r.Context(), f)
		if err != nil {
			return err
		}
		return servePublic(w, "application/pgp-signature", sig)
	}
	return servePublic(w, "application/json", f.CSAF)
}

func (s *Server) csafPublicKey(w http.ResponseWriter, r *http.Request, _ *principal) error {
	key, err := s.OpenPGPKey(r.Context())
	if err != nil {
		return err
	}
	if !strings.EqualFold(r.PathValue("file"), key.Fingerprint()+".asc") {
		return errStatus(http.StatusNotFound, "no such key: the provider's key is %s.asc", key.Fingerprint())
	}
	return servePublic(w, "application/pgp-keys", key.PublicArmored())
}

// publicAdvisory is one row of the public advisories page.
type publicAdvisory struct {
	model.SecurityAdvisory
	// URL is the CSAF document's address.
	URL string
}

func (s *Server) publicAdvisoriesPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	list, err := s.Store.PublishedSecAdvisories(r.Context())
	if err != nil {
		return err
	}
	rows := make([]publicAdvisory, 0, len(list))
	for _, a := range list {
		rows = append(rows, publicAdvisory{SecurityAdvisory: a,
			URL: fmt.Sprintf("%s/white/%d/%s", csaf.WellKnown, a.InitialReleaseAt.Year(), a.FileName)})
	}
	return s.render(w, http.StatusOK, "security_advisories.html", pageData{Title: "Security advisories", User: who, Data: rows})
}

// csafListing serves a directory listing of the white folder (its year
// folders, index.txt and changes.csv) or of a year folder (its documents
// with their hash and signature files): CSAF's requirement 14, for
// readers that browse the directory distribution.
func (s *Server) csafListing(w http.ResponseWriter, r *http.Request, who *principal) error {
	year := r.PathValue("year")
	if year != "" && (len(year) != 4 || strings.Trim(year, "0123456789") != "") {
		return errStatus(http.StatusNotFound, "no such CSAF folder: %s", year)
	}
	e, err := s.csafEntries(r)
	if err != nil {
		return err
	}
	var links []string
	for _, f := range e {
		y, name, _ := strings.Cut(f.Path, "/")
		switch {
		case year == "" && !slices.Contains(links, y+"/"):
			links = append(links, y+"/")
		case year == y:
			links = append(links, name, name+".asc", name+".sha256", name+".sha512")
		}
	}
	if year == "" {
		slices.Sort(links)
		links = append(links, "changes.csv", "index.txt")
	} else if len(links) == 0 {
		return errStatus(http.StatusNotFound, "no such CSAF folder: %s", year)
	}
	title := csaf.WellKnown + "/white/"
	if year != "" {
		title += year + "/"
	}
	return s.render(w, http.StatusOK, "csaf_listing.html", pageData{Title: title, Data: links})
}
