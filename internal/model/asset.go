package model

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Asset is something the organisation runs: an application, a host, a
// device. Its current inventory is its newest snapshot.
type Asset struct {
	ID          int64    `json:"id" doc:"the asset's ID"`
	Name        string   `json:"name" doc:"unique name: 1–200 characters, without control or invisible formatting characters"`
	Kind        string   `json:"kind" doc:"what the asset is"`
	Owner       string   `json:"owner" doc:"who answers for the asset (a team or a person), at most 200 characters; empty when unknown"`
	Criticality int      `json:"criticality" doc:"how much the asset matters: 1 (highest) to 4 (lowest)"`
	Exposure    string   `json:"exposure" doc:"who can reach the asset"`
	Environment string   `json:"environment" doc:"free text such as production or staging, at most 100 characters; empty when unknown"`
	Lifecycle   string   `json:"lifecycle" doc:"where the asset is in its life"`
	Tags        []string `json:"tags" doc:"labels, at most 50 of 1–64 characters each; uploader tokens can be held to assets with given tags"`
	// CPEs name hardware, operating systems and firmware that have no SBOM.
	CPEs              []string  `json:"cpes" doc:"CPE 2.3 formatted strings naming hardware, operating systems and firmware that have no SBOM, at most 500"`
	CurrentSnapshotID int64     `json:"current_snapshot_id,omitempty" doc:"the ID of the newest inventory snapshot; absent until an SBOM is uploaded"`
	CreatedAt         time.Time `json:"created_at" doc:"when the asset was created (UTC, RFC 3339)"`
	UpdatedAt         time.Time `json:"updated_at" doc:"when the asset last changed (UTC, RFC 3339)"`
}

// The values an asset's fields may take.
var (
	AssetKinds = []string{"application", "service", "library", "container-image", "host",
		"virtual-machine", "network-device", "medical-device", "ot-device", "firmware", "operating-system", "other"}
	Exposures  = []string{"internet-facing", "internal", "isolated"}
	Lifecycles = []string{"active", "legacy", "end-of-life", "decommissioned"}
)

var (
	// feedName is what feed names may hold; asset names are freer (see
	// ValidAssetName).
	feedName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$`)
	cpe23    = regexp.MustCompile(`^cpe:2\.3:[aho\*\-](:[^:\s]+){10}$`)
)

// ValidAssetName tells whether s can be an asset's name: 1–200 characters
// of valid UTF-8 without surrounding spaces, control characters or
// invisible formatting characters (bidirectional overrides could make a
// name read as another). People name assets as they call them ("PACS
// (Radiologie)", "Labor-Gerät 3"), so anything printable goes; every
// page and report escapes it.
func ValidAssetName(s string) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > 200 || strings.TrimSpace(s) != s {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError
	})
}

// Normalize fills defaults and checks every field, naming the first bad one.
func (a *Asset) Normalize() error {
	a.Name = strings.TrimSpace(a.Name)
	if !ValidAssetName(a.Name) {
		return Invalidf("name %q: 1–200 characters, without control or invisible formatting characters", a.Name)
	}
	if a.Kind == "" {
		a.Kind = "application"
	}
	if !slices.Contains(AssetKinds, a.Kind) {
		return Invalidf("kind %q: one of %s", a.Kind, strings.Join(AssetKinds, ", "))
	}
	if a.Criticality == 0 {
		a.Criticality = 3
	}
	if a.Criticality < 1 || a.Criticality > 4 {
		return Invalidf("criticality %d: 1 (highest) to 4 (lowest)", a.Criticality)
	}
	if a.Exposure == "" {
		a.Exposure = "internal"
	}
	if !slices.Contains(Exposures, a.Exposure) {
		return Invalidf("exposure %q: one of %s", a.Exposure, strings.Join(Exposures, ", "))
	}
	if a.Lifecycle == "" {
		a.Lifecycle = "active"
	}
	if !slices.Contains(Lifecycles, a.Lifecycle) {
		return Invalidf("lifecycle %q: one of %s", a.Lifecycle, strings.Join(Lifecycles, ", "))
	}
	if len(a.Owner) > 200 || len(a.Environment) > 100 {
		return Invalidf("owner (200) or environment (100) too long")
	}
	if len(a.Tags) > 50 || len(a.CPEs) > 500 {
		return Invalidf("at most 50 tags and 500 CPEs")
	}
	for _, t := range a.Tags {
		if t == "" || len(t) > 64 {
			return Invalidf("tag %q: 1–64 characters", t)
		}
	}
	for _, c := range a.CPEs {
		if !cpe23.MatchString(c) {
			return Invalidf("cpe %q: not a CPE 2.3 formatted string (cpe:2.3:part:vendor:product:version:…, 13 fields)", c)
		}
	}
	if a.Tags == nil {
		a.Tags = []string{}
	}
	if a.CPEs == nil {
		a.CPEs = []string{}
	}
	return nil
}
