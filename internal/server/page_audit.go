package server

// The audit log page: the hash-chained events, newest first, filtered as
// the API filters them, and a check of the whole chain on request.

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// auditView is what audit.html draws.
type auditView struct {
	Events []model.AuditEvent
	// Filter is the query as given (for the form and the next page).
	Filter store.AuditFilter
	// Next is the query of the next (older) page; "" on the last.
	Next string
	// Verified is the chain check, when asked for.
	Verified *store.AuditReport
}

// auditPageSize is how many events the page shows at a time.
const auditPageSize = 100

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, who *principal) error {
	q := r.URL.Query()
	f := store.AuditFilter{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Actor: q.Get("actor"), Kind: q.Get("kind"),
		Limit: auditPageSize, Newest: true}
	for _, v := range []string{f.ObjectType, f.ObjectID, f.Actor, f.Kind} {
		if len(v) > 200 {
			return errStatus(http.StatusBadRequest, "a filter of at most 200 characters")
		}
	}
	if b := q.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 1 {
			return errStatus(http.StatusBadRequest, "before %q: an event's seq", b)
		}
		f.Before = n
	}
	events, err := s.Store.AuditEvents(r.Context(), f)
	if err != nil {
		return err
	}
	v := auditView{Events: events, Filter: f}
	if len(events) == auditPageSize {
		next := url.Values{}
		for k, val := range map[string]string{"object_type": f.ObjectType, "object_id": f.ObjectID, "actor": f.Actor, "kind": f.Kind} {
			if val != "" {
				next.Set(k, val)
			}
		}
		next.Set("before", strconv.FormatInt(events[len(events)-1].Seq, 10))
		v.Next = next.Encode()
	}
	if q.Get("verify") != "" {
		rep, err := s.Store.VerifyAudit(r.Context())
		if err != nil {
			return err
		}
		v.Verified = &rep
	}
	return s.render(w, http.StatusOK, "audit.html", pageData{Title: "Audit log", User: who, Data: &v})
}
