package server

// The products page: the products the organisation makes with their
// support status (CRA Art. 13(8)), and the form that marks an asset as
// a product or changes one.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/auth"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// productsView is what products.html draws.
type productsView struct {
	Products []model.Product
	// Assets are names offered in the form (at most 500).
	Assets  []string
	Form    productForm
	CanEdit bool
	CanDrop bool
	Message string
}

// productForm is the form's values: blank, an existing product to edit,
// or what was sent when it was refused.
type productForm struct {
	Asset, Name, SupportEnd, SupportPolicy, SecurityContact, MemberStates string
	Published, Editing                                                    bool
}

// productRow is a product with its support status's colour.
type productRow struct {
	model.Product
	Class string
}

// Rows are the products with their colours.
func (v productsView) Rows() []productRow {
	out := make([]productRow, len(v.Products))
	for i, p := range v.Products {
		out[i] = productRow{p, supportClass(p.SupportStatus)}
	}
	return out
}

// supportClass is the colour of a support status.
func supportClass(status string) string {
	switch status {
	case model.SupportEnded:
		return "state-failing"
	case model.SupportEnding:
		return "state-pending"
	}
	return "state-ok"
}

func (s *Server) productsData(r *http.Request, who *principal) (pageData, *productsView, error) {
	v := &productsView{CanEdit: who.Perms.Has(auth.PermTriage), CanDrop: who.Perms.Has(auth.PermAdmin)}
	d := pageData{Title: "Products", User: who, Data: v}
	var err error
	if v.Products, err = s.Store.Products(r.Context(), false); err != nil {
		return d, v, err
	}
	if v.CanEdit {
		as, err := s.Store.Assets(r.Context(), store.AssetFilter{Limit: store.MaxPageSize})
		if err != nil {
			return d, v, err
		}
		for _, a := range as {
			v.Assets = append(v.Assets, a.Name)
		}
	}
	return d, v, nil
}

func (s *Server) productsPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d, v, err := s.productsData(r, who)
	if err != nil {
		return err
	}
	if e := r.URL.Query().Get("edit"); e != "" {
		for _, p := range v.Products {
			if strconv.FormatInt(p.AssetID, 10) == e {
				v.Form = productForm{Asset: p.AssetName, Name: p.Name, SupportEnd: p.SupportEnd, SupportPolicy: p.SupportPolicy,
					SecurityContact: p.SecurityContact, MemberStates: strings.Join(p.MemberStates, ", "), Published: p.Published, Editing: true}
			}
		}
	}
	if m := r.URL.Query().Get("saved"); m != "" {
		v.Message = "Product saved."
	}
	return s.render(w, http.StatusOK, "products.html", d)
}

// assetByRef finds an asset by its ID or its name.
func (s *Server) assetByRef(r *http.Request, ref string) (model.Asset, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return model.Asset{}, model.Invalidf("asset: required, by name or ID")
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		if a, err := s.Store.Asset(r.Context(), id); err == nil {
			return a, nil
		}
	}
	a, err := s.Store.AssetByName(r.Context(), ref)
	if err != nil {
		return a, fmt.Errorf("asset %q: %w", ref, err)
	}
	return a, nil
}

func (s *Server) setProductPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	f := productForm{Asset: r.PostFormValue("asset"), Name: r.PostFormValue("name"), SupportEnd: r.PostFormValue("support_end"),
		SupportPolicy: r.PostFormValue("support_policy"), SecurityContact: r.PostFormValue("security_contact"),
		MemberStates: r.PostFormValue("member_states"), Published: r.PostFormValue("published") != ""}
	err := s.setProductForm(r, f, who)
	if err == nil {
		http.Redirect(w, r, "/products?saved=1", http.StatusSeeOther)
		return nil
	}
	d, v, rerr := s.productsData(r, who)
	if rerr != nil {
		return rerr
	}
	v.Form = f
	return s.pageError(w, "products.html", d, err)
}

func (s *Server) setProductForm(r *http.Request, f productForm, who *principal) error {
	a, err := s.assetByRef(r, f.Asset)
	if err != nil {
		return err
	}
	states, err := model.ParseMemberStates(f.MemberStates)
	if err != nil {
		return err
	}
	_, err = s.Svc.SetProduct(r.Context(), a.ID, model.Product{Name: f.Name, SupportEnd: f.SupportEnd, SupportPolicy: f.SupportPolicy,
		SecurityContact: f.SecurityContact, MemberStates: states, Published: f.Published}, who.Name)
	return err
}

func (s *Server) unmarkProductPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Svc.UnmarkProduct(r.Context(), id, who.Name); err != nil {
		return err
	}
	http.Redirect(w, r, "/products", http.StatusSeeOther)
	return nil
}
