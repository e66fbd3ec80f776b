package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"slices"
	"strconv"
)

// Options control the chart Render draws.
type Options struct {
	// Title is drawn above the panels.
	Title string
	// Width is the width of the chart in pixels; 0 means 960.
	Width int
	// Units lists the units to draw, one panel each, in this order;
	// empty means every unit, in order of first appearance.
	Units []string
	// Log holds the units drawn on a logarithmic scale.
	Log map[string]bool
	// AutoLog, when set, draws on a logarithmic scale the units whose
	// positive values span more than two decades (a factor above 100),
	// instead of those of Log.
	AutoLog bool
}

// palette colours the series, in order of first appearance.
var palette = []string{"#1b6ca8", "#d1495b", "#edae49", "#66a182", "#8d6a9f", "#00798c", "#6c757d", "#b5651d"}

// Geometry of the chart, in pixels.
const (
	margin   = 16
	labelW   = 300 // labels left of the bars
	valueW   = 90  // value written right of the bars
	rowH     = 16
	barH     = 11
	titleH   = 30
	legendH  = 24
	panelGap = 18
	fontSize = 11
)

// Render draws results as an SVG document.
func Render(results []Result, opts Options) ([]byte, error) {
	if len(results) == 0 {
		return nil, errNoBenchmarks
	}
	width := opts.Width
	if width == 0 {
		width = 960
	}
	if width < labelW+valueW+2*margin+100 {
		return nil, fmt.Errorf("width %d is too small: at least %d", width, labelW+valueW+2*margin+100)
	}
	var units, series []string
	for _, r := range results {
		if !slices.Contains(units, r.Unit) {
			units = append(units, r.Unit)
		}
	}
	if len(opts.Units) > 0 {
		for _, u := range opts.Units {
			if !slices.Contains(units, u) {
				return nil, fmt.Errorf("unit %q is not in the input (it has %q)", u, units)
			}
		}
		units = opts.Units
	}
	// The legend names only the series of the panels drawn.
	for _, r := range results {
		if slices.Contains(units, r.Unit) && !slices.Contains(series, r.Series) {
			series = append(series, r.Series)
		}
	}
	colour := map[string]string{}
	for i, s := range series {
		colour[s] = palette[i%len(palette)]
	}

	var body bytes.Buffer
	y := margin + titleH
	legend := len(series) > 1 || series[0] != ""
	if legend {
		x := margin
		for _, s := range series {
			name := s
			if name == "" {
				name = "(no series)"
			}
			fmt.Fprintf(&body, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/>`+"\n", x, y, colour[s])
			fmt.Fprintf(&body, `<text x="%d" y="%d">%s</text>`+"\n", x+16, y+10, esc(name))
			x += 16 + 7*len(name) + 24
		}
		y += legendH
	}
	barW := float64(width - labelW - valueW - 2*margin)
	x0 := float64(margin + labelW)
	for _, u := range units {
		var rs []Result
		for _, r := range results {
			if r.Unit == u {
				rs = append(rs, r)
			}
		}
		log := opts.Log[u]
		if opts.AutoLog {
			log = spansDecades(rs)
		}
		sc := newScale(rs, log, barW)
		title := u
		if log {
			title += " (logarithmic scale)"
		}
		y += panelGap
		fmt.Fprintf(&body, `<text x="%d" y="%d" font-weight="bold" font-size="13">%s</text>`+"\n", margin, y, esc(title))
		y += 6
		top := y
		var groups []string
		for _, r := range rs {
			if !slices.Contains(groups, r.Group) {
				groups = append(groups, r.Group)
			}
		}
		for _, g := range groups {
			y += rowH
			fmt.Fprintf(&body, `<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", margin, y-4, esc(g))
			for _, s := range series {
				i := slices.IndexFunc(rs, func(r Result) bool { return r.Group == g && r.Series == s })
				if i < 0 {
					continue
				}
				r := &rs[i]
				if s != "" {
					y += rowH
					fmt.Fprintf(&body, `<text x="%d" y="%d" text-anchor="end" fill="#444">%s</text>`+"\n", margin+labelW-6, y-4, esc(s))
				}
				med := r.Median()
				w := sc.x(med)
				by := y - rowH + (rowH-barH)/2
				fmt.Fprintf(&body, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s %s</title></rect>`+"\n",
					x0, by, w, barH, colour[s], esc(r.Name), esc(number(med)), esc(u))
				end := w
				if lo, hi := r.Range(); len(r.Values) > 1 && lo != hi {
					xl, xh := x0+sc.x(lo), x0+sc.x(hi)
					my := by + barH/2
					fmt.Fprintf(&body, `<path d="M%.1f %dH%.1fM%.1f %dV%dM%.1f %dV%d" stroke="#222" fill="none"/>`+"\n",
						xl, my, xh, xl, my-3, my+3, xh, my-3, my+3)
					end = max(end, xh-x0)
				}
				fmt.Fprintf(&body, `<text x="%.1f" y="%d">%s</text>`+"\n", x0+end+4, y-4, esc(number(med)))
			}
		}
		// Axis: a base line and the scale's ticks.
		fmt.Fprintf(&body, `<path d="M%.1f %dV%d" stroke="#222" fill="none"/>`+"\n", x0, top, y+2)
		for _, t := range sc.ticks() {
			x := x0 + sc.x(t)
			fmt.Fprintf(&body, `<path d="M%.1f %dV%d" stroke="#ccc" stroke-dasharray="2,3" fill="none"/>`+"\n", x, top, y+2)
			fmt.Fprintf(&body, `<text x="%.1f" y="%d" text-anchor="middle" fill="#666" font-size="9">%s</text>`+"\n", x, y+12, esc(number(t)))
		}
		y += 14
	}
	height := y + margin

	var out bytes.Buffer
	fmt.Fprintf(&out, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="%d">`+"\n",
		width, height, width, height, fontSize)
	fmt.Fprintf(&out, `<rect width="100%%" height="100%%" fill="#fff"/>`+"\n")
	fmt.Fprintf(&out, `<text x="%d" y="%d" font-size="16" font-weight="bold">%s</text>`+"\n", margin, margin+14, esc(opts.Title))
	out.Write(body.Bytes())
	out.WriteString("</svg>\n")
	return out.Bytes(), nil
}

// scale maps values of one panel to bar lengths.
type scale struct {
	log    bool
	lo, hi float64 // linear: 0 and the top; log: decades
	width  float64
}

func newScale(rs []Result, log bool, width float64) scale {
	top, least := 0.0, math.Inf(1)
	for i := range rs {
		_, hi := rs[i].Range()
		top = max(top, hi)
		for _, v := range rs[i].Values {
			if v > 0 {
				least = min(least, v)
			}
		}
	}
	if !log || math.IsInf(least, 1) {
		if top <= 0 {
			top = 1
		}
		step := niceStep(top / 4)
		return scale{hi: math.Ceil(top/step) * step, width: width}
	}
	// One decade below the smallest value, so that its bar has a length.
	lo := math.Floor(math.Log10(least)) - 1
	hi := math.Ceil(math.Log10(top))
	if hi <= lo {
		hi = lo + 1
	}
	return scale{log: true, lo: lo, hi: hi, width: width}
}

// spansDecades reports whether the positive values of rs span more than
// two decades.
func spansDecades(rs []Result) bool {
	lo, hi := math.Inf(1), 0.0
	for i := range rs {
		for _, v := range rs[i].Values {
			if v > 0 {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	return hi > 100*lo
}

// x returns the length of the bar for v.
func (s scale) x(v float64) float64 {
	if s.log {
		if v <= 0 {
			return 0
		}
		return max(0, (math.Log10(v)-s.lo)/(s.hi-s.lo)*s.width)
	}
	return max(0, v/s.hi*s.width)
}

// ticks returns the values marked on the axis.
func (s scale) ticks() []float64 {
	var t []float64
	if s.log {
		for d := s.lo + 1; d <= s.hi; d++ {
			t = append(t, math.Pow(10, d))
		}
		return t
	}
	step := niceStep(s.hi / 4)
	for v := step; v <= s.hi*1.0001; v += step {
		t = append(t, v)
	}
	return t
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// number formats v with about four significant digits and an SI suffix
// for large values.
func number(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return short(v/1e9) + "G"
	case a >= 1e6:
		return short(v/1e6) + "M"
	case a >= 1e4:
		return short(v/1e3) + "k"
	}
	return short(v)
}

// short formats v with at most four significant digits.
func short(v float64) string {
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// esc escapes text for SVG.
func esc(s string) string { return html.EscapeString(s) }
