// Package vex reads and writes VEX documents (OpenVEX 0.2.0 and its
// 0.0.x predecessor, CycloneDX VEX 1.4–1.6 in JSON or XML) as normalized
// statements in vulndesk's triage terms. It is pure: matching statements
// to assets and findings is the service's.
package vex

import (
	"bytes"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// Formats of VEX documents.
const (
	FormatOpenVEX   = "openvex"
	FormatCycloneDX = "cyclonedx"
)

// Limits on a document read.
const (
	MaxDocumentSize = 16 << 20 // bytes
	MaxStatements   = 20000    // statements (CycloneDX: vulnerability × affects)
	MaxProducts     = 1000     // products of one statement, subcomponents of one product
)

// ErrInvalid marks a document that cannot be read; the message names what
// is wrong with it.
var ErrInvalid = errors.New("invalid VEX document")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// Document is a VEX document read into statements.
type Document struct {
	Format      string    // FormatOpenVEX or FormatCycloneDX
	SpecVersion string    // e.g. 0.2.0, 1.6
	ID          string    // the document's @id or serialNumber
	Author      string    // who issued it: OpenVEX author, CycloneDX authors/manufacturer/supplier/tool
	Timestamp   time.Time // when it was issued; zero when it does not say
	Statements  []Statement
}

// Statement is one VEX statement: what its author says about one
// vulnerability in some products.
type Statement struct {
	Index         int       // position in the document (CycloneDX: of the vulnerability), from 0
	Timestamp     time.Time // the statement's own time, else the document's; zero when neither says
	Vulnerability string
	Aliases       []string
	Products      []Product
	// State is the triage state it maps to (model.State…); Justification
	// the OpenVEX justification for not_affected; Statement the impact
	// statement (not_affected) or action statement (affected), else the
	// CycloneDX detail.
	State, Justification, Statement string
	Native                          Native
	// Problem says why the statement cannot be applied (an unknown
	// status, not_affected without a justification, no product); "" when
	// it can.
	Problem string
}

// Product is what a statement is about: an identifier, a purl, a name or
// a CycloneDX bom-ref, with the subcomponents (packages) inside it it
// narrows the statement to.
type Product struct {
	ID            string    `json:"id,omitempty"` // as written (@id, affects ref)
	PURL          string    `json:"purl,omitempty"`
	Name          string    `json:"name,omitempty"`
	Version       string    `json:"version,omitempty"`
	BOMRef        string    `json:"bom_ref,omitempty"`
	Subcomponents []Product `json:"subcomponents,omitempty"`
}

// Label is the product's best name for people: its purl, name or ID.
func (p Product) Label() string {
	switch {
	case p.PURL != "":
		return p.PURL
	case p.Name != "" && p.Version != "":
		return p.Name + "@" + p.Version
	case p.Name != "":
		return p.Name
	}
	return p.ID
}

// Native are a statement's values as its format wrote them, kept so that
// an export to the same format reproduces them.
type Native struct {
	Format        string   `json:"format"`
	Status        string   `json:"status"`
	Justification string   `json:"justification,omitempty"`
	Responses     []string `json:"responses,omitempty"`
	Detail        string   `json:"detail,omitempty"`
}

// Parse reads an OpenVEX or CycloneDX VEX document, telling them apart by
// their content.
func Parse(data []byte) (*Document, error) {
	if len(data) > MaxDocumentSize {
		return nil, invalidf("%d bytes; at most %d", len(data), MaxDocumentSize)
	}
	// Text with a NUL or invalid UTF-8 would be stored as decisions'
	// reasons: PostgreSQL refuses it, SQLite would keep it.
	switch {
	case !utf8.Valid(data):
		return nil, invalidf("not valid UTF-8")
	case bytes.IndexByte(data, 0) >= 0 || bytes.Contains(data, []byte(`\u0000`)):
		return nil, invalidf("a NUL character (\\u0000) in the document")
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	switch {
	case len(trimmed) == 0:
		return nil, invalidf("empty")
	case trimmed[0] == '<':
		return parseCycloneDXXML(trimmed)
	case trimmed[0] != '{':
		return nil, invalidf("neither JSON nor XML (an OpenVEX or CycloneDX VEX document in JSON, or CycloneDX in XML)")
	}
	var probe struct {
		Context   any    `json:"@context"`
		BOMFormat string `json:"bomFormat"`
	}
	if err := decodeJSON(trimmed, &probe); err != nil {
		return nil, err
	}
	switch {
	case probe.BOMFormat == "CycloneDX":
		return parseCycloneDXJSON(trimmed)
	case probe.Context != nil:
		return parseOpenVEX(trimmed)
	}
	return nil, invalidf(`neither OpenVEX (no "@context") nor CycloneDX (no "bomFormat": "CycloneDX")`)
}

// require sets the statement's problem, unless it has one, when it names
// no vulnerability or no product.
func (st *Statement) require(noVuln, noProducts string) {
	switch {
	case st.Problem != "":
	case st.Vulnerability == "":
		st.Problem = noVuln
	case len(st.Products) == 0:
		st.Problem = noProducts
	}
}
