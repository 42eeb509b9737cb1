package server_test

import (
	"encoding/json"
	"net/url"
	"strconv"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
)

// slaPolicyJSON is the default policy with critical on internet-facing
// assets at days, as POST /api/v1/sla/policy takes it.
func slaPolicyJSON(days int) string {
	in := sla.DefaultPolicy(time.Now()).Input()
	in.Rules[model.RatingCritical] = sla.Days{InternetFacing: days, Internal: 14, Isolated: 14}
	b, err := json.Marshal(in)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// slaFormValues is p as the /sla form sends it.
func slaFormValues(p sla.PolicyInput) url.Values {
	v := url.Values{"unknown_as": {string(p.UnknownAs)}}
	for r, d := range p.Rules {
		for _, e := range model.Exposures {
			n, _ := d.For(e)
			v.Set("days."+string(r)+"."+e, strconv.Itoa(n))
		}
	}
	for c, pct := range p.CriticalityPercent {
		v.Set("percent."+strconv.Itoa(c), strconv.Itoa(pct))
	}
	return v
}
