package sla

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/vulndesk/vulndesk/internal/model"
)

func TestDefaultPolicy(t *testing.T) {
	p := DefaultPolicy(t0)
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	// The defaults issue 12 states.
	for _, tt := range []struct {
		sev      model.Rating
		exposure string
		days     int
	}{
		{"critical", "internet-facing", 3}, {"critical", "internal", 14},
		{"high", "internet-facing", 30}, {"high", "internal", 60},
		{"medium", "internet-facing", 90}, {"medium", "internal", 90},
		{"low", "internet-facing", 180}, {"low", "internal", 180},
	} {
		for crit := 1; crit <= 4; crit++ {
			if n, err := p.days(tt.sev, tt.exposure, crit); err != nil || n != tt.days {
				t.Errorf("%s × %s × criticality %d: %d days, %v; want %d", tt.sev, tt.exposure, crit, n, err, tt.days)
			}
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		field  string
		change func(*Policy)
	}{
		{"version", func(p *Policy) { p.Version = 0 }},
		{"created_at", func(p *Policy) { p.CreatedAt = zeroTime }},
		{"rules.none", func(p *Policy) { p.Rules["none"] = Days{1, 1, 1} }},
		{"rules.unknown", func(p *Policy) { p.Rules["unknown"] = Days{1, 1, 1} }},
		{"rules.medium", func(p *Policy) { delete(p.Rules, "medium") }},
		{"rules.critical.internet-facing", func(p *Policy) { p.Rules["critical"] = Days{0, 14, 14} }},
		{"rules.high.internal", func(p *Policy) { p.Rules["high"] = Days{30, -1, 60} }},
		{"rules.low.isolated", func(p *Policy) { p.Rules["low"] = Days{180, 180, MaxDays + 1} }},
		{"unknown_as", func(p *Policy) { p.UnknownAs = "none" }},
		{"unknown_as", func(p *Policy) { p.UnknownAs = "" }},
		{"criticality_percent.0", func(p *Policy) { p.CriticalityPercent[0] = 100 }},
		{"criticality_percent.5", func(p *Policy) { p.CriticalityPercent[5] = 100 }},
		{"criticality_percent.3", func(p *Policy) { delete(p.CriticalityPercent, 3) }},
		{"criticality_percent.1", func(p *Policy) { p.CriticalityPercent[1] = 0 }},
		{"criticality_percent.4", func(p *Policy) { p.CriticalityPercent[4] = 1001 }},
	}
	for _, tt := range tests {
		p := DefaultPolicy(t0)
		tt.change(&p)
		err := p.Validate()
		if !errors.Is(err, model.ErrInvalid) || !strings.HasPrefix(err.Error(), tt.field+" ") && !strings.HasPrefix(err.Error(), tt.field+":") {
			t.Errorf("%s: err = %v; want ErrInvalid naming it", tt.field, err)
		}
	}
	// Extremes that are allowed.
	p := DefaultPolicy(t0)
	p.Rules["low"] = Days{1, MaxDays, MaxDays}
	p.CriticalityPercent = map[int]int{1: 1, 2: 1000, 3: 100, 4: 100}
	if err := p.Validate(); err != nil {
		t.Error(err)
	}
}

func TestParsePolicy(t *testing.T) {
	p := DefaultPolicy(t0)
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParsePolicy(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Errorf("round trip: %+v; want %+v", got, p)
	}
	for _, want := range []string{`"critical":{"internet-facing":3,"internal":14,"isolated":14}`, `"unknown_as":"high"`, `"criticality_percent":{"1":100`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("stored form lacks %s: %s", want, data)
		}
	}
	for name, in := range map[string]string{
		"unknown field":   strings.Replace(string(data), `"version"`, `"versio"`, 1),
		"trailing data":   string(data) + `{}`,
		"not json":        `rules: {}`,
		"wrong type":      strings.Replace(string(data), `"version":1`, `"version":"1"`, 1),
		"invalid content": strings.Replace(string(data), `"internet-facing":3`, `"internet-facing":0`, 1),
		"criticality key": strings.Replace(string(data), `"1":100`, `"x":100`, 1),
	} {
		if _, err := ParsePolicy([]byte(in)); !errors.Is(err, model.ErrInvalid) {
			t.Errorf("%s: err = %v; want ErrInvalid", name, err)
		}
	}
}
