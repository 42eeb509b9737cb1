package report

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vulndesk/vulndesk/internal/model"
)

// maxTitle bounds, in characters, the advisory title under a table row.
const maxTitle = 100

// maxCVEs bounds the CVE IDs a table row names.
const maxCVEs = 2

// severityLabel is "CRITICAL 9.8", or just the rating without a score.
func severityLabel(s model.Severity) string {
	l := strings.ToUpper(Printable(string(rating(s))))
	if s.Score > 0 {
		l += " " + strconv.FormatFloat(s.Score, 'f', 1, 64)
	}
	return l
}

// cveLabel names the CVE IDs among a finding's aliases, "CVE-a, CVE-b +1"
// when there are more than maxCVEs, "-" when there is none (or the ID
// itself is the CVE).
func cveLabel(f *model.Finding) string {
	var cves []string
	for _, a := range f.Aliases {
		if strings.HasPrefix(a, "CVE-") {
			cves = append(cves, Printable(a))
		}
	}
	switch {
	case len(cves) == 0:
		return "-"
	case len(cves) > maxCVEs:
		return strings.Join(cves[:maxCVEs], ", ") + fmt.Sprintf(" +%d", len(cves)-maxCVEs)
	}
	return strings.Join(cves, ", ")
}

// fixLabel is the nearest fixed version as the ecosystem writes versions:
// OSV writes Go versions without the "v" Go gives module versions and
// without the "go" of its own releases; "no fix" when none is known.
func fixLabel(f *model.Finding) string {
	fix := f.Fix
	if fix == "" {
		return "no fix"
	}
	if base, _, _ := strings.Cut(f.Component.Ecosystem, ":"); base == "Go" && fix[0] >= '0' && fix[0] <= '9' {
		switch f.Component.Package {
		case "stdlib", "toolchain":
			fix = "go" + fix
		default:
			fix = "v" + fix
		}
	}
	return Printable(fix)
}

// titleLine is the advisory's summary, cut to maxTitle characters.
func titleLine(f *model.Finding) string {
	s := strings.TrimSpace(f.Summary)
	if utf8.RuneCountInString(s) > maxTitle {
		s = string([]rune(s)[:maxTitle-1]) + "…"
	}
	return Printable(s)
}

// severitySourceLine says who states a finding's severity, "severity from
// NVD CVE-2023-39325 (CVSS 3.1)", and the other sources that rate it
// otherwise; "" for a finding of unknown severity.
func severitySourceLine(f *model.Finding) string {
	from := f.Severity.Provenance()
	if from == "" {
		return ""
	}
	s := "severity from " + Printable(from)
	if v := f.Severity.Version; v != "" {
		s += " (CVSS " + Printable(v) + ")"
	}
	for _, c := range f.Conflicts {
		s += "; " + Printable(c.Provenance()) + " says " + severityLabel(c)
	}
	return s
}

// whyLine is the first evidence's reason, its advisory and how many more
// entries matched.
func whyLine(f *model.Finding) string {
	if len(f.Evidence) == 0 {
		return ""
	}
	e := f.Evidence[0]
	s := Printable(e.Reason) + " (" + Printable(e.Advisory) + ")"
	if n := len(f.Evidence) - 1; n > 0 {
		s += fmt.Sprintf(" (+%d more)", n)
	}
	return s
}

// sbomLabels names each SBOM for the table's SBOM column: its file name,
// or its path where two SBOMs share a file name; nil for a single SBOM,
// where the column is left out.
func sbomLabels(sboms []model.SBOM) map[string]string {
	if len(sboms) < 2 {
		return nil
	}
	labels := make(map[string]string, len(sboms))
	seen := make(map[string]bool, len(sboms))
	unique := true
	for _, s := range sboms {
		base := filepath.Base(s.Path)
		unique = unique && !seen[base]
		seen[base] = true
		labels[s.Path] = Printable(base)
	}
	if !unique {
		for _, s := range sboms {
			labels[s.Path] = Printable(s.Path)
		}
	}
	return labels
}

// UncheckedText says which components were not checked and why: "63
// Packagist components — no Packagist advisories in the database".
func UncheckedText(u model.Unchecked) string {
	return fmt.Sprintf("%s — no %s advisories in the database", plural(u.Components, u.Ecosystem+" component", u.Ecosystem+" components"), u.Ecosystem)
}

// filesLeftOutText says how many SBOM entries were left out as files.
func filesLeftOutText(n int) string {
	return plural(n, "file entry", "file entries") + " (CycloneDX type file, SPDX purpose FILE): files, not packages"
}

// summaryLine is "N findings (C critical, …) in K components of S SBOMs;
// I ignored; X unmatched", and what was not checked or left out.
func summaryLine(s jsonSummary) string {
	r := s.ByRating
	counts := fmt.Sprintf("%d critical, %d high, %d medium, %d low, %d unknown", r.Critical, r.High, r.Medium, r.Low, r.Unknown)
	if r.None > 0 {
		counts += fmt.Sprintf(", %d none", r.None)
	}
	line := fmt.Sprintf("%s (%s) in %s of %s", plural(s.Findings, "finding", "findings"), counts,
		plural(s.Components, "component", "components"), plural(s.SBOMs, "SBOM", "SBOMs"))
	if s.Suppressed > 0 {
		line += fmt.Sprintf("; %d ignored", s.Suppressed)
	}
	line += fmt.Sprintf("; %d unmatched", s.Unmatched)
	if s.Unchecked > 0 {
		line += fmt.Sprintf("; %d not checked", s.Unchecked)
	}
	if s.FilesLeftOut > 0 {
		line += "; " + plural(s.FilesLeftOut, "file entry", "file entries") + " left out"
	}
	return line
}

// plural is "1 one" or "n many".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Printable makes text from SBOMs and advisories safe to write to a
// terminal: control characters (C0, DEL, C1), invisible format characters
// such as bidi overrides, and bytes that are not UTF-8 are written as Go
// escapes (\x1b, \u202e, \xff), so that they can neither drive the
// terminal nor hide, and the reader still sees what was there.
func Printable(s string) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || !strconv.IsPrint(r) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case strconv.IsPrint(r):
			b.WriteString(s[i : i+n])
		default:
			q := strconv.QuoteRune(r) // '\x1b', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		}
		i += n
	}
	return b.String()
}
