package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		top, n int
		want   string
	}{
		{0, 4, "[0 1]"},
		{1, 4, "[0 1]"},
		{3, 4, "[0 1 2 3]"},
		{7, 4, "[0 2 4 6 8]"},
		{10, 4, "[0 5 10]"},
		{95, 4, "[0 50 100]"},
		{101, 4, "[0 50 100 150]"},
		{700_000, 4, "[0 200000 400000 600000 800000]"},
		{1_000_000, 4, "[0 500000 1000000]"},
	} {
		if got := fmt.Sprint(niceTicks(c.top, c.n)); got != c.want {
			t.Errorf("niceTicks(%d, %d) = %s, want %s", c.top, c.n, got, c.want)
		}
	}
}

func TestCountText(t *testing.T) {
	for n, want := range map[int]string{0: "0", 950: "950", 1000: "1k", 1500: "1.5k", 20000: "20k", 1_200_000: "1.2M"} {
		if got := compact(n); got != want {
			t.Errorf("compact(%d) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// The history chart's marks sit on its scales: the largest open count at
// the top tick that covers it, zero on the baseline, the days evenly
// spaced and the first and last labelled.
func TestHistoryChartGeometry(t *testing.T) {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var days []model.DayCount
	for i := range 10 {
		days = append(days, model.DayCount{Day: day.AddDate(0, 0, i), Open: i * 10, Resolved: i % 3})
	}
	c := historyChart(days)
	// Open runs 0–90: ticks 0, 50, 100, so 90 is at 9/10 of the height.
	if got := fmt.Sprint(labels(c.YTicks)); got != "[0 50 100]" {
		t.Errorf("open ticks %s", got)
	}
	if c.YTicks[0].Pos != c.Y1 || c.YTicks[len(c.YTicks)-1].Pos != c.Y0 {
		t.Errorf("open axis from %v to %v, plot from %v to %v", c.YTicks[0].Pos, c.YTicks[len(c.YTicks)-1].Pos, c.Y1, c.Y0)
	}
	if got := fmt.Sprint(labels(c.Y2Ticks)); got != "[0 1 2]" {
		t.Errorf("resolved ticks %s", got)
	}
	step := (c.X1 - c.X0) / 10
	wantLast := fmt.Sprintf("L%s,%s", ftoa(round(c.X0+step*9.5)), ftoa(round(c.Y1-(c.Y1-c.Y0)*0.9)))
	if !strings.HasPrefix(c.Line, "M"+ftoa(round(c.X0+step/2))+","+ftoa(c.Y1)) || !strings.HasSuffix(c.Line, wantLast) {
		t.Errorf("line %q: want it from the baseline to %s", c.Line, wantLast)
	}
	if !strings.HasSuffix(c.Area, " Z") || !strings.HasPrefix(c.Area, c.Line) {
		t.Errorf("area %q", c.Area)
	}
	for i, b := range c.Bars {
		if b.Y+b.H != c.Y1 || b.H != round((c.Y1-c.Y0)*float64(i%3)/2) {
			t.Errorf("bar %d: y %v h %v, want on the baseline %v, %d/2 high", i, b.Y, b.H, c.Y1, i%3)
		}
	}
	if got := fmt.Sprint(labels(c.XTicks)); got != "[Jan 1 Jan 2 Jan 4 Jan 6 Jan 8 Jan 10]" {
		t.Errorf("date ticks %s", got)
	}
	if len(c.Rows) != 10 || fmt.Sprint(c.Rows[9]) != "[2026-01-10 90 0]" {
		t.Errorf("numbers %v", c.Rows)
	}
}

// An empty history still has axes, and nothing to divide by zero.
func TestHistoryChartEmpty(t *testing.T) {
	days := []model.DayCount{{Day: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}
	c := historyChart(days)
	if fmt.Sprint(labels(c.YTicks)) != "[0 1]" || c.Bars[0].H != 0 || strings.Contains(c.Line, "NaN") {
		t.Errorf("empty history: %+v", c)
	}
	if c := historyChart(nil); len(c.Bars) != 0 || c.Line != "" {
		t.Errorf("no days: %+v", c)
	}
}

func TestBarChartGeometry(t *testing.T) {
	c := barChart("eco", "By ecosystem", "", "Ecosystem", "Open", []barItem{
		{Label: "npm", Value: 300}, {Label: "a-very-long-ecosystem-name-indeed", Value: 150}, {Label: "Go", Value: 0}})
	if got := fmt.Sprint(labels(c.XTicks)); got != "[0 100 200 300]" {
		t.Errorf("ticks %s", got)
	}
	full := c.X1 - c.X0
	for i, want := range []float64{full, full / 2, 0} {
		if b := c.Bars[i]; b.W != round(want) || b.X != c.X0 || b.Y < c.Y0 || b.Y+b.H > c.Y1 {
			t.Errorf("bar %d: %+v, want width %v within %v–%v", i, b, want, c.Y0, c.Y1)
		}
	}
	if b := c.Bars[1]; b.Short != "a-very-long-ecosystem…" || b.Label != "a-very-long-ecosystem-name-indeed" {
		t.Errorf("long label drawn %q, titled %q", b.Short, b.Label)
	}
	if c.H <= c.Y1 || len(c.Rows) != 3 || fmt.Sprint(c.Rows[0]) != "[npm 300]" {
		t.Errorf("frame %v/%v, numbers %v", c.H, c.Y1, c.Rows)
	}
}

func labels(ts []tick) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Label)
	}
	return out
}
