"""The report in a terminal, with rich: a table of numbers, sparklines, a timeline strip, words.

    print_report(report, console)         # to a rich Console (the CLI's)
    render_text(report, width=100)        # plain text, for tests and benchmarks
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from posture_watch.core import report_words as words
from posture_watch.core.break_effect import effect_words
from posture_watch.core.day_report import DayReport
from posture_watch.core.report_intervals import day_bounds

BLOCKS = "▁▂▃▄▅▆▇█"
STYLE = {"good": "green", "poor": "red3", "away": "grey50", "unknown": "grey30"}
CHAR = {"good": "▂", "poor": "█", "away": "·", "unknown": "░"}
NAMES = {"good": "upright", "poor": "poor", "away": "away", "unknown": "not judged"}


def sparkline(values: list[float | None], lo: float = 0.0, hi: float = 1.0) -> str:
    """One block character per value scaled into [lo, hi]; None -> a space."""
    out = []
    for v in values:
        if v is None:
            out.append(" ")
            continue
        f = 0.0 if hi <= lo else min(1.0, max(0.0, (v - lo) / (hi - lo)))
        out.append(BLOCKS[min(len(BLOCKS) - 1, int(round(f * (len(BLOCKS) - 1))))])
    return "".join(out)


def _share_style(share: float | None) -> str:
    if share is None:
        return "grey50"
    return "green" if share < 0.15 else "yellow" if share < 0.30 else "dark_orange" if share < 0.50 else "red3"


def _hours_line(r: DayReport) -> Text:
    watched = [h.hour for h in r.hours if h.monitored_s > 0]
    lo, hi = (min(watched), max(watched)) if watched else (0, 23)
    text = Text(f"{lo:02d} ")
    for h in r.hours[lo:hi + 1]:
        text.append(sparkline([h.poor_share]) if h.poor_share is not None else "·", style=_share_style(h.poor_share))
    text.append(f" {hi:02d}")
    return text


def _timeline_lines(r: DayReport, width: int) -> list[Text]:
    tz = r.zone
    lines = []
    days = []
    for i in range(r.days):
        day = r.first_day + timedelta(days=i)
        a, b = day_bounds(day, tz)
        segs = [s for s in r.timeline if s.end_t > a and s.start_t < b]
        if segs:
            days.append((day, a, max(segs[0].start_t, a) - a, min(segs[-1].end_t, b) - a, segs))
    # Several days share one clock range (seconds after each local midnight), so rows line up.
    lo_s = min((d[2] for d in days), default=0.0)
    hi_s = max((d[3] for d in days), default=0.0)
    for day, a, _, _, segs in days:
        lo, hi = a + lo_s, a + hi_s
        cell = (hi - lo) / width
        line = Text(f"{datetime.fromtimestamp(lo, tz).strftime('%H:%M')} ")
        k = 0
        for c in range(width):
            c0, c1 = lo + c * cell, lo + (c + 1) * cell
            cover: dict[str, float] = {}
            while k < len(segs) and segs[k].end_t <= c0:
                k += 1
            j = k
            while j < len(segs) and segs[j].start_t < c1:
                s = segs[j]
                cover[s.state] = cover.get(s.state, 0.0) + min(s.end_t, c1) - max(s.start_t, c0)
                j += 1
            if not cover or sum(cover.values()) < 0.4 * cell:
                line.append(" ")
            else:
                state = max(cover, key=lambda name: cover[name])
                line.append(CHAR[state], style=STYLE[state])
        line.append(f" {datetime.fromtimestamp(hi, tz).strftime('%H:%M')}")
        if r.days > 1:
            line = Text.assemble((day.strftime("%a %d "), "dim"), line)
        lines.append(line)
    return lines


def _legend() -> Text:
    text = Text.assemble(("Timeline ", "bold"))
    for state, name in NAMES.items():
        text.append(CHAR[state], style=STYLE[state])
        text.append(f" {name}  ", style="dim")
    return text


def _numbers(r: DayReport) -> Table:
    t = Table(show_header=False, box=None, pad_edge=False, padding=(0, 2, 0, 0))
    t.add_column(style="bold")
    t.add_column(justify="right")
    t.add_column(style="dim")
    lp, lu = r.longest_poor, r.longest_upright
    rows = [
        ("Monitored", words.duration(r.monitored_s), f"{words.duration(r.away_s)} away"),
        ("Upright", words.pct(r.upright_share), "of the judged time"),
        ("Score", "-" if r.score is None else f"{r.score:.0f}/100", "100 = your baseline, 50 = warning level"),
        ("Warnings", str(r.warnings), f"+ {r.escalations} follow-ups" if r.escalations else ""),
        ("Longest poor stretch", words.duration(lp.duration_s if lp else 0), ""),
        ("Longest upright streak", words.duration(lu.duration_s if lu else 0), ""),
        ("Breaks taken / due", f"{r.breaks.taken} / {r.breaks.due}", f"one per {words.duration(r.breaks.every_s)}"),
        ("Longest without a break", words.duration(r.breaks.longest_sitting_s), ""),
    ]
    for row in rows:
        t.add_row(*row)
    return t


def _faults(r: DayReport) -> Table:
    t = Table(title=None, box=None, pad_edge=False, padding=(0, 2, 0, 0), header_style="bold")
    t.add_column("Fault")
    t.add_column("Time", justify="right")
    t.add_column("Share of poor", justify="right")
    t.add_column("Typical size")
    for f in sorted(r.faults, key=lambda f: (-f.lead_s, -f.duration_s)):
        size = f.size_words
        style = "bold" if f.fault == r.dominant_fault else ""
        t.add_row(Text(f.label, style=style), words.duration(f.duration_s) if f.duration_s > 0 else "none",
                  words.pct(f.share_of_poor), size)
    return t


def renderable(report: DayReport, width: int = 100) -> RenderableType:
    r = report
    parts: list[RenderableType] = [Text(r.title, style="bold underline"), Text("")]
    if not r.has_data:
        parts += [Text(r.summary), Text(""), Text(r.disclaimer, style="dim")]
        return Group(*parts)
    trend = Text("7-day upright ") if len(r.trend) == 7 else Text(f"{len(r.trend)}-day upright ")
    trend.append(sparkline([d.upright_share for d in r.trend]), style="green")
    trend.append(f"  {r.trend[0].day.strftime('%d %b')} - {r.trend[-1].day.strftime('%d %b')}", style="dim")
    strip_width = max(24, min(72, width - 16))
    parts += [
        _numbers(r), Text(""),
        _legend(), *_timeline_lines(r, strip_width),
        Text(""),
        Text.assemble(("Poor share by hour ", "bold"), _hours_line(r)),
        Text(r.fatigue.words, style="italic"),
        trend, Text(""),
        _faults(r), Text(""),
        Text(r.summary), Text(""),
    ]
    after_breaks = effect_words(r.break_effects, r.weeks)
    if after_breaks:
        parts += [Text.assemble(("Breaks ", "bold"), after_breaks), Text("")]
    if r.asymmetry_words:
        parts += [Text.assemble(("Left and right (yours) ", "bold"), " ".join(r.asymmetry_words)), Text("")]
    if r.profiles and len(r.profiles) > 1:
        parts.append(Text("Profiles: " + ", ".join(f"{p.name} {words.duration(p.monitored_s)} "
                                                   f"({words.pct(p.upright_share)} upright)" for p in r.profiles)))
        parts.append(Text(""))
    parts.append(Text("Tips", style="bold"))
    for i, tip in enumerate(r.tips + r.asymmetry_tips, 1):
        parts.append(Text(f"{i}. {tip}"))
    parts += [Text(""), Text(r.disclaimer, style="dim")]
    return Group(*parts)


def print_report(report: DayReport, console: Console) -> None:
    console.print(renderable(report, width=console.width))


def render_text(report: DayReport, width: int = 100, color: bool = False) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system="standard" if color else None, force_terminal=color,
                      highlight=False, soft_wrap=False)
    print_report(report, console)
    return buf.getvalue()
