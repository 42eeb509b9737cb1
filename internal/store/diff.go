package store

// What changed between two snapshots of an asset: components added,
// removed and in another version, and the findings opened and resolved.
//
// Findings are told from the two inventories, not from the findings'
// history columns, which cannot say it exactly: snapshot_id names the
// snapshot that last saw a finding (moved forward by every match),
// first_seen is a time that a re-match after an advisory change sets too,
// resolved_by_snapshot is cleared when a finding is reopened, and events
// record a match's counts, not its findings. A finding is a vulnerability
// of one package version of the asset (asset, package key, version,
// advisory), and it stays stored once detected. So the findings that
// affect a snapshot are the asset's findings whose package key and
// version are among the snapshot's components; opened are those that
// affect the newer snapshot and not the older, resolved the reverse.
// Findings resolved because their advisory was withdrawn or no longer
// covers the version count for neither side (current knowledge says the
// version is not affected). A snapshot not matched yet has no findings
// of its new package versions stored: SnapshotDiff.To.MatchedAt says so.

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/vulndesk/vulndesk/internal/model"
)

// SnapshotDiff compares two snapshots of an asset; either not being a
// snapshot of the asset is ErrNotFound. Version changes come with no
// direction (the service, which knows the version orderings, sets it).
func (s *Store) SnapshotDiff(ctx context.Context, assetID, fromID, toID int64) (model.SnapshotDiff, error) {
	var d model.SnapshotDiff
	var err error
	for _, sn := range []struct {
		id  int64
		out *model.Snapshot
	}{{fromID, &d.From}, {toID, &d.To}} {
		*sn.out, err = s.Snapshot(ctx, sn.id)
		if err == nil && sn.out.AssetID != assetID {
			err = ErrNotFound
		}
		if err != nil {
			return d, fmt.Errorf("snapshot %d of asset %d: %w", sn.id, assetID, err)
		}
	}
	from, err := s.diffComponents(ctx, fromID)
	if err != nil {
		return d, err
	}
	to, err := s.diffComponents(ctx, toID)
	if err != nil {
		return d, err
	}
	compareInventories(&d, from, to)
	fs, err := s.diffFindings(ctx, assetID)
	if err != nil {
		return d, err
	}
	in := func(inv map[string][]model.DiffComponent, f diffFinding) bool {
		return slices.ContainsFunc(inv[f.key], func(c model.DiffComponent) bool { return c.Version == f.Version })
	}
	for _, f := range fs {
		was, is := in(from, f), in(to, f)
		switch {
		case is && !was:
			d.Opened = append(d.Opened, f.DiffFinding)
		case was && !is:
			d.Resolved = append(d.Resolved, f.DiffFinding)
		}
	}
	return d, nil
}

// componentKey is what compares components across snapshots: the package
// key matching uses (ecosystem and normalised name), or, for a component
// without one, its name and its purl without the version.
func componentKey(pkey, name, purl string) string {
	if pkey != "" {
		return pkey
	}
	return "\x00" + name + "\x00" + purlWithoutVersion(purl)
}

// purlWithoutVersion drops a purl's @version (and what follows it).
func purlWithoutVersion(p string) string {
	p, _, _ = strings.Cut(p, "?")
	p, _, _ = strings.Cut(p, "#")
	if at := strings.LastIndexByte(p, '@'); at > strings.LastIndexByte(p, '/') {
		p = p[:at]
	}
	return p
}

// diffComponents reads a snapshot's components by their compare key, each
// version once.
func (s *Store) diffComponents(ctx context.Context, snapID int64) (map[string][]model.DiffComponent, error) {
	out := map[string][]model.DiffComponent{}
	err := queryRows(ctx, s.db, `SELECT pkey, name, version, purl, ecosystem FROM components WHERE snapshot_id = $1 ORDER BY id`,
		[]any{snapID}, func(rows *sql.Rows) error {
			var pkey string
			var c model.DiffComponent
			if err := rows.Scan(&pkey, &c.Name, &c.Version, &c.PURL, &c.Ecosystem); err != nil {
				return err
			}
			k := componentKey(pkey, c.Name, c.PURL)
			if !slices.ContainsFunc(out[k], func(o model.DiffComponent) bool { return o.Version == c.Version }) {
				out[k] = append(out[k], c)
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("reading the components of snapshot %d: %w", snapID, err)
	}
	return out, nil
}

// compareInventories fills d's component changes: per key, the versions
// both sides have are unchanged; of the others, pairs (in the order the
// SBOMs list them) are version changes and the rest added or removed.
func compareInventories(d *model.SnapshotDiff, from, to map[string][]model.DiffComponent) {
	keys := make([]string, 0, len(from)+len(to))
	for k := range from {
		keys = append(keys, k)
	}
	for k := range to {
		if _, ok := from[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		var gone, came []model.DiffComponent
		for _, c := range from[k] {
			if slices.ContainsFunc(to[k], func(o model.DiffComponent) bool { return o.Version == c.Version }) {
				d.Unchanged++
			} else {
				gone = append(gone, c)
			}
		}
		for _, c := range to[k] {
			if !slices.ContainsFunc(from[k], func(o model.DiffComponent) bool { return o.Version == c.Version }) {
				came = append(came, c)
			}
		}
		n := min(len(gone), len(came))
		for i := range n {
			d.Changed = append(d.Changed, model.VersionChange{Name: came[i].Name, Ecosystem: came[i].Ecosystem, PURL: came[i].PURL,
				From: gone[i].Version, To: came[i].Version})
		}
		d.Removed = append(d.Removed, gone[n:]...)
		d.Added = append(d.Added, came[n:]...)
	}
}

// diffFinding is a finding with the compare key of its package.
type diffFinding struct {
	model.DiffFinding
	key string
}

// diffFindings reads the asset's findings that say a package version is
// affected: the open ones and those resolved by an upgrade, by severity.
func (s *Store) diffFindings(ctx context.Context, assetID int64) ([]diffFinding, error) {
	var out []diffFinding
	err := queryRows(ctx, s.db, `SELECT id, pkey, vuln_id, severity, package, version, ecosystem, status FROM findings
		WHERE asset_id = $1 AND kind = '`+model.KindDependency+`' AND (status = 'open' OR resolution = $2) ORDER BY severity_rank DESC, vuln_id, id`,
		[]any{assetID, model.ResolvedByUpgrade}, func(rows *sql.Rows) error {
			var f diffFinding
			if err := rows.Scan(&f.ID, &f.key, &f.VulnID, &f.Severity, &f.Package, &f.Version, &f.Ecosystem, &f.Status); err != nil {
				return err
			}
			out = append(out, f)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("reading the findings of asset %d: %w", assetID, err)
	}
	return out, nil
}
