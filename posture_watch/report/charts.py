"""The report's charts as inline SVG text, drawn with matplotlib's SVG backend (never a GUI).

Each function takes a DayReport and returns one `<svg>` element ready to paste into HTML:
no XML prologue, no namespace URLs, ids prefixed per chart (several charts share one page),
no fixed width/height (the page's CSS scales it by its viewBox), and the page's font stack.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import matplotlib
import numpy as np
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from posture_watch.core.day_report import DayReport
from posture_watch.core.report_intervals import day_bounds, local_hour_slices

COLORS = {"good": "#2f9e6e", "poor": "#e0603a", "away": "#c3cad5", "unknown": "#e9edf2"}
INK, MUTED, GRID = "#1f2933", "#6b7785", "#e4e8ee"
FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
_RC = {
    "svg.fonttype": "none",          # text stays text: small, sharp, selectable
    "svg.hashsalt": "posture-watch",  # stable ids
    "font.size": 10,
    "axes.edgecolor": GRID,
    "axes.labelcolor": MUTED,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "text.color": INK,
}


def svg_text(fig: Figure, chart_id: str, label: str) -> str:
    """The figure as one inline <svg> element (see the module docstring)."""
    FigureCanvasSVG(fig)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r'\s(?:xmlns(?::xlink)?|version)="[^"]*"', "", text, count=0)
    text = re.sub(r'<svg\s+width="[^"]*"\s+height="[^"]*"', "<svg", text, count=1)
    text = re.sub(r'id="([^"]+)"', lambda m: f'id="{chart_id}-{m.group(1)}"', text)
    text = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{chart_id}-{m.group(1)})", text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{chart_id}-{m.group(1)}"', text)
    text = re.sub(r"font-family:[^;\"]*", f"font-family: {FONT_STACK}", text)
    text = text.replace("<svg", f'<svg id="{chart_id}" class="chart" role="img" aria-label="{label}"'
                        ' preserveAspectRatio="xMidYMid meet"', 1)
    return text.strip()


def _figure(width_in: float, height_in: float) -> Figure:
    return Figure(figsize=(width_in, height_in), dpi=72)


def _style(ax) -> None:
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(GRID)
    ax.tick_params(length=0)


# --- timeline ------------------------------------------------------------------------------

def _state_bins(report: DayReport, a: float, b: float, n_bins: int) -> tuple[np.ndarray, list[str | None]]:
    """Bin edges over [a, b] and the state that filled most of each bin (None: mostly unmonitored)."""
    edges = np.linspace(a, b, n_bins + 1)
    states = list(COLORS)
    cover = np.zeros((len(states), n_bins))
    segs = [s for s in report.timeline if s.end_t > a and s.start_t < b]
    for k, name in enumerate(states):
        mine = [s for s in segs if s.state == name]
        if not mine:
            continue
        starts = np.array([s.start_t for s in mine])
        ends = np.array([s.end_t for s in mine])
        cum = np.r_[0.0, np.cumsum(ends - starts)]

        def covered_before(t: np.ndarray) -> np.ndarray:
            i = np.searchsorted(starts, t, side="right") - 1
            inside = np.clip(t - starts[np.maximum(i, 0)], 0, (ends - starts)[np.maximum(i, 0)])
            return np.where(i >= 0, cum[np.maximum(i, 0)] + inside, 0.0)

        c = covered_before(edges)
        cover[k] = np.diff(c)
    width = (b - a) / n_bins
    out: list[str | None] = []
    for j in range(n_bins):
        col = cover[:, j]
        out.append(states[int(col.argmax())] if col.sum() >= 0.4 * width else None)
    return edges, out


def _day_rows(report: DayReport) -> list[tuple[str, float, float]]:
    tz = report.zone
    rows = []
    for i in range(report.days):
        day = report.first_day + timedelta(days=i)
        a, b = day_bounds(day, tz)
        rows.append((day.strftime("%a %d"), a, b))
    return rows


_TICK_STEPS_S = (60, 120, 300, 600, 900, 1800, 3600)


def _span_hours(report: DayReport) -> tuple[float, float, float | None]:
    """The part of the day(s) to draw, in hours after local midnight, and the tick step in s.

    Three hours of data or more: whole local hours, at least 6 (tick step None: every local
    hour). Less: zoom to the data, with a round tick step giving about five to ten ticks.
    """
    lo, hi = 24.0, 0.0
    for _, a, b in _day_rows(report):
        segs = [s for s in report.timeline if s.end_t > a and s.start_t < b]
        if segs:
            lo = min(lo, (max(segs[0].start_t, a) - a) / 3600)
            hi = max(hi, (min(segs[-1].end_t, b) - a) / 3600)
    if hi <= lo:
        return 8.0, 18.0, None
    if hi - lo < 3:
        step = next((st for st in _TICK_STEPS_S if (hi - lo) * 3600 / st <= 9), 3600)
        return (float(np.floor(lo * 3600 / step) * step / 3600), float(np.ceil(hi * 3600 / step) * step / 3600),
                float(step))
    lo, hi = float(np.floor(lo)), float(np.ceil(hi))
    while hi - lo < 6:
        lo, hi = max(0.0, lo - 1), min(25.0, hi + 1)
        if lo == 0.0 and hi == 25.0:
            break
    return lo, hi, None


def timeline_svg(report: DayReport, compact: bool = False) -> str:
    tz = report.zone
    rows = _day_rows(report)
    lo, hi, tick_s = _span_hours(report)
    width_in = 4.6 if compact else 9.4
    row_h = 0.42 if compact else 0.36
    with matplotlib.rc_context({**_RC, "font.size": 11 if compact else 10}):
        bottom_in, top_in = (0.42 if compact else 0.36), 0.06
        height_in = bottom_in + top_in + row_h * len(rows)
        left = (0.16 if compact else 0.085) if len(rows) > 1 else (0.055 if compact else 0.03)
        fig = _figure(width_in, height_in)
        ax = fig.add_axes((left, bottom_in / height_in, 1 - left - (0.055 if compact else 0.03),
                           row_h * len(rows) / height_in))
        n_bins = 240 if compact else 480
        for r, (_, a, b) in enumerate(rows):
            y = len(rows) - 1 - r
            ax.broken_barh([(lo, hi - lo)], (y + 0.12, 0.76), facecolors="#f6f7f9", edgecolors="none")
            edges, states = _state_bins(report, a + lo * 3600, min(b, a + hi * 3600), n_bins)
            x = (edges - a) / 3600
            for name, color in COLORS.items():
                spans = _merge([(x[j], x[j + 1]) for j, s in enumerate(states) if s == name])
                if spans:
                    ax.broken_barh([(s, e - s) for s, e in spans], (y + 0.12, 0.76), facecolors=color,
                                   edgecolors="none")
        ax.set_xlim(lo, hi)
        ax.set_ylim(0, len(rows))
        _, a0, b0 = rows[0]
        if tick_s is None:
            step = 2 if compact and hi - lo > 8 else 1
            ticks = [(t0 - a0) / 3600 for t0, _, h in local_hour_slices(a0, b0, tz) if lo <= (t0 - a0) / 3600 <= hi]
            ticks = [t for t in ticks if t > lo - 1e-9][::step]
        else:
            count = int(round((hi - lo) * 3600 / tick_s))
            ticks = [lo + k * tick_s / 3600 for k in range(count + 1)][::2 if compact and count > 6 else 1]
        ax.set_xticks(ticks, [datetime.fromtimestamp(a0 + t * 3600, tz).strftime("%H:%M") for t in ticks])
        ax.set_yticks([len(rows) - 1 - r + 0.5 for r in range(len(rows))],
                      [name for name, _, _ in rows] if len(rows) > 1 else [""])
        _style(ax)
        ax.spines["bottom"].set_visible(False)
        return svg_text(fig, "chart-timeline-compact" if compact else "chart-timeline",
                        "Timeline of the day: good, poor and away")


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for s, e in spans:
        if out and abs(out[-1][1] - s) < 1e-9:
            out[-1][1] = e
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


# --- hour by hour ----------------------------------------------------------------------------

SHARE_BANDS = ((0.15, COLORS["good"]), (0.30, "#e9b949"), (0.50, "#e8893f"), (1.01, COLORS["poor"]))


def share_color(share: float) -> str:
    """Bar colour of an hour's poor share: green under 15 %, amber, orange, red from 50 %."""
    for upper, color in SHARE_BANDS:
        if share < upper:
            return color
    return SHARE_BANDS[-1][1]


