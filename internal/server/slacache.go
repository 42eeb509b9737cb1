package server

import (
	"context"
	"sync"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/service"
)

// slaFigureTTL is how long the pages reuse the SLA figures they drew: on
// a million findings computing them reads every clock for seconds, and
// figures over 90 days move slowly. The API computes them on each call.
const slaFigureTTL = 2 * time.Minute

// slaFigureCache holds the SLA figures of the last 90 days per severity,
// as the dashboard and /sla draw them. Its zero value is ready to use.
type slaFigureCache struct {
	mu  sync.Mutex // held while computing: one computation at a time
	at  time.Time  // the store's time when rep was computed
	rep api.SLAFigureReport
}

// pageSLAFigures returns the SLA figures of the slaFigureDays days to now
// by severity, computed at most slaFigureTTL ago by the store's clock.
func (s *Server) pageSLAFigures(ctx context.Context) (api.SLAFigureReport, error) {
	c := &s.slaCache
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.Store.Now()
	if !c.at.IsZero() && !now.Before(c.at) && now.Sub(c.at) < slaFigureTTL {
		return c.rep, nil
	}
	rep, err := s.Svc.SLAFigures(ctx, now.AddDate(0, 0, -slaFigureDays), now, service.BySeverity)
	if err != nil {
		return rep, err
	}
	c.at, c.rep = now, rep
	return rep, nil
}
