package server

// The API of the audit log: its events with their place in the hash chain.

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

var auditParams = []param{
	{Name: "object_type", Type: "string", Desc: "only events about objects of this type (asset, snapshot, feed, user, token, finding, …)"},
	{Name: "object_id", Type: "string", Desc: "only events about the object with this ID"},
	{Name: "actor", Type: "string", Desc: "only events made by this actor (a user's name, token:<name>, cli, system)"},
	{Name: "kind", Type: "string", Desc: "only events of this kind, such as asset.created or token.revoked"},
	{Name: "since", Type: "string", Desc: "only events at or after this time (RFC 3339)"},
	{Name: "until", Type: "string", Desc: "only events before this time (RFC 3339)"},
}

func (s *Server) listAuditEvents(w http.ResponseWriter, r *http.Request, _ *principal) error {
	q := r.URL.Query()
	f := store.AuditFilter{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Actor: q.Get("actor"), Kind: q.Get("kind")}
	var err error
	if f.Since, err = queryTime(r, "since"); err != nil {
		return err
	}
	if f.Until, err = queryTime(r, "until"); err != nil {
		return err
	}
	if f.After, err = queryCursor(r); err != nil {
		return err
	}
	if f.Limit, err = queryLimit(r); err != nil {
		return err
	}
	items, err := s.Store.AuditEvents(r.Context(), f)
	if err != nil {
		return err
	}
	p := api.Page[model.AuditEvent]{Items: items}
	if len(items) > 0 && len(items) == store.PageSize(f.Limit) {
		p.NextCursor = strconv.FormatInt(items[len(items)-1].Seq, 10)
	}
	return writeJSON(w, http.StatusOK, p)
}

// queryTime reads an RFC 3339 time: zero when absent.
func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, errStatus(http.StatusBadRequest, "%s %q: a time in RFC 3339, such as 2026-01-31T12:00:00Z", name, v)
	}
	return t, nil
}