def hours_svg(report: DayReport) -> str:
    watched = [h.hour for h in report.hours if h.monitored_s > 0]
    lo, hi = (min(watched), max(watched)) if watched else (8, 17)
    while hi - lo < 5:
        lo, hi = max(0, lo - 1), min(23, hi + 1)
    hours = [h for h in report.hours if lo <= h.hour <= hi]
    with matplotlib.rc_context({**_RC, "font.size": 11}):
        fig = _figure(5.2, 2.7)
        ax = fig.add_axes((0.1, 0.16, 0.88, 0.76))
        for h in hours:
            if h.poor_share is None:
                if h.monitored_s > 0:
                    ax.text(h.hour, 0.02, "·", ha="center", va="bottom", color=MUTED)
                continue
            ax.bar(h.hour, max(h.poor_share, 0.004), width=0.72, color=share_color(h.poor_share))
            if len(hours) <= 14:
                ax.text(h.hour, h.poor_share + 0.02, f"{h.poor_share * 100:.0f}", ha="center", va="bottom",
                        fontsize=9.5, color=MUTED)
        ax.set_ylim(0, 1.08)
        ax.set_xlim(lo - 0.6, hi + 0.6)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25", "50", "75", "100 %"])
        ax.grid(axis="y", color=GRID, linewidth=0.8)
        ax.set_axisbelow(True)
        step = 1 if len(hours) <= 12 else 2
        ax.set_xticks([h.hour for h in hours][::step], [f"{h.hour:02d}" for h in hours][::step])
        _style(ax)
        return svg_text(fig, "chart-hours", "Share of poor posture in each hour")


