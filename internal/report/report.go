// Package report renders a scan's model.Result in the output formats the
// vulndesk CLI offers: a human-readable table, vulndesk's own JSON, SARIF
// 2.1.0, OpenVEX 0.2.0 and CycloneDX 1.6. Each format lives in its own file
// and implements Format; ByName picks one by its CLI name.
//
// Reports never re-match or re-merge: they render the findings as the scan
// produced them, and only sort where a format holds maps or groups, so that
// the same Result always gives byte-identical output.
package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// Options carry what a report needs besides the result.
type Options struct {
	// ToolName names the tool in documents; "vulndesk" when empty.
	ToolName string
	// ToolVersion is the tool's version, written into documents.
	ToolVersion string
	// Now is the timestamp written into documents; it is injected so that
	// output is reproducible.
	Now time.Time
	// Gate is what fails the scan (--fail-on, --fail-on-unknown); the
	// table marks the findings that fail it.
	Gate model.Gate
	// Color turns on ANSI colours in the table (for a terminal).
	Color bool
}

// Format writes a scan result in one output format.
type Format interface {
	Write(w io.Writer, res *model.Result, opts Options) error
}

// Names lists the format names ByName accepts, in the order the CLI shows
// them.
var Names = []string{"table", "json", "sarif", "openvex", "cyclonedx"}

// ByName returns the format with the given CLI name (any case).
func ByName(name string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "table":
		return Table{}, nil
	case "json":
		return JSON{}, nil
	case "sarif":
		return SARIF{}, nil
	case "openvex":
		return OpenVEX{}, nil
	case "cyclonedx":
		return CycloneDX{}, nil
	}
	return nil, fmt.Errorf("unknown output format %q (valid formats: %s)", name, strings.Join(Names, ", "))
}

func (o Options) toolName() string {
	if o.ToolName == "" {
		return "vulndesk"
	}
	return o.ToolName
}

// pkgName is the package name a report shows for a component: the OSV
// package name when known, else the name the SBOM gives.
func pkgName(c *model.Component) string {
	if c.Package != "" {
		return c.Package
	}
	return c.Name
}

// nameVersion is "name@version", or just the name without a version.
func nameVersion(c *model.Component) string {
	if c.Version == "" {
		return pkgName(c)
	}
	return pkgName(c) + "@" + c.Version
}

// productID identifies a component outside vulndesk: its purl, else
// name@version.
func productID(c *model.Component) string {
	if c.PURL != "" {
		return c.PURL
	}
	return nameVersion(c)
}

// componentKey tells the components of all SBOMs apart.
func componentKey(c *model.Component) string {
	id := c.Ref
	if id == "" {
		id = productID(c)
	}
	return c.Source + "\x00" + id
}

// fixAction is the advice for a finding: "Upgrade to X" or that no fix is
// known.
func fixAction(f *model.Finding) string {
	if f.Fix != "" {
		return "Upgrade to " + f.Fix
	}
	return "No fixed version is known"
}

// ignoredText describes an ignore entry that applies to a finding.
func ignoredText(s *model.Suppression) string {
	var b strings.Builder
	b.WriteString("Ignored")
	if !s.Until.IsZero() {
		b.WriteString(" until ")
		b.WriteString(day(s.Until))
	}
	if s.Reason != "" {
		b.WriteString(": ")
		b.WriteString(s.Reason)
	}
	return b.String()
}

// day formats a date as YYYY-MM-DD in UTC.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// advisorySeverity is the severity of an advisory as res.Advisories states
// it, else as the finding carries it: an advisory that states none has its
// findings' rating from the NVD records of its CVE aliases.
func advisorySeverity(res *model.Result, f *model.Finding) model.Severity {
	if a, ok := res.Advisories[f.ID]; ok && rating(a.Severity) != model.RatingUnknown {
		return a.Severity
	}
	return f.Severity
}

// rating is a finding's rating, unknown when empty.
func rating(s model.Severity) model.Rating {
	if s.Rating == "" {
		return model.RatingUnknown
	}
	return s.Rating
}

// totalComponents counts the components of all SBOMs.
func totalComponents(res *model.Result) int {
	n := 0
	for i := range res.SBOMs {
		n += len(res.SBOMs[i].Components)
	}
	return n
}

// filesLeftOut counts the entries of all SBOMs left out as files.
func filesLeftOut(res *model.Result) int {
	n := 0
	for i := range res.SBOMs {
		n += res.SBOMs[i].FilesLeftOut
	}
	return n
}

// shortHash is the first n hex digits of the SHA-256 of the parts joined by
// NUL bytes.
func shortHash(n int, parts ...string) string {
	h := sha256.New()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))[:n]
}

// osvURL is the osv.dev page of an advisory ID.
func osvURL(id string) string { return "https://osv.dev/vulnerability/" + id }

// writeJSON writes v as indented JSON followed by a newline, with <, > and
// & left as they are, also where a library's MarshalJSON escaped them.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(unescapeHTML(b.Bytes()))
	return err
}

// unescapeHTML turns the escapes \u003c, \u003e and \u0026 that
// encoding/json writes for <, > and & back into the characters. It steps
// over escapes two bytes at a time, so an escaped backslash followed by
// "u003c" stays as it is.
func unescapeHTML(b []byte) []byte {
	if !bytes.Contains(b, []byte(`\u00`)) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 == len(b) {
			out = append(out, b[i])
			continue
		}
		if b[i+1] == 'u' && i+5 < len(b) && string(b[i+2:i+4]) == "00" {
			switch string(b[i+4 : i+6]) {
			case "3c":
				out, i = append(out, '<'), i+5
				continue
			case "3e":
				out, i = append(out, '>'), i+5
				continue
			case "26":
				out, i = append(out, '&'), i+5
				continue
			}
		}
		out, i = append(out, b[i], b[i+1]), i+1
	}
	return out
}
