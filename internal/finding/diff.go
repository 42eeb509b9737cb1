package finding

import (
	"cmp"
	"slices"

	"github.com/vulndesk/vulndesk/internal/model"
)

// Input is one asset's match to compare with what is stored.
type Input struct {
	// Keys is the match's scope: the package keys it re-matched (after
	// advisories changed), or nil for the whole asset (a snapshot's
	// match). Stored findings outside the scope are left alone.
	Keys []string
	// Stored are the asset's findings (at least those in scope).
	Stored []Stored
	// Detected is what the match found. When an identity comes twice (the
	// same version listed twice in one SBOM) the first counts.
	Detected []Detected
	// Reason is the resolution of an open finding the match no longer
	// finds: model.ResolvedByUpgrade for a snapshot's match,
	// model.ResolvedByAdvisory for a re-match.
	Reason string
	// Withdrawn holds the advisories (by ID) that have been withdrawn, at
	// least those of Undetected: their findings resolve as withdrawn
	// whichever path notices first.
	Withdrawn map[string]bool
}

// Changes is what a match does to an asset's findings.
type Changes struct {
	// New are detected findings not stored yet, in detection order.
	New []*Detected
	// Unchanged are open findings detected again as they are stored.
	Unchanged []int64
	// Changed are open findings detected again with other content or
	// aliases: their content is rewritten, their status stays.
	Changed []Update
	// Reopened are resolved findings detected again: open once more, with
	// the content detected.
	Reopened []Update
	// Resolved are open findings no longer detected, by ascending ID.
	Resolved []Resolution
}

// Update is a stored finding to rewrite with what was detected.
type Update struct {
	ID    int64
	Found *Detected
	// Aliases is Found's aliases as stored; AliasesChanged says they differ
	// from the stored ones (so the KEV and EPSS marks, which follow every
	// ID of a finding, need computing again).
	Aliases        string
	AliasesChanged bool
	// Severity is the rating stored before (see Rerated).
	Severity string
}

// Rerated tells whether the update changes the finding's rating: its
// severity is an input of the remediation clock, so the change is dated
// and recorded.
func (u Update) Rerated() bool { return u.Severity != u.Found.Severity }

// Resolution is an open finding to resolve, and why.
type Resolution struct {
	ID     int64
	VulnID string
	// Reason is one of model.Resolutions.
	Reason string
}

// Diff compares a match with the stored findings in its scope.
func Diff(in Input) Changes {
	var ch Changes
	old, seen := inScope(in)
	for i := range in.Detected {
		d := &in.Detected[i]
		id := d.Identity()
		if seen[id] {
			continue // listed twice: the first counts
		}
		seen[id] = true
		s, ok := old[id]
		switch {
		case !ok:
			ch.New = append(ch.New, d)
		case s.Status == model.FindingResolved:
			aj := d.AliasesJSON()
			ch.Reopened = append(ch.Reopened, Update{s.ID, d, aj, aj != s.Aliases, s.Severity})
		default:
			aj := d.AliasesJSON()
			if aj == s.Aliases && d.Hash() == s.Hash {
				ch.Unchanged = append(ch.Unchanged, s.ID)
				continue
			}
			ch.Changed = append(ch.Changed, Update{s.ID, d, aj, aj != s.Aliases, s.Severity})
		}
	}
	for id, s := range old {
		if !seen[id] && s.Status == model.FindingOpen {
			ch.Resolved = append(ch.Resolved, Resolution{s.ID, s.Identity.VulnID, Reason(in.Reason, in.Withdrawn[s.Identity.VulnID])})
		}
	}
	slices.SortFunc(ch.Resolved, func(a, b Resolution) int { return cmp.Compare(a.ID, b.ID) })
	return ch
}

// Undetected returns the advisories of the open findings in scope that
// the match no longer finds (each once): those Diff resolves, and so those
// whose withdrawal Input.Withdrawn must say.
func Undetected(in Input) []string {
	old, seen := inScope(in)
	for i := range in.Detected {
		seen[in.Detected[i].Identity()] = true
	}
	var out []string
	listed := map[string]bool{}
	for id, s := range old {
		if !seen[id] && s.Status == model.FindingOpen && !listed[id.VulnID] {
			listed[id.VulnID] = true
			out = append(out, id.VulnID)
		}
	}
	slices.Sort(out)
	return out
}

// Reason is the resolution of a finding no longer found: withdrawn when
// its advisory has been withdrawn (by its publisher, or because the feeds
// that supplied it were deleted), whichever path notices first; else the
// path's own reason.
func Reason(path string, withdrawn bool) string {
	if withdrawn {
		return model.ResolvedByWithdrawal
	}
	return path
}

// inScope indexes the stored findings in the input's scope by identity,
// and returns an empty set for the identities detected.
func inScope(in Input) (map[Identity]*Stored, map[Identity]bool) {
	var keys map[string]bool
	if in.Keys != nil {
		keys = make(map[string]bool, len(in.Keys))
		for _, k := range in.Keys {
			keys[k] = true
		}
	}
	old := make(map[Identity]*Stored, len(in.Stored))
	for i := range in.Stored {
		s := &in.Stored[i]
		if keys == nil || keys[s.Identity.PackageKey] {
			old[s.Identity] = s
		}
	}
	return old, make(map[Identity]bool, len(in.Detected))
}
