package server

// Charts drawn on the server as inline SVG. The geometry is computed here,
// in viewBox units rounded to a tenth, and dashboard.html writes it out:
// every attribute value is a number, every label escaped text. Colours
// come from CSS classes (app.css), so a dark theme recolours them, and the
// viewBox scales the chart to the width it is given.

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
)

// chart is one chart: its frame, axes, marks and the numbers it draws.
type chart struct {
	ID, Title, Caption string
	W, H               float64 // the viewBox
	X0, Y0, X1, Y1     float64 // the plot area: left, top, right, bottom
	// XTicks are along the bottom; YTicks along the left, Y2Ticks along
	// the right (a second scale).
	XTicks, YTicks, Y2Ticks []tick
	Bars                    []chartBar
	// Line and Area are SVG path data: a series as a line, and the area
	// under it.
	Line, Area string
	// Horizontal charts have a bar a row, labelled on the left.
	Horizontal bool
	// Head and Rows are the numbers table.
	Head []string
	Rows [][]string
}

// tick is a labelled position on an axis.
type tick struct {
	Pos   float64
	Label string
}

// chartBar is a bar, with its label and value text positions.
type chartBar struct {
	X, Y, W, H float64
	Label      string // the full label (the bar's tooltip)
	Short      string // the label as drawn, shortened
	Value      string
	Href       string
	LabelY     float64
	ValueX     float64
}

// round keeps a tenth of a viewBox unit: enough at any size a chart is drawn.
func round(v float64) float64 { return math.Round(v*10) / 10 }

// niceTicks is the axis values 0, step, 2·step … up to the first at or
// above top, for about n steps: step is 1, 2 or 5 times a power of ten, and
// at least 1 (counts are whole). An axis of nothing runs 0–1.
func niceTicks(top, n int) []int {
	if top <= 0 {
		return []int{0, 1}
	}
	raw := float64(top) / float64(max(1, n))
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * p
	for _, m := range []float64{1, 2, 5} {
		if m*p >= raw {
			step = m * p
			break
		}
	}
	s := max(1, int(math.Round(step)))
	out := []int{0}
	for v := 0; v < top; {
		v += s
		out = append(out, v)
	}
	return out
}

// compact writes a count short for an axis: 950, 1.5k, 20k, 1.2M.
func compact(n int) string {
	switch {
	case n >= 1_000_000:
		return trimZero(float64(n)/1e6) + "M"
	case n >= 1000:
		return trimZero(float64(n)/1e3) + "k"
	}
	return strconv.Itoa(n)
}

func trimZero(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}

// thousands writes a count with thousands separators: 1,234,567.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// scale maps v of an axis running 0–top onto from–to.
func scale(v, top int, from, to float64) float64 {
	if top <= 0 {
		return round(from)
	}
	return round(from + (to-from)*float64(v)/float64(top))
}

// axisTicks is the ticks of values along from–to, and the top value.
func axisTicks(values []int, from, to float64) ([]tick, int) {
	top := values[len(values)-1]
	var out []tick
	for _, v := range values {
		out = append(out, tick{Pos: scale(v, top, from, to), Label: compact(v)})
	}
	return out, top
}

// historyChart draws the findings open at each day's end as a line over
// its area (left scale) and those resolved each day as bars (right scale).
func historyChart(days []model.DayCount) chart {
	c := chart{ID: "history", Title: "Open and resolved findings, last " + strconv.Itoa(len(days)) + " days",
		W: 480, H: 240, X0: 48, Y0: 12, X1: 436, Y1: 212,
		Head: []string{"Day (UTC)", "Open at the end of the day", "Resolved that day"}}
	c.Caption = "Open findings at the end of each day (area, left scale) and findings resolved that day (bars, right scale), UTC."
	if len(days) == 0 {
		return c
	}
	maxOpen, maxResolved := 0, 0
	for _, d := range days {
		maxOpen, maxResolved = max(maxOpen, d.Open), max(maxResolved, d.Resolved)
	}
	var openTop, resolvedTop int
	c.YTicks, openTop = axisTicks(niceTicks(maxOpen, 4), c.Y1, c.Y0)
	c.Y2Ticks, resolvedTop = axisTicks(niceTicks(maxResolved, 4), c.Y1, c.Y0)
	step := (c.X1 - c.X0) / float64(len(days))
	var line strings.Builder
	for i, d := range days {
		x := c.X0 + step*(float64(i)+0.5)
		y := scale(d.Open, openTop, c.Y1, c.Y0)
		if i == 0 {
			line.WriteString("M")
		} else {
			line.WriteString(" L")
		}
		line.WriteString(ftoa(round(x)) + "," + ftoa(y))
		top := scale(d.Resolved, resolvedTop, c.Y1, c.Y0)
		c.Bars = append(c.Bars, chartBar{X: round(x - step*0.35), Y: top, W: round(step * 0.7), H: round(c.Y1 - top),
			Label: d.Day.Format("Jan 2") + ": " + thousands(d.Resolved) + " resolved", Value: strconv.Itoa(d.Resolved)})
		c.Rows = append(c.Rows, []string{d.Day.Format(time.DateOnly), thousands(d.Open), thousands(d.Resolved)})
	}
	c.Line = line.String()
	first, last := c.X0+step*0.5, c.X0+step*(float64(len(days))-0.5)
	c.Area = c.Line + " L" + ftoa(round(last)) + "," + ftoa(c.Y1) + " L" + ftoa(round(first)) + "," + ftoa(c.Y1) + " Z"
	// Six dates along the bottom, the first and the last among them.
	n := min(6, len(days))
	for k := range n {
		i := 0
		if n > 1 {
			i = k * (len(days) - 1) / (n - 1)
		}
		c.XTicks = append(c.XTicks, tick{Pos: round(c.X0 + step*(float64(i)+0.5)), Label: days[i].Day.Format("Jan 2")})
	}
	return c
}

// barItem is one bar of a bar chart.
type barItem struct {
	Label string
	Value int
	Href  string
}

// barChart draws horizontal bars, one row each, labelled on the left
// (shortened to fit; the full label is the bar's tooltip and in the
// table) with the value after the bar.
func barChart(id, title, caption, labelHead, valueHead string, items []barItem) chart {
	const row, labelW = 22.0, 150.0
	c := chart{ID: id, Title: title, Caption: caption, W: 480, X0: labelW, Y0: 4, X1: 420, Horizontal: true,
		Head: []string{labelHead, valueHead}}
	c.Y1 = c.Y0 + row*float64(max(1, len(items)))
	c.H = c.Y1 + 24
	top := 0
	for _, it := range items {
		top = max(top, it.Value)
	}
	var maxV int
	c.XTicks, maxV = axisTicks(niceTicks(top, 4), c.X0, c.X1)
	for i, it := range items {
		y := c.Y0 + row*float64(i)
		w := scale(it.Value, maxV, 0, c.X1-c.X0)
		c.Bars = append(c.Bars, chartBar{X: c.X0, Y: round(y + 3), W: w, H: row - 6, Label: it.Label, Short: shorten(it.Label, 22),
			Value: thousands(it.Value), Href: it.Href, LabelY: round(y + row/2 + 4), ValueX: round(c.X0 + w + 4)})
		c.Rows = append(c.Rows, []string{it.Label, thousands(it.Value)})
	}
	return c
}

// shorten cuts s to n characters, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
