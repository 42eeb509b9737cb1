// Package severity turns the severity statements of advisories (CVSS v2,
// v3.0, v3.1 and v4.0 vectors, bare scores, and the labels ecosystem
// databases use such as GHSA's "MODERATE" or Ubuntu's "medium") into
// model.Severity values, and picks the one a finding should show.
package severity

import (
	"errors"
	"fmt"
	"math"
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"

	"github.com/vulndesk/vulndesk/internal/model"
)

// OSV severity types.
const (
	TypeCVSSv2    = "CVSS_V2"
	TypeCVSSv3    = "CVSS_V3"
	TypeCVSSv4    = "CVSS_V4"
	TypeEcosystem = "ecosystem" // a label without a vector
)

// ErrUnsupportedType is wrapped by FromVector for a type that is not CVSS.
var ErrUnsupportedType = errors.New("unsupported severity type")

// FromVector parses a CVSS vector of the OSV severity type typ (CVSS_V2,
// CVSS_V3 for v3.0 and v3.1, CVSS_V4), computes its base score and rates
// it on that CVSS version's qualitative scale. The vector text is kept as
// given (spaces around it removed). A CVSS v2 vector may carry NVD's
// parentheses or a "CVSS:2.0/" prefix.
func FromVector(typ, vector string) (model.Severity, error) {
	t := strings.ToUpper(strings.TrimSpace(typ))
	v := strings.TrimSpace(vector)
	score, err := baseScore(t, v)
	if err != nil {
		return model.Severity{}, fmt.Errorf("severity: type %q vector %q: %w", typ, vector, err)
	}
	return model.Severity{Rating: rate(t, score), Score: score, Type: t, Vector: v, Version: cvssVersion(t, v)}, nil
}

// cvssVersion is the CVSS version of a vector that parsed as typ.
func cvssVersion(typ, vector string) string {
	switch typ {
	case TypeCVSSv2:
		return "2.0"
	case TypeCVSSv4:
		return "4.0"
	}
	return strings.TrimPrefix(vector[:len("CVSS:3.x")], "CVSS:")
}

// baseScore parses vector with the go-cvss package for its version and
// returns the base score rounded to one decimal. go-cvss is trusted not to
// panic: FuzzFromVector exercises it with arbitrary text.
func baseScore(typ, vector string) (float64, error) {
	var score float64
	switch typ {
	case TypeCVSSv2:
		v := strings.TrimPrefix(vector, "CVSS:2.0/")
		if strings.HasPrefix(v, "(") && strings.HasSuffix(v, ")") {
			v = v[1 : len(v)-1]
		}
		c, err := gocvss20.ParseVector(v)
		if err != nil {
			return 0, err
		}
		score = c.BaseScore()
	case TypeCVSSv3:
		switch {
		case strings.HasPrefix(vector, "CVSS:3.1/"):
			c, err := gocvss31.ParseVector(vector)
			if err != nil {
				return 0, err
			}
			score = c.BaseScore()
		case strings.HasPrefix(vector, "CVSS:3.0/"):
			c, err := gocvss30.ParseVector(vector)
			if err != nil {
				return 0, err
			}
			score = c.BaseScore()
		default:
			return 0, errors.New(`a CVSS_V3 vector starts with "CVSS:3.0/" or "CVSS:3.1/"`)
		}
	case TypeCVSSv4:
		c, err := gocvss40.ParseVector(vector)
		if err != nil {
			return 0, err
		}
		// go-cvss scores a v4 vector with whatever threat and
		// environmental metrics it carries (CVSS-BT, CVSS-BE); reset them
		// so that the score is the base score (CVSS-B), as for v2 and v3.
		for _, m := range v4NonBase {
			if err := c.Set(m, "X"); err != nil {
				return 0, err
			}
		}
		score = c.Score()
	default:
		return 0, ErrUnsupportedType
	}
	if math.IsNaN(score) || score < 0 || score > 10 {
		return 0, fmt.Errorf("base score %v out of range", score)
	}
	return math.Round(score*10) / 10, nil
}

// v4NonBase are the CVSS v4.0 threat and environmental metrics.
var v4NonBase = []string{"E", "CR", "IR", "AR", "MAV", "MAC", "MAT", "MPR",
	"MUI", "MVC", "MVI", "MVA", "MSC", "MSI", "MSA"}

// rate maps a base score onto the qualitative scale of the CVSS version of
// typ. CVSS v3 and v4 define none/low/medium/high/critical; v2 defines no
// scale of its own, so NVD's v2 mapping is used: low below 4, medium below
// 7, high from 7 (v2 has no "critical" and no "none").
func rate(typ string, score float64) model.Rating {
	if typ == TypeCVSSv2 {
		switch {
		case score < 4:
			return model.RatingLow
		case score < 7:
			return model.RatingMedium
		}
		return model.RatingHigh
	}
	switch {
	case score == 0:
		return model.RatingNone
	case score < 4:
		return model.RatingLow
	case score < 7:
		return model.RatingMedium
	case score < 9:
		return model.RatingHigh
	}
	return model.RatingCritical
}

// FromLabel maps a severity label that an advisory database states without
// a vector (GHSA "CRITICAL", "HIGH", "MODERATE", "LOW"; Ubuntu priorities;
// Red Hat's "Important"), in any case, onto a rating with Type "ecosystem".
// "medium" and "moderate" are medium, "important" is high, Ubuntu's
// "negligible" is low. An unknown or empty label gives a Severity with
// RatingUnknown and no Type.
func FromLabel(label string) model.Severity {
	var r model.Rating
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "critical":
		r = model.RatingCritical
	case "high", "important":
		r = model.RatingHigh
	case "moderate", "medium":
		r = model.RatingMedium
	case "low", "negligible":
		r = model.RatingLow
	case "none":
		r = model.RatingNone
	default:
		return model.Severity{Rating: model.RatingUnknown}
	}
	return model.Severity{Rating: r, Type: TypeEcosystem}
}
