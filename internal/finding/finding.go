// Package finding decides how a fresh match changes an asset's findings:
// which are new, unchanged, changed, re-opened or resolved, and why. It is
// the detection side only — a finding is open while matching finds it and
// resolved when it no longer does; what people decide about it lives
// apart (model.Decision) and nothing here reads or writes it.
package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
)

// Detected is one finding a match produced: an advisory affecting one
// package version of an asset.
type Detected struct {
	// Key is the package key (advisorydb.Key of ecosystem and package).
	Key, Ecosystem, Package, Version, PURL, VulnID string
	Aliases                                        []string
	Summary, Severity                              string
	SeverityRank                                   int
	Score                                          float64
	// SeverityInfo is the JSON of model.SeverityInfo: the rating with
	// where it came from, and the ratings that conflict with it.
	SeverityInfo string
	Fix          string
	Evidence     string
}

// Identity is what tells an asset's findings apart: the package key, the
// installed version and the advisory. A new version is a new finding, so
// nothing a person decides is kept on it (see model.Decision).
type Identity struct{ PackageKey, Version, VulnID string }

// Identity returns the finding's identity on its asset.
func (d *Detected) Identity() Identity { return Identity{d.Key, d.Version, d.VulnID} }

// Hash digests what a match writes into a finding besides its identity
// and aliases (stored as content_hash): comparing it spares reading every
// summary and evidence of the findings a match meets again.
func (d *Detected) Hash() string {
	h := sha256.New()
	for _, v := range []string{d.Summary, d.Severity, strconv.Itoa(d.SeverityRank),
		strconv.FormatFloat(d.Score, 'g', -1, 64), d.SeverityInfo, d.Fix, d.Evidence} {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// SeverityInfoJSON is SeverityInfo as stored: {} for none.
func (d *Detected) SeverityInfoJSON() string {
	if d.SeverityInfo == "" {
		return "{}"
	}
	return d.SeverityInfo
}

// AliasesJSON is the aliases as stored: a JSON array, [] for none.
func (d *Detected) AliasesJSON() string {
	a := d.Aliases
	if a == nil {
		a = []string{}
	}
	b, err := json.Marshal(a)
	if err != nil {
		panic(err) // a list of strings always marshals
	}
	return string(b)
}

// Stored is what the diff needs of a finding already stored.
type Stored struct {
	ID       int64
	Identity Identity
	// Status is model.FindingOpen or model.FindingResolved.
	Status string
	// Aliases is the JSON array stored; Hash the stored content hash;
	// Severity the rating stored.
	Aliases, Hash, Severity string
}