# --- 7-day trend ------------------------------------------------------------------------------

def trend_svg(report: DayReport) -> str:
    days = report.trend
    with matplotlib.rc_context({**_RC, "font.size": 11}):
        fig = _figure(5.2, 2.7)
        ax = fig.add_axes((0.1, 0.16, 0.88, 0.76))
        x = np.arange(len(days))
        current = {report.first_day + timedelta(days=i) for i in range(report.days)}
        for i, d in enumerate(days):
            if d.upright_share is None:
                ax.text(i, 0.03, "no\ndata", ha="center", va="bottom", fontsize=8, color=MUTED, linespacing=1.0)
                continue
            color = COLORS["good"] if d.day in current else "#a9d8c2"
            ax.bar(i, max(d.upright_share, 0.004), width=0.66, color=color)
            ax.text(i, d.upright_share + 0.02, f"{d.upright_share * 100:.0f}", ha="center", va="bottom",
                    fontsize=9.5, color=INK if d.day in current else MUTED)
        earlier = [d.upright_share for d in days if d.day not in current and d.upright_share is not None]
        if earlier:
            mean = float(np.mean(earlier))
            ax.axhline(mean, color=MUTED, linewidth=1, linestyle=(0, (3, 3)), zorder=0.5)
        ax.set_ylim(0, 1.1)
        ax.set_xlim(-0.6, len(days) - 0.4)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25", "50", "75", "100 %"])
        ax.grid(axis="y", color=GRID, linewidth=0.8)
        ax.set_axisbelow(True)
        step = 1 if len(days) <= 10 else max(1, len(days) // 7)
        ax.set_xticks(x[::step], [d.day.strftime("%a\n%d") for d in days][::step])
        _style(ax)
        return svg_text(fig, "chart-trend", "Upright share over the last days")
