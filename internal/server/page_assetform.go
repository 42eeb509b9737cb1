package server

// The asset form: create an asset (GET /assets/new, POST /assets) or change
// one (GET /assets/{id}/edit, POST /assets/{id}), through the service as
// the API does. A refused form is shown again, filled in, with the reason.

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
)

// assetFormView is what assetform.html draws.
type assetFormView struct {
	assetChoices
	// ID is the asset changed; 0 for a new one.
	ID int64
	// Name is the asset's name as stored, for the heading.
	Name string
	// Values are the fields as shown: as stored, or as sent.
	Values assetFormValues
}

// assetFormValues are the form's fields as text.
type assetFormValues struct {
	Name, Kind, Owner, Criticality, Exposure, Environment, Lifecycle, Tags, CPEs string
}

// valuesOf shows an asset in the form.
func valuesOf(a model.Asset) assetFormValues {
	return assetFormValues{Name: a.Name, Kind: a.Kind, Owner: a.Owner, Criticality: strconv.Itoa(a.Criticality),
		Exposure: a.Exposure, Environment: a.Environment, Lifecycle: a.Lifecycle,
		Tags: strings.Join(a.Tags, ", "), CPEs: strings.Join(a.CPEs, "\n")}
}

// formValues reads the form as sent.
func formValues(r *http.Request) assetFormValues {
	f := r.PostFormValue
	return assetFormValues{Name: f("name"), Kind: f("kind"), Owner: f("owner"), Criticality: f("criticality"),
		Exposure: f("exposure"), Environment: f("environment"), Lifecycle: f("lifecycle"), Tags: f("tags"), CPEs: f("cpes")}
}

// input turns the form into the API's asset input: every field set, so a
// change replaces each; tags are comma-separated, CPEs one a line. The
// service validates the result as it does the API's.
func (v assetFormValues) input() (api.AssetInput, error) {
	crit, err := strconv.Atoi(strings.TrimSpace(v.Criticality))
	if err != nil {
		return api.AssetInput{}, model.Invalidf("criticality %q: 1 (highest) to 4 (lowest)", v.Criticality)
	}
	tags, cpes := splitList(v.Tags, ","), splitList(v.CPEs, "\n")
	name, owner, env := strings.TrimSpace(v.Name), strings.TrimSpace(v.Owner), strings.TrimSpace(v.Environment)
	return api.AssetInput{Name: &name, Kind: &v.Kind, Owner: &owner, Criticality: &crit, Exposure: &v.Exposure,
		Environment: &env, Lifecycle: &v.Lifecycle, Tags: &tags, CPEs: &cpes}, nil
}

// splitList splits s at sep, trimmed, leaving out empty items.
func splitList(s, sep string) []string {
	out := []string{}
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) newAssetPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	v := assetFormView{assetChoices: assetOptions, Values: valuesOf(defaultAsset())}
	return s.render(w, http.StatusOK, "assetform.html", pageData{Title: "New asset", User: who, Data: &v})
}

// defaultAsset is a new asset with the defaults the service gives.
func defaultAsset() model.Asset {
	a := model.Asset{Name: "x"}
	_ = a.Normalize() // "x" is a valid name: only defaults are filled
	a.Name = ""
	return a
}

func (s *Server) createAssetForm(w http.ResponseWriter, r *http.Request, who *principal) error {
	v := assetFormView{assetChoices: assetOptions, Values: formValues(r)}
	in, err := v.Values.input()
	var a model.Asset
	if err == nil {
		in.Apply(&a)
		a, err = s.Svc.CreateAsset(r.Context(), a, who.Name)
	}
	if err != nil {
		return s.pageError(w, "assetform.html", pageData{Title: "New asset", User: who, Data: &v}, formError(err))
	}
	http.Redirect(w, r, fmt.Sprintf("/assets/%d", a.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) editAssetPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d := pageData{Title: "Change asset", User: who}
	a, err := s.pageAsset(r)
	if err != nil {
		return s.pageError(w, "assetform.html", d, err)
	}
	d.Data = &assetFormView{assetChoices: assetOptions, ID: a.ID, Name: a.Name, Values: valuesOf(a)}
	return s.render(w, http.StatusOK, "assetform.html", d)
}

func (s *Server) updateAssetForm(w http.ResponseWriter, r *http.Request, who *principal) error {
	d := pageData{Title: "Change asset", User: who}
	a, err := s.pageAsset(r)
	if err != nil {
		return s.pageError(w, "assetform.html", d, err)
	}
	v := assetFormView{assetChoices: assetOptions, ID: a.ID, Name: a.Name, Values: formValues(r)}
	d.Data = &v
	in, err := v.Values.input()
	if err == nil {
		_, err = s.Svc.UpdateAsset(r.Context(), a.ID, in.Apply, who.Name)
	}
	if err != nil {
		return s.pageError(w, "assetform.html", d, formError(err))
	}
	http.Redirect(w, r, fmt.Sprintf("/assets/%d", a.ID), http.StatusSeeOther)
	return nil
}

// formError says a refused name in words: taken names are 409.
func formError(err error) error {
	if errors.Is(err, model.ErrConflict) {
		return errStatus(http.StatusConflict, "%v: another asset has this name; choose another", err)
	}
	return err
}

// pageAsset reads the asset of a page's {id}: a bad ID is 400, a missing
// asset 404, both in words.
func (s *Server) pageAsset(r *http.Request) (model.Asset, error) {
	id, err := pathID(r)
	if err != nil {
		return model.Asset{}, err
	}
	a, err := s.Store.Asset(r.Context(), id)
	if errors.Is(err, model.ErrNotFound) {
		return a, errStatus(http.StatusNotFound, "asset %d: there is no asset with this ID", id)
	}
	return a, err
}
