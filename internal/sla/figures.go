package sla

import (
	"slices"
	"time"
)

// Record is one finding's clock, its asset, and when it was resolved (zero
// while open).
type Record struct {
	Clock      Clock
	ResolvedAt time.Time
	AssetID    int64
}

// Figures are the SLA figures of a set of findings over a period.
type Figures struct {
	// Closed counts findings resolved in the period; WithDeadline those of
	// them whose clock has a deadline, InSLA those that met it.
	Closed       int `json:"closed"`
	WithDeadline int `json:"closed_with_deadline"`
	InSLA        int `json:"closed_in_sla"`
	// PercentInSLA is InSLA / WithDeadline × 100; 0 when WithDeadline is 0.
	PercentInSLA float64 `json:"percent_in_sla"`
	// MeanTTR and MedianTTR are the time to remediate (resolved − clock
	// start) of the Closed findings; 0 when there are none.
	MeanTTR   time.Duration `json:"mean_ttr"`
	MedianTTR time.Duration `json:"median_ttr"`
	// Open counts findings open at the period's end; PastDue those of
	// them whose deadline had passed by then.
	Open    int `json:"open"`
	PastDue int `json:"open_past_due"`
}

// Compute gives the figures of rs for the period [from, to): a finding
// counts as closed when resolved in the period, as open when its clock
// started before to and it was not resolved before to. A zero from means
// since ever. Findings without deadline count in the times to remediate
// but not in the percentage. The median of an even count is the mean of
// the middle two.
func Compute(rs []Record, from, to time.Time) Figures {
	var f Figures
	var ttrs []time.Duration
	var sum time.Duration
	for _, r := range rs {
		c := r.Clock
		resolved := !r.ResolvedAt.IsZero()
		if resolved && !r.ResolvedAt.Before(from) && r.ResolvedAt.Before(to) {
			f.Closed++
			ttr := r.ResolvedAt.Sub(c.Start)
			ttrs = append(ttrs, ttr)
			sum += ttr
			if !c.DueAt.IsZero() {
				f.WithDeadline++
				if c.State(r.ResolvedAt, r.ResolvedAt, 0) == Met {
					f.InSLA++
				}
			}
		}
		if c.Start.Before(to) && (!resolved || !r.ResolvedAt.Before(to)) {
			f.Open++
			if !c.DueAt.IsZero() && c.DueAt.Before(to) {
				f.PastDue++
			}
		}
	}
	if f.WithDeadline > 0 {
		f.PercentInSLA = float64(f.InSLA) * 100 / float64(f.WithDeadline)
	}
	if n := len(ttrs); n > 0 {
		f.MeanTTR = sum / time.Duration(n)
		slices.Sort(ttrs)
		f.MedianTTR = ttrs[n/2]
		if n%2 == 0 {
			f.MedianTTR = ttrs[n/2-1] + (ttrs[n/2]-ttrs[n/2-1])/2
		}
	}
	return f
}

// ComputeBy gives the figures of rs for [from, to) per group, the group
// of a record being key(record): its severity (Record.Clock.Severity), its
// asset (Record.AssetID), or both.
func ComputeBy[K comparable](rs []Record, from, to time.Time, key func(Record) K) map[K]Figures {
	// Counted first, so that each group is allocated once: a million
	// records grown by append cost gigabytes.
	sizes := map[K]int{}
	for _, r := range rs {
		sizes[key(r)]++
	}
	groups := make(map[K][]Record, len(sizes))
	for k, n := range sizes {
		groups[k] = make([]Record, 0, n)
	}
	for _, r := range rs {
		k := key(r)
		groups[k] = append(groups[k], r)
	}
	out := make(map[K]Figures, len(groups))
	for k, g := range groups {
		out[k] = Compute(g, from, to)
	}
	return out
}
