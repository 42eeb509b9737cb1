package ssvc_test

import (
	"fmt"
	"time"

	"github.com/vulndesk/vulndesk/internal/ssvc"
)

// A vulnerability with a high EPSS score and a network-reachable,
// unauthenticated CVSS vector on an internal asset of criticality 2.
func ExampleDecide() {
	o, err := ssvc.Decide(ssvc.Inputs{
		At:            time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		EPSS:          &ssvc.EPSS{Score: 0.42, Percentile: 0.97, Date: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Model: "v2025.03.14"},
		EPSSThreshold: ssvc.DefaultEPSSThreshold,
		CVSS:          &ssvc.CVSS{Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Source: "nvd@nist.gov"},
		Asset:         ssvc.Asset{Criticality: 2, Exposure: "internal"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(o)
	for _, w := range o.Why {
		fmt.Println("-", w)
	}
	// Output:
	// exploitation poc, automatable yes, technical impact total, mission & well-being medium → track*
	// - EPSS 0.42 ≥ 0.1 on 2026-03-01
	// - CVSS 3.1 AV:N/AC:L/PR:N/UI:N
	// - CVSS 3.1 C:H/I:H
	// - asset criticality 2, internal
}
