package server

// The staff pages of own security advisories: the list with a form for a
// new one (GET/POST /security-advisories), and one advisory's page with
// its edit form, a preview of its CSAF document, submit and publish.

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/csaf"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// secAdvListView is what secadvisories.html draws.
type secAdvListView struct {
	Items    []model.SecurityAdvisory
	CanEdit  bool
	Profiles []string
	// Title and Profile are the new advisory form's fields as sent.
	NewTitle, NewProfile string
}

// secAdvView is what secadvisory.html draws.
type secAdvView struct {
	A model.SecurityAdvisory
	// Products and Vulns are the form's rows: the advisory's and a blank
	// one to add.
	Products []model.SecAdvProduct
	Vulns    []secAdvVulnRow
	CaseID   string
	// Case is the disclosure case the advisory came from, when it names
	// one that exists: its page says whom the reporter asked to credit.
	Case    *model.Case
	Assets  []model.Asset
	CanEdit bool
	// CanSubmit and CanPublish say which buttons to show.
	CanSubmit, CanPublish bool
	// Next is the number the next published revision gets.
	Next    int
	Preview string
	// URL is the published CSAF document's public address, or empty.
	URL                                string
	Profiles, Statuses, Justifications []string
}

// secAdvVulnRow is a vulnerability as the form shows it.
type secAdvVulnRow struct {
	model.SecAdvVuln
	Acks string // one name a line
}

func (s *Server) secAdvisoriesPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	return s.renderSecAdvList(w, r, who, http.StatusOK, "", secAdvListView{NewProfile: model.ProfileSecurityAdvisory})
}

func (s *Server) renderSecAdvList(w http.ResponseWriter, r *http.Request, who *principal, status int, msg string, v secAdvListView) error {
	items, err := s.Store.SecAdvisories(r.Context(), "")
	if err != nil {
		return err
	}
	v.Items, v.CanEdit, v.Profiles = items, who.Perms.Has(auth.PermTriage), model.SecAdvProfiles
	return s.render(w, status, "secadvisories.html", pageData{Title: "Security advisories", User: who, Error: msg, Data: v})
}

func (s *Server) createSecAdvisoryPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	if err := r.ParseForm(); err != nil {
		return errStatus(http.StatusBadRequest, "form: %v", err)
	}
	v := secAdvListView{NewTitle: r.PostFormValue("title"), NewProfile: r.PostFormValue("profile")}
	draft := model.SecurityAdvisory{Title: v.NewTitle, Profile: v.NewProfile}
	// A draft started from a disclosure case's page names the case.
	caseID, err := formID(r, "case_id")
	if caseID > 0 {
		draft.CaseID = &caseID
	}
	if err == nil {
		draft, err = s.Svc.CreateSecAdvisory(r.Context(), draft, who.Name)
	}
	a := draft
	if err != nil {
		status, msg := statusOf(err)
		if status == 0 {
			return err
		}
		return s.renderSecAdvList(w, r, who, status, msg, v)
	}
	http.Redirect(w, r, fmt.Sprintf("/security-advisories/%d", a.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) secAdvisoryPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := s.Store.SecAdvisory(r.Context(), id)
	if err != nil {
		return fmt.Errorf("security advisory %d: %w", id, err)
	}
	return s.renderSecAdv(w, r, who, http.StatusOK, "", a)
}

func (s *Server) renderSecAdv(w http.ResponseWriter, r *http.Request, who *principal, status int, msg string, a model.SecurityAdvisory) error {
	v := secAdvView{A: a, Products: append(append([]model.SecAdvProduct{}, a.Products...), model.SecAdvProduct{}),
		CanEdit: who.Perms.Has(auth.PermTriage), Profiles: model.SecAdvProfiles, Statuses: model.ProductStatuses,
		Justifications: model.CSAFJustifications, Next: a.Version + 1}
	for _, x := range append(append([]model.SecAdvVuln{}, a.Vulnerabilities...), model.SecAdvVuln{}) {
		v.Vulns = append(v.Vulns, secAdvVulnRow{SecAdvVuln: x, Acks: strings.Join(x.Acknowledgements, "\n")})
	}
	if a.CaseID != nil {
		v.CaseID = strconv.FormatInt(*a.CaseID, 10)
		c, err := s.Store.Case(r.Context(), *a.CaseID)
		if err == nil {
			v.Case = &c
		} else if !errors.Is(err, model.ErrNotFound) {
			return err
		}
	}
	v.CanSubmit = v.CanEdit && a.State == model.SecAdvDraft
	v.CanPublish = who.Perms.Has(auth.PermAdmin) && a.State == model.SecAdvReview
	if a.Version > 0 && a.InitialReleaseAt != nil {
		v.URL = fmt.Sprintf("%s/white/%d/%s", csaf.WellKnown, a.InitialReleaseAt.Year(), a.FileName)
	}
	if v.CanEdit {
		assets, err := s.Store.Assets(r.Context(), store.AssetFilter{Limit: 500})
		if err != nil {
			return err
		}
		// The products' assets are choices whatever the first 500 are,
		// so that saving the form keeps them.
		for _, p := range a.Products {
			if slices.ContainsFunc(assets, func(x model.Asset) bool { return x.ID == p.AssetID }) {
				continue
			}
			x, err := s.Store.Asset(r.Context(), p.AssetID)
			if errors.Is(err, model.ErrNotFound) {
				x = model.Asset{ID: p.AssetID, Name: fmt.Sprintf("asset %d (deleted)", p.AssetID)}
			} else if err != nil {
				return err
			}
			assets = append(assets, x)
		}
		v.Assets = assets
	}
	if a.ID != 0 {
		b, err := s.secAdvBytes(r, a.ID, false)
		if err != nil {
			return err
		}
		v.Preview = string(b)
	}
	return s.render(w, status, "secadvisory.html", pageData{Title: a.TrackingID, User: who, Error: msg, Data: v})
}

