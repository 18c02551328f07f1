"""The report page's "Left and right" card: the sentences, a table of the period and the weeks, a
trend of each day of the weeks (inline SVG, drawn here: a bar up for the left, down for the right),
and the tips for the side measured. Pure text; nothing when no judged time was seen from the front.
"""

from __future__ import annotations

from html import escape

from posture_watch.core import asymmetry_words as aw
from posture_watch.core.asymmetry import CLEAR, NOT_ENOUGH, NOT_SEEN, SideStat, WindowSides
from posture_watch.core.day_report import DayReport

LEFT_COLOR, RIGHT_COLOR, GRID = "#5b6ee1", "#e08a3c", "#e4e8ee"
ROWS = (("shoulder", "Shoulder lower"), ("head", "Head tilted"), ("lean", "Sat to the side"))


def _cell(stat: SideStat) -> str:
    if stat.status == NOT_SEEN:
        return '<td class="num">-</td>'
    if stat.status == NOT_ENOUGH:
        return '<td class="num">not enough data</td>'
    share = stat.left_share if stat.side == "left" else stat.right_share
    if stat.status == CLEAR:
        text = f"<b>{stat.side}</b> {aw._pct(share)}, {escape(aw.size_words(stat))}"
    else:
        text = f"no clear side (left {aw._pct(stat.left_share)}, right {aw._pct(stat.right_share)})"
    return f'<td class="num">{text}</td>'


def _table(period: WindowSides, weeks: WindowSides, period_label: str, weeks_label: str) -> str:
    rows = "".join(f"<tr><td>{label}</td>{_cell(getattr(period, key))}{_cell(getattr(weeks, key))}</tr>"
                   for key, label in ROWS)
    return (f'<table><thead><tr><th>Your side</th><th>{escape(period_label)}</th><th>{escape(weeks_label)}</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>")


def trend_svg(daily: tuple[WindowSides, ...]) -> str:
    """Per measure a row of days: the left share as a bar up from the middle line, the right share
    as a bar down; a day without enough data is a small grey dot, a day with none is blank."""
    n = max(len(daily), 1)
    label_w, row_h, half, width = 120, 58, 24, 720
    step = (width - label_w - 10) / n
    parts = [f'<svg class="chart" id="sides-trend-svg" viewBox="0 0 {width} {row_h * 3 + 22}" role="img" '
             'aria-label="Left and right, day by day">']
    for r, (key, label) in enumerate(ROWS):
        mid = 10 + r * row_h + half
        parts.append(f'<text x="0" y="{mid + 4}" font-size="12" fill="#1f2933">{label}</text>'
                     f'<line x1="{label_w}" y1="{mid}" x2="{width - 10}" y2="{mid}" stroke="{GRID}"/>')
        for i, w in enumerate(daily):
            stat: SideStat = getattr(w, key)
            x = label_w + i * step + step * 0.15
            bw = step * 0.7
            if stat.status == NOT_SEEN or (stat.status == NOT_ENOUGH and stat.measured_s <= 0):
                continue
            if stat.status == NOT_ENOUGH:
                parts.append(f'<circle cx="{x + bw / 2:.1f}" cy="{mid}" r="2" fill="#b8c0cc"/>')
                continue
            up, down = (stat.left_share or 0.0) * half, (stat.right_share or 0.0) * half
            title = f"{w.first_day.isoformat()}: left {aw._pct(stat.left_share)}, right {aw._pct(stat.right_share)}"
            parts.append(f'<g><title>{escape(title)}</title>'
                         f'<rect x="{x:.1f}" y="{mid - up:.1f}" width="{bw:.1f}" height="{up:.1f}" fill="{LEFT_COLOR}"/>'
                         f'<rect x="{x:.1f}" y="{mid}" width="{bw:.1f}" height="{down:.1f}" fill="{RIGHT_COLOR}"/></g>')
    if daily:
        y = 10 + 3 * row_h + 8
        parts.append(f'<text x="{label_w}" y="{y}" font-size="11" fill="#6b7785">'
                     f'{daily[0].first_day.strftime("%d %b")}</text>'
                     f'<text x="{width - 10}" y="{y}" font-size="11" fill="#6b7785" text-anchor="end">'
                     f'{daily[-1].first_day.strftime("%d %b")}</text>')
    parts.append("</svg>")
    return "".join(parts)


def card(r: DayReport) -> str:
    a = r.asymmetry
    if a is None or not (aw.seen(a.period) or aw.seen(a.weeks)):
        return ""
    words = "".join(f"<p>{escape(s)}</p>" for s in r.asymmetry_words)
    tips = "".join(f"<li>{escape(t)}</li>" for t in r.asymmetry_tips)
    period_label = "This day" if r.days == 1 else f"These {r.days} days"
    weeks_label = aw.weeks_when(a).replace("over the last", "Last")
    legend = (f'<div class="legend"><span style="--c:{LEFT_COLOR}">your left (bar up)</span>'
              f'<span style="--c:{RIGHT_COLOR}">your right (bar down)</span></div>')
    return (
        '<section class="card" id="sides"><h2>Left and right</h2>'
        f'<div id="sides-words">{words}</div>'
        + _table(a.period, a.weeks, period_label, weeks_label)
        + f'<h3 class="sub">Day by day, {escape(weeks_label.lower())}</h3>' + trend_svg(a.daily) + legend
        + (f'<ol class="tips" id="sides-tips">{tips}</ol>' if tips else "")
        + '<p class="note">Left and right are yours, as you sit, not the picture\'s: the pose model names each '
        "body part as the person's own, wherever the picture shows it. Shares are of the judged time seen from the front; "
        f"a side is named when it holds half of that time and twice the other side's. Below "
        f"{aw._minutes(a.min_day_s)} a day (or {aw._minutes(a.min_weeks_s)} over several days) "
        "there is not enough data. A side camera cannot see any of this.</p></section>")
