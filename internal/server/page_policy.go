package server

// The public vulnerability disclosure policy, /security/policy: made from
// the disclosure settings, for anyone (no account).

import (
	"net/http"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/securitytxt"
)

// policyView is what policy.html draws.
type policyView struct {
	D                          model.Disclosure
	Scope, SafeHarbour, Credit []string // paragraphs
	Contacts, Encryption       []policyLink
	CSIRTContact               *policyLink
	Fix                        []policyFix
	ReportPath, AckPath        string
	// Products are the published products with their support periods
	// (CRA Art. 13(8)).
	Products []policyProduct
}

// policyProduct is a published product as strangers see it: its public
// name, never the asset's.
type policyProduct struct {
	Name, SupportEnd, SupportStatus, SupportPolicy, Class string
	Contact                                               *policyLink
}

// policyLink is a URI shown as a link when it is a web or mail address,
// as text otherwise (tel:, openpgp4fpr:).
type policyLink struct {
	Text, Href string
}

type policyFix struct {
	Severity string
	Days     int
}

func (s *Server) policyPage(w http.ResponseWriter, r *http.Request, _ *principal) error {
	d, err := s.Svc.Disclosure(r.Context())
	if err != nil {
		return err
	}
	v := &policyView{D: d, Scope: paragraphs(d.Scope), SafeHarbour: paragraphs(d.SafeHarbour), Credit: paragraphs(d.Credit),
		Contacts: policyLinks(d.Contacts), Encryption: policyLinks(d.Encryption),
		ReportPath: securitytxt.PathReport, AckPath: securitytxt.PathAcknowledgements}
	if d.CSIRT.Contact != "" {
		v.CSIRTContact = &policyLinks([]string{d.CSIRT.Contact})[0]
	}
	products, err := s.Svc.PublishedProducts(r.Context())
	if err != nil {
		return err
	}
	for _, p := range products {
		pp := policyProduct{Name: p.Name, SupportEnd: p.SupportEnd, SupportStatus: p.SupportStatus, SupportPolicy: p.SupportPolicy,
			Class: supportClass(p.SupportStatus)}
		if p.SecurityContact != "" {
			pp.Contact = &policyLinks([]string{p.SecurityContact})[0]
		}
		v.Products = append(v.Products, pp)
	}
	for _, sev := range model.FixSeverities {
		if n, ok := d.Timers.FixDays[sev]; ok {
			v.Fix = append(v.Fix, policyFix{sev, n})
		}
	}
	return s.render(w, http.StatusOK, "policy.html", pageData{Title: "Vulnerability disclosure policy", Data: v})
}

// paragraphs splits a text at blank lines.
func paragraphs(text string) []string {
	var out []string
	for p := range strings.SplitSeq(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func policyLinks(uris []string) []policyLink {
	out := make([]policyLink, 0, len(uris))
	for _, u := range uris {
		l := policyLink{Text: u}
		switch {
		case strings.HasPrefix(u, "mailto:"):
			l.Text, l.Href = strings.TrimPrefix(u, "mailto:"), u
		case strings.HasPrefix(u, "https://"):
			l.Href = u
		case strings.HasPrefix(u, "tel:"):
			l.Text = "phone " + strings.TrimPrefix(u, "tel:")
		case strings.HasPrefix(u, "openpgp4fpr:"):
			l.Text = "OpenPGP key " + strings.ToUpper(strings.TrimPrefix(u, "openpgp4fpr:"))
		}
		out = append(out, l)
	}
	return out
}
