package server

// The snapshot diff page: what changed from one snapshot of an asset to
// another — components added, removed and in another version, findings
// opened and resolved. By default, what the last upload changed.

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/vulndesk/vulndesk/internal/model"
)

// assetDiffView is what assetdiff.html draws.
type assetDiffView struct {
	model.SnapshotDiff
	Asset model.Asset
	// Upgraded and Downgraded count the version changes of each way,
	// Unordered those whose versions have no known order.
	Upgraded, Downgraded, Unordered int
}

func (s *Server) assetDiffPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	d := pageData{Title: "Snapshot diff", User: who}
	a, err := s.pageAsset(r)
	if err != nil {
		return s.pageError(w, "assetdiff.html", d, err)
	}
	d.Data = &assetDiffView{Asset: a}
	from, to, err := s.diffSnapshots(r, a)
	if err != nil {
		return s.pageError(w, "assetdiff.html", d, err)
	}
	diff, err := s.Svc.SnapshotDiff(r.Context(), a.ID, from, to)
	if errors.Is(err, model.ErrNotFound) {
		return s.pageError(w, "assetdiff.html", d, errStatus(http.StatusNotFound, "%v: compare two snapshots of this asset", err))
	}
	if err != nil {
		return err
	}
	v := &assetDiffView{SnapshotDiff: diff, Asset: a}
	for _, c := range diff.Changed {
		switch c.Direction {
		case "upgraded":
			v.Upgraded++
		case "downgraded":
			v.Downgraded++
		default:
			v.Unordered++
		}
	}
	d.Title, d.Data = a.Name+": snapshot "+strconv.FormatInt(from, 10)+" → "+strconv.FormatInt(to, 10), v
	return s.render(w, http.StatusOK, "assetdiff.html", d)
}

// diffSnapshots reads ?from= and ?to=: by default the asset's current
// snapshot and the one before it (or before to, when only to is given).
func (s *Server) diffSnapshots(r *http.Request, a model.Asset) (from, to int64, err error) {
	q := r.URL.Query()
	read := func(name string) (int64, error) {
		v := q.Get(name)
		if v == "" {
			return 0, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return 0, errStatus(http.StatusBadRequest, "%s %q: not a snapshot ID", name, v)
		}
		return n, nil
	}
	if from, err = read("from"); err != nil {
		return 0, 0, err
	}
	if to, err = read("to"); err != nil {
		return 0, 0, err
	}
	if to == 0 {
		to = a.CurrentSnapshotID
	}
	if to == 0 {
		return 0, 0, errStatus(http.StatusNotFound, "asset %s has no snapshots yet: upload an SBOM, then another, to compare them", a.Name)
	}
	if from != 0 {
		return from, to, nil
	}
	snaps, err := s.Store.Snapshots(r.Context(), a.ID) // newest first
	if err != nil {
		return 0, 0, err
	}
	for _, sn := range snaps {
		if sn.ID < to {
			return sn.ID, to, nil
		}
	}
	return 0, 0, errStatus(http.StatusNotFound, "snapshot %d is the first of asset %s: there is no earlier one to compare it with (give from=)", to, a.Name)
}
