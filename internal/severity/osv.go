package severity

import (
	"math"
	"strconv"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
)

// Entry is one item of an OSV record's `severity` list.
type Entry struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// FromOSV reads an OSV record's severity entries and the label of its
// database_specific.severity (GHSA; "" when absent) and returns the one
// severity a finding should show, as Best chooses it. Entries that do not
// parse are skipped; a CVSS entry whose score is a bare number ("7.5") is
// kept as a score without a vector; an entry of another type (OSV's
// "Ubuntu", whose score is "medium" etc.) is read as a label.
func FromOSV(entries []Entry, dbSpecificLabel string) model.Severity {
	all := make([]model.Severity, 0, len(entries)+1)
	for _, e := range entries {
		typ := strings.ToUpper(strings.TrimSpace(e.Type))
		switch typ {
		case TypeCVSSv2, TypeCVSSv3, TypeCVSSv4:
			if s, err := FromVector(typ, e.Score); err == nil {
				all = append(all, s)
			} else if score, ok := plainScore(e.Score); ok {
				all = append(all, model.Severity{Rating: rate(typ, score), Score: score, Type: typ})
			}
		default:
			if s := FromLabel(e.Score); s.Rating != model.RatingUnknown {
				all = append(all, s)
			}
		}
	}
	if s := FromLabel(dbSpecificLabel); s.Rating != model.RatingUnknown {
		all = append(all, s)
	}
	return Best(all)
}

// plainScore reads a bare base score such as "7.5" or "10": digits with at
// most one decimal point, between 0 and 10.
func plainScore(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.Count(s, ".") > 1 || strings.Trim(s, "0123456789.") != "" || s == "." {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 10 {
		return 0, false
	}
	return math.Round(f*10) / 10, true
}

// Best picks the severity to show from several statements of one
// advisory: a vector of the newest CVSS version (v4.0, then v3.1, v3.0,
// v2), a bare CVSS score just below a vector of its version, then an
// ecosystem label. Among equals the higher score (or rating) wins, then
// the earlier entry. With nothing usable it returns RatingUnknown.
func Best(all []model.Severity) model.Severity {
	best, bestRank := model.Severity{Rating: model.RatingUnknown}, 0
	for _, s := range all {
		r := rank(s)
		if r == 0 {
			continue
		}
		if r > bestRank || r == bestRank && (s.Score > best.Score ||
			s.Score == best.Score && s.Rating.Rank() > best.Rating.Rank()) {
			best, bestRank = s, r
		}
	}
	return best
}

// rank orders kinds of severity statements for Best; 0 means unusable.
func rank(s model.Severity) int {
	if s.Rating.Rank() == 0 {
		return 0
	}
	switch s.Type {
	case TypeCVSSv4:
		if s.Vector != "" {
			return 8
		}
		return 7
	case TypeCVSSv3:
		switch {
		case strings.HasPrefix(s.Vector, "CVSS:3.1/"):
			return 6
		case strings.HasPrefix(s.Vector, "CVSS:3.0/"):
			return 5
		}
		return 4
	case TypeCVSSv2:
		if s.Vector != "" {
			return 3
		}
		return 2
	}
	return 1
}
