// Package ignore reads ignore files — accepted risks with a reason and an
// expiry date — and applies them to findings. An entry past its date stops
// applying and is reported, so an exception cannot outlive its review.
package ignore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vulndesk/vulndesk/internal/ecosystem"
	"github.com/vulndesk/vulndesk/internal/model"
)

// ErrInvalid is wrapped by every error about an ignore file's content.
var ErrInvalid = errors.New("invalid ignore file")

// MaxBytes bounds an ignore file.
const MaxBytes = 4 << 20

// Entry is one accepted finding.
type Entry struct {
	// ID is an advisory ID or any of its aliases (CVE, GHSA, ...).
	ID string `yaml:"id"`
	// Reason says why the finding is accepted; required.
	Reason string `yaml:"reason"`
	// Until is the last day (UTC) the entry applies; empty for no end.
	Until string `yaml:"until"`
	// Package, when set, limits the entry to components of this package: a
	// purl (its version and qualifiers do not matter), or a package name.
	Package string `yaml:"package"`

	until time.Time
}

// File is a parsed ignore file.
type File struct {
	Ignore []Entry `yaml:"ignore"`
}

// Read reads an ignore file (YAML; JSON is YAML too).
func Read(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ignore file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("ignore file %s: %w", path, err)
	}
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("ignore file %s: %w: larger than %d bytes", path, ErrInvalid, MaxBytes)
	}
	return Parse(path, data)
}

// Parse parses an ignore file's content; name is used in errors.
func Parse(name string, data []byte) (*File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("ignore file %s: %w: %v", name, ErrInvalid, err)
	}
	for i := range f.Ignore {
		e := &f.Ignore[i]
		e.ID = strings.TrimSpace(e.ID)
		if e.ID == "" {
			return nil, fmt.Errorf("ignore file %s: %w: entry %d has no id", name, ErrInvalid, i+1)
		}
		if strings.TrimSpace(e.Reason) == "" {
			return nil, fmt.Errorf("ignore file %s: %w: entry %d (%s) has no reason", name, ErrInvalid, i+1, e.ID)
		}
		if e.Until != "" {
			t, err := parseDate(e.Until)
			if err != nil {
				return nil, fmt.Errorf("ignore file %s: %w: entry %d (%s): until %q: want YYYY-MM-DD or RFC 3339", name, ErrInvalid, i+1, e.ID, e.Until)
			}
			e.until = t
		}
	}
	return &f, nil
}

// parseDate accepts a date (the entry applies through that whole UTC day)
// or an RFC 3339 timestamp.
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Add(24*time.Hour - time.Nanosecond), nil
	}
	return time.Parse(time.RFC3339, s)
}

// Apply marks the findings that live entries cover as suppressed and returns
// the entries that have expired at now.
func (f *File) Apply(findings []model.Finding, now time.Time) []model.ExpiredIgnore {
	var expired []model.ExpiredIgnore
	var live []*Entry
	for i := range f.Ignore {
		e := &f.Ignore[i]
		if !e.until.IsZero() && now.After(e.until) {
			expired = append(expired, model.ExpiredIgnore{ID: e.ID, Reason: e.Reason, Until: e.until})
			continue
		}
		live = append(live, e)
	}
	for i := range findings {
		for _, e := range live {
			if e.covers(&findings[i]) {
				findings[i].Suppressed = &model.Suppression{Reason: e.Reason, Until: e.until}
				break
			}
		}
	}
	return expired
}

func (e *Entry) covers(f *model.Finding) bool {
	if e.Package != "" && !samePackage(e.Package, f.Component) {
		return false
	}
	if strings.EqualFold(e.ID, f.ID) {
		return true
	}
	for _, a := range f.Aliases {
		if strings.EqualFold(e.ID, a) {
			return true
		}
	}
	return false
}

// samePackage reports whether an entry's package names the component's:
// as a purl, by the package it names (so that the subpath of a golang purl
// counts: github.com/jackc/pgx is not github.com/jackc/pgx/v5), else by
// the OSV package name or the name the SBOM gives.
func samePackage(want string, c *model.Component) bool {
	if want == c.Package || want == c.Name {
		return true
	}
	if !strings.HasPrefix(want, "pkg:") {
		return false
	}
	if p, err := ecosystem.FromPURL(want); err == nil && c.Ecosystem != "" {
		wb, _ := ecosystem.Split(p.Ecosystem)
		cb, _ := ecosystem.Split(c.Ecosystem)
		return wb == cb && ecosystem.NormalizeName(wb, p.Name) == ecosystem.NormalizeName(cb, c.Package)
	}
	return want == withoutVersion(c.PURL)
}

// withoutVersion is a purl without its version and qualifiers, its subpath
// kept.
func withoutVersion(purl string) string {
	rest, sub, hasSub := strings.Cut(purl, "#")
	rest, _, _ = strings.Cut(rest, "?")
	if i := strings.LastIndexByte(rest, '@'); i > strings.LastIndexByte(rest, '/') {
		rest = rest[:i]
	}
	if hasSub {
		rest += "#" + sub
	}
	return rest
}