// secAdvForm reads the edit form: the fields, the product rows p<i>_*
// and the vulnerability rows v<i>_* (a row left blank is left out).
func secAdvForm(r *http.Request) (api.SecurityAdvisoryInput, error) {
	f := r.PostFormValue
	title, summary, profile, revision := f("title"), f("summary"), f("profile"), f("revision_summary")
	in := api.SecurityAdvisoryInput{Title: &title, Summary: &summary, Profile: &profile, RevisionSummary: &revision}
	caseID, err := formID(r, "case_id")
	if err != nil {
		return in, err
	}
	in.CaseID = &caseID
	products := []model.SecAdvProduct{}
	for i := 0; i <= model.MaxSecAdvProducts; i++ {
		p := func(k string) string { return strings.TrimSpace(f(fmt.Sprintf("p%d_%s", i, k))) }
		asset := p("asset")
		if asset == "" {
			continue
		}
		id, err := strconv.ParseInt(asset, 10, 64)
		if err != nil {
			return in, model.Invalidf("products[%d].asset_id %q: choose an asset", i, asset)
		}
		products = append(products, model.SecAdvProduct{AssetID: id, Name: p("name"), Affected: p("affected"), Fixed: p("fixed"),
			Status: p("status"), Justification: p("justification")})
	}
	vulns := []model.SecAdvVuln{}
	for i := 0; i <= model.MaxSecAdvVulns; i++ {
		v := func(k string) string { return strings.TrimSpace(f(fmt.Sprintf("v%d_%s", i, k))) }
		x := model.SecAdvVuln{CVE: v("cve"), CWE: v("cwe"), CWEName: v("cwe_name"), Title: v("title"), Description: v("description"),
			CVSS: v("cvss"), Remediation: v("remediation"), Acknowledgements: splitList(v("acks"), "\n")}
		if x.CVE == "" && x.CWE == "" && x.CWEName == "" && x.Title == "" && x.Description == "" && x.CVSS == "" &&
			x.Remediation == "" && len(x.Acknowledgements) == 0 {
			continue
		}
		vulns = append(vulns, x)
	}
	in.Products, in.Vulnerabilities = &products, &vulns
	return in, nil
}

func (s *Server) updateSecAdvisoryPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errStatus(http.StatusBadRequest, "form: %v", err)
	}
	in, err := secAdvForm(r)
	if err == nil {
		_, err = s.Svc.UpdateSecAdvisory(r.Context(), id, in.Apply, who.Name)
	}
	if err != nil {
		return s.secAdvPageError(w, r, who, id, err, in.Apply)
	}
	http.Redirect(w, r, fmt.Sprintf("/security-advisories/%d", id), http.StatusSeeOther)
	return nil
}

// secAdvPageError shows the advisory's page again with the reason, its
// form filled in as sent (edit: the form applied over the stored one).
func (s *Server) secAdvPageError(w http.ResponseWriter, r *http.Request, who *principal, id int64, err error, edit func(*model.SecurityAdvisory)) error {
	status, msg := statusOf(err)
	if status == 0 {
		return err
	}
	a, rerr := s.Store.SecAdvisory(r.Context(), id)
	if rerr != nil {
		return fmt.Errorf("security advisory %d: %w", id, rerr)
	}
	if edit != nil {
		edit(&a)
	}
	return s.renderSecAdv(w, r, who, status, msg, a)
}

// secAdvActionPage submits or publishes from the advisory's page.
func (s *Server) secAdvActionPage(publish bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who *principal) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if _, err := s.moveSecAdvisory(r, id, publish, who); err != nil {
			return s.secAdvPageError(w, r, who, id, err, nil)
		}
		http.Redirect(w, r, fmt.Sprintf("/security-advisories/%d", id), http.StatusSeeOther)
		return nil
	}
}
