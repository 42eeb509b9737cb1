package service

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vulndesk/vulndesk/internal/model"
)

// What one stored component may hold. Real SBOMs stay far inside these
// (the longest names are Maven coordinates and Go module paths of a few
// hundred bytes); an SBOM beyond them is refused whole, naming the
// component and field, rather than stored and served back to every reader.
const (
	maxNameBytes    = 1024 // name, package
	maxVersionBytes = 256
	maxPURLBytes    = 4096 // qualifiers can be long
	maxRefBytes     = 1024 // bom-ref, SPDXID
	maxCPEBytes     = 1024
	maxCPEs         = 100
	maxHashes       = 32
	maxHashBytes    = 512
	maxLicenses     = 100
	maxLicenseBytes = 4096 // an SPDX license expression
	maxSubjectBytes = 1024
)

// checkInventory refuses an SBOM whose text fields are not clean text (a
// NUL byte or invalid UTF-8: PostgreSQL refuses them, SQLite would store
// them) or are over the limits above. Both engines store the same: nothing.
func checkInventory(doc *model.SBOM) error {
	if err := checkField("the SBOM's subject", doc.Subject, maxSubjectBytes); err != nil {
		return err
	}
	for i := range doc.Components {
		c := &doc.Components[i]
		where := fmt.Sprintf("component %d (%s)", i+1, label(c))
		fields := []struct {
			name, v string
			max     int
		}{
			{"name", c.Name, maxNameBytes}, {"package", c.Package, maxNameBytes},
			{"version", c.Version, maxVersionBytes}, {"purl", c.PURL, maxPURLBytes},
			{"ref", c.Ref, maxRefBytes}, {"ecosystem", c.Ecosystem, maxNameBytes},
		}
		for _, f := range fields {
			if err := checkField(where+": "+f.name, f.v, f.max); err != nil {
				return err
			}
		}
		if len(c.CPEs) > maxCPEs || len(c.Hashes) > maxHashes || len(c.Licenses) > maxLicenses {
			return fmt.Errorf("%s: %d CPEs, %d hashes, %d licenses: at most %d, %d and %d", where,
				len(c.CPEs), len(c.Hashes), len(c.Licenses), maxCPEs, maxHashes, maxLicenses)
		}
		for _, v := range c.CPEs {
			if err := checkField(where+": cpe", v, maxCPEBytes); err != nil {
				return err
			}
		}
		for _, h := range c.Hashes {
			if err := checkField(where+": hash algorithm", h.Algorithm, maxHashBytes); err != nil {
				return err
			}
			if err := checkField(where+": hash", h.Value, maxHashBytes); err != nil {
				return err
			}
		}
		for _, v := range c.Licenses {
			if err := checkField(where+": license", v, maxLicenseBytes); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkField(where, v string, max int) error {
	switch {
	case len(v) > max:
		return fmt.Errorf("%s is %d bytes long, at most %d", where, len(v), max)
	case strings.IndexByte(v, 0) >= 0:
		return fmt.Errorf("%s contains a NUL byte", where)
	case !utf8.ValidString(v):
		return fmt.Errorf("%s is not valid UTF-8", where)
	}
	return nil
}

// checkUTF8 refuses a document that is not valid UTF-8, naming the line
// of the first bad byte.
func checkUTF8(data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	line, i := 1, 0
	for i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		if r == '\n' {
			line++
		}
		i += size
	}
	return fmt.Errorf("not valid UTF-8: byte %d (line %d)", i, line)
}

// label names a component in a message: its name, cut short and quoted so
// that no odd byte reaches a terminal or log as it is.
func label(c *model.Component) string {
	n := c.Name
	if len(n) > 60 {
		n = n[:60] + "…"
	}
	return fmt.Sprintf("%q", n)
}
