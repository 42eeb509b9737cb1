package server

import (
	"context"
	"sync"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/service"
)

// The pages' SLA figures. On a million findings computing them reads
// every clock, for seconds, and figures over 90 days move slowly: the
// dashboard and /sla reuse them for slaFigureTTL, and for up to
// slaFigureStale answer the last ones while new ones are computed in the
// background, so that no page waits for them but the first. The API
// computes them on each call.
const (
	slaFigureTTL   = 2 * time.Minute
	slaFigureStale = time.Hour
)

// slaFigureCache holds the SLA figures of the last 90 days per severity.
// Its zero value is ready to use.
type slaFigureCache struct {
	run sync.Mutex // held while computing: one computation at a time

	mu         sync.Mutex // guards what follows
	at         time.Time  // the store's time when rep was computed
	rep        api.SLAFigureReport
	refreshing bool
}

// age is how old the figures held are at now; false when none are, or
// the clock went back. Hold mu.
func (c *slaFigureCache) age(now time.Time) (time.Duration, bool) {
	d := now.Sub(c.at)
	return d, !c.at.IsZero() && d >= 0
}

// pageSLAFigures returns the SLA figures of the slaFigureDays days to now
// by severity, computed at most slaFigureTTL ago by the store's clock, or
// at most slaFigureStale ago while newer ones are computed.
func (s *Server) pageSLAFigures(ctx context.Context) (api.SLAFigureReport, error) {
	c := &s.slaCache
	c.mu.Lock()
	d, have := c.age(s.Store.Now())
	switch {
	case have && d < slaFigureTTL:
		defer c.mu.Unlock()
		return c.rep, nil
	case have && d < slaFigureStale:
		defer c.mu.Unlock()
		if !c.refreshing {
			c.refreshing = true
			go func() {
				if _, err := s.computeSLAFigures(context.WithoutCancel(ctx)); err != nil {
					s.Log.Warn("computing the SLA figures", "err", err)
				}
			}()
		}
		return c.rep, nil
	}
	c.mu.Unlock()
	return s.computeSLAFigures(ctx)
}

// computeSLAFigures computes the figures and keeps them, unless someone
// computed them while this waited its turn.
func (s *Server) computeSLAFigures(ctx context.Context) (api.SLAFigureReport, error) {
	c := &s.slaCache
	c.run.Lock()
	defer c.run.Unlock()
	now := s.Store.Now()
	c.mu.Lock()
	if d, have := c.age(now); have && d < slaFigureTTL {
		defer c.mu.Unlock()
		return c.rep, nil
	}
	c.mu.Unlock()
	rep, err := s.Svc.SLAFigures(ctx, now.AddDate(0, 0, -slaFigureDays), now, service.BySeverity)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refreshing = false
	if err == nil {
		c.at, c.rep = now, rep
	}
	return rep, err
}
